; Functions, methods and function literals: the scopes of a Go file.
;   @function  the declaration or literal

; func run() {...}
(function_declaration) @function

; func (s *Server) Run() {...}
(method_declaration) @function

; go func() {...}(), handler := func(w http.ResponseWriter, r *http.Request) {...}
(func_literal) @function
