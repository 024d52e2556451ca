"""House style of a file, or of its project when the file has no logging yet.

Answers: which framework and logger to call (and the name of a module logger added to a file
that has none), how messages are formatted (lazy `%s`, f-string, `.format`, structlog key-value
events, loguru braces), which quote, capitalisation, which levels the authors use, and a few
existing statements as examples.
"""

from __future__ import annotations

import dataclasses
import functools
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from logsmith.syntax.document import ParsedDocument
from logsmith.syntax.file_facts import FileFacts, LogCall, file_facts, is_logger_call
from logsmith.syntax.site import LogSite
from logsmith.vocabulary import LOGGER_WORD, normalise_level

PROJECT_SAMPLE_FILES = 40


@dataclass(frozen=True)
class HouseStyle:
    """How a file (or its project) logs: framework, message format, quote, levels and examples."""

    framework: str = "logging"
    """logging, loguru or structlog."""
    message_format: str = "percent"
    """percent, fstring, format, brace (loguru) or event (structlog key-value)."""
    quote: str = '"'
    capitalized: bool = True
    levels: Counter = field(default_factory=Counter)
    except_levels: Counter = field(default_factory=Counter)
    examples: tuple[str, ...] = ()
    source: str = "default"
    """Where the style was learnt: file, project or default."""
    logger_name: str = "logger"
    """The name a module logger added to a file takes: the one the project's modules use most."""


@dataclass(frozen=True)
class LoggerChoice:
    """The logger a statement calls, its framework, and whether the file already defines it."""

    expression: str
    framework: str
    defined: bool
    """False when the file has no logger: the edit must add one."""


def _style_from_calls(calls: list[LogCall], framework: str, source: str) -> HouseStyle:
    formats = Counter(
        c.first_argument
        for c in calls
        if c.first_argument in ("percent", "fstring", "format", "event")
    )
    quotes = Counter(c.quote for c in calls if c.quote)
    levels = Counter(normalise_level(c.level) for c in calls)
    except_levels = Counter(normalise_level(c.level) for c in calls if c.in_except)
    capitals = [m for m in (_message_start(c.arguments) for c in calls) if m]
    if framework == "structlog":
        message_format = "event"
    elif formats:
        message_format = formats.most_common(1)[0][0]
        if message_format == "event":
            message_format = "percent"
    else:
        message_format = "brace" if framework == "loguru" else "percent"
    if framework == "loguru" and message_format == "percent":
        message_format = "brace"
    return HouseStyle(
        framework=framework,
        message_format=message_format,
        quote=quotes.most_common(1)[0][0] if quotes else '"',
        capitalized=(sum(ch.isupper() for ch in capitals) * 2 >= len(capitals))
        if capitals
        else True,
        levels=levels,
        except_levels=except_levels,
        examples=tuple(c.text for c in calls[-8:] if len(c.text) < 200),
        source=source,
    )


def _message_start(arguments: str) -> str:
    body = arguments.lstrip("( \n\t")
    body = body.lstrip("rRbBuUfF")
    if body[:1] in "\"'":
        rest = body.lstrip("\"'")
        return rest[:1] if rest[:1].isalpha() else ""
    return ""


def framework_of(facts: FileFacts) -> str | None:
    if facts.loguru_logger:
        return "loguru"
    frameworks = Counter(d.framework for d in facts.definitions)
    if frameworks:
        return frameworks.most_common(1)[0][0]
    if "structlog" in facts.imports:
        return "structlog"
    if "logging" in facts.imports:
        return "logging"
    return None


def house_style(
    facts: FileFacts, project: HouseStyle | None = None, override: str | None = None
) -> HouseStyle:
    """The style of a file; the project's when the file has no log call yet."""
    framework = framework_of(facts)
    calls = [c for c in facts.calls if is_logger_call(c, facts)]
    if calls:
        style = _style_from_calls(calls, framework or "logging", "file")
    elif project is not None and (framework is None or framework == project.framework):
        style = project
    else:
        style = _style_from_calls([], framework or "logging", "default")
    if override:
        style = HouseStyle(**{**style.__dict__, "message_format": override})
    return style


