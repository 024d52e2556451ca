; Names and field chains a method uses. Capture names are the contract with
; logsmith/syntax/java_usages.py, which reads each one's role from its parent.

; every identifier: a read, a binding, a method's name, or the root of a chain
(identifier) @name
; every field access: `this.host`, `request.url`, `config.server.port` (the outermost plain chain is kept)
(field_access) @chain
