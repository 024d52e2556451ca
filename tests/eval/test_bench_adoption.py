"""A small real adoption run end to end: one case of each split through `logsmith serve` over stdio (the
real default model), the template engine, the unconstrained model and the llama.vim way; then the
report's figures are recomputed from the raw per-case rows and compared with report.json and report.md."""

from __future__ import annotations

import argparse
import json

import pytest

from eval.bench import adoption
from eval.report import adoption as adoption_report
from eval.report import files as report_files
from eval.report.rows import load_rows

MiB = 1024 * 1024


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory, default_model_path):
    out = tmp_path_factory.mktemp("adoption")
    # short pauses and a 40-line llama.vim prompt keep the run cheap; `make eval` uses 1 s / 2 s and 256 lines
    options = adoption.Options(out=out, limit=1, pause_open_s=0.3, pause_line_s=0.5, prefix_lines=40,
                               fresh=True)
    assert adoption.run_and_report(options) == 0
    return out


@pytest.fixture(scope="module")
def rows(run_folder):
    return load_rows(run_folder / report_files.CASES_FILE)


def test_every_engine_answers_every_case(rows):
    assert sorted(row["split"] for row in rows) == ["dev", "heldout"]
    for row in rows:
        assert set(row["results"]) == set(adoption_report.ENGINES)
        for engine, result in row["results"].items():
            assert result["error"] is None, (engine, result["error"])
            assert result["latency_ms"] > 0, engine
        # the real server answered with a valid, safe statement
        for engine in adoption_report.SERVER_ENGINES:
            result = row["results"][engine]
            assert result["score"]["parses"] and result["score"]["is_log_call"], result
            assert result["score"]["safe"], result
            assert result["source"], result
        assert row["results"]["template"]["source"] == "template"
        unconstrained = row["results"]["unconstrained"]
        assert unconstrained["statement"].startswith(unconstrained["opening"].strip())
        assert unconstrained["prompt_tokens"] > 100
        assert row["results"]["llamavim_warm"]["reused_tokens"] > 100  # the second ask finds its prompt cached
        assert row["server"]["cpu_s"] > 0 and row["server"]["rss_bytes"] > 100 * MiB


def test_server_memory_covers_the_server_and_its_model_worker(run_folder):
    record = json.loads((run_folder / report_files.RUN_FILE).read_text())
    (session,) = record["sessions"]
    server = session["server"]
    assert len(server["processes"]) >= 2  # the server and its model worker
    assert server["peak_rss_bytes"] > 200 * MiB  # a loaded model (Gemma 270M: 250 MB of weights)
    assert server["peak_rss_bytes"] >= max(p["peak_rss_bytes"] for p in server["processes"].values()) * 0.9
    assert session["llamavim_worker"]["peak_rss_bytes"] > 200 * MiB


def test_the_audit_store_records_what_the_simulated_developer_accepted(run_folder, rows):
    session = json.loads((run_folder / report_files.RUN_FILE).read_text())["sessions"][0]
    for key, indexed in (("audit", False), ("audit_index", True)):  # each kind of server has its own store
        audit = session[key]
        server_results = [row["results"][engine] for row in rows
                          for engine in adoption_report.SERVER_ENGINES if engine.endswith("_index") == indexed]
        for result in server_results:
            assert result["accepted"] == result["score"]["acceptable"]
        assert audit["overall"]["accepted"] == sum(result["accepted"] for result in server_results)
        assert audit["overall"]["shown"] >= len(server_results)  # a completion list shows every item
        assert audit["offers"] == len(server_results)


def test_each_project_gets_a_server_without_and_one_with_the_index(run_folder, rows):
    session = json.loads((run_folder / report_files.RUN_FILE).read_text())["sessions"][0]
    projects = {row["case"]["project"] for row in rows}
    servers = session["servers"]
    assert sorted(server["kind"] for server in servers) == sorted(["plain", "index"] * len(projects))
    for server in servers:
        assert server["workspace"] and server["model_load_s"] > 0
        assert (server["index"] is None) == (server["kind"] == "plain")
        if server["index"] is not None:  # ready, or the server does not report its index (yet)
            assert server["index"]["state"] in ("ready", "not reported"), server
    for row in rows:
        assert row["index"]["statements"] > 0 and row["server_index"]["cpu_s"] > 0
        assert row["results"]["template_index"]["own_site_neighbour"] is False


