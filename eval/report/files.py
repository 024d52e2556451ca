"""Writes the adoption report of a run folder: report.json (every figure), report.md (for a pull
request) and report.html (one self-contained page with charts), from `suite-cases.jsonl` and
`suite-run.json`. The adoption benchmark calls `write_reports` at the end of a run; run alone, it
recomputes the report from the stored rows:

    python -m eval.report.files eval/reports/<date>/suite-cases.jsonl
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from eval.report import adoption, html
from eval.report.rows import load_rows

CASES_FILE = "suite-cases.jsonl"
RUN_FILE = "suite-run.json"
DATED = re.compile(r"\d{4}-\d{2}-\d{2}")


def previous_report(folder: Path) -> dict | None:
    """The trend point of the newest report in a dated sibling folder (eval/reports/YYYY-MM-DD)
    older than `folder`."""
    folder = Path(folder).resolve()
    earlier = sorted(path for path in folder.parent.glob("????-??-??/report.json")
                     if DATED.fullmatch(path.parent.name) and path.parent.name < folder.name)
    for path in reversed(earlier):
        try:
            return adoption.trend_point(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError):
            continue  # an unreadable old report is no trend
    return None


def build(folder: Path, rows: list[dict] | None = None) -> dict:
    """The report dict of a run folder (rows read from it unless given)."""
    folder = Path(folder)
    rows = load_rows(folder / CASES_FILE) if rows is None else rows
    run_path = folder / RUN_FILE
    record = json.loads(run_path.read_text(encoding="utf-8")) if run_path.exists() else {}
    return adoption.summarise(rows, record.get("sessions", []), record.get("run", {}),
                              record.get("machine", {}), previous_report(folder))


def write_reports(folder: Path, rows: list[dict] | None = None) -> str:
    """Writes report.json / report.md / report.html into `folder`; returns the Markdown."""
    folder = Path(folder)
    report = build(folder, rows)
    markdown = adoption.render_markdown(report)
    figures = json.dumps(adoption.without_latency_lists(report), indent=2, ensure_ascii=False)
    (folder / "report.json").write_text(figures + "\n", encoding="utf-8")
    (folder / "report.md").write_text(markdown, encoding="utf-8")
    (folder / "report.html").write_text(html.render_html(report), encoding="utf-8")
    return markdown


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m eval.report.files",
        description="Recompute the adoption report from the benchmark's per-case rows.")
    parser.add_argument("cases", type=Path,
                        help="a suite-cases.jsonl written by eval.bench.adoption")
    args = parser.parse_args(argv)
    rows = load_rows(args.cases)
    if not rows:
        print(f"{args.cases}: no rows", file=sys.stderr)
        return 1
    print(write_reports(args.cases.parent, rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
