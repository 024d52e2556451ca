; Rule retry_loop: a loop that checks an error and goes round again without logging it.
; logsmith/syntax/go_rules.py keeps the loops that look like retries (a sleep or backoff call in the
; loop, or a header naming attempt/retry/tries/backoff) whose error block does not report.
;   @loop   the for_statement
;   @check  an `if err != nil` directly in its body
;   @body   that if's block: the statement goes before its first statement
;   @name   the checked error

; for i := 0; i < 3; i++ { if err := f(); err != nil { time.Sleep(d); continue } }
(for_statement
  body: (block
    (statement_list
      (if_statement
        condition: (binary_expression
          left: (identifier) @name
          operator: "!="
          right: (nil))
        consequence: (block) @body) @check))) @loop
