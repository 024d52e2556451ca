; Names bound inside a scope. Capture names are the contract with logsmith/syntax/site.py.
; Each capture is an identifier; site.py keeps those that end before the cursor and belong
; to the cursor's scope (nested functions and classes are skipped there).

; x = ..., x: int = ..., x += ...
(assignment left: (identifier) @bind)
(augmented_assignment left: (identifier) @bind)
; a, b = ... / [a, b] = ...
(assignment left: (pattern_list (identifier) @bind))
(assignment left: (tuple_pattern (identifier) @bind))
(assignment left: (list_pattern (identifier) @bind))
; for x in ...: / for k, v in ...:
(for_statement left: (identifier) @bind.loop)
(for_statement left: (pattern_list (identifier) @bind.loop))
(for_statement left: (tuple_pattern (identifier) @bind.loop))
; with open(p) as f:
(as_pattern alias: (as_pattern_target (identifier) @bind.with))
; (y := ...)
(named_expression name: (identifier) @bind)
; import os / import a.b as c / from x import y as z
(import_statement name: (dotted_name . (identifier) @bind.import))
(import_statement name: (aliased_import alias: (identifier) @bind.import))
(import_from_statement name: (dotted_name (identifier) @bind.import))
(import_from_statement name: (aliased_import alias: (identifier) @bind.import))
; def g(): / class C:
(function_definition name: (identifier) @bind.definition)
(class_definition name: (identifier) @bind.definition)
; global / nonlocal declarations make a module name usable
(global_statement (identifier) @bind)
