; Logging facts of a Python file. Capture names are the contract with logsmith/syntax/file_facts.py
; (documented in grammars/python/README.md).

; A call on a receiver with a level-like method: logger.info(...), self.log.warning(...), logging.error(...).
; style.py decides whether the receiver is a logger.
(call
  function: (attribute
    object: (_) @call.receiver
    attribute: (identifier) @call.level)
  arguments: (argument_list) @call.arguments
  (#any-of? @call.level "debug" "info" "warning" "warn" "error" "exception" "critical" "fatal" "success" "trace")) @call

; A logger bound to a name: logger = logging.getLogger(__name__), log = structlog.get_logger(), ...
; The factories are style.py's FACTORIES (a test keeps the two lists equal).
(assignment
  left: (identifier) @definition.name
  right: (call function: (_) @definition.factory)
  (#any-of? @definition.factory "logging.getLogger" "getLogger" "logging.get_logger" "structlog.get_logger" "structlog.getLogger" "structlog.stdlib.get_logger" "get_logger" "get_task_logger")) @definition

; A logger bound to an attribute: self.log = logging.getLogger(...)
(assignment
  left: (attribute
    object: (identifier) @definition.owner
    attribute: (identifier) @definition.attribute)
  right: (call function: (_) @definition.factory)
  (#any-of? @definition.factory "logging.getLogger" "getLogger" "logging.get_logger" "structlog.get_logger" "structlog.getLogger" "structlog.stdlib.get_logger" "get_logger" "get_task_logger")) @definition

; Imports that select a framework: import logging / import structlog / import loguru.
(import_statement
  name: (dotted_name) @import.module)
(import_statement
  name: (aliased_import name: (dotted_name) @import.module alias: (identifier) @import.alias))

; from loguru import logger / from structlog import get_logger / from logging import getLogger
(import_from_statement
  module_name: (dotted_name) @import.from
  name: (dotted_name) @import.name)
(import_from_statement
  module_name: (dotted_name) @import.from
  name: (aliased_import name: (dotted_name) @import.name alias: (identifier) @import.alias))
