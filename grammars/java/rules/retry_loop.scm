; A try statement directly in a loop's block, and its catch blocks: a retry when the handler
; goes on with the loop (java_rules.py checks for a sleep, a retry-like header or a `continue`).
([(while_statement body: (block [(try_statement (catch_clause body: (block) @body) @handler)
                                 (try_with_resources_statement (catch_clause body: (block) @body) @handler)]))
  (do_statement body: (block [(try_statement (catch_clause body: (block) @body) @handler)
                              (try_with_resources_statement (catch_clause body: (block) @body) @handler)]))
  (for_statement body: (block [(try_statement (catch_clause body: (block) @body) @handler)
                               (try_with_resources_statement (catch_clause body: (block) @body) @handler)]))
  (enhanced_for_statement body: (block [(try_statement (catch_clause body: (block) @body) @handler)
                                        (try_with_resources_statement (catch_clause body: (block) @body) @handler)]))]) @loop

; A sleep inside a loop: Thread.sleep(ms), TimeUnit.SECONDS.sleep(1), SystemClock.sleep(ms).
(method_invocation name: (identifier) @sleep.name (#match? @sleep.name "^(sleep|sleepUninterruptibly|park|parkNanos)$")) @sleep
