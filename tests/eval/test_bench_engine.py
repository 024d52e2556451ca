"""The engine benchmark: the baseline's prompt, the case order, the report, and one real run end to end."""

from __future__ import annotations

import dataclasses
import json

import pytest

from eval import metrics
from eval.bench import engine as bench_engine
from eval.bench import llama_vim
from eval.corpus import build as corpus
from eval.corpus import sources
from eval.report import engine as engine_report

FIM = ("<|fim_prefix|>", "<|fim_suffix|>", "<|fim_middle|>")


def test_prefix_prompt_is_the_256_lines_before_the_cursor():
    lines = [f"line{i}" for i in range(400)]
    lines[300] = "    "
    source = "\n".join(lines)
    prompt = llama_vim.prompt_for(source, 300, 4, fim_tokens=None)
    assert prompt == "\n".join(lines[44:300]) + "\n    "  # lines 44..299 are the 256 before line 300


def test_fim_prompt_has_the_64_lines_after():
    lines = [f"line{i}" for i in range(400)]
    lines[10] = "    logger."
    source = "\n".join(lines)
    prompt = llama_vim.prompt_for(source, 10, 7, fim_tokens=FIM)
    prefix = "\n".join(lines[:10]) + "\n    log"
    suffix = "ger." + "".join("\n" + text for text in lines[11:75])
    assert prompt == f"<|fim_prefix|>{prefix}<|fim_suffix|>{suffix}<|fim_middle|>"


def test_the_baseline_statement_is_the_first_line_of_output():
    assert llama_vim.statement_from('logger.info("x")\n    return') == 'logger.info("x")'
    typed = llama_vim.statement_from('info("Saved %s", path)', typed="logger.")
    assert typed == 'logger.info("Saved %s", path)'
    assert llama_vim.statement_from("\n") == ""


def _case(project, index):
    return corpus.LogCase(project, "1", f"{project}/f{index}.py", index, 4, index, 20, "info", "other", "f", "log.info()")


def test_cases_are_taken_from_each_project_in_turn():
    cases = [_case("b", i) for i in range(3)] + [_case("a", i) for i in range(5)]
    ordered = bench_engine.ordered_cases(cases)
    assert [case.project for case in ordered] == ["a", "b", "a", "b", "a", "b", "a", "a"]
    assert ordered == bench_engine.ordered_cases(list(reversed(cases)))
    assert sorted(ordered, key=lambda c: (c.project, c.line)) == sorted(cases, key=lambda c: (c.project, c.line))


def test_report_names():
    assert bench_engine.report_stem("dev", "blank") == "engine"
    assert bench_engine.report_stem("heldout", "typed") == "engine-heldout-typed"


def test_report_aggregates_rows():
    source = "import logging\nlogger = logging.getLogger()\n\ndef f(path):\n    \n"
    expected = 'logger.info("Saved %s", path)'

    def result(statement, latency, source_name="template"):
        score = metrics.score_case(statement, expected, source, 4)
        return {"statement": statement, "latency_ms": latency, "source": source_name, "score": dataclasses.asdict(score)}

    rows = [
        {"case": {"kind": "return", "project": "p"},
         "results": {"logsmith_warm": result(expected, 100.0, "gemma"), "template": result('logger.debug("x")', 5.0)}},
        {"case": {"kind": "except", "project": "p"},
         "results": {"logsmith_warm": result('logger.info("Saved")', 300.0), "template": result("pass", 7.0)}},
    ]
    report = engine_report.summarise(rows, {"split": "dev", "model_id": "m", "elapsed_s": 1.0}, {"nproc": 2})
    warm = report["engines"]["logsmith_warm"]
    assert warm["latency_ms"]["p50"] == 100.0 and warm["latency_ms"]["p95"] == 300.0  # ranks ceil(1) and ceil(1.9)
    assert warm["level_accuracy"] == 1.0 and warm["variable_f1"] == 0.5  # (1 + 0) / 2
    assert warm["model_share"] == 0.5
    assert report["engines"]["template"]["acceptable"] == 0.0
    assert report["by_site_kind"]["except"]["n"] == 1
    markdown = engine_report.render_markdown(report)
    assert "| logsmith, warm | 100 | 300 | 300 | 100 % |" in markdown
    assert "## By project" in markdown
    assert warm["safe"] == 1.0 and warm["safe_n"] == 2


