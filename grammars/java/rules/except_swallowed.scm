; A catch block: logsmith/syntax/java_rules.py flags it when it neither logs, throws, nor hands
; the caught exception on.
(catch_clause
  (catch_formal_parameter) @parameter
  body: (block) @body) @handler
