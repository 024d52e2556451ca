; The attributes of a class's instances, run over a class. Capture names are the contract with
; logsmith/syntax/javascript_tree.py: `@attribute` is written `this.<name>` as a whole,
; `@attribute.name` is the bare name of a field.

; this.host = host in the constructor or a method
(assignment_expression
  left: (member_expression
    object: (this)
    property: (property_identifier)) @attribute)

; A class field: host = "localhost"; or handle = () => {};
(field_definition
  property: (property_identifier) @attribute.name)
