"""`--sarif`: a SARIF 2.1.0 log for code-scanning dashboards: one run, the rules with their
descriptions, one result per proposal with its location and a fix that inserts the statement.

Lines and columns are 1-based (SARIF's convention); columns count code points, as said in the run's
`columnKind`. Artifact URIs are relative to `%SRCROOT%`, the folder `logsmith suggest` ran in.
Skipped files are reported as tool execution notifications. Each file with results is an artifact of
the run with its `sourceLanguage` (python, java, go, javascript, typescript, tsx), which its
results' locations point to by index. A result's properties carry the language, the level, the
engine that wrote the statement and the project's statements it followed (`neighbours`, each
`path:line: statement`).
"""

from __future__ import annotations

import json
from pathlib import Path

from logsmith.batch.results import FileResult
from logsmith.syntax.batch_rules import RULES

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
RULE_LEVEL = {
    "retry_loop": "warning",
    "except_converted": "warning",
    "except_swallowed": "warning",
    "error_return": "note",
    "io_call": "note",
}


def _uri(display: str) -> dict:
    if display.startswith("/"):
        return {"uri": Path(display).as_uri()}
    return {"uri": display, "uriBaseId": "%SRCROOT%"}


def _rules() -> list[dict]:
    return [
        {
            "id": rule.id,
            "name": "".join(part.title() for part in rule.id.split("_")),
            "shortDescription": {"text": rule.title},
            "fullDescription": {"text": rule.description},
            "help": {
                "text": f"{rule.description} "
                f"Silence one place with `# logsmith: ignore[{rule.id}]`, "
                "or the rule with `[tool.logsmith] rules` / `--rules`."
            },
            "defaultConfiguration": {"level": RULE_LEVEL[rule.id]},
            "properties": {"tags": ["logging", "observability"]},
        }
        for rule in RULES.values()
    ]


def _insertion(edit) -> dict:
    region = {
        "startLine": edit.start_line + 1,
        "startColumn": edit.start_character + 1,
        "endLine": edit.end_line + 1,
        "endColumn": edit.end_character + 1,
    }
    return {"deletedRegion": region, "insertedContent": {"text": edit.new_text}}


def sarif_log(results: list[FileResult], version: str, cwd: str) -> dict:
    rule_index = {rule_id: index for index, rule_id in enumerate(RULES)}
    sarif_results, notifications, artifacts = [], [], []
    for result in results:
        if not result.analysed:
            notifications.append(
                {
                    "level": "note",
                    "message": {"text": result.skipped},
                    "locations": [{"physicalLocation": {"artifactLocation": _uri(result.display)}}],
                }
            )
            continue
        if result.proposals:
            artifacts.append({"location": _uri(result.display), "sourceLanguage": result.language})
        artifact = {**_uri(result.display), "index": len(artifacts) - 1}
        for proposal in result.proposals:
            finding, suggestion = proposal.finding, proposal.suggestion
            location = {
                "physicalLocation": {
                    "artifactLocation": artifact,
                    "region": {
                        "startLine": finding.start_line + 1,
                        "startColumn": finding.start_character + 1,
                        "endLine": finding.end_line + 1,
                        "endColumn": finding.end_character + 1,
                    },
                }
            }
            replacements = [_insertion(e) for e in (*suggestion.additional_edits, suggestion.edit)]
            sarif_results.append(
                {
                    "ruleId": finding.rule,
                    "ruleIndex": rule_index[finding.rule],
                    "level": RULE_LEVEL[finding.rule],
                    "message": {"text": f"{finding.message}. Proposed: {suggestion.statement}"},
                    "locations": [location],
                    "fixes": [
                        {
                            "description": {
                                "text": f"Insert `{suggestion.statement}` before line "
                                f"{finding.line + 1}"
                            },
                            "artifactChanges": [
                                {
                                    "artifactLocation": _uri(result.display),
                                    "replacements": replacements,
                                }
                            ],
                        }
                    ],
                    "properties": {
                        "language": result.language,
                        "level": suggestion.level,
                        "source": suggestion.source,
                        "latencyMs": round(suggestion.latency_ms, 2),
                        "reason": suggestion.reason,
                        "neighbours": [
                            f"{place.place}: {place.statement}" for place in proposal.followed
                        ],
                    },
                }
            )
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "logsmith",
                        "version": version,
                        "semanticVersion": version,
                        "rules": _rules(),
                    }
                },
                "originalUriBaseIds": {"%SRCROOT%": {"uri": Path(cwd).as_uri() + "/"}},
                "columnKind": "unicodeCodePoints",
                "artifacts": artifacts,
                "invocations": [
                    {"executionSuccessful": True, "toolExecutionNotifications": notifications}
                ],
                "results": sarif_results,
            }
        ],
    }


def write_sarif(results: list[FileResult], out, version: str, cwd: str) -> None:
    json.dump(sarif_log(results, version, cwd), out, indent=2, ensure_ascii=False)
    out.write("\n")
