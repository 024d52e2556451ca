"""Counts of a run (files, sites, suggestions by rule, level and source, time), printed at the end
and put at the top of the review document, so both say the same thing."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from logsmith.batch.results import FileResult
from logsmith.syntax.sites import RULES


@dataclass
class Summary:
    files: int = 0
    """Files analysed."""
    skipped: list[tuple[str, str]] = field(default_factory=list)
    """(path, reason) of files not analysed."""
    sites: int = 0
    suggestions: int = 0
    files_with_suggestions: int = 0
    by_rule: Counter = field(default_factory=Counter)
    by_level: Counter = field(default_factory=Counter)
    by_source: Counter = field(default_factory=Counter)
    notes: int = 0
    seconds: float = 0.0
    test_files: int = 0
    """Test files left out by default (--include-tests reads them)."""
    written: int = 0
    not_written: list[tuple[str, str]] = field(default_factory=list)

    @classmethod
    def of(cls, results: list[FileResult], skipped_before=(), seconds: float = 0.0) -> "Summary":
        summary = cls(seconds=seconds, skipped=list(skipped_before))
        for result in results:
            if not result.analysed:
                summary.skipped.append((result.display, result.skipped))
                continue
            summary.files += 1
            summary.sites += result.sites
            summary.notes += len(result.notes)
            if result.proposals:
                summary.files_with_suggestions += 1
            for proposal in result.proposals:
                summary.suggestions += 1
                summary.by_rule[proposal.finding.rule] += 1
                summary.by_level[proposal.suggestion.level] += 1
                summary.by_source[proposal.suggestion.source] += 1
        return summary

    @property
    def files_per_second(self) -> float:
        return (self.files + len(self.skipped)) / self.seconds if self.seconds > 0 else 0.0

    def rule_rows(self) -> list[tuple[str, int]]:
        return [(rule, self.by_rule[rule]) for rule in RULES if self.by_rule[rule]]

    def text(self) -> str:
        """A few lines for the terminal."""
        lines = [
            f"logsmith: {self.files} files analysed, {len(self.skipped)} skipped, {self.sites} sites, "
            f"{self.suggestions} suggestions in {self.files_with_suggestions} files, "
            f"{self.seconds:.1f} s ({self.files_per_second:.{0 if self.files_per_second >= 10 else 1}f} files/s)"
        ]
        if self.suggestions:
            lines.append("  by rule:   " + ", ".join(f"{rule} {count}" for rule, count in self.rule_rows()))
            lines.append("  by level:  " + ", ".join(f"{level} {count}" for level, count in sorted(self.by_level.items())))
            lines.append("  by source: " + ", ".join(f"{source} {count}" for source, count in sorted(self.by_source.items())))
        if self.test_files:
            lines.append(f"  {self.test_files} test files left out (--include-tests to read them)")
        for path, reason in self.skipped[:20]:
            lines.append(f"  {path}: {reason}")
        if len(self.skipped) > 20:
            lines.append(f"  ... and {len(self.skipped) - 20} more skipped files")
        if self.written or self.not_written:
            lines.append(f"  applied: {self.written} files written, {len(self.not_written)} not written")
            for path, reason in self.not_written:
                lines.append(f"  {path}: {reason}")
        return "\n".join(lines)
