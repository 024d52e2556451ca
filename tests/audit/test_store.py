"""The audit store: where it lives, permissions, migrations, the hash chain and what `logsmith audit verify` reports."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
import sys
import threading

import pytest

from logsmith.audit import store as store_module
from logsmith.cli import main as cli_main
from logsmith.settings import Settings
from logsmith.audit.store import (
    GENESIS_HASH,
    SCHEMA_VERSION,
    AuditEvent,
    AuditRecorder,
    AuditStore,
    StoreError,
    default_store_path,
    read_rows,
)


def event(number: int, kind: str = "shown", **extra) -> AuditEvent:
    return AuditEvent(kind, suggestion_id=f"s{number}", offer_id=f"o{number}", channel="completion", rank=0,
                      path="/src/app.py", level="error", source="template", latency_ms=12.5 + number,
                      site_kind="except", settings={"use_model": False}, statement=f'logger.error("step {number}")',
                      **extra)


@pytest.fixture
def store_path(tmp_path):
    path = tmp_path / "home" / "telemetry.sqlite3"
    with AuditStore(path) as store:
        for number in range(1, 6):
            store.append(event(number))
    return path


def raw(path):
    return sqlite3.connect(path, isolation_level=None)


def verify(path, capsys):
    code = cli_main(["audit", "--store", str(path), "verify"])
    return code, capsys.readouterr().out


def test_store_is_private_and_versioned(tmp_path, monkeypatch):
    monkeypatch.setenv("LOGSMITH_HOME", str(tmp_path / "lh"))
    path = default_store_path()
    assert path == tmp_path / "lh" / "telemetry.sqlite3"
    with AuditStore(path) as store:
        store.append(event(1))
        assert store.version == SCHEMA_VERSION
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    # reopening does not migrate again or lose rows
    with AuditStore(path) as store:
        assert [row.suggestion_id for row in store.rows()] == ["s1"]


def test_default_home_follows_xdg(monkeypatch, tmp_path):
    monkeypatch.delenv("LOGSMITH_HOME", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_store_path() == tmp_path / "xdg" / "logsmith" / "telemetry.sqlite3"
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    for ignored in ("", "relative/data"):  # the XDG Base Directory specification: empty or relative means unset
        monkeypatch.setenv("XDG_DATA_HOME", ignored)
        assert default_store_path() == tmp_path / "home" / ".local" / "share" / "logsmith" / "telemetry.sqlite3"
    monkeypatch.setenv("LOGSMITH_HOME", str(tmp_path / "lh"))
    assert default_store_path() == tmp_path / "lh" / "telemetry.sqlite3"


def test_the_audit_command_and_the_server_agree_on_the_xdg_home(tmp_path):
    """`logsmith audit path` (the real command) names the store the server writes under XDG_DATA_HOME."""
    env = {key: value for key, value in os.environ.items() if key != "LOGSMITH_HOME"}
    env.update(HOME=str(tmp_path / "home"), XDG_DATA_HOME=str(tmp_path / "data"))
    done = subprocess.run([sys.executable, "-m", "logsmith.cli", "audit", "path"], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout == f"{tmp_path / 'data' / 'logsmith' / 'telemetry.sqlite3'}\n"


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "t.sqlite3"
    with raw(path) as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(StoreError, match="newer than this logsmith"):
        AuditStore(path)


def test_rows_form_a_chain(store_path, capsys):
    rows = read_rows(store_path)
    assert [row.seq for row in rows] == [1, 2, 3, 4, 5]
    assert rows[0].prev_hash == GENESIS_HASH
    assert all(later.prev_hash == earlier.row_hash for earlier, later in zip(rows, rows[1:]))
    assert json.loads(rows[0].settings) == {"use_model": False}
    code, out = verify(store_path, capsys)
    assert code == 0
    assert out.startswith(f"audit trail intact: 5 rows, head 5 {rows[-1].row_hash}")


def test_changed_row_is_named(store_path, capsys):
    with raw(store_path) as db:
        db.execute("UPDATE events SET level = 'info' WHERE seq = 3")
    code, out = verify(store_path, capsys)
    assert code == 1
    assert "row 3 (changed)" in out


def test_changed_and_rehashed_row_is_caught_at_the_next_row(store_path, capsys):
    from logsmith.audit.store import row_hash

    rows = read_rows(store_path)
    values = rows[1].as_dict() | {"statement": "logger.info('nothing to see')"}
    with raw(store_path) as db:
        db.execute("UPDATE events SET statement = ?, row_hash = ? WHERE seq = 2",
                   (values["statement"], row_hash(rows[1].prev_hash, values)))
    code, out = verify(store_path, capsys)
    assert code == 1
    assert "row 3 (inserted)" in out and "row 2 was changed and re-hashed" in out


@pytest.mark.parametrize("seq, expected", [(2, "row 2 (deleted)"), (5, "row 5 (deleted)")])
def test_deleted_row_is_named(store_path, capsys, seq, expected):
    with raw(store_path) as db:
        db.execute("DELETE FROM events WHERE seq = ?", (seq,))
    code, out = verify(store_path, capsys)
    assert code == 1
    assert expected in out


def test_row_added_outside_logsmith_is_named(store_path, capsys):
    from logsmith.audit.store import CHAINED_COLUMNS, row_hash

    last = read_rows(store_path)[-1]
    forged = last.as_dict() | {"seq": 6, "event": "accepted", "suggestion_id": "forged"}
    digest = row_hash(last.row_hash, forged)  # a well-formed row, but the chain head was not moved
    with raw(store_path) as db:
        db.execute(f"INSERT INTO events ({', '.join(CHAINED_COLUMNS)}, prev_hash, row_hash) "
                   f"VALUES ({', '.join('?' * (len(CHAINED_COLUMNS) + 2))})",
                   (*(forged[c] for c in CHAINED_COLUMNS), last.row_hash, digest))
    code, out = verify(store_path, capsys)
    assert code == 1
    assert "row 6 (inserted): rows after 5 were appended outside logsmith" in out


def test_export_formats(store_path, tmp_path, capsys):
    assert cli_main(["audit", "--store", str(store_path), "export", "--format", "jsonl"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [json.loads(line)["seq"] for line in lines] == [1, 2, 3, 4, 5]
    out = tmp_path / "trail.csv"
    assert cli_main(["audit", "--store", str(store_path), "export", "--format", "csv", "--output", str(out)]) == 0
    import csv

    records = list(csv.DictReader(out.open()))
    assert len(records) == 5 and records[2]["statement"] == 'logger.error("step 3")'
    assert records[4]["row_hash"] == read_rows(store_path)[-1].row_hash


def test_missing_store_is_a_clear_error(tmp_path, capsys):
    assert cli_main(["audit", "--store", str(tmp_path / "none.sqlite3"), "verify"]) == 2
    assert "no audit store at" in capsys.readouterr().err


def test_no_store_yet_the_audit_command_says_how_one_comes_to_be(tmp_path):
    env = {**os.environ, "LOGSMITH_HOME": str(tmp_path / "lh")}
    done = subprocess.run([sys.executable, "-m", "logsmith.cli", "audit", "export", "--format", "csv"], env=env,
                          cwd=tmp_path, capture_output=True, text=True, timeout=60)
    message = " ".join(done.stderr.split())
    assert done.returncode == 2 and done.stdout == ""
    assert message.startswith(f"logsmith audit: no audit store yet at {tmp_path / 'lh' / 'telemetry.sqlite3'} ")
    assert "The editors record suggestions in the audit store" in message
    assert "then run `logsmith audit export` again" in message and "LOGSMITH_HOME is set." in message
    assert "Traceback" not in done.stderr


def test_recorder_honours_telemetry_and_store_code(tmp_path):
    recorder = AuditRecorder(tmp_path / "t.sqlite3")
    try:
        assert recorder.record(event(1), Settings(telemetry=False)) is None
        assert recorder.record(event(2), Settings(store_code=False)).result(5) is True
        assert recorder.record(event(3), Settings()).result(5) is True
    finally:
        recorder.close()
    rows = read_rows(tmp_path / "t.sqlite3")
    assert [(row.suggestion_id, row.statement) for row in rows] == [("s2", None), ("s3", 'logger.error("step 3")')]


def test_locked_store_warns_once_and_catches_up(tmp_path):
    path = tmp_path / "t.sqlite3"
    AuditStore(path).close()
    warnings = []
    recorder = AuditRecorder(path, warn=warnings.append, retry_interval=0)
    blocker = raw(path)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        results = [recorder.record(event(number)).result(10) for number in range(1, 4)]
        assert results == [False, False, False]
        assert len(warnings) == 1 and "database is locked" in warnings[0]
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert recorder.record(event(4)).result(10) is True
    recorder.close()
    assert [row.suggestion_id for row in read_rows(path)] == ["s1", "s2", "s3", "s4"]
    assert len(warnings) == 1


def test_unwritable_home_warns_once(tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x")
    warnings = []
    recorder = AuditRecorder(blocker / "telemetry.sqlite3", warn=warnings.append, retry_interval=0)
    try:
        assert [recorder.record(event(n)).result(5) for n in range(3)] == [False, False, False]
    finally:
        recorder.close()
    assert len(warnings) == 1 and "cannot create the audit store directory" in warnings[0]


def test_concurrent_writers_keep_one_chain(tmp_path, capsys, monkeypatch):
    # Each writer waits as long as the others need (the product waits 1 s, then keeps events in
    # memory): this test is about the chain, not about how busy the machine is.
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT_MS", 60_000)
    path = tmp_path / "t.sqlite3"
    AuditStore(path).close()

    def write(offset):
        with AuditStore(path) as store:
            for number in range(20):
                store.append(event(offset + number))

    threads = [threading.Thread(target=write, args=(offset,)) for offset in (0, 100, 200)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(read_rows(path)) == 60
    assert verify(path, capsys)[0] == 0
