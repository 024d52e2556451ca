; Error handlers of a JavaScript, TypeScript or TSX file (one file for the three grammars).
; Capture names are the contract with logsmith/syntax/javascript_tree.py (documented in
; grammars/javascript/README.md).

; try { ... } catch (e) { ... } and catch { ... }
(catch_clause
  body: (statement_block) @handler.body) @handler

; promise.catch((err) => { ... }) and promise.catch(function (err) { ... })
(call_expression
  function: (member_expression
    property: (property_identifier) @handler.method)
  arguments: (arguments
    .
    [(arrow_function) (function_expression)] @handler.callback
    .)
  (#eq? @handler.method "catch")) @handler

; emitter.on('error', (err) => { ... }), also once and addListener
(call_expression
  function: (member_expression
    property: (property_identifier) @handler.method)
  arguments: (arguments
    .
    (string (string_fragment) @handler.event)
    .
    [(arrow_function) (function_expression)] @handler.callback)
  (#any-of? @handler.method "on" "once" "addListener")
  (#eq? @handler.event "error")) @handler

; A Node-style callback's error check: if (err) { ... }; the reader checks that the name is a
; parameter of the function around it.
(if_statement
  condition: (parenthesized_expression
    (identifier) @handler.error)
  consequence: (statement_block) @handler.body) @handler.guard
