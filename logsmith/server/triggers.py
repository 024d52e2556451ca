"""When a log statement is wanted: the rules that decide whether a request reaches the model at all.

`may_be_typing_log` is a cheap test on the text before the cursor, run on the event loop;
the others look at the parsed site, in a suggestion thread.
"""

from __future__ import annotations

import re

from logsmith.vocabulary import LEVEL_METHODS, LOGGER_WORD

# An identifier chain, maybe ending in a dot or a partial name, maybe with an opened call.
CHAIN = re.compile(r"^\s*[A-Za-z_][\w.]*(\(.*)?$")


def may_be_typing_log(before_cursor: str) -> bool:
    """Could the text before the cursor be the start of a log statement?
    (No parse; errs towards yes.)"""
    return bool(CHAIN.match(before_cursor)) and "log" in before_cursor.lower()


def logger_being_typed(site) -> bool:
    """The user typed a logger expression (`logger`, `self.log.`, `LOG.war`, `logger.error("Fa`)."""
    typed = site.typed
    if typed.logger is None or not LOGGER_WORD.search(typed.logger):
        return False
    if typed.level_prefix is None or typed.opened_call:
        return True
    return any(level.startswith(typed.level_prefix) for level in (*LEVEL_METHODS, "log"))


def completion_wanted(site) -> bool:
    """Completion: after a logger and a dot, a partial level,
    or the word `log` on an otherwise empty line."""
    return site.typed.text == "log" or logger_being_typed(site)


def inline_wanted(site, invoked: bool) -> bool:
    """Inline: automatically where a statement fits or a logger is being typed; when invoked, on any
    empty or partly typed (logger-like) line inside a function body."""
    if not invoked:
        return site.fits_log or logger_being_typed(site)
    if not site.in_function:
        return False
    return site.typed.is_empty or site.typed.logger is not None
