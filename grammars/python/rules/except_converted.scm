; Rule except_converted: an except handler that raises a different exception, with or without `from`,
; so the original error reaches the logs (if ever) only as a chained cause.
; Capture names are the contract with logsmith/syntax/batch_rules.py (see grammars/python/README.md, "Rules").
;
; sites.py drops handlers that report already, re-raise the caught exception itself (`raise exc`),
; catch only control-flow exceptions, or live in a dunder method (protocol conversions such as
; KeyError -> AttributeError in __getattr__).
;   @handler  the except_clause
;   @body     its block: the statement goes before the block's first statement
;   @raise    a raise statement directly in the block
;   @raised   the expression it raises (its first child, before any `from`)

; except KeyError as exc: raise ConfigError(name) from exc
(except_clause
  (block
    (raise_statement . (_) @raised) @raise) @body) @handler