def logger_for(site: LogSite, facts: FileFacts, style: HouseStyle) -> LoggerChoice:
    """The logger expression to call at `site`: the one typed, the class's, the module's,
    or a new one."""
    if site.typed.logger and site.typed.level_prefix is not None:
        typed = site.typed.logger
        known = site.in_scope(typed) or (
            typed.startswith("self.") and typed in site.self_attributes
        )
        if known or typed.startswith("self.") or not typed.isidentifier():
            return LoggerChoice(typed, style.framework, True)
        return LoggerChoice(typed, style.framework, False)
    class_name = site.function.class_name if site.function else None
    in_method = bool(
        site.function and site.function.class_name and site.function.parameters[:1] == ("self",)
    )
    # another class's `self.log` is this one's only when that class is one of its bases, or when
    # this class's own `__init__` sets it
    lineage = facts.lineage(class_name) if class_name else frozenset()
    usable = [
        d.name
        for d in facts.definitions
        if (d.name.startswith("self.") and in_method and d.class_name in lineage)
        or (not d.name.startswith("self.") and (d.module_level or d.name in site.names))
    ]
    if facts.loguru_logger:
        usable.append(facts.loguru_logger)
    # Loggers made elsewhere: imported (`from tornado.log import app_log`), passed in, set on self.
    borrowed = [
        n
        for n in (*site.names, *sorted(site.module_names))
        if n != "logging" and LOGGER_WORD.search(n)
    ]
    if in_method:
        borrowed += [a for a in site.self_attributes if LOGGER_WORD.search(a.split(".")[-1])]
    used = Counter(
        c.receiver
        for c in facts.calls
        if is_logger_call(c, facts)
        and (
            not c.receiver.startswith("self.")
            or (
                in_method
                and (
                    c.in_class in lineage
                    or ".".join(c.receiver.split(".")[:2]) in site.initialised_attributes
                )
            )
        )
        and site.in_scope(c.receiver)
    )
    # a module's logger assigned below a statement at module level is not bound there yet
    candidates = [
        name
        for name in dict.fromkeys([*usable, *borrowed, *used])
        if name.split(".", 1)[0] not in site.unbound_names
    ]
    if candidates:
        best = max(
            candidates,
            key=lambda name: (used.get(name, 0), name in usable, name.startswith("self.")),
        )
        return LoggerChoice(best, style.framework, True)
    name = style.logger_name
    if style.framework == "loguru" or site.in_scope(name) or name in site.unbound_names:
        name = "logger"
    return LoggerChoice(name, style.framework, False)


def find_project_root(path: str | os.PathLike | None) -> Path | None:
    if path is None:
        return None
    here = Path(path).resolve().parent
    for folder in (here, *here.parents):
        if any(
            (folder / marker).exists()
            for marker in ("pyproject.toml", "setup.py", "setup.cfg", ".git")
        ):
            return folder
    return None


@functools.lru_cache(maxsize=16)
def project_style(root: Path) -> HouseStyle | None:
    """Style learnt from up to PROJECT_SAMPLE_FILES Python files of the project
    (cached per root)."""
    calls: list[LogCall] = []
    frameworks: Counter = Counter()
    logger_names: Counter = Counter()
    seen = 0
    for folder, dirs, files in os.walk(root):
        dirs[:] = [
            d
            for d in dirs
            if not d.startswith(".")
            and d not in ("node_modules", "venv", "__pycache__", "build", "dist")
        ]
        for name in files:
            if not name.endswith(".py"):
                continue
            try:
                text = (Path(folder) / name).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            if len(text) > 500_000:
                continue
            facts = file_facts(ParsedDocument(text))
            found = [c for c in facts.calls if is_logger_call(c, facts)]
            calls.extend(found)
            logger_names.update((d.framework, d.name) for d in facts.definitions if d.module_level)
            if framework_of(facts):
                frameworks[framework_of(facts)] += 1
            seen += 1
            if seen >= PROJECT_SAMPLE_FILES:
                break
        if seen >= PROJECT_SAMPLE_FILES:
            break
    if not calls:
        return None
    framework = frameworks.most_common(1)[0][0] if frameworks else "logging"
    names = Counter({name: n for (kind, name), n in logger_names.items() if kind == framework})
    style = _style_from_calls(calls, framework, "project")
    if names:
        # a tie goes to `logger`, else to the same name whatever order the disk lists files in
        best = max(names, key=lambda name: (names[name], name == "logger", name))
        style = dataclasses.replace(style, logger_name=best)
    return style
