"""The plan for one statement: logger, level, variables, message format and the edits around it."""

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import dataclass

from logsmith.planning.fitted import ProjectHabits
from logsmith.planning.house_style import HouseStyle, LoggerChoice, is_logger_call, logger_for
from logsmith.planning.levels import level_for
from logsmith.planning.neighbours import HABITS, described, level_sites
from logsmith.planning.variables import variables_for
from logsmith.suggestion import TextEdit
from logsmith.syntax.file_facts import FileFacts
from logsmith.syntax.site import LogSite
from logsmith.vocabulary import normalise_level
from logsmith.workspace.retrieval import Neighbour

# Where the house style came from, for the plan's explanation.
LEARNT_FROM = {
    "file": "learnt from this file",
    "project": "learnt from this project's files",
    "default": "the default: no log statement to learn from",
}


@dataclass(frozen=True)
class Plan:
    """What is decided about a statement before it is written: logger, level, values, format."""

    logger: str
    framework: str
    level: str
    variables: tuple[str, ...]
    exception: str | None
    message_format: str
    quote: str
    capitalized: bool
    reason: str
    setup_edits: tuple[TextEdit, ...]
    left_out: tuple[str, ...] = ()
    candidates: tuple[str, ...] = ()
    """What the statement may log: names and chains valid at the cursor, most likely first."""
    likelihoods: tuple[float, ...] = ()
    """The ranker's probability that a developer logs each of `candidates`."""
    neighbours: tuple[Neighbour, ...] = ()
    """The project's logged sites most like this one, best first (the project index)."""
    level_probability: float = 1.0
    """How sure the evidence is of `level` (see `levels.LevelChoice.probability`)."""

    @property
    def arguments(self) -> tuple[str, ...]:
        return self.variables + ((self.exception,) if self.exception else ())


def standard_import(module: str, facts: FileFacts) -> tuple[int, str]:
    """Where `import <module>` (of the standard library) goes, and its text, so that the file's
    imports keep isort's order: among the standard library's plain imports, before the first that
    sorts after it, else after the last; else before the standard library's first `from` import;
    else before the file's first import, a blank line apart (the standard library's section comes
    first); in a file without imports, where imports go."""
    standard = [i for i in facts.top_imports if i.module.split(".")[0] in sys.stdlib_module_names]
    plain = [i for i in standard if i.plain]
    text = f"import {module}\n"
    later = [i for i in plain if i.module.lower() > module]
    if later:
        return later[0].start_line, text
    if plain:
        return plain[-1].end_line + 1, text
    if standard:
        return standard[0].start_line, text
    if facts.top_imports:
        return facts.top_imports[0].start_line, text + "\n"
    return facts.import_line, text


def setup_edits(facts: FileFacts, choice: LoggerChoice) -> tuple[TextEdit, ...]:
    """Edits that add `import logging` and a module logger when the file has none."""
    if choice.defined:
        return ()
    name = choice.expression
    if choice.framework == "loguru":
        return (
            TextEdit(facts.import_line, 0, facts.import_line, 0, "from loguru import logger\n"),
        )
    if choice.framework == "structlog":
        text = (
            "" if "structlog" in facts.bound_modules else "import structlog\n"
        ) + f"\n{name} = structlog.get_logger(__name__)\n"
    else:
        definition = f"\n{name} = logging.getLogger(__name__)\n"
        if "logging" in facts.bound_modules:
            text = definition
        else:
            at, import_text = standard_import("logging", facts)
            if at != facts.import_line:
                return (
                    TextEdit(at, 0, at, 0, import_text),
                    TextEdit(facts.import_line, 0, facts.import_line, 0, definition),
                )
            text = "import logging\n" + definition
    if facts.last_import_line < 0:
        text += "\n\n"  # the file had no imports: keep two blank lines before the code that follows
    return (TextEdit(facts.import_line, 0, facts.import_line, 0, text),)


def nearby_levels(site: LogSite, facts: FileFacts) -> Counter:
    """The levels of the log calls in the cursor's function within 40 lines of it."""
    return Counter(
        normalise_level(c.level)
        for c in facts.calls
        if site.function is not None
        and site.function.start_line <= c.line
        and abs(c.line - site.line) < 40
        and is_logger_call(c, facts)
    )


def make_plan(
    site: LogSite,
    facts: FileFacts,
    style: HouseStyle,
    neighbours: tuple[Neighbour, ...] = (),
    habits: ProjectHabits = HABITS,
) -> Plan:
    """The plan at `site`, from the file's facts and style and, when the project index has them,
    the project's logged sites most like this one."""
    choice = logger_for(site, facts, style)
    level = level_for(
        site,
        style,
        choice.framework,
        nearby_levels(site, facts),
        level_sites(neighbours),
    )
    chosen = variables_for(site, level.level, facts, neighbours, habits)
    message_format = style.message_format
    if site.typed.fstring:
        message_format = "fstring"
    quote = site.typed.quote or style.quote
    why_vars = (
        f"variables: {', '.join(chosen.names + ((chosen.exception,) if chosen.exception else ()))}"
        if (chosen.names or chosen.exception)
        else "no variables"
    )
    if chosen.why:
        why_vars += f" ({chosen.why})"
    reason = (
        f"{level.level}: {level.why}. {why_vars}. Style: {message_format} via "
        f"`{choice.expression}` ({LEARNT_FROM.get(style.source, style.source)})."
    )
    if neighbours:
        reason += " " + described(neighbours)
    return Plan(
        logger=choice.expression,
        framework=choice.framework,
        level=level.level,
        variables=chosen.names,
        exception=chosen.exception,
        message_format=message_format,
        quote=quote,
        capitalized=style.capitalized,
        reason=reason,
        setup_edits=setup_edits(facts, choice),
        left_out=chosen.left_out,
        candidates=chosen.candidates,
        likelihoods=chosen.likelihoods,
        neighbours=neighbours,
        level_probability=level.probability,
    )
