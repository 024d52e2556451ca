"""`logsmith suggest --escalate-to URL` against a real llama-server: after the local pass, every
statement the local model wrote (`--escalate-percent 100`) is asked of the stronger model in one
burst, its checked statements replace the local ones (route `remote`), the summary counts them and
the tokens, which the user's daily budget file holds too; with the server killed, the local
statements stay, each with a note, and the summary says why."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from batch_cli import run_suggest
from eval.bench.inference_server import llama_server

pytestmark = pytest.mark.model

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
BURST = re.compile(
    r"escalated (\d+) of the (\d+) statements the local model wrote to (\S+): (\d+) replaced, "
    r"(\d+) the same, (\d+) kept; (\d+) remote tokens"
)


@pytest.fixture(scope="module")
def stronger(default_model_path, tmp_path_factory):
    running = llama_server(default_model_path, tmp_path_factory.mktemp("llama-server")).start()
    yield running
    running.stop()


def suggest_escalating(url: str):
    return run_suggest("--escalate-to", url, "--escalate-percent", "100", "--budget-ms", "120000",
                       "--json", "inventory", cwd=EXAMPLES, timeout=1200)


def test_the_burst_replaces_the_local_statements_and_counts_the_tokens(stronger, default_model_path):
    run = suggest_escalating(stronger.url)
    assert run.returncode == 0, run.stderr
    records = run.json_lines()
    burst = BURST.search(run.stderr)
    assert burst is not None, run.stderr
    escalated, written, target, replaced, same, kept, tokens = burst.groups()
    assert target == stronger.url and int(escalated) == int(written) > 0
    remote = [record for record in records if record["route"] == "remote"]
    assert len(remote) == int(replaced) + int(same) > 0, run.stderr
    for record in remote:
        assert record["source"] == default_model_path.name
        assert record["route_reason"].startswith("local confidence ")
        assert "among the lowest 100 %" in record["route_reason"]
    locals_ = [record for record in records if record["route"] == "local"]
    assert len(locals_) == int(kept)
    assert all("the stronger model gave no statement" in " ".join(r["notes"]) for r in locals_)
    usage = json.loads((Path(os.environ["LOGSMITH_HOME"]) / "remote-usage.json").read_text())
    assert usage["tokens"] == int(tokens) > 0 and usage["requests"] == int(escalated)


def test_with_the_server_killed_the_local_statements_stay_with_a_note(stronger):
    stronger.stop()
    run = suggest_escalating(stronger.url)
    assert run.returncode == 0, run.stderr
    records = run.json_lines()
    burst = BURST.search(run.stderr)
    assert burst is not None, run.stderr
    escalated, written, _target, replaced, same, kept, _tokens = burst.groups()
    assert int(escalated) == int(written) == int(kept) > 0 and replaced == same == "0"
    assert "kept the local statement:" in run.stderr and stronger.url in run.stderr
    local = [record for record in records if record["route"] == "local"]
    assert len(local) == int(kept)
    for record in local:
        assert any(note.startswith("the stronger model gave no statement: ")
                   for note in record["notes"]), record
        assert "local statement kept" in record["route_reason"]
