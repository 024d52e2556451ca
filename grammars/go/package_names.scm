; Names declared at package level (the file's top-level declarations).
;   @package.name  each declared name

; var logger = ..., var ( a = 1; b int )
(source_file (var_declaration (var_spec name: (identifier) @package.name)))
(source_file (var_declaration (var_spec_list (var_spec name: (identifier) @package.name))))

; const K = 1, const ( A = iota )
(source_file (const_declaration (const_spec name: (identifier) @package.name)))

; func run() {...}
(source_file (function_declaration name: (identifier) @package.name))

; type Server struct {...}, type ( A int )
(source_file (type_declaration (type_spec name: (type_identifier) @package.name)))
(source_file (type_declaration (type_alias name: (type_identifier) @package.name)))
