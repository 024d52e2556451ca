; Names a whole file binds: fields of its classes, enum constants, record components, its types
; and its imports. Read by logsmith/syntax/java_scopes.py as the site's module names.

; A field: int count; private static final Logger LOG = ...;
(field_declaration
  declarator: (variable_declarator name: (identifier) @field))
(constant_declaration
  declarator: (variable_declarator name: (identifier) @field))

; An enum constant.
(enum_constant name: (identifier) @field)

; A record's components are its fields.
(record_declaration
  parameters: (formal_parameters (formal_parameter name: (identifier) @field)))

; The file's types.
(class_declaration name: (identifier) @type)
(interface_declaration name: (identifier) @type)
(enum_declaration name: (identifier) @type)
(record_declaration name: (identifier) @type)
(annotation_type_declaration name: (identifier) @type)

; A method: a statement may call it without a receiver (read apart from the names above).
(method_declaration name: (identifier) @method)

; An import (java_scopes.py takes the simple name, and none from `import a.b.*;`).
(import_declaration) @import
