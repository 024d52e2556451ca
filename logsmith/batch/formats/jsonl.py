"""`--json`: JSON Lines, one object per proposed statement.

Fields: file, language (python, java, go, javascript, typescript or tsx), range (the insertion
point: 0-based line and code-point character, like the API and LSP), site (the flagged construct,
same convention), rule, message, level, statement, text (the whole inserted line), additional_edits,
logger, variables, source (the model id, `neighbour`: a statement of the project adapted, or
`template`), latency_ms, reason, site_kind, function, notes, route (template, neighbour, local or
remote: `remote` where the stronger model's statement replaced the local one), route_reason (why
that route), confidence (how sure routing was of the local model's statement; null where it did not
write it), and neighbours: the project's statements at the sites most like this one, best first,
each {file, line (0-based, like range), statement}; empty without a project index.
"""

from __future__ import annotations

import json

from logsmith.batch.results import FileResult, Proposal


def _position(line: int, character: int) -> dict:
    return {"line": line, "character": character}


def _edit(edit) -> dict:
    return {
        "range": {
            "start": _position(edit.start_line, edit.start_character),
            "end": _position(edit.end_line, edit.end_character),
        },
        "new_text": edit.new_text,
    }


def record(result: FileResult, proposal: Proposal) -> dict:
    finding, suggestion = proposal.finding, proposal.suggestion
    edit = suggestion.edit
    return {
        "file": result.display,
        "language": result.language,
        "range": {
            "start": _position(edit.start_line, edit.start_character),
            "end": _position(edit.end_line, edit.end_character),
        },
        "site": {
            "start": _position(finding.start_line, finding.start_character),
            "end": _position(finding.end_line, finding.end_character),
        },
        "rule": finding.rule,
        "message": finding.message,
        "level": suggestion.level,
        "statement": suggestion.statement,
        "text": edit.new_text,
        "additional_edits": [_edit(e) for e in suggestion.additional_edits],
        "logger": suggestion.logger,
        "variables": list(suggestion.variables),
        "source": suggestion.source,
        "latency_ms": round(suggestion.latency_ms, 2),
        "reason": suggestion.reason,
        "site_kind": suggestion.site_kind,
        "function": finding.function,
        "notes": list(suggestion.notes),
        "route": suggestion.route,
        "route_reason": suggestion.route_reason,
        "confidence": None if suggestion.confidence is None else round(suggestion.confidence, 4),
        "neighbours": [
            {"file": place.path, "line": place.line, "statement": place.statement}
            for place in proposal.followed
        ],
    }


def write_json_lines(results: list[FileResult], out) -> None:
    for result in results:
        for proposal in result.proposals:
            out.write(json.dumps(record(result, proposal), ensure_ascii=False) + "\n")
