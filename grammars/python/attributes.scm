; `self.x = ...` assignments of a class. Contract with logsmith/syntax/site.py (_self_attributes, _initialised_attributes).
(assignment
  left: (attribute
    object: (identifier) @attribute.owner
    attribute: (identifier)) @attribute
  (#eq? @attribute.owner "self"))
