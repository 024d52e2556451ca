"""The value types every consumer sees: a text edit and a suggested log statement."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class TextEdit:
    """Replace the text between two positions (0-based lines, code-point columns) with
    `new_text`."""

    start_line: int
    start_character: int
    end_line: int
    end_character: int
    new_text: str


INSTANT_SOURCES = frozenset({"template", "neighbour"})
"""The engines that need no model: the template, and a project neighbour's statement adapted."""


@dataclass(frozen=True)
class Suggestion:
    """One complete log statement proposed at a position, with the edits that apply it."""

    statement: str
    """The statement as it reads once inserted, without indentation, e.g.
    `logger.info("Saved %s", path)`."""
    edit: TextEdit
    """Replaces the cursor line from its first non-blank column to its end with `statement`
    (or, from `suggest_insertion`, inserts a whole indented line)."""
    additional_edits: tuple[TextEdit, ...] = ()
    """Anything else the statement needs: `import logging`, a module logger definition."""
    level: str = "info"
    """Normalised level: debug, info, warning, error, exception, critical."""
    logger: str = "logger"
    """The logger expression the statement calls, e.g. `logger`, `self.log`,
    `structlog.get_logger()`."""
    variables: tuple[str, ...] = ()
    """Names (or dotted attributes) used as arguments, in order."""
    source: str = "template"
    """`template`, `neighbour` (a statement of the project adapted) or the model id that wrote
    the message."""
    latency_ms: float = 0.0
    """Wall time spent producing this suggestion."""
    reason: str = ""
    """Why this level and these variables: shown to the user."""
    site_kind: str = "other"
    """except, entry, return, raise, loop, finally, else or other."""
    notes: tuple[str, ...] = field(default=())
    """Anything the user should know, e.g. why the model was not used."""
    model_pending: bool = False
    """The model was only short of time here: asked again in a moment (its context read meanwhile),
    it may write a better statement. Editors are told to ask again as the user types."""
    neighbours: tuple[str, ...] = ()
    """The project's logged sites this statement followed, best first, each as
    `path:line: statement` (empty without a project index)."""
    route: str = "template"
    """What wrote the statement: `template`, `neighbour`, `local` (the model that runs here) or
    `remote` (a model on an inference server: the configured one, or the stronger model the local
    answer was escalated to)."""
    route_reason: str = ""
    """Why this route, e.g. "local confidence 0.31 below 0.42 (20 % escalation): the stronger model
    answered" or "daily remote budget spent (200000 tokens)"."""
    confidence: float | None = None
    """How sure routing is of the model's statement (`engines.routing`); for the stronger model's,
    how sure it was of the local statement it replaced; None for the template's and neighbour's."""

    @property
    def by_model(self) -> bool:
        """Whether a model (local or remote) wrote the statement."""
        return self.source not in INSTANT_SOURCES