def test_report_counts_and_lists_the_suggestions_that_are_not_safe():
    source = "import logging\nlogger = logging.getLogger()\n\ndef f(path):\n    try:\n        data = open(path)\n" \
             "    except OSError:\n        \n        raise\n"
    expected = 'logger.error("Cannot open %s", path)'

    def result(statement):
        score = metrics.score_case(statement, expected, source, 7)
        return {"statement": statement, "latency_ms": 1.0, "source": "template", "score": dataclasses.asdict(score)}

    rows = [{"case": {"id": f"p:f.py:{index}", "kind": "except", "project": "p"},
             "results": {"template": result(template), "baseline_cold": result(baseline)}}
            for index, (template, baseline) in enumerate([
                (expected, 'logger.error("Cannot open %s: %s", path, data)'),  # data: bound only in the try
                ('logger.error("Cannot open %s", path, path)', 'logger.error("%d", path)'),
                (expected, None)])]  # no suggestion: not counted
    report = engine_report.summarise(rows, {"split": "dev"}, {})
    template, baseline = report["engines"]["template"], report["engines"]["baseline_cold"]
    assert (template["safe"], template["safe_n"]) == (2 / 3, 3)
    assert (baseline["safe"], baseline["safe_n"]) == (0.0, 2)
    markdown = engine_report.render_markdown(report)
    assert "| 67 % of 3 |" in markdown and "| 0 % of 2 |" in markdown
    assert ("- `p:f.py:1`: `logger.error(\"Cannot open %s\", path, path)` "
            "(placeholders: 1 placeholders for 2 values)") in markdown
    assert "- not bound on every path here: 1\n- placeholders: 1" in markdown  # the baseline's, counted


def test_one_real_case_end_to_end(tmp_path, monkeypatch, default_model_path):
    """The real corpus case, fetched with pip, through the real pipeline, model and baseline."""
    monkeypatch.setenv(sources.CACHE_ENV, str(tmp_path / "sources"))
    out = tmp_path / "report"
    # a short baseline prompt keeps the test cheap on a busy machine; the benchmark itself uses 256 lines
    arguments = ["--split", "dev", "--limit", "1", "--out", str(out), "--prefix-lines", "40"]
    assert bench_engine.main([*arguments, "--fresh"]) == 0
    (row,) = engine_report.load_rows(out / "engine-cases.jsonl")
    assert set(row["results"]) == set(engine_report.ENGINES)
    for engine, result in row["results"].items():
        assert result["error"] is None, (engine, result["error"])
        assert result["latency_ms"] > 0
    warm, template = row["results"]["logsmith_warm"], row["results"]["template"]
    assert warm["score"]["parses"] and warm["score"]["is_log_call"], warm
    assert template["source"] == "template"
    assert row["results"]["baseline_cold"]["prompt_tokens"] > 100
    assert row["results"]["baseline_warm"]["reused_tokens"] > 100  # the second ask finds the prompt in the cache
    report = json.loads((out / "engine.json").read_text())
    assert report["run"]["baseline"] == "40 lines before, 64 after"
    assert report["n"] == 1 and report["run"]["model_sha256"].startswith("a5fd3b62")
    assert report["run"]["latency_budget_ms"] == 800  # the setting's default unless --budget-ms says otherwise
    assert "| logsmith, cold |" in (out / "engine.md").read_text()
    assert "the model's budget: 800 ms a request" in (out / "engine.md").read_text()
    # a second run finds the case done and only rewrites the report
    assert bench_engine.main(arguments) == 0
    assert len(engine_report.load_rows(out / "engine-cases.jsonl")) == 1


def _indexed_rows() -> list[dict]:
    """Three cases asked without and with the index: the index fixes the level of the first two."""
    source = "import logging\nlogger = logging.getLogger()\n\ndef f(path):\n    \n"
    expected = 'logger.warning("Cannot save %s", path)'

    def result(statement, latency, source_name="template", **extra):
        score = metrics.score_case(statement, expected, source, 4)
        return {"statement": statement, "latency_ms": latency, "source": source_name,
                "score": dataclasses.asdict(score), **extra}

    plain, fixed = 'logger.info("Cannot save %s", path)', expected
    rows = []
    for number, (project, statements, with_index) in enumerate(
            [("small", 40, fixed), ("big", 450, fixed), ("mid", 150, plain)]):
        rows.append({
            "case": {"id": f"{project}:f.py:{number}", "kind": "except", "project": project},
            "index": {"root": project, "statements": statements, "files": 10, "build_s": 0.1},
            "results": {
                "logsmith_cold": result(plain, 20.0),
                "logsmith_cold_index": result(with_index, 25.0, "neighbour" if number == 0 else "template",
                                              neighbours=[f"pkg/f.py:9: {expected}"], own_site_neighbour=False),
                "logsmith_warm": result(plain, 200.0, "gemma"),
                "logsmith_warm_index": result(with_index, 210.0, "gemma", neighbours=[], own_site_neighbour=False),
                "template": result(plain, 5.0),
                "template_index": result(with_index, 8.0, neighbours=[], own_site_neighbour=False),
            },
        })
    return rows