def _key_table(markdown: str, title: str) -> dict[str, list[str]]:
    """The cells of one key table of report.md, by engine label."""
    section = markdown.split(title, 1)[1].split("\n\n", 2)[1]
    table = {}
    for line in section.split("\n")[2:]:
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        table[cells[0]] = cells[1:]
    return table


def test_report_figures_agree_with_the_raw_rows(run_folder, rows):
    """Recomputed here from the JSONL without the report's code, then compared with report.json and report.md."""
    report = json.loads((run_folder / "report.json").read_text())
    markdown = (run_folder / "report.md").read_text()
    assert report["n"] == len(rows) == 2
    for split, title in (("heldout", "## Key figures, held-out split"), ("dev", "## Key figures, dev split")):
        chosen = [row for row in rows if row["split"] == split]
        table = _key_table(markdown, title)
        for engine, label in adoption_report.ENGINES.items():
            results = [row["results"][engine] for row in chosen]
            acceptable = sum(r["score"]["acceptable"] for r in results) / len(results)
            level = sum(r["score"]["level_lenient"] for r in results) / len(results)
            rouge = sum(r["score"]["rouge_l"] for r in results) / len(results)
            valid = sum(r["score"]["parses"] for r in results) / len(results)
            judged = [r["score"]["safe"] for r in results if r["statement"]]
            p50 = sorted(r["latency_ms"] for r in results)[0]  # nearest rank: ceil(0.5 x 1) = 1st
            figures = report["splits"][split]["engines"][engine]
            assert figures["acceptable"] == pytest.approx(acceptable)
            assert figures["level_accuracy_exception_is_error"] == pytest.approx(level)
            assert figures["rouge_l"] == pytest.approx(rouge)
            assert figures["parses"] == pytest.approx(valid)
            assert figures["latency_ms"]["p50"] == pytest.approx(p50)
            cells = table[label]
            assert cells[0] == f"{100 * acceptable:.0f} %"
            assert cells[1] == f"{100 * level:.0f} %"
            assert cells[3] == f"{rouge:.2f}"
            assert cells[5] == f"{100 * valid:.0f} %"
            assert cells[7] == (f"{100 * sum(judged) / len(judged):.0f} % of {len(judged)}" if judged else "n/a")
            assert cells[8] == f"{p50:,.0f}"
    # and the whole report is what the report code computes from the rows again
    rebuilt = adoption_report.without_latency_lists(report_files.build(run_folder))
    assert report == json.loads(json.dumps(rebuilt))


def test_html_report_is_self_contained(run_folder):
    page = (run_folder / "report.html").read_text()
    assert page.count("data:image/png;base64,") >= 5
    assert "http://" not in page and "https://" not in page
    assert "Held-out split (never tuned on), 1 case:" in page
    assert "ROUGE-L &gt;= 0.3" in page  # the definitions travel with the figures


def test_without_baselines_only_the_servers_and_the_template_are_asked(tmp_path):
    """`--no-baselines` starts neither the unconstrained model nor the llama.vim way, and its rows
    are kept apart from a full run's."""
    parser = argparse.ArgumentParser()
    adoption.add_arguments(parser)
    options = adoption.options_from(parser.parse_args(["--no-baselines", "--out", str(tmp_path)]))
    assert options.baselines is False
    engines = adoption.Baselines(options, choice=None)
    assert engines.models(masked=None, path=tmp_path) == {}
    assert engines.peaks() == {}
    engines.close()
    full = adoption.Options(out=tmp_path)

    class Choice:
        sha256 = "0" * 64

    assert adoption.run_key(options, Choice()) != adoption.run_key(full, Choice())
