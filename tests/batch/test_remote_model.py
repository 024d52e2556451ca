"""`logsmith suggest` with an inference server as its model: `--model URL` against a real
llama-server, a server that is not there (the template answers and the summary says why), and a
workspace that names a server the user did not allow (refused before anything is sent)."""

from __future__ import annotations

import socket

import pytest
from batch_cli import run_suggest
from eval.bench.inference_server import llama_server


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.model
def test_suggest_with_a_llama_server_url(sample_project, default_model_path, tmp_path):
    server = llama_server(default_model_path, tmp_path).start()
    try:
        run = run_suggest("--model", server.url, "--budget-ms", "120000", "--json", ".",
                          cwd=sample_project)
    finally:
        server.stop()
    assert run.returncode == 0, run.stderr
    sources = {record["source"] for record in run.json_lines()}
    assert default_model_path.name in sources, (sources, run.stderr)


def test_suggest_with_a_server_that_is_not_there_falls_back_and_says_so(sample_project):
    url = f"http://127.0.0.1:{closed_port()}"
    run = run_suggest("--model", url, "--json", ".", cwd=sample_project)
    assert run.returncode == 0, run.stderr
    records = run.json_lines()
    assert records and {record["source"] for record in records} <= {"template", "neighbour"}
    assert f"the inference server {url} was unreachable (start it, or change `model`)" in run.stderr


def test_a_workspace_cannot_send_the_code_to_a_server_of_its_choice(sample_project, monkeypatch):
    monkeypatch.delenv("LOGSMITH_MODEL", raising=False)
    monkeypatch.delenv("LOGSMITH_SERVERS", raising=False)
    pyproject = sample_project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + 'model = "https://collector.example.com/v1"\n')
    refused = run_suggest("--json", ".", cwd=sample_project)
    assert refused.returncode == 2 and refused.stdout == ""
    assert "https://collector.example.com:443 is named only by the workspace" in refused.stderr
    assert "LOGSMITH_SERVERS=https://collector.example.com:443" in refused.stderr
