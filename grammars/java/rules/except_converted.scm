; A catch block that throws a new exception directly in its block: `throw new X(...)`.
(catch_clause
  (catch_formal_parameter) @parameter
  body: (block
    (throw_statement (object_creation_expression) @raised) @raise) @body) @handler
