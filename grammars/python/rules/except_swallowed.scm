; Rule except_swallowed: an except handler after which the program goes on as if nothing happened.
; Capture names are the contract with logsmith/syntax/batch_rules.py (see grammars/python/README.md, "Rules").
;
; The query selects every handler with its block; sites.py keeps those whose block raises nothing
; (no `raise` outside nested functions), does not report (logger call, print to stderr, warnings.warn),
; does not pass the caught exception on as a value (`errors.append(exc)`), and does not catch only
; control-flow exceptions (KeyError, StopIteration, ImportError, ...).
;   @handler  the except_clause
;   @body     its block: the statement goes before the block's first statement

; except ValueError: pass / except OSError as exc: return None / except: continue
(except_clause
  (block) @body) @handler
