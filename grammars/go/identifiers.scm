; Identifiers a statement reads. Selector fields are `field_identifier` and never match;
; logsmith/syntax/go.py drops the keys of struct literals (`Foo{Name: x}` reads x, not Name).
;   @name  each identifier

; err, host, zap (of zap.String), log (of log.Printf)
(identifier) @name
