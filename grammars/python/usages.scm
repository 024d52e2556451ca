; Names and attribute chains a function uses. Capture names are the contract with
; logsmith/syntax/usages.py, which keeps the nodes in the cursor's own function (nested
; functions, lambdas and classes are skipped there) and reads each one's role from its parent.

; every identifier: a read, a binding, a call, or the root of an attribute chain
(identifier) @name
; every attribute: `self._sock`, `req.url`, `vhost.filep` (usages.py keeps the outermost plain chain)
(attribute) @chain
; scopes nested in the function: their names are not the function's
(function_definition) @scope
(lambda) @scope
(class_definition) @scope
