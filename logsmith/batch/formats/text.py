"""The default output: one block per proposal, `path:line:column: [rule] why`,
then the statement."""

from __future__ import annotations

from logsmith.batch.results import FileResult


def write_text(results: list[FileResult], out) -> None:
    for result in results:
        for proposal in result.proposals:
            finding, suggestion = proposal.finding, proposal.suggestion
            out.write(
                f"{result.display}:{finding.start_line + 1}:{finding.start_character + 1}: "
                f"[{finding.rule}] {finding.message}\n"
            )
            out.write(f"    {finding.line + 1} + {suggestion.edit.new_text.rstrip()}\n")
            out.write(
                f"      {suggestion.level}, {suggestion.source}, {suggestion.latency_ms:.0f} ms\n"
            )
        for note in result.notes:
            out.write(f"{result.display}: note: {note}\n")
