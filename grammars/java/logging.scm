; Logging facts of a Java file. Capture names are the contract with logsmith/syntax/java_calls.py
; and logsmith/idioms/java.py (documented in grammars/java/README.md).

; A method called on a receiver: LOG.info(...), this.logger.warn(...), Log.d(TAG, ...),
; getLogger().error(...). java_calls.py decides from the receiver and the method whether it logs.
(method_invocation
  object: (_) @call.receiver
  name: (identifier) @call.level
  arguments: (argument_list) @call.arguments
  (#any-of? @call.level
    "trace" "debug" "info" "warn" "error" "fatal"
    "severe" "warning" "config" "fine" "finer" "finest" "log" "logp"
    "v" "d" "i" "w" "e" "wtf")) @call

; A logger declared as a field or a local: static final Logger LOG = LoggerFactory.getLogger(X.class);
; private final Log log = LogFactory.getLog(getClass()); Logger l = System.getLogger("x");
(variable_declarator
  name: (identifier) @definition.name
  value: (method_invocation
    name: (identifier) @definition.factory)
  (#any-of? @definition.factory "getLogger" "getLog" "getGlobal" "getAnonymousLogger" "forEnclosingClass")) @definition

; A logging tag constant: static final String TAG = "Foo"; LOG_TAG = "CordovaWebView";
(field_declaration
  declarator: (variable_declarator
    name: (identifier) @tag.name
    value: (_) @tag.value)
  (#match? @tag.name "^(TAG|LOG_TAG|[A-Z_]*_TAG|sTag|mTag|tag)$")) @tag

; A non-static import names the library of a file: import org.slf4j.Logger;
(import_declaration
  (scoped_identifier) @import.path) @import

; Lombok's logger annotations declare a `log` field: @Slf4j, @Log4j2, @Log, @CommonsLog.
(class_declaration
  (modifiers
    [(marker_annotation name: (_) @lombok.name)
     (annotation name: (_) @lombok.name)])
  (#any-of? @lombok.name "Slf4j" "Log4j2" "Log4j" "Log" "CommonsLog" "XSlf4j" "JBossLog" "Flogger"))
