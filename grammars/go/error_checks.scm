; Error checks: `if err != nil { ... }` (also `if err := f(); err != nil`, `nil != err`).
; logsmith/syntax/go_scopes.py keeps those whose name reads as an error (err, e, *Err, *err).
;   @check.name  the checked identifier
;   @check.body  the block that runs when there is an error
;   @check       the if_statement

; if err != nil { return err }
(if_statement
  condition: (binary_expression
    left: (identifier) @check.name
    operator: "!="
    right: (nil))
  consequence: (block) @check.body) @check

; if nil != err { ... }
(if_statement
  condition: (binary_expression
    left: (nil)
    operator: "!="
    right: (identifier) @check.name)
  consequence: (block) @check.body) @check
