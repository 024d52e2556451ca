; Names a method binds, each with the node whose extent is its scope. logsmith/syntax/java_scopes.py
; keeps the ones bound before the cursor whose scope holds it.

; A local variable: its scope is the rest of the block (or switch group) it is declared in.
(local_variable_declaration
  declarator: (variable_declarator name: (identifier) @binding.local)) @declaration.local

; A method's, constructor's or lambda's parameters: in scope in the whole body.
(formal_parameter name: (identifier) @binding.parameter)
(spread_parameter (variable_declarator name: (identifier) @binding.parameter))
(lambda_expression parameters: (identifier) @binding.parameter)
(inferred_parameters (identifier) @binding.parameter)

; The caught exception: in scope in its catch block.
(catch_formal_parameter name: (identifier) @binding.catch)

; try-with-resources variables: in scope in the try block.
(resource name: (identifier) @binding.resource)

; The enhanced for's variable: in scope in the loop.
(enhanced_for_statement name: (identifier) @binding.loop)

; A pattern variable: `o instanceof Foo f`, a record pattern's components.
(instanceof_expression name: (identifier) @binding.pattern)
