; Rule except_swallowed: an error block that goes on without the error (`continue`, `return nil`,
; a fallback value). logsmith/syntax/go_rules.py keeps the blocks that never read the error, do not
; report and do not return a new error in its place (that is except_converted).
;   @check  the if_statement
;   @body   its block: the statement goes before its first statement
;   @name   the checked error

; if err != nil { continue }
(if_statement
  condition: (binary_expression
    left: (identifier) @name
    operator: "!="
    right: (nil))
  consequence: (block) @body) @check
