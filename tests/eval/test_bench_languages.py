"""eval.bench.languages end to end: two real Go cases of the corpus, fetched with apt-get, through
logsmith with the real model, the template alone and the llama.vim way, scored and reported."""

from __future__ import annotations

import json

from eval.bench import languages as bench
from eval.corpus import sources
from eval.report import languages as report

ENGINES = ("logsmith_cold", "logsmith", "template", "template_again", "baseline")


def test_two_go_cases_end_to_end(tmp_path, monkeypatch, default_model_path):
    monkeypatch.setenv(sources.CACHE_ENV, str(tmp_path / "sources"))
    out = tmp_path / "languages"
    # a short baseline prompt keeps the test cheap on a busy machine; the benchmark uses 256 lines
    arguments = [
        "--language",
        "go",
        "--split",
        "dev",
        "--limit",
        "2",
        "--out",
        str(out),
        "--prefix-lines",
        "40",
    ]
    assert bench.main([*arguments, "--fresh"]) == 0
    rows = report.load_rows(out / "go-dev-cases.jsonl")
    assert len(rows) == 2
    for row in rows:
        assert set(row["results"]) == set(ENGINES)
        assert row["expected_valid"], row["expected_unbound"]
        for engine, result in row["results"].items():
            assert result.get("error") is None, (engine, result)
            assert result["latency_ms"] > 0
        for engine in ("logsmith", "template"):
            score = row["results"][engine]["score"]
            assert score["is_log_call"] and score["valid"], (engine, row["results"][engine])
        assert row["results"]["template"]["source"] in ("template", "neighbour")  # no model
        assert (
            row["results"]["template_again"]["statement"] == row["results"]["template"]["statement"]
        )
    summary = json.loads((out / "report.json").read_text())["summaries"]["go-dev"]
    assert summary["n"] == 2 and set(summary["engines"]) == set(ENGINES)
    assert "| llama.vim way |" in (out / "report.md").read_text()
    # a second run finds both cases answered and only rewrites the report
    before = (out / "go-dev-cases.jsonl").read_text()
    assert bench.main(arguments) == 0
    assert (out / "go-dev-cases.jsonl").read_text() == before
