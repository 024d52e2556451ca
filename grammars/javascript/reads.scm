; The names an expression reads (one file for the JavaScript, TypeScript and TSX grammars).
; Capture `@read`, read by logsmith/syntax/javascript.py, which drops the names that functions
; inside the expression bind themselves.

; user in user.id, err in log(err); property names are property_identifier, not matched
(identifier) @read

; { err } reads err
(shorthand_property_identifier) @read
