"""When a log statement is wanted: the rules that decide whether a request reaches the model at all.

`may_be_typing_log` is a cheap test on the text before the cursor, run on the event loop;
the others look at the parsed site, in a suggestion thread, and know the loggers and level methods
of the document's language (`console.`, `slog.Inf`, `LOG.warn(` outside Python).
"""

from __future__ import annotations

import re

from logsmith.vocabulary import LEVEL_METHODS, LOGGER_WORD

# An identifier chain, maybe ending in a dot or a partial name, maybe with an opened call
# (`this.` and `$` start chains outside Python).
CHAIN = re.compile(r"^\s*[A-Za-z_$][\w.$]*(\(.*)?$")
LOGGER_ROOTS = frozenset(
    {"console", "slog", "zap", "logrus", "zerolog", "klog", "glog", "winston", "pino", "Timber"}
)
"""Outside Python, the roots of logger expressions that do not read as `log`/`logger`: the
JavaScript console and Node's libraries, Go's standard `slog` and its usual libraries, Android's
Timber."""
OTHER_LEVEL_METHODS = frozenset(
    {*LEVEL_METHODS, "log", "trace", "severe", "fine", "print", "printf", "println", "panic"}
)
"""Outside Python, the methods that log at a level (compared in lower case: `slog.Info`,
`log.Printf`, `LOG.warn`)."""


def may_be_typing_log(before_cursor: str) -> bool:
    """Could the text before the cursor be the start of a log statement?
    (No parse; errs towards yes.)"""
    if not CHAIN.match(before_cursor):
        return False
    lowered = before_cursor.lower()
    return "log" in lowered or any(root.lower() in lowered for root in LOGGER_ROOTS)


OTHER_LOGGER_WORD = re.compile(r"[A-Za-z0-9](Log|Logger|LOG|LOGGER)$")
"""Outside Python, a camel-case name that ends in a logger word: `FLog`, `keyEventLog`, `mLogger`
(not `catalog` or `backlog`, whose `log` is not a word of its own)."""


def _reads_as_logger(expression: str, language: str) -> bool:
    if LOGGER_WORD.search(expression):
        return True
    if language == "python":
        return False
    links = [re.sub(r"\(.*\)$", "", link) for link in expression.split(".")]
    return links[0] in LOGGER_ROOTS or any(
        LOGGER_WORD.search(link) or OTHER_LOGGER_WORD.search(link) for link in links
    )


def logger_being_typed(site, language: str = "python") -> bool:
    """The user typed a logger expression (`logger`, `self.log.`, `LOG.war`, `logger.error("Fa`;
    outside Python also `console.`, `slog.Inf`)."""
    typed = site.typed
    if typed.logger is None or not _reads_as_logger(typed.logger, language):
        return False
    if typed.level_prefix is None or typed.opened_call:
        return True
    if language == "python":
        return any(level.startswith(typed.level_prefix) for level in (*LEVEL_METHODS, "log"))
    prefix = typed.level_prefix.lower()
    return any(level.startswith(prefix) for level in OTHER_LEVEL_METHODS)


def completion_wanted(site, language: str = "python") -> bool:
    """Completion: after a logger and a dot, a partial level,
    or the word `log` on an otherwise empty line."""
    return site.typed.text == "log" or logger_being_typed(site, language)


def inline_wanted(site, invoked: bool, language: str = "python") -> bool:
    """Inline: automatically where a statement fits or a logger is being typed; when invoked, on any
    empty or partly typed (logger-like) line inside a function body."""
    if not invoked:
        return site.fits_log or logger_being_typed(site, language)
    if not site.in_function:
        return False
    return site.typed.is_empty or site.typed.logger is not None
