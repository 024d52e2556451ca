"""Every command that writes to standard output ends quietly when its reader goes away early, as in
`logsmith audit export --format csv | head -3`: exit status 141 (128 + SIGPIPE), nothing on stderr,
no traceback. Each test runs the real command with its standard output on a real pipe, reads a few
bytes and closes the pipe while the command still has output to write."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from logsmith.audit.store import AuditEvent, AuditStore

CLOSED = 141
SMALL_PIPE = 4096  # a one-page pipe buffer: the command fills it long before it is done


def run_until_the_reader_leaves(*args, cwd: Path | None = None, env: dict | None = None, read: int = 16,
                                timeout: float = 300) -> tuple[int, bytes, str]:
    """`logsmith ARGS` with stdout on a pipe of which `read` bytes are read before it is closed;
    returns the exit status, the bytes read and everything the command wrote on stderr."""
    reader, writer = os.pipe()
    fcntl.fcntl(reader, fcntl.F_SETPIPE_SZ, SMALL_PIPE)
    with tempfile.TemporaryFile() as errors:
        try:
            process = subprocess.Popen([sys.executable, "-m", "logsmith.cli", *map(str, args)], stdout=writer,
                                       stderr=errors, cwd=cwd, env=env)
        finally:
            os.close(writer)
        try:
            first = b""
            while len(first) < read:
                chunk = os.read(reader, read - len(first))
                if not chunk:
                    break
                first += chunk
        finally:
            os.close(reader)
        code = process.wait(timeout)
        errors.seek(0)
        return code, first, errors.read().decode("utf-8", "replace")


def assert_ended_quietly(code: int, first: bytes, stderr: str, starts: bytes) -> None:
    assert first.startswith(starts), first
    assert code == CLOSED, (code, stderr)
    assert stderr == "", stderr  # no "Broken pipe", no "Exception ignored", no traceback


@pytest.fixture(scope="module")
def many_sites(tmp_path_factory) -> Path:
    """A project with 120 modules of two sites each: far more output than a pipe holds."""
    root = tmp_path_factory.mktemp("many-sites")
    (root / "pyproject.toml").write_text('[project]\nname = "many"\n')
    body = ("import json\n\n\ndef load(path):\n    with open(path) as handle:\n        return json.load(handle)\n\n\n"
            "def parse(raw):\n    try:\n        return int(raw)\n    except ValueError:\n        return 0\n")
    for number in range(120):
        (root / f"module_{number:03}.py").write_text(body)
    return root


@pytest.mark.parametrize("output, starts", [("--diff", b"--- a/"), ("--json", b'{"file": '), ("--sarif", b"{\n"),
                                            (None, b"module_000.py:")])
def test_suggest_ends_quietly_when_its_output_is_closed(many_sites, output, starts):
    args = ["suggest", "--no-model", *([output] if output else []), "."]
    assert_ended_quietly(*run_until_the_reader_leaves(*args, cwd=many_sites), starts)


def test_suggest_keeps_its_summary_when_nobody_closes_the_pipe(many_sites):
    done = subprocess.run([sys.executable, "-m", "logsmith.cli", "suggest", "--no-model", "--json", "."], cwd=many_sites,
                          capture_output=True, timeout=300)
    assert done.returncode == 0 and len(done.stdout) > 8 * SMALL_PIPE
    assert b"120 files analysed" in done.stderr


@pytest.fixture(scope="module")
def long_trail(tmp_path_factory) -> Path:
    """An audit store of 300 suggestions over 300 days: the JSON report alone is larger than a pipe."""
    path = tmp_path_factory.mktemp("trail") / "telemetry.sqlite3"
    with AuditStore(path) as store:
        # test data needs no durability: without a sync per row the 300 commits take a second, not ten
        store._db.execute("PRAGMA synchronous = OFF")
        for number in range(300):
            day = f"{2025 + number // 300:04}-{1 + number % 12:02}-{1 + number // 12:02}"
            store.append(AuditEvent("shown", f"s{number}", offer_id=f"o{number}", channel="inline", rank=0, level="info",
                                    source="template", latency_ms=5.0 + number, site_kind="except",
                                    statement=f'logger.info("step {number}")', time=f"{day}T10:00:00.000Z"))
    return path


@pytest.mark.parametrize("fmt, starts", [("csv", b"seq,time,event,"), ("jsonl", b'{"channel": ')])
def test_audit_export_ends_quietly_when_its_output_is_closed(long_trail, fmt, starts):
    code, first, stderr = run_until_the_reader_leaves("audit", "--store", long_trail, "export", "--format", fmt, cwd=long_trail.parent)
    assert_ended_quietly(code, first, stderr, starts)


@pytest.mark.parametrize("output, starts", [(["--json"], b'{\n  "by": '), ([], b"input 1 (sqlite)")])
def test_report_ends_quietly_when_its_output_is_closed(long_trail, output, starts):
    assert_ended_quietly(*run_until_the_reader_leaves("report", "--store", long_trail, *output, cwd=long_trail.parent), starts)


def test_a_broken_pipe_that_is_not_the_output_is_not_hidden(monkeypatch, capsys):
    """Only a closed standard output or error ends quietly: a pipe of logsmith's own breaking is a bug to show."""
    import logsmith.audit.report
    from logsmith.cli import main

    def broken(args):
        raise BrokenPipeError("the model worker's pipe")

    monkeypatch.setattr(logsmith.audit.report, "run", broken)
    with pytest.raises(BrokenPipeError):
        main(["report"])
