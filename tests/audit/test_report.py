"""`logsmith report`: the aggregation over known rows and each output format; the real command
confirming the files it wrote, and explaining where the store comes from when there is none yet.

The report over a store written by a real editing session with the real server is in tests/server/test_lsp_report.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from logsmith.cli import main as cli_main
from logsmith.audit.report import outcomes, percentile, render_html, render_markdown, summarize
from logsmith.audit.store import AuditEvent, AuditStore, read_rows


def shown(sid, offer, level, source, latency, time, channel="inline", site="except"):
    return AuditEvent("shown", sid, offer_id=offer, channel=channel, rank=0, level=level, source=source,
                      latency_ms=latency, site_kind=site, time=time)


@pytest.fixture
def store(tmp_path):
    path = tmp_path / "t.sqlite3"
    events = [
        # day 1: two offers; s1 accepted after 3 s, s2 dismissed, s3 partially accepted
        shown("s1", "o1", "error", "gemma", 200.0, "2026-11-20T10:00:00.000Z"),
        shown("s2", "o1", "exception", "gemma", 200.0, "2026-11-20T10:00:00.000Z"),
        AuditEvent("accepted", "s1", offer_id="o1", time="2026-11-20T10:00:03.000Z"),
        AuditEvent("dismissed", "s2", offer_id="o1", detail={"reason": "next_request"}, time="2026-11-20T10:00:03.000Z"),
        shown("s3", "o2", "info", "template", 20.0, "2026-11-20T11:00:00.000Z", channel="completion", site="entry"),
        AuditEvent("partially_accepted", "s3", offer_id="o2", detail={"accepted_chars": 7},
                   time="2026-11-20T11:00:01.000Z"),
        # day 2: s4 dismissed then accepted (acceptance wins), s5 still pending, s6 accepted with no shown row
        shown("s4", "o3", "warning", "gemma", 600.0, "2026-11-21T09:00:00.000Z"),
        AuditEvent("dismissed", "s4", offer_id="o3", time="2026-11-21T09:00:01.000Z"),
        AuditEvent("accepted", "s4", offer_id="o3", time="2026-11-21T09:00:01.500Z"),
        shown("s5", "o4", "info", "template", 40.0, "2026-11-21T09:30:00.000Z", site="entry"),
        AuditEvent("accepted", "s6", offer_id="o5", channel="code_action", level="error", source="template",
                   latency_ms=100.0, site_kind="except", time="2026-11-21T10:00:00.000Z"),
    ]
    with AuditStore(path) as opened:
        for item in events:
            opened.append(item)
    return path


def test_percentile():
    assert percentile([], 50) is None
    assert percentile([5.0], 95) == 5.0
    assert percentile([1, 2, 3, 4], 50) == 2.5
    assert percentile(range(1, 101), 95) == pytest.approx(95.05)


def test_outcomes_fold_rows(store):
    items = {item.suggestion_id: item for item in outcomes(read_rows(store))}
    assert {sid: item.outcome for sid, item in items.items()} == {
        "s1": "accepted", "s2": "dismissed", "s3": "partially_accepted", "s4": "accepted", "s5": "pending",
        "s6": "accepted"}
    assert items["s3"].accepted_chars == 7
    assert items["s1"].accepted_at == "2026-11-20T10:00:03.000Z"


def test_summary_counts_and_latency(store):
    summary = summarize(outcomes(read_rows(store)))
    overall = summary.overall
    assert (overall.shown, overall.accepted, overall.partially_accepted, overall.dismissed, overall.pending) == (6, 3, 1, 1, 1)
    assert overall.acceptance_rate == 0.5
    assert summary.by["level"]["error"].accepted == 2 and summary.by["level"]["error"].shown == 2
    assert summary.by["source"]["gemma"].shown == 3 and summary.by["source"]["gemma"].accepted == 2
    assert summary.by["site_kind"]["entry"].shown == 2 and summary.by["site_kind"]["entry"].accepted == 0
    assert summary.by["channel"]["code_action"].accepted == 1
    assert {day: (t.shown, t.accepted) for day, t in summary.by["day"].items()} == {
        "2026-11-20": (3, 1), "2026-11-21": (3, 2)}
    # five offers: 200 (o1, once), 20, 600, 40, 100
    assert summary.offers == 5
    assert summary.latency_p50_ms == 100.0
    assert summary.latency_p95_ms == pytest.approx(520.0)
    assert summary.model_ms_per_accepted == pytest.approx(960 / 3)
    assert summary.median_seconds_to_accept == 1.5


def test_cli_text_json_markdown_html(store, tmp_path, capsys):
    html_file, md_file = tmp_path / "r.html", tmp_path / "r.md"
    assert cli_main(["report", "--store", str(store), "--html", str(html_file), "--markdown", str(md_file)]) == 0
    text = capsys.readouterr().out
    assert "suggestions shown: 6   accepted: 3   partially accepted: 1   dismissed: 1   pending: 1" in text
    assert "acceptance rate: 50.0%" in text
    assert "latency over 5 offers: p50 100 ms, p95 520 ms" in text
    page = html_file.read_text()
    assert page.count('src="data:image/png;base64,') == 3
    assert "http" not in page.replace("http-equiv", "")  # self-contained: nothing fetched
    markdown = md_file.read_text()
    assert "| 6 | 3 | 1 | 1 | 1 | 50.0% |" in markdown
    assert "| 2026-11-21 | 3 | 2 | 0 | 0 | 66.7% |" in markdown

    assert cli_main(["report", "--store", str(store), "--json", "--since", "2026-11-21"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["overall"]["shown"] == 3 and data["overall"]["accepted"] == 2
    assert list(data["by"]["day"]) == ["2026-11-21"]


def test_empty_store_reports_zeros(tmp_path, capsys):
    path = tmp_path / "empty.sqlite3"
    AuditStore(path).close()
    assert cli_main(["report", "--store", str(path)]) == 0
    assert "suggestions shown: 0" in capsys.readouterr().out
    assert "<html>" in render_html(summarize([]))
    assert render_markdown(summarize([])).startswith("# logsmith acceptance report")


def test_missing_store(tmp_path, capsys):
    assert cli_main(["report", "--store", str(tmp_path / "none.sqlite3")]) == 2
    assert "no audit store" in capsys.readouterr().err


def run_report(*args, home=None, env_changes: dict | None = None, cwd=None) -> subprocess.CompletedProcess:
    """The real `logsmith report ARGS` in a subprocess, as a user runs it."""
    env = {key: value for key, value in os.environ.items() if key not in ("LOGSMITH_HOME", "XDG_DATA_HOME")}
    env.update(env_changes or {})
    return subprocess.run([sys.executable, "-m", "logsmith.cli", "report", *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def test_the_command_confirms_the_files_it_wrote(store, tmp_path):
    html_file, md_file = tmp_path / "out" / "report.html", tmp_path / "out" / "report.md"
    done = run_report("--store", store, "--html", html_file, "--markdown", md_file, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stderr == f"HTML report written to {html_file}\nMarkdown report written to {md_file}\n"
    assert html_file.read_text().startswith("<!DOCTYPE html>") and md_file.is_file()
    assert "acceptance rate: 50.0%" in done.stdout
    with_json = run_report("--store", store, "--json", "--markdown", md_file, cwd=tmp_path)
    assert json.loads(with_json.stdout)["overall"]["shown"] == 6  # the confirmation stays off standard output
    assert with_json.stderr == f"Markdown report written to {md_file}\n"


def test_no_store_yet_says_how_the_editors_create_it_and_where_it_lives(tmp_path):
    home = tmp_path / "home"
    done = run_report(env_changes={"HOME": str(home)}, cwd=tmp_path)
    assert done.returncode == 2 and done.stdout == ""
    store = home / ".local" / "share" / "logsmith" / "telemetry.sqlite3"
    message = " ".join(done.stderr.split())
    assert message.startswith(f"logsmith report: no audit store yet at {store} ")
    assert "The editors record suggestions in the audit store as they are shown, accepted or dismissed" in message
    assert "`logsmith serve`" in message and "`telemetry` setting is false" in message
    assert "Use logsmith in your editor, then run `logsmith report` again." in message
    assert (f"The store is telemetry.sqlite3 in LOGSMITH_HOME, here {store.parent}: neither LOGSMITH_HOME nor "
            "XDG_DATA_HOME is set, so it is ~/.local/share/logsmith.") in message
    assert "pass --store FILE" in message
    assert all(len(line) <= 100 for line in done.stderr.splitlines()[1:])

    xdg = run_report(env_changes={"HOME": str(home), "XDG_DATA_HOME": str(tmp_path / "data")}, cwd=tmp_path)
    message = " ".join(xdg.stderr.split())
    assert xdg.returncode == 2
    assert f"no audit store yet at {tmp_path / 'data' / 'logsmith' / 'telemetry.sqlite3'}" in message
    assert "LOGSMITH_HOME is not set, so it is $XDG_DATA_HOME/logsmith." in message

    chosen = run_report(env_changes={"HOME": str(home), "XDG_DATA_HOME": str(tmp_path / "data"),
                                     "LOGSMITH_HOME": str(tmp_path / "lh")}, cwd=tmp_path)
    assert f"no audit store yet at {tmp_path / 'lh' / 'telemetry.sqlite3'}" in chosen.stderr
    assert "LOGSMITH_HOME is set." in " ".join(chosen.stderr.split())


def test_a_missing_store_named_with_store_says_where_the_default_one_is(tmp_path):
    missing = tmp_path / "none.sqlite3"
    done = run_report("--store", missing, env_changes={"HOME": str(tmp_path / "home")}, cwd=tmp_path)
    message = " ".join(done.stderr.split())
    assert done.returncode == 2
    assert message.startswith(f"logsmith report: no audit store at {missing} (--store) ")
    assert f"Without --store, the store is telemetry.sqlite3 in LOGSMITH_HOME, here {tmp_path / 'home' / '.local' / 'share' / 'logsmith'}" in message
