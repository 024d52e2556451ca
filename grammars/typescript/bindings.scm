; The names a binding pattern binds, run over a parameter list, a declarator's name or a catch
; parameter. Capture `@binding`, read by logsmith/syntax/javascript_tree.py. A pattern that is a
; plain identifier binds itself (the reader takes it without this query). TypeScript wraps each
; parameter in required_parameter or optional_parameter (JavaScript's formal_parameters hold the
; identifiers themselves).

; function f(x: T), (x) => ...
(required_parameter
  pattern: (identifier) @binding)

; function f(x?: T)
(optional_parameter
  pattern: (identifier) @binding)

; { x } and { x = 1 }
(shorthand_property_identifier_pattern) @binding

; { key: x }
(pair_pattern
  value: (identifier) @binding)

; [x, y]
(array_pattern
  (identifier) @binding)

; x = 1 as an element with a default
(assignment_pattern
  left: (identifier) @binding)

; ...rest
(rest_pattern
  (identifier) @binding)