def test_the_report_pairs_each_engine_with_and_without_the_index():
    report = engine_report.summarise(_indexed_rows(), {"split": "dev"}, {})
    pairs = report["project_index"]["pairs"]
    assert set(pairs) == {"logsmith_cold_index", "logsmith_warm_index", "template_index"}
    cold = pairs["logsmith_cold_index"]
    assert cold["without"] == "logsmith_cold" and cold["n"] == 3
    assert cold["level_lenient"]["difference"] == pytest.approx(2 / 3)
    assert cold["level_lenient"]["with"] == pytest.approx(2 / 3) and cold["level_lenient"]["without"] == 0.0
    low, high = cold["level_lenient"]["interval"]
    assert 0.0 <= low <= 2 / 3 <= high <= 1.0
    assert cold["rouge_l"]["difference"] == 0.0  # the same words
    assert report["project_index"]["own_site_neighbours"] == 0
    assert report["project_index"]["cold_rouge_l_ratio"] == pytest.approx(1.0)
    engines = report["engines"]
    assert engines["logsmith_cold_index"]["neighbour_share"] == pytest.approx(1 / 3)
    assert engines["logsmith_cold_index"]["model_share"] == 0.0
    assert engines["logsmith_warm_index"]["model_share"] == 1.0
    assert "model_share" not in engines["template_index"]
    sizes = report["by_project_size"]
    assert list(sizes) == ["<100", "100-300", ">300"]
    assert sizes["<100"]["projects"] == {"small": 40} and sizes[">300"]["projects"] == {"big": 450}
    assert sizes["100-300"]["logsmith_warm_index"]["level_accuracy_exception_is_error"] == 0.0
    assert report["project_index"]["projects"]["mid"]["statements"] == 150
    markdown = engine_report.render_markdown(report)
    assert "## With the project index against without" in markdown
    assert "| logsmith, cold | 3 | +66.7 pts (" in markdown
    assert "with the index over without: 1.00" in markdown
    assert "| <100 | 1 |" in markdown and "<100: small (40)" in markdown
    assert "| logsmith, cold, with the project index | 25 |" in markdown
    assert "| 100 % of 3 | 67 % | 0 % | 33 % | 0 |" in markdown  # safe, acceptable, model, neighbour, errors


def test_rows_without_the_index_report_as_before():
    rows = [{**row, "results": {k: v for k, v in row["results"].items() if not k.endswith("_index")}}
            for row in _indexed_rows()]
    for row in rows:
        del row["index"]
    report = engine_report.summarise(rows, {"split": "dev"}, {})
    assert "project_index" not in report and "by_project_size" not in report
    markdown = engine_report.render_markdown(report)
    assert "with the project index" not in markdown and "## By project" in markdown
    assert "| template only |" in markdown


def test_a_neighbour_at_the_masked_site_is_the_developers_statement():
    case = corpus.LogCase("p", "1", "p-1/pkg/f.py", 8, 4, 8, 30, "info", "other", "f", 'log.info("Saved")')
    assert bench_engine.own_site_neighbour({"neighbours": ['pkg/f.py:9: log.info("Saved")']}, case, "pkg/f.py")
    assert not bench_engine.own_site_neighbour({"neighbours": ['pkg/g.py:9: log.info("Saved")']}, case, "pkg/f.py")
    assert not bench_engine.own_site_neighbour({"neighbours": ['pkg/f.py:12: log.info("Saved")']}, case, "pkg/f.py")
    assert not bench_engine.own_site_neighbour({}, case, "pkg/f.py")


def _comparable(path) -> dict:
    """Rows by case without what timing and the machine change between two runs."""
    rows = {}
    for row in engine_report.load_rows(path):
        for key in ("run", "elapsed_s", "load_average"):
            row.pop(key, None)
        row.get("index", {}).pop("build_s", None)
        for result in row["results"].values():
            result.pop("latency_ms", None)
        rows[row["case"]["id"]] = row
    return rows


@pytest.fixture(scope="module")
def template_run_here(tmp_path_factory):
    """Three dev cases with the template engines only, run in this process."""
    out = tmp_path_factory.mktemp("engine-here")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LOGSMITH_NO_MODEL", "1")
        assert bench_engine.main(["--split", "dev", "--limit", "3", "--no-baseline", "--no-unconstrained",
                                  "--out", str(out), "--fresh"]) == 0
    return _comparable(out / "engine-cases.jsonl")


@pytest.mark.parametrize("executor", ["dask", "ray"])
def test_on_a_local_cluster_the_rows_are_those_of_a_run_here(executor, template_run_here, tmp_path,
                                                              monkeypatch, capsys):
    monkeypatch.setenv("LOGSMITH_NO_MODEL", "1")
    assert bench_engine.main(["--split", "dev", "--limit", "3", "--no-baseline", "--no-unconstrained",
                              "--out", str(tmp_path), "--executor", executor, "--jobs", "2"]) == 0
    assert "ran on a local " in capsys.readouterr().err
    rows = _comparable(tmp_path / "engine-cases.jsonl")
    assert len(rows) == 3 and rows == template_run_here
