; Names a function binds. logsmith/syntax/go_scopes.py works out each one's scope (the block, the
; if/for/switch statement or the function) from its declaration.
;   @binding     the bound identifier
;   @parameter   a parameter, receiver or named result
;   @declaration the statement or clause that binds it

; x, err := f()  (also in if/for/switch initializers)
(short_var_declaration left: (expression_list (identifier) @binding)) @declaration

; var z int = 4
(var_spec name: (identifier) @binding) @declaration

; const n = 3 (inside a function)
(const_spec name: (identifier) @binding) @declaration

; for i, v := range items
(range_clause left: (expression_list (identifier) @binding)) @declaration

; case m := <-ch:
(receive_statement left: (expression_list (identifier) @binding)) @declaration

; switch t := x.(type)
(type_switch_statement alias: (expression_list (identifier) @binding)) @declaration

; func (s *S) f(a, b int, xs ...string) (n int, err error)
(parameter_declaration name: (identifier) @parameter)
(variadic_parameter_declaration name: (identifier) @parameter)
