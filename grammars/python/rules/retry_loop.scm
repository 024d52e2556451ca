; Rule retry_loop: a loop that catches an error and tries again, so failed attempts vanish unless
; they are logged.
; Capture names are the contract with logsmith/syntax/batch_rules.py (see grammars/python/README.md, "Rules").
;
; sites.py keeps the handlers that do not end with a raise and do not report, in loops that look
; like retries: a sleep call inside the loop, a header naming attempts/retries/tries/backoff, or a
; `while` loop whose handler continues.
;   @loop     the for_statement / while_statement
;   @handler  an except_clause of a try statement directly in the loop's body
;   @body     the handler's block: the statement goes before its first statement
;   @sleep    a call to something named sleep (time.sleep, asyncio.sleep, sleep), anywhere

; for attempt in range(3): try: ... except ConnectionError: time.sleep(1)
(for_statement
  body: (block
    (try_statement
      (except_clause (block) @body) @handler))) @loop

; while True: try: ... except TimeoutError: continue
(while_statement
  body: (block
    (try_statement
      (except_clause (block) @body) @handler))) @loop

; time.sleep(delay) / asyncio.sleep(delay) / sleep(delay)
((call
  function: [(identifier) (attribute)] @sleep.function) @sleep
  (#match? @sleep.function "(^|\\.)sleep$"))
