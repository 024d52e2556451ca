"""Writes the adoption report of a suite folder: report.json (every figure), report.md (for a pull request)
and report.html (one self-contained page with charts), from `suite-cases.jsonl` and `suite-run.json`."""

from __future__ import annotations

import json
import re
from pathlib import Path

from eval import report_html, suite_report
from eval.rows import load_rows

CASES_FILE = "suite-cases.jsonl"
RUN_FILE = "suite-run.json"
DATED = re.compile(r"\d{4}-\d{2}-\d{2}")


def previous_report(folder: Path) -> dict | None:
    """The trend point of the newest report in a dated sibling folder (eval/reports/YYYY-MM-DD) older than `folder`."""
    folder = Path(folder).resolve()
    earlier = sorted(path for path in folder.parent.glob("????-??-??/report.json")
                     if DATED.fullmatch(path.parent.name) and path.parent.name < folder.name)
    for path in reversed(earlier):
        try:
            return suite_report.trend_point(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError):
            continue  # an unreadable old report is no trend
    return None


def build(folder: Path, rows: list[dict] | None = None) -> dict:
    """The report dict of a suite folder (rows read from it unless given)."""
    folder = Path(folder)
    rows = load_rows(folder / CASES_FILE) if rows is None else rows
    run_path = folder / RUN_FILE
    record = json.loads(run_path.read_text(encoding="utf-8")) if run_path.exists() else {}
    return suite_report.summarise(rows, record.get("sessions", []), record.get("run", {}), record.get("machine", {}),
                                  previous_report(folder))


def write_reports(folder: Path, rows: list[dict] | None = None) -> str:
    """Writes report.json / report.md / report.html into `folder`; returns the Markdown."""
    folder = Path(folder)
    report = build(folder, rows)
    markdown = suite_report.render_markdown(report)
    (folder / "report.json").write_text(json.dumps(suite_report.without_latency_lists(report), indent=2,
                                                   ensure_ascii=False) + "\n", encoding="utf-8")
    (folder / "report.md").write_text(markdown, encoding="utf-8")
    (folder / "report.html").write_text(report_html.render_html(report), encoding="utf-8")
    return markdown
