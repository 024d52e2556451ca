; Rule error_return: an early return on an error path, `if not result: return None`, where the caller
; only learns that something failed, never what.
; Capture names are the contract with logsmith/syntax/batch_rules.py (see grammars/python/README.md, "Rules").
;
; sites.py keeps the guards whose check reads as a failure (`not x`, `x is None`, `code != 0`, `n < 0`,
; `== -1`, joined by `or`/`and`) on something other than a bare parameter, whose block ends with the
; return, and whose return gives a failure value (None, False, -1, or a bare return in a function that
; otherwise returns values). Predicates (is_*, has_*, can_*, should_*) and dunder methods are skipped.
;   @guard   the if_statement
;   @check   its condition
;   @body    its consequence block: the statement goes before the block's first statement
;   @return  a return statement directly in that block

; if not response.ok: return None
(if_statement
  condition: (_) @check
  consequence: (block
    (return_statement) @return) @body) @guard
