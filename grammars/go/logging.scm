; Calls that may be log statements in a Go file: a method or package function whose name is a
; level or a printing verb, on any receiver (a package, a logger variable, a field, a chain).
; logsmith/syntax/go_calls.py decides the library from the receiver and the file's imports.
;   @call           the call_expression
;   @call.receiver  what the method is called on (`log`, `s.logger`, `log.G(ctx).WithError(err)`)
;   @call.method    the method name (`Printf`, `Warn`, `Errorw`)
;   @call.arguments the argument_list

; log.Printf("..."), slog.Info(...), lg.Warn(...), sugar.Infow(...), logrus.WithError(err).Error(...)
(call_expression
  function: (selector_expression
    operand: (_) @call.receiver
    field: (field_identifier) @call.method)
  arguments: (argument_list) @call.arguments
  (#match? @call.method "^(Print|Printf|Println|Fatal|Fatalf|Fatalln|Panic|Panicf|Panicln|Trace|Tracef|Traceln|Tracew|Debug|Debugf|Debugln|Debugw|Info|Infof|Infoln|Infow|InfoS|Notice|Noticef|Warn|Warnf|Warnln|Warnw|Warning|Warningf|Warningln|Error|Errorf|Errorln|Errorw|ErrorS|DPanic|DPanicf|DPanicw|Panicw|Fatalw|DebugContext|InfoContext|WarnContext|ErrorContext)$")) @call
