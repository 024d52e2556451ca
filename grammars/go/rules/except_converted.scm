; Rule except_converted: an error block that returns another error in place of the one it checked
; (`return nil, ErrNotFound`, `return errors.New("bad input")`). logsmith/syntax/go_rules.py keeps
; the blocks that never read the checked error, whose last statement returns a new error, and that
; do not report.
;   @check   the if_statement
;   @body    its block: the statement goes before its first statement
;   @name    the checked error
;   @return  the return statement directly in the block

; if err != nil { return nil, ErrNotFound }
(if_statement
  condition: (binary_expression
    left: (identifier) @name
    operator: "!="
    right: (nil))
  consequence: (block
    (statement_list
      (return_statement) @return)) @body) @check
