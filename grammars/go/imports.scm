; The imports of a Go file. logsmith/syntax/go_scopes.py names each package by its alias or the
; last element of its path.
;   @import.path  the quoted path
;   @import.name  the alias (`lg`, `_`, `.`) when there is one

; import "log" / import ( "log/slog" ) / import lg "go.uber.org/zap"
(import_spec
  name: (_)? @import.name
  path: (_) @import.path)
