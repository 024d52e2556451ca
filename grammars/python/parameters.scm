; Parameters of a function_definition's `parameters` node. Contract with logsmith/syntax/site.py.
(parameters (identifier) @parameter)
(parameters (default_parameter name: (identifier) @parameter))
(parameters (typed_parameter (identifier) @parameter))
(parameters (typed_default_parameter name: (identifier) @parameter))
(parameters (list_splat_pattern (identifier) @parameter))
(parameters (dictionary_splat_pattern (identifier) @parameter))
(parameters (typed_parameter (list_splat_pattern (identifier) @parameter)))
(parameters (typed_parameter (dictionary_splat_pattern (identifier) @parameter)))
