; Shared by every rule (not a rule itself): `# logsmith: ignore` comments, optionally naming rules,
; `# logsmith: ignore[except_swallowed, io_call]`. On a flagged line (the except / if / loop line, the
; statement the log would precede) it silences that finding; on a function's def line (or its
; decorators) it silences every finding inside the function.
; Capture names are the contract with logsmith/syntax/batch_rules.py (see grammars/python/README.md, "Rules").
;   @ignore  the comment node

((comment) @ignore
  (#match? @ignore "logsmith:\\s*ignore"))
