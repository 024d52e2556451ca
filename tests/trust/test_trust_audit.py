"""The audit trail as a reviewer inspects it (SECURITY.md "Audit trail"): the bytes on disk.

The chain, `logsmith audit verify` and what each event records are tested in tests/audit/test_store.py
and tests/server/test_lsp_features.py (SECURITY.md names each test). These two look at the files:
the store stays private whatever the umask, and with `store_code` off the code text is nowhere in
them; with `telemetry` off no store is created at all.
"""

from __future__ import annotations

import os
import stat

from logsmith.settings import Settings
from logsmith.audit.store import AuditEvent, AuditRecorder, read_rows

CODE = 'logger.error("Charging card 4111-1111-1111-1111 failed: %s", err)'


def event(number: int) -> AuditEvent:
    return AuditEvent("shown", suggestion_id=f"s{number}", channel="completion", path="/src/billing.py", level="error",
                      source="template", settings={"store_code": False}, statement=CODE)


def store_bytes(folder) -> bytes:
    """Everything logsmith left in `folder`: the database and any journal or WAL file."""
    return b"".join(path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file())


def test_the_store_is_private_even_with_an_open_umask(tmp_path):
    home = tmp_path / "home"
    previous = os.umask(0)
    try:
        recorder = AuditRecorder(home / "telemetry.sqlite3")
        assert recorder.record(event(1), Settings()).result(10) is True
        recorder.close()
    finally:
        os.umask(previous)
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    for path in home.rglob("*"):
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, f"{path} is readable by others"


def test_with_store_code_off_the_code_text_is_nowhere_in_the_files(tmp_path):
    home = tmp_path / "home"
    recorder = AuditRecorder(home / "telemetry.sqlite3")
    for number in range(20):
        assert recorder.record(event(number), Settings(store_code=False)).result(10) is True
    recorder.close()
    rows = read_rows(home / "telemetry.sqlite3")
    assert len(rows) == 20 and all(row.statement is None for row in rows)
    raw = store_bytes(home)
    assert b"/src/billing.py" in raw  # the metadata is there...
    assert b"4111-1111" not in raw and b"Charging card" not in raw  # ...the code is not

    quiet = tmp_path / "quiet"
    recorder = AuditRecorder(quiet / "telemetry.sqlite3")
    assert recorder.record(event(1), Settings(telemetry=False)) is None
    recorder.close()
    assert not quiet.exists() or store_bytes(quiet) == b""
