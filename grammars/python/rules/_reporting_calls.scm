; Shared by every rule (not a rule itself): calls that already report something, so a block or a
; function that holds one counts as "already logs".
; Capture names are the contract with logsmith/syntax/batch_rules.py (see grammars/python/README.md, "Rules").
;   @report  the call node
;
; Reporting means: a level method on a logger-like receiver (logger, log, LOG, LOGGER, _log, _logger,
; self.logger, self.log, audit_log, logging itself, get_logger()/getLogger() results), print(...,
; file=sys.stderr), sys.stderr.write(...), warnings.warn(...) and traceback.print_exc(). A plain
; print() to stdout is output, not a report, and does not count.

; logger.info(...), self.log.warning(...), LOG.exception(...), logging.error(...), log.msg(...)
((call
  function: (attribute
    object: (_) @_receiver
    attribute: (identifier) @_method)) @report
  (#any-of? @_method "debug" "info" "warning" "warn" "error" "exception" "critical" "fatal" "log"
    "msg" "trace" "success")
  (#match? @_receiver "(^|\\.)_*([A-Za-z0-9]+_)*([Ll]og|[Ll]ogger|LOG|LOGGER|logging)$"))

; structlog.get_logger().info(...), logging.getLogger(__name__).warning(...)
((call
  function: (attribute
    object: (call function: (_) @_factory)
    attribute: (identifier) @_method)) @report
  (#any-of? @_method "debug" "info" "warning" "warn" "error" "exception" "critical" "fatal" "log")
  (#match? @_factory "(get_logger|getLogger)$"))

; print("failed", file=sys.stderr)
((call
  function: (identifier) @_print
  arguments: (argument_list
    (keyword_argument name: (identifier) @_file value: (_) @_stream))) @report
  (#eq? @_print "print") (#eq? @_file "file") (#match? @_stream "stderr$"))

; sys.stderr.write("failed\n")
((call
  function: (attribute object: (_) @_stream attribute: (identifier) @_write)) @report
  (#match? @_stream "stderr$") (#any-of? @_write "write" "writelines"))

; warnings.warn("...") and traceback.print_exc()
((call
  function: (attribute object: (identifier) @_module attribute: (identifier) @_name)) @report
  (#eq? @_module "warnings") (#eq? @_name "warn"))
((call
  function: (attribute object: (identifier) @_module attribute: (identifier) @_name)) @report
  (#eq? @_module "traceback") (#any-of? @_name "print_exc" "print_exception" "print_stack"))
