; Calls of a JavaScript, TypeScript or TSX file (one file for the three grammars). Capture names
; are the contract with logsmith/syntax/javascript_calls.py and logsmith/syntax/javascript_rules.py
; (documented in grammars/javascript/README.md).

; A method call: logger.info(...), console.error(...), this.logger.warn(...), RED.log.warn(...),
; log.child({...}).info(...).
(call_expression
  function: (member_expression
    object: (_) @call.receiver
    property: (property_identifier) @call.method)
  arguments: (arguments) @call.arguments) @call

; A call of a plain name: debug("connected %o", host), callback(err).
(call_expression
  function: (identifier) @call.function
  arguments: (arguments) @call.arguments) @call
