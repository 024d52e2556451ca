; Each class that derives from others, with its base list. Contract with logsmith/syntax/file_facts.py (class_bases).
(class_definition
  name: (identifier) @class.name
  superclasses: (argument_list) @class.bases)
