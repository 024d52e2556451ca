"""`--review FILE.md`: the document a reviewer reads instead of trusting the tool.

The header says which engine actually wrote the statements (the model for so many, adapted
statements of the project and the template engine for the rest, and why the model did not write
those) and what the project index held. A summary table follows (the same counts as the end-of-run
summary and as `--json`), then per file each proposed statement shown in place with a few lines of
context (in a code block of the file's language), the rule that asked for it, the level and why,
which engine wrote it in how much time, and the project's statements it followed (`path:line` and
the statement). Files that were skipped and changes that would be refused are listed at the end.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from logsmith.batch.changes import FileChange
from logsmith.batch.results import FileResult
from logsmith.batch.summary import Summary, labelled, model_skip_reason
from logsmith.syntax.batch_rules import RULES

CONTEXT_LINES = 3
FOLLOWED_SHOWN = 3
"""The project's statements listed under a proposal, best first."""


def _cell(text: str) -> str:
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _code(text: str) -> str:
    """Inline code that survives backticks inside."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or longest else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _fence(lines: list[str]) -> str:
    longest = max(
        (len(run) for line in lines for run in re.findall(r"`{3,}|~{3,}", line)), default=0
    )
    return "`" * max(3, longest + 1)


def _context(result: FileResult, line: int, statement_line: str) -> str:
    """The lines around the insertion, the new one marked `+`, in a code block of the file's
    language (`python`, `go`, `java`, `javascript`, `typescript`, `tsx`)."""
    assert result.source is not None  # a file with proposals was read
    lines = result.source.analysis_text.split("\n")
    start, end = max(0, line - CONTEXT_LINES), min(len(lines), line + CONTEXT_LINES)
    width = len(str(end + 1))
    shown = [f"  {number + 1:>{width}} | {lines[number]}" for number in range(start, line)]
    shown.append(f"+ {'':>{width}} | {statement_line.rstrip()}")
    shown += [f"  {number + 1:>{width}} | {lines[number]}" for number in range(line, end)]
    fence = _fence(shown)
    return "\n".join([fence + result.language, *shown, fence])


def _table(header: list[str], rows: list[list]) -> list[str]:
    align = [
        "---" if i == 0 else "---:" if all(isinstance(r[i], (int, float)) for r in rows) else "---"
        for i in range(len(header))
    ]
    out = ["| " + " | ".join(header) + " |", "| " + " | ".join(align) + " |"]
    out += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return out


def _why_not_model(suggestion) -> str:
    reason = model_skip_reason(suggestion)
    return f" (not the model: {reason})" if reason else ""


def _index_sentence(summary: Summary) -> str:
    if not summary.indexes:
        return ""
    if len(summary.indexes) == 1:
        return f" Project index: {summary.indexes[0].text}."
    return (
        " Project indexes: "
        + "; ".join(f"{_code(use.root)}: {use.text}" for use in summary.indexes)
        + "."
    )


def _one_line(statement: str) -> str:
    """A statement written over several lines, on one."""
    return " ".join(line.strip() for line in statement.splitlines())


def _followed(proposal) -> list[str]:
    if not proposal.followed:
        return []
    return [
        "- **Followed** (this project's statements at the sites most like this one):",
        *(
            f"  - {_code(place.place)}: {_code(_one_line(place.statement))}"
            for place in proposal.followed[:FOLLOWED_SHOWN]
        ),
    ]


def review_document(
    results: list[FileResult],
    changes: dict[str, FileChange],
    summary: Summary,
    *,
    paths: list[str],
    model: str,
    version: str,
) -> str:
    """`model`: the engine the run was configured with (what actually wrote each statement comes
    from the suggestions themselves, through `summary`)."""
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    hint = summary.more_time_hint()
    out = [
        "# logsmith review",
        "",
        f"logsmith {version} proposes **{summary.suggestions}** log statements in "
        f"**{summary.files_with_suggestions}** files of {', '.join(_code(p) for p in paths)} "
        f"({now}). "
        f"Written by {summary.written_by()}. "
        f"Configured: {model}."
        + _index_sentence(summary)
        + (f" {hint[0].upper()}{hint[1:]}." if hint else ""),
        "Each statement below is shown where it would go (`+` line), with the rule that asked for "
        "it, the level and why, which engine wrote it in how much time, and the project's "
        "statements it followed. "
        "Nothing has been changed by this document.",
        "",
        "## Summary",
        "",
        *_table(
            ["", "count"],
            [
                ["files analysed", summary.files],
                ["files skipped", len(summary.skipped)],
                ["sites found", summary.sites],
                ["suggestions", summary.suggestions],
                ["files with suggestions", summary.files_with_suggestions],
                ["time (s)", round(summary.seconds, 1)],
            ],
        ),
        "",
    ]
    if summary.suggestions:
        out += [
            *_table(
                ["rule", "suggestions", "what it looks for"],
                [[rule, count, RULES[rule].title] for rule, count in summary.rule_rows()],
            ),
            "",
        ]
        out += [
            *_table(
                ["level", "suggestions"],
                [[level, count] for level, count in sorted(summary.by_level.items())],
            ),
            "",
        ]
        out += [
            *_table(
                ["written by", "suggestions"],
                [[labelled(source), count] for source, count in sorted(summary.by_source.items())],
            ),
            "",
        ]
        if summary.not_by_model:
            out += [
                *_table(
                    ["why the model did not write it", "suggestions"],
                    [list(row) for row in summary.reason_rows()],
                ),
                "",
            ]
        rows = []
        for result in results:
            if result.proposals:
                rules = sorted({p.finding.rule for p in result.proposals}, key=list(RULES).index)
                rows.append(
                    [result.display, result.language, len(result.proposals), ", ".join(rules)]
                )
        out += [*_table(["file", "language", "suggestions", "rules"], rows), ""]

    number = 0
    for result in results:
        if not result.proposals:
            continue
        out += [f"## {_code(result.display)}", ""]
        change = changes.get(result.path)
        if change is not None and not change.ok:
            out += [f"> **Would not be applied:** {change.problem}", ""]
        for proposal in result.proposals:
            number += 1
            finding, suggestion = proposal.finding, proposal.suggestion
            where = f" in `{finding.function}`" if finding.function else ""
            out += [
                f"### {number}. line {finding.line + 1}{where}: {finding.rule}, {suggestion.level}",
                "",
                _context(result, finding.line, suggestion.edit.new_text),
                "",
                f"- **Statement:** {_code(suggestion.statement)}",
                f"- **Rule:** `{finding.rule}` ({RULES[finding.rule].title}): {finding.message}",
                f"- **Level:** {suggestion.level}. Why: {suggestion.reason or 'not given'}",
                f"- **Written by:** {labelled(suggestion.source)} in "
                f"{suggestion.latency_ms:.0f} ms" + _why_not_model(suggestion),
                *_followed(proposal),
            ]
            for edit in suggestion.additional_edits:
                out.append(
                    f"- **Also adds** at line {edit.start_line + 1}: {_code(edit.new_text.strip())}"
                )
            for note in suggestion.notes:
                out.append(f"- **Note:** {note}")
            out.append("")
        for note in result.notes:
            out += [f"- **Note:** {note}", ""]

    if summary.skipped:
        out += [
            "## Skipped files",
            "",
            *_table(["file", "reason"], [[p, r] for p, r in summary.skipped]),
            "",
        ]
    return "\n".join(out).rstrip() + "\n"
