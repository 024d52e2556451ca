; Rule error_return: an error block that hands the error back, as it is or wrapped, without
; logging it. logsmith/syntax/go_rules.py keeps the blocks whose last statement returns an
; expression that reads the error and that do not report.
;   @check   the if_statement
;   @body    its block: the statement goes before its first statement
;   @name    the checked error
;   @return  the return statement directly in the block

; if err != nil { return nil, fmt.Errorf("open %s: %w", path, err) }
(if_statement
  condition: (binary_expression
    left: (identifier) @name
    operator: "!="
    right: (nil))
  consequence: (block
    (statement_list
      (return_statement) @return)) @body) @check
