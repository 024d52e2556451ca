; Loggers a Go file declares: struct fields and package-level variables whose type or
; initial value names a logging library. logsmith/idioms/go.py matches the types and factories
; against the file's imports.
;   @field.owner  the struct type's name          @field.name  the field   @field.type  its type
;   @variable.name  a package-level variable       @variable.type / @variable.value  its type or value

; type Server struct { lg *zap.Logger; logger hclog.Logger }
(type_spec
  name: (type_identifier) @field.owner
  type: (struct_type
    (field_declaration_list
      (field_declaration
        name: (field_identifier) @field.name
        type: (_) @field.type))))

; var lg *zap.Logger / var logger = zap.L()
(source_file
  (var_declaration
    (var_spec
      name: (identifier) @variable.name
      type: (_)? @variable.type
      value: (expression_list (_) @variable.value)?)))

; var ( log = logrus.WithField("component", "api") )
(source_file
  (var_declaration
    (var_spec_list
      (var_spec
        name: (identifier) @variable.name
        type: (_)? @variable.type
        value: (expression_list (_) @variable.value)?))))
