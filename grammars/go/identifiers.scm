; Identifiers a statement reads. Selector fields are `field_identifier` and never match;
; logsmith/syntax/go.py drops the keys of struct literals (`Foo{Name: x}` reads x, not Name)
; and the names a statement declares.
;   @name  each identifier, type name or package name read

; err, host, zap (of zap.String), log (of log.Printf)
(identifier) @name

; Config of Config{Name: x}, string of []string{...}
(type_identifier) @name

; logrus of logrus.Fields{...}
(qualified_type package: (package_identifier) @name)
