"""`logsmith report` over a store written by a real editing session.

The session shows, accepts and dismisses suggestions through the real server, with the real model
(`model` tier) and with the template engine only (fast tier); the expected counts follow from what
the session did (how many items each answer carried).
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from lsp_session import start_served, stop_editor

pytestmark = pytest.mark.asyncio

SOURCE = '''import logging

logger = logging.getLogger(__name__)


def save(record, db):
    try:
        db.insert(record)
    except Exception as exc:
        raise


def load(path):
    with open(path) as handle:
        return handle.read()


def parse(text):
    try:
        return int(text)
    except ValueError:
        return None
'''


def report(store, *extra) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "logsmith.cli", "report", "--store", str(store), *extra],
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("engine", [pytest.param("model", marks=pytest.mark.model), "template"])
async def test_report_counts_a_real_session(request, tmp_path, engine):
    session = await start_served(request, tmp_path, "neovim", engine)
    try:
        uri = session.open("service.py", SOURCE)

        # 1. completion in the except block of save(): accept the best item; the others stay open
        line, column = session.type(uri, 9, 0, "        logger.\n")
        line, column = 9, 15
        first = (await session.complete(uri, line, column)).items
        assert first
        assert (await session.accept(first[0].command))["recorded"] is True

        # 2. a second completion on the same line: the rest of the first answer is dismissed; none accepted
        line, column = session.type(uri, line, column, "e")
        second = (await session.complete(uri, line, column)).items
        assert second

        # 3. inline at the top of load(): asked twice, the first is dismissed, the second accepted
        session.type(uri, 13, len("def load(path):"), "\n    ")
        inline_first = (await session.inline(uri, 14, 4)).items
        inline_second = (await session.inline(uri, 14, 4)).items
        assert len(inline_first) == len(inline_second) == 1
        assert (await session.accept(inline_second[0].command))["recorded"] is True

        # 4. a code action, resolved and applied
        action = (await session.code_actions(uri, 22, 8))[0]
        resolved = await session.client.code_action_resolve_async(action)
        assert (await session.accept(resolved.command))["recorded"] is True

        # 5. closing the file dismisses what is still open: the second completion answer
        session.close(uri)
        shown = len(first) + len(second) + 2 + 1
        accepted = 3
        dismissed = (len(first) - 1) + len(second) + 1
        await session.wait_rows(shown + accepted + dismissed)
    finally:
        await stop_editor(session)

    store = tmp_path / "telemetry.sqlite3"
    result = report(store, "--json")
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    overall = figures["overall"]
    assert (overall.pop("latency_p50_ms"), overall.pop("latency_p95_ms")) == tuple(figures["latency_ms"].values())
    assert overall == {
        "shown": shown, "accepted": accepted, "partially_accepted": 0, "dismissed": dismissed, "pending": 0,
        "acceptance_rate": accepted / shown}
    by_channel = {name: (t["shown"], t["accepted"], t["dismissed"]) for name, t in figures["by"]["channel"].items()}
    assert by_channel == {"completion": (len(first) + len(second), 1, len(first) - 1 + len(second)),
                          "inline": (2, 1, 1), "code_action": (1, 1, 0)}
    assert sum(t["shown"] for t in figures["by"]["source"].values()) == shown
    assert set(figures["by"]["source"]) <= {"gemma-3-270m", "template"}
    assert figures["by"]["site_kind"]["except"]["shown"] == len(first) + len(second) + 1
    entry = dict(figures["by"]["site_kind"]["entry"])
    assert 0 < entry.pop("latency_p50_ms") <= entry.pop("latency_p95_ms")
    assert entry == {"shown": 2, "accepted": 1, "partially_accepted": 0, "dismissed": 1,
                                                  "pending": 0, "acceptance_rate": 0.5}
    # person-agnostic groups: the workspace folder's name, and the route each statement took
    assert {name: t["shown"] for name, t in figures["by"]["repository"].items()} == {"src": shown}
    assert sum(t["shown"] for t in figures["by"]["route"].values()) == shown
    assert set(figures["by"]["route"]) <= {"template", "neighbour", "local"}
    assert str(tmp_path) not in result.stdout and "service.py" not in result.stdout
    (day,) = figures["by"]["day"].values()
    assert day["shown"] == shown
    assert figures["offers"] == 5  # two completions, two inline answers, one code action
    assert 0 < figures["latency_ms"]["p50"] <= figures["latency_ms"]["p95"]

    page = tmp_path / "report.html"
    text = report(store, "--html", str(page), "--markdown", str(tmp_path / "report.md"))
    assert text.returncode == 0, text.stderr
    assert f"suggestions shown: {shown}   accepted: {accepted}" in text.stdout
    assert f"acceptance rate: {accepted / shown * 100:.1f}%" in text.stdout
    assert page.read_text().count("data:image/png;base64,") == 3
    assert f"| {shown} | {accepted} | 0 | {dismissed} | 0 |" in (tmp_path / "report.md").read_text()

    # merged with its own export: every row is there twice, counted once, the figures unchanged
    export = tmp_path / "export.csv"
    assert subprocess.run([sys.executable, "-m", "logsmith.cli", "audit", "--store", str(store), "export",
                           "--format", "csv", "--output", str(export)], timeout=60).returncode == 0
    merged = subprocess.run([sys.executable, "-m", "logsmith.cli", "report", str(store), str(export), "--json"],
                            capture_output=True, text=True, timeout=120)
    assert merged.returncode == 0, merged.stderr
    both = json.loads(merged.stdout)
    assert both["repeated_rows"] == shown + accepted + dismissed and both["by"] == figures["by"]
    assert [(i["format"], i["verified"]) for i in both["inputs"]] == [("sqlite", True), ("csv", True)]

    verify = subprocess.run([sys.executable, "-m", "logsmith.cli", "audit", "--store", str(store), "verify"],
                            capture_output=True, text=True, timeout=60)
    assert verify.returncode == 0 and f"{shown + accepted + dismissed} rows" in verify.stdout
