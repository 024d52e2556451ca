"""The words of logging, written down once: level names and their aliases, the methods a logger
call may use, what a logger's name looks like, and how an identifier splits into words.

Pure data and pure functions; every package may import it (it imports nothing of logsmith).
"""

from __future__ import annotations

import re

LEVELS = ("debug", "info", "warning", "error", "exception", "critical")
"""The levels a plan chooses from, least severe first
(`exception` is `error` with the traceback)."""
LEVEL_ALIASES = {"warn": "warning", "fatal": "critical"}
LEVEL_METHODS = (*LEVELS[:3], "warn", *LEVELS[3:], "fatal")
"""Method names that log at a level, aliases included."""
LOGGER_METHODS = {
    "logging": frozenset({*LEVEL_METHODS, "log"}),
    "loguru": frozenset(
        {"trace", "debug", "info", "success", "warning", "error", "exception", "critical", "log"}
    ),
    "structlog": frozenset({*LEVEL_METHODS, "msg", "log"}),
}
"""Every method a statement may call on a logger of each framework."""
LOGGER_WORD = re.compile(r"(^|[._])_*(log|logger|logging)$", re.IGNORECASE)
"""A name that reads as a logger: log, logger, LOG, _log, gen_log, self.logger, internal_logger;
not catalog, backlog or dialog."""


def normalise_level(level: str) -> str:
    """`WARN` -> `warning`, `fatal` -> `critical`; other names lower-cased."""
    level = level.lower()
    return LEVEL_ALIASES.get(level, level)


def identifier_words(name: str) -> list[str]:
    """`loadConfigFile` / `load_config_file` -> ['load', 'config', 'file'];
    `HTTPServer` -> ['http', 'server']."""
    name = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name.strip("_"))
    name = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    return [word.lower() for word in re.split(r"[_\W]+", name) if word]
