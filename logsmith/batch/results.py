"""What batch mode found in one file: the proposals (a finding, the statement for it and the
project's statements it followed) and why a file was skipped. Plain picklable values, sent back
from worker processes."""

from __future__ import annotations

from dataclasses import dataclass, field

from logsmith.batch.source_file import SourceText
from logsmith.suggestion import Suggestion
from logsmith.syntax.batch_rules import Finding

ADAPTED_NOTE = "adapted from "
"""How the note of a suggestion the neighbour engine wrote names the statement it adapted
(`adapted from path:line: statement`)."""
OUTRANKED_NOTE = "the model's statement, ranked after this one: "
"""The note batch mode adds to a proposal that another engine's statement was ranked above the
model's (the project's statement adapted ranks first), with the model's statement."""


@dataclass(frozen=True)
class Followed:
    """A statement of the project that a proposal followed: a logged site like the proposal's."""

    path: str
    """As shown in outputs (relative to the current folder when inside it)."""
    line: int
    """0-based, in the file as read."""
    statement: str

    @property
    def place(self) -> str:
        return f"{self.path}:{self.line + 1}"


@dataclass(frozen=True)
class Proposal:
    """A place that should log and the statement proposed for it."""

    finding: Finding
    suggestion: Suggestion
    followed: tuple[Followed, ...] = ()
    """The project's statements at sites most like this one, best first (the suggestion's
    `neighbours`, placed in the files as read); empty without a project index."""


@dataclass(frozen=True)
class FileResult:
    """What batch mode found in one file: its proposals, or why it was skipped."""

    path: str
    """Absolute path as walked (symlinks not resolved)."""
    display: str
    """Path shown in outputs."""
    root: str
    """The project root the file was walked from."""
    source: SourceText | None = None
    """The file as read; None when it could not be read."""
    proposals: tuple[Proposal, ...] = ()
    sites: int = 0
    """Findings, including those the engine gave no statement for."""
    skipped: str | None = None
    """Why the file was not analysed (unreadable, binary, too large, syntax error)."""
    notes: tuple[str, ...] = field(default=())
    """Problems with single sites (e.g. the engine failed there)."""
    seconds: float = 0.0
    language: str = "python"
    """The language the file was read in (`logsmith.syntax.languages.SPECS`)."""

    @property
    def analysed(self) -> bool:
        return self.skipped is None
