; The attributes of a class's instances, run over a class. Capture names are the contract with
; logsmith/syntax/javascript_tree.py: `@attribute` is written `this.<name>` as a whole,
; `@attribute.name` is the bare name of a field or a parameter property. TypeScript's class
; fields are public_field_definition (JavaScript's field_definition).

; this.host = host in the constructor or a method
(assignment_expression
  left: (member_expression
    object: (this)
    property: (property_identifier)) @attribute)

; A class field: private readonly host: string = "localhost";
(public_field_definition
  name: (property_identifier) @attribute.name)

; A parameter property: constructor(private readonly client: Client)
(required_parameter
  (accessibility_modifier)
  pattern: (identifier) @attribute.name)
