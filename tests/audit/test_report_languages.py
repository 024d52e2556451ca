"""`logsmith report` groups suggestions by the document's language the server records in each
event's detail; rows recorded without one (before logsmith read other languages) count as Python."""

from __future__ import annotations

import json
import subprocess
import sys

from logsmith.audit.store import AuditEvent, AuditStore

DAY = "2026-12-01"


def shown(sid: str, offer: str, path: str, detail: dict | None) -> AuditEvent:
    return AuditEvent(
        "shown",
        sid,
        offer_id=offer,
        channel="completion",
        rank=0,
        path=path,
        level="error",
        source="template",
        latency_ms=10.0,
        site_kind="except",
        detail=detail,
        time=f"{DAY}T10:00:00.000Z",
    )


def test_report_by_language(tmp_path):
    store_path = tmp_path / "store.sqlite3"
    events = [
        shown("g1", "o1", "/src/store/load.go", {"language": "go"}),
        AuditEvent(
            "accepted", "g1", offer_id="o1", detail={"language": "go"}, time=f"{DAY}T10:00:05.000Z"
        ),
        shown("t1", "o2", "/src/web/load.ts", {"language": "typescript"}),
        shown("p1", "o3", "/src/app/service.py", {"language": "python"}),
        AuditEvent("accepted", "p1", offer_id="o3", time=f"{DAY}T10:00:05.000Z"),
        shown("p2", "o4", "/src/app/old.py", None),  # recorded before the language was
    ]
    with AuditStore(store_path) as store:
        for event in events:
            store.append(event)
    done = subprocess.run(
        [sys.executable, "-m", "logsmith.cli", "report", str(store_path), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    by_language = json.loads(done.stdout)["by"]["language"]
    assert {name: (tally["shown"], tally["accepted"]) for name, tally in by_language.items()} == {
        "go": (1, 1),
        "typescript": (1, 0),
        "python": (2, 1),
    }
