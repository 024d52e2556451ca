"""What batch mode found in one file: the proposals (a finding and the statement for it) and why a
file was skipped. Plain picklable values, sent back from worker processes."""

from __future__ import annotations

from dataclasses import dataclass, field

from logsmith.batch.source_file import SourceText
from logsmith.suggestion import Suggestion
from logsmith.syntax.batch_rules import Finding


@dataclass(frozen=True)
class Proposal:
    """A place that should log and the statement proposed for it."""

    finding: Finding
    suggestion: Suggestion


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

    @property
    def analysed(self) -> bool:
        return self.skipped is None
