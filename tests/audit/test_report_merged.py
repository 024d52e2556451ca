"""`logsmith report STORE_OR_EXPORT...`: one adoption report over several people's audit stores and
their exports, each verified first.

Four stores written by the real AuditStore, as four people's editors would: alice's and carol's in
the repository `shop` (the server's `repository` detail), bob's without one (older rows: the
repository comes from a relative path, or is unknown); bob's exported to JSON Lines (whole, and a
segment cut from the middle), carol's to CSV, both by the real `logsmith audit export`; dave's
tampered (a row changed). Every figure below is counted by hand from the events. The report over
a real editing session is in tests/server/test_lsp_report.py.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from logsmith.audit.inputs import read_input
from logsmith.audit.store import AuditEvent, AuditStore

DAY1, DAY2 = "2026-11-20", "2026-11-21"
PEOPLE = ("alice", "bob", "carol", "dave")


def shown(sid, offer, latency, level, source, site, channel, path, day, detail=None):
    return AuditEvent("shown", sid, offer_id=offer, channel=channel, rank=0, path=path, level=level,
                      source=source, model_id="gemma-3-270m", latency_ms=latency, site_kind=site,
                      statement=f'logger.{level}("done, {sid}\nnext")', detail=detail,
                      time=f"{day}T10:00:00.000Z")


def then(event, sid, offer, day, detail=None):
    return AuditEvent(event, sid, offer_id=offer, detail=detail, time=f"{day}T10:00:05.000Z")


SHOP = {"repository": "shop"}
ALICE_PATH = "/home/alice/src/shop/app/cart.py"
EVENTS = {
    "alice": [
        shown("a1", "o1", 100.0, "error", "gemma-3-270m", "except", "completion", ALICE_PATH, DAY1, SHOP),
        shown("a2", "o1", 100.0, "warning", "gemma-3-270m", "except", "completion", ALICE_PATH, DAY1, SHOP),
        then("accepted", "a1", "o1", DAY1),
        then("dismissed", "a2", "o1", DAY1, {"reason": "next_request"}),
        shown("a3", "o2", 300.0, "info", "template", "entry", "inline", ALICE_PATH, DAY1, SHOP),
        then("accepted", "a3", "o2", DAY1),
        shown("a4", "o3", 500.0, "error", "neighbour", "except", "code_action", ALICE_PATH, DAY1,
              {"repository": "shop", "route": "neighbour"}),
        then("partially_accepted", "a4", "o3", DAY1, {"accepted_chars": 5}),
        shown("a5", "o4", 50.0, "info", "gemma-3-270m", "entry", "completion", ALICE_PATH, DAY1,
              {"repository": "shop", "route": "remote"}),
    ],
    "bob": [  # recorded before the server named the repository
        shown("b1", "o5", 200.0, "error", "template", "except", "inline", "billing/invoice.py", DAY2),
        then("accepted", "b1", "o5", DAY2),
        shown("b2", "o6", 400.0, "info", "gemma-3-270m", "entry", "completion", "/home/bob/billing/tax.py", DAY2),
        shown("b3", "o6", 400.0, "info", "gemma-3-270m", "entry", "completion", "/home/bob/billing/tax.py", DAY2),
        then("dismissed", "b2", "o6", DAY2, {"reason": "next_request"}),
        then("accepted", "b3", "o6", DAY2),
    ],
    "carol": [
        shown("c1", "o7", 600.0, "warning", "gemma-3-270m", "except", "completion", "/home/carol/shop/db.py", DAY2,
              SHOP),
        then("accepted", "c1", "o7", DAY2),
        AuditEvent("accepted", "c1", offer_id="o7", statement='logger.warning("odd\r\u2028text, too")',
                   time=f"{DAY2}T10:00:09.000Z"),
    ],
    "dave": [
        shown("d1", "o8", 70.0, "error", "template", "except", "inline", "/home/dave/ledger/x.py", DAY2,
              {"repository": "ledger"}),
        then("accepted", "d1", "o8", DAY2),
    ],
}


def logsmith(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "logsmith.cli", *map(str, args)], capture_output=True, text=True,
                          timeout=120)


@pytest.fixture(scope="module")
def team(tmp_path_factory) -> dict[str, Path]:
    """Each person's store; bob's as a JSON Lines export and a segment of it, carol's as CSV;
    dave's with its first row's level changed in place."""
    folder = tmp_path_factory.mktemp("team")
    files = {}
    for person in PEOPLE:
        files[person] = folder / f"{person}.sqlite3"
        with AuditStore(files[person]) as store:
            for event in EVENTS[person]:
                store.append(event)
    files["bob.jsonl"] = folder / "bob.jsonl"
    files["carol.csv"] = folder / "carol.csv"
    for source, target, fmt in ((files["bob"], files["bob.jsonl"], "jsonl"), (files["carol"], files["carol.csv"], "csv")):
        done = logsmith("audit", "--store", source, "export", "--format", fmt, "--output", target)
        assert done.returncode == 0, done.stderr
    files["bob-segment.jsonl"] = folder / "bob-segment.jsonl"
    files["bob-segment.jsonl"].write_text("".join(files["bob.jsonl"].read_text().splitlines(keepends=True)[2:]))
    with sqlite3.connect(files["dave"]) as db:
        db.execute("UPDATE events SET level = 'debug' WHERE seq = 1")
    return files


def tally(shown, accepted, partial, dismissed, pending, p50, p95) -> dict:
    return {"shown": shown, "accepted": accepted, "partially_accepted": partial, "dismissed": dismissed,
            "pending": pending, "acceptance_rate": accepted / shown, "latency_p50_ms": p50, "latency_p95_ms": p95}


def test_one_report_over_stores_and_exports_leaves_the_tampered_store_out_and_says_so(team, tmp_path):
    markdown, page = tmp_path / "team.md", tmp_path / "team.html"
    inputs = [team["alice"], team["bob.jsonl"], team["carol.csv"], team["dave"], team["bob-segment.jsonl"]]
    done = logsmith("report", *inputs, "--json", "--markdown", markdown, "--html", page)
    assert done.returncode == 1  # an input was left out
    assert (f"logsmith report: input 4 ({team['dave']}) is left out of the figures: hash chain broken at row 1 "
            "(changed): row 1 was changed: its content no longer matches its hash") in done.stderr
    figures = json.loads(done.stdout)

    # nine suggestions from alice, bob and carol; dave's is not counted
    assert figures["overall"] == tally(9, 5, 1, 2, 1, 300.0, pytest.approx(570.0)) | {"acceptance_rate": 5 / 9}
    assert figures["offers"] == 7
    by = figures["by"]
    assert by["repository"] == {"shop": tally(6, 3, 1, 1, 1, 300.0, pytest.approx(580.0)),
                                "billing": tally(1, 1, 0, 0, 0, 200.0, 200.0),
                                "unknown": tally(2, 1, 0, 1, 0, 400.0, 400.0)}
    assert by["route"] == {"local": tally(5, 3, 0, 2, 0, 400.0, pytest.approx(580.0)),
                           "template": tally(2, 2, 0, 0, 0, 250.0, pytest.approx(295.0)),
                           "neighbour": tally(1, 0, 1, 0, 0, 500.0, 500.0) | {"acceptance_rate": 0.0},
                           "remote": tally(1, 0, 0, 0, 1, 50.0, 50.0) | {"acceptance_rate": 0.0}}
    assert {k: (t["shown"], t["accepted"]) for k, t in by["level"].items()} == {
        "error": (3, 2), "info": (4, 2), "warning": (2, 1)}
    assert {k: (t["shown"], t["accepted"]) for k, t in by["site_kind"].items()} == {"entry": (4, 2), "except": (5, 3)}
    assert {k: (t["shown"], t["accepted"]) for k, t in by["day"].items()} == {DAY1: (5, 2), DAY2: (4, 3)}

    # the inputs, by number: the segment verified from its first row, its rows counted once
    states = [(i["input"], i["format"], i["rows"], i["first_row"], i["segment"], i["verified"]) for i in figures["inputs"]]
    assert states == [(1, "sqlite", 9, 1, False, True), (2, "jsonl", 6, 1, False, True), (3, "csv", 3, 1, False, True),
                      (4, "sqlite", 2, 1, False, False), (5, "jsonl", 4, 3, True, True)]
    assert figures["repeated_rows"] == 4
    assert figures["inputs"][1]["last_hash"] == figures["inputs"][4]["last_hash"]

    # person-agnostic: no name, path or file of anyone in any output
    text = logsmith("report", *inputs).stdout
    for output in (done.stdout, text, markdown.read_text(), page.read_text()):
        for word in (*PEOPLE, "/home", ".py", ".sqlite3", ".jsonl", ".csv", "next_request"):
            assert word not in output
    assert "input 4 (sqlite): LEFT OUT of the figures: hash chain broken at row 1 (changed)" in text
    assert "input 5 (jsonl): rows 3-6 (a segment of its chain), verified, last row hash" in text
    assert "4 rows given in more than one input, counted once" in text
    assert "suggestions shown: 9   accepted: 5   partially accepted: 1   dismissed: 2   pending: 1" in text
    assert "| shop | 6 | 3 | 1 | 1 | 50.0% | 300 ms | 580 ms |" in markdown.read_text()
    assert "<td>remote</td><td>1</td><td>0</td><td>0</td><td>0</td><td>0.0%</td>" in page.read_text()


def test_without_the_tampered_store_every_input_verifies_and_the_status_is_0(team):
    done = logsmith("report", team["alice"], team["bob.jsonl"], team["carol.csv"], "--json")
    assert done.returncode == 0 and done.stderr == ""
    assert json.loads(done.stdout)["overall"]["shown"] == 9


def test_a_changed_export_line_and_a_file_that_is_no_export_are_named(team, tmp_path):
    lines = team["bob.jsonl"].read_text().splitlines(keepends=True)
    record = json.loads(lines[2])
    record["level"] = "critical"
    changed = tmp_path / "changed.jsonl"
    changed.write_text("".join([*lines[:2], json.dumps(record) + "\n", *lines[3:]]))
    dropped = tmp_path / "dropped.jsonl"
    dropped.write_text("".join([*lines[:2], *lines[3:]]))
    other = tmp_path / "notes.txt"
    other.write_text("meeting notes\n")
    assert read_input(1, changed).problem == (
        "hash chain broken at row 3 (changed): row 3 was changed: its content no longer matches its hash")
    assert read_input(1, dropped).problem.startswith("hash chain broken at row 3 (deleted): row 3 deleted")
    assert "not an audit store nor an export" in read_input(1, other).problem
    done = logsmith("report", team["carol.csv"], changed, other, "--json")
    assert done.returncode == 1
    assert f"input 2 ({changed}) is left out" in done.stderr and f"input 3 ({other}) is left out" in done.stderr
    assert json.loads(done.stdout)["overall"]["shown"] == 1  # carol's only
    nothing = logsmith("report", other, tmp_path / "missing.jsonl")
    assert nothing.returncode == 2 and "cannot read it: No such file or directory" in nothing.stderr
