"""The adoption report's aggregation and rendering on rows built by hand, and the adoption
benchmark's small pure parts (case selection, EVAL_LIMIT, the unconstrained baseline's prompt,
/proc readings)."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import subprocess
import sys
import textwrap

import pytest

from eval import metrics, run
from eval.bench import adoption
from eval.bench import engine as bench_engine
from eval.bench import process_stats, unconstrained
from eval.bench.editor_client import Editor
from eval.corpus import build as corpus
from eval.report import adoption as adoption_report
from eval.report import files as report_files
from eval.report import html as report_html

SOURCE = "import logging\nlogger = logging.getLogger()\n\ndef f(path, user):\n    \n"
EXPECTED = 'logger.info("Saved file %s", path)'


def result(statement: str | None, latency_ms: float, **extra) -> dict:
    score = metrics.score_case(statement, EXPECTED, SOURCE, 4)
    return {"statement": statement, "latency_ms": latency_ms, "error": None, "score": dataclasses.asdict(score), **extra}


GOOD = 'logger.info("Saved file %s", path)'      # acceptable: level, F1 1, ROUGE-L 1
WRONG_LEVEL = 'logger.debug("Saved file %s", path)'  # level wrong: not acceptable
NO_VARS = 'logger.info("Saved file")'             # F1 0: not acceptable


def row(split: str, project: str, kind: str, level: str, inline: str, template: str, llamavim: str, *,
        server_cpu: float = 2.0) -> dict:
    return {
        "split": split,
        "case": {"id": f"{project}:{kind}", "project": project, "kind": kind, "level": level},
        "expected": EXPECTED,
        "results": {
            "logsmith_inline": result(inline, 400.0, source="gemma-3-270m"),
            "logsmith_completion": result(inline, 500.0, source="template"),
            "template": result(template, 10.0, source="template"),
            "llamavim_cold": result(llamavim, 4000.0, cpu_s=6.0),
            "llamavim_warm": result(llamavim, 100.0, cpu_s=0.2),
        },
        "server": {"cpu_s": server_cpu},
        "elapsed_s": 10.0,
        "load_average": [1.0, 1.0, 1.0],
    }


ROWS = [
    row("heldout", "pika", "except", "warn", GOOD, NO_VARS, WRONG_LEVEL),
    row("heldout", "pika", "other", "info", GOOD, GOOD, NO_VARS),
    row("heldout", "scrapy", "loop", "info", NO_VARS, NO_VARS, GOOD),
    row("dev", "tornado", "except", "info", WRONG_LEVEL, GOOD, GOOD),
]
SESSIONS = [{"server": {"peak_rss_bytes": 400 * 1024 * 1024, "high_water_bytes": 410 * 1024 * 1024},
             "elapsed_s": 50.0, "model_load_s": 3.0,
             "audit": {"overall": {"shown": 10, "accepted": 3, "acceptance_rate": 0.3}, "latency_ms": {"p50": 450.0, "p95": 900.0},
                       "offers": 8, "model_ms_per_accepted": 1500.0}}]


@pytest.fixture(scope="module")
def report():
    run = {"model_id": "gemma-3-270m", "date": "2026-11-24"}
    return adoption_report.summarise(ROWS, SESSIONS, run, {"nproc": 2})


def test_figures_per_split_and_engine(report):
    heldout = report["splits"]["heldout"]["engines"]
    assert report["splits"]["heldout"]["n"] == 3 and report["splits"]["dev"]["n"] == 1
    assert heldout["logsmith_inline"]["acceptable"] == pytest.approx(2 / 3)
    assert heldout["template"]["acceptable"] == pytest.approx(1 / 3)
    assert heldout["llamavim_cold"]["acceptable"] == pytest.approx(1 / 3)
    # NO_VARS keeps level and message: ROUGE-L 1, F1 0; WRONG_LEVEL keeps both
    assert heldout["llamavim_cold"]["variable_f1"] == pytest.approx(2 / 3)
    assert heldout["logsmith_inline"]["latency_ms"]["p50"] == 400.0
    assert heldout["logsmith_inline"]["model_share"] == 1.0
    assert heldout["logsmith_completion"]["model_share"] == 0.0


def test_model_cost_is_time_over_acceptable_statements(report):
    cost = report["splits"]["heldout"]["engines"]["logsmith_inline"]["cost"]
    assert cost["wall_s"] == pytest.approx(1.2)  # 3 x 400 ms
    assert cost["wall_s_per_acceptable"] == pytest.approx(0.6)  # 1.2 s / 2 acceptable
    assert cost["cpu_s_per_acceptable"] == pytest.approx(3.0)  # server CPU 3 x 2 s / 2
    llamavim = report["splits"]["heldout"]["engines"]["llamavim_cold"]["cost"]
    assert llamavim["cpu_s_per_acceptable"] == pytest.approx(18.0)  # 3 x 6 s / 1
    assert report["splits"]["dev"]["engines"]["logsmith_inline"]["cost"]["wall_s_per_acceptable"] is None


def test_verdict_needs_a_lead_on_acceptable_rate_and_rouge_over_every_baseline(report):
    heldout = report["splits"]["heldout"]["verdict"]
    # logsmith 2/3 acceptable vs 1/3; ROUGE-L: logsmith (1 + 1 + 1) / 3 = 1, template 1, so no lead there
    assert heldout["comparisons"]["template"]["acceptable_gap"] == pytest.approx(1 / 3)
    assert heldout["comparisons"]["template"]["rouge_l_gap"] == pytest.approx(0.0)
    assert heldout["ahead_of_every_baseline"] is False
    assert heldout["valid_python_all"] is True
    assert set(heldout["comparisons"]) == {"template", "llamavim_cold"}  # the warm ask is not another baseline
    # case by case against the template: acceptable 1 - 0, 1 - 1, 0 - 0; ROUGE-L equal everywhere
    assert heldout["comparisons"]["template"]["acceptable_gap_interval"] == [0.0, 1.0]
    assert heldout["comparisons"]["template"]["rouge_l_gap_interval"] == [0.0, 0.0]
    text = "\n".join(adoption_report.verdict_sentences(report))
    assert "**Held-out split (never tuned on), 3 cases:**" in text and "acceptable in 67 %" in text
    assert "**not ahead** of every baseline" in text
    assert heldout["safe_all"] is True
    assert "valid Python and safe (its values bound on every path, its placeholders fitting)." in text


def test_the_safe_share_of_each_engine_and_the_statements_that_are_not():
    unsafe = 'logger.info("Saved file %d", user)'  # `user` may not be a number
    rows = [row("heldout", "pika", "other", "info", GOOD, unsafe, "logger.info('x'"),
            row("heldout", "pika", "other", "info", unsafe, GOOD, GOOD)]
    report = adoption_report.summarise(rows, SESSIONS, {"date": "2026-11-24"}, {"nproc": 2})
    engines = report["splits"]["heldout"]["engines"]
    assert (engines["logsmith_inline"]["safe"], engines["logsmith_inline"]["safe_n"]) == (0.5, 2)
    assert engines["llamavim_cold"]["safe"] == 0.5  # the cut-off statement does not compile
    assert report["splits"]["heldout"]["verdict"]["safe_all"] is False
    markdown = adoption_report.render_markdown(report)
    assert "**safe: 50 % of 2 suggestions** (listed below)" in markdown
    assert "| 100 % | 100 % | 50 % of 2 |" in markdown  # valid Python, names in scope, safe
    assert ("- `pika:other`: `logger.info(\"Saved file %d\", user)` "
            "(placeholders: %d for user, which may not be a number)") in markdown
    assert "- does not compile at the site: 1" in markdown  # the llama.vim way's, counted by reason


def test_breakdowns_by_level_kind_and_project(report):
    assert report["by_level"]["warning"]["n"] == 1  # warn, normalised
    assert report["by_level"]["info"]["n"] == 3
    assert report["by_site_kind"]["except"]["n"] == 2
    assert report["by_site_kind"]["except"]["logsmith_inline"]["acceptable"] == 0.5
    assert report["by_project"]["pika (heldout)"]["n"] == 2
    assert "llamavim_warm" not in report["by_project"]["pika (heldout)"]


def test_markdown_has_the_verdict_first_and_the_key_tables(report):
    markdown = adoption_report.render_markdown(report)
    lines = markdown.split("\n")
    assert lines[0] == "# logsmith adoption report, 2026-11-24"
    assert lines[2].startswith("**Held-out split")
    assert "| logsmith, inline on the empty line | 67 % | 100 % | 0.67 | 1.00 |" in markdown
    assert "| 100 % | 100 % | 100 % of 3 | 400 |" in markdown  # valid Python, names in scope, safe, p50
    assert "online acceptance rate of 30 %" in markdown
    assert "Peak memory of the language server with its model worker: 400 MiB" in markdown
    for heading in ("## Key figures, held-out split", "## Key figures, dev split", "## Model cost",
                    "## Acceptable rate by site kind", "## Acceptable rate by level", "## Acceptable rate by project"):
        assert heading in markdown


def test_report_json_leaves_the_latency_lists_out(report):
    stripped = adoption_report.without_latency_lists(report)
    assert "latencies_ms" not in stripped["splits"]["heldout"]["engines"]["template"]
    assert "latencies_ms" in report["splits"]["heldout"]["engines"]["template"]  # the original is untouched


def test_html_is_one_page_with_embedded_charts(report):
    page = report_html.render_html(report)
    assert page.startswith("<!DOCTYPE html>")
    assert len(re.findall(r'src="data:image/png;base64,[A-Za-z0-9+/=]{100,}"', page)) == 6
    assert not re.search(r'(src|href)="(https?:)?//', page)  # nothing fetched from elsewhere
    assert page.index("Held-out split") < page.index("<h2>Charts</h2>") < page.index("Model cost</h2>")
    assert "<td>logsmith, inline on the empty line</td><td>67 %</td>" in page


def test_markdown_to_html_covers_the_constructs_the_report_uses():
    text = textwrap.dedent("""\
        # Title

        Some **bold** and `code` and *acceptable* text
        on two lines.

        - one item
        - two

        | a | b |
        |---|---:|
        | x < y | 1 |
    """)
    assert report_html.markdown_to_html(text) == (
        "<h1>Title</h1>\n<p>Some <strong>bold</strong> and <code>code</code> and <em>acceptable</em> text on two lines.</p>\n"
        "<ul><li>one item</li><li>two</li></ul>\n"
        "<table><thead><tr><th>a</th><th>b</th></tr></thead><tbody><tr><td>x &lt; y</td><td>1</td></tr></tbody></table>")


# ------------------------------------------------------------------------ the benchmark's small parts


def test_cases_alternate_between_the_splits_in_the_fixed_order():
    chosen = adoption.select_cases(2, ("heldout", "dev"))
    assert [split for split, _ in chosen] == ["heldout", "dev", "heldout", "dev"]
    projects, cases = corpus.load_projects(), corpus.load_cases()
    dev = bench_engine.ordered_cases(corpus.cases_for_split(cases, projects, "dev"))
    assert [case for split, case in chosen if split == "dev"] == dev[:2]


def test_eval_limit_from_the_environment():
    assert run.limit_from_environment({}) == run.DEFAULT_LIMIT
    assert run.limit_from_environment({"EVAL_LIMIT": " 7 "}) == 7
    for bad in ("seven", "0", "-3", "1.5"):
        with pytest.raises(ValueError, match="EVAL_LIMIT"):
            run.limit_from_environment({"EVAL_LIMIT": bad})


def test_a_bad_eval_limit_stops_make_eval_with_a_clear_message(monkeypatch, capsys):
    monkeypatch.setenv("EVAL_LIMIT", "many")
    assert run.main([]) == 2
    assert "EVAL_LIMIT must be a whole number" in capsys.readouterr().err


def test_unconstrained_prompt_is_logsmiths_prompt_ending_in_the_opened_call():
    source = ("import logging\n\nlogger = logging.getLogger(__name__)\n\n\ndef save(path, data):\n"
              "    try:\n        write(path, data)\n    except OSError as exc:\n        \n        raise\n")
    prompt, opening, setup = unconstrained.prompt_and_opening(source, 9, 8, None, unconstrained.Settings())
    assert opening.startswith("        logger.") and opening.endswith(("('", '("'))
    assert prompt.endswith("except OSError as exc:\n" + opening)
    assert setup == ()  # the file has its logger
    assert unconstrained.statement_from(opening, 'Could not save %s", path)\n        raise') == \
        opening.strip() + 'Could not save %s", path)'


def test_process_readings_from_proc():
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        tree = process_stats.ProcessTree(os.getpid())
        assert child.pid in tree.pids()
        assert process_stats.rss_bytes(child.pid) > 1_000_000
        assert tree.rss_bytes() > process_stats.rss_bytes(os.getpid())
        assert process_stats.peak_rss_bytes(os.getpid()) >= process_stats.rss_bytes(os.getpid())
        assert process_stats.cpu_seconds(os.getpid()) > 0
        watch = process_stats.MemoryWatch(tree, interval_s=0.05).start()
        watch.stop()
        assert watch.samples >= 1 and watch.peak_bytes >= process_stats.rss_bytes(child.pid)
    finally:
        child.kill()
        child.wait()
    assert process_stats.rss_bytes(child.pid) is None
    assert process_stats.cpu_seconds(child.pid) is None


def test_trend_against_the_previous_dated_report(tmp_path, report):
    older, newer = tmp_path / "2026-11-20", tmp_path / "2026-11-24"
    older.mkdir()
    newer.mkdir()
    earlier = adoption_report.summarise(ROWS[2:], SESSIONS, {"date": "2026-11-20"}, {"nproc": 2})
    (older / "report.json").write_text(json.dumps(adoption_report.without_latency_lists(earlier)))
    (tmp_path / "notes").mkdir()  # not a dated folder: ignored
    (tmp_path / "notes" / "report.json").write_text("{}")
    previous = report_files.previous_report(newer)
    assert previous == {"date": "2026-11-20", "splits": {
        "heldout": {"n": 1, "acceptable": 0.0, "rouge_l": 1.0, "p50_ms": 400.0},
        "dev": {"n": 1, "acceptable": 0.0, "rouge_l": 1.0, "p50_ms": 400.0}}}
    assert report_files.previous_report(older) is None
    later = adoption_report.summarise(ROWS, SESSIONS, {"date": "2026-11-24"}, {"nproc": 2},
                                      previous)
    assert ("Trend since the previous report (2026-11-20): heldout acceptable 0 % -> 67 % (+67 pts), "
            "ROUGE-L 1.00 -> 1.00, p50 400 -> 400 ms (1 -> 3 cases)") in \
        adoption_report.render_markdown(later)


# ------------------------------------------------------------------------ with the project index


def indexed_row(split: str, project: str, statements: int, plain: str, indexed: str) -> dict:
    """A case asked by both servers (and the template) without and with the project's index."""
    found = row(split, project, "except", "info", plain, plain, GOOD)
    found["results"]["logsmith_inline_index"] = result(indexed, 450.0, source="neighbour")
    found["results"]["logsmith_completion_index"] = result(indexed, 480.0, source="gemma-3-270m")
    found["results"]["template_index"] = result(indexed, 12.0, source="template")
    found["server_index"] = {"cpu_s": 5.0}
    found["index"] = {"root": project, "statements": statements, "files": 20}
    return found


INDEXED_ROWS = [
    indexed_row("heldout", "pika", 288, WRONG_LEVEL, GOOD),
    indexed_row("heldout", "scrapy", 145, NO_VARS, GOOD),
    indexed_row("heldout", "certbot", 325, GOOD, GOOD),
    indexed_row("dev", "kazoo", 38, GOOD, NO_VARS),
]
INDEXED_SESSIONS = [{**SESSIONS[0], "server_index": {"peak_rss_bytes": 450 * 1024 * 1024},
                     "audit_index": {**SESSIONS[0]["audit"], "offers": 8},
                     "servers": [{"kind": "plain", "index": None},
                                 {"kind": "index", "index": {"state": "ready", "wait_s": 1.5, "message": "ready"}},
                                 {"kind": "index", "index": {"state": "not reported", "wait_s": 10.0,
                                                             "message": None}}]}]


def test_each_engine_is_paired_with_itself_without_the_index():
    report = adoption_report.summarise(INDEXED_ROWS, INDEXED_SESSIONS, {"date": "2026-12-06"}, {"nproc": 2})
    pairs = report["splits"]["heldout"]["project_index"]
    assert set(pairs) == {"logsmith_inline_index", "logsmith_completion_index", "template_index"}
    inline = pairs["logsmith_inline_index"]
    assert inline["without"] == "logsmith_inline" and inline["n"] == 3
    assert inline["acceptable"]["difference"] == pytest.approx(2 / 3)  # 1 - 0, 1 - 0, 1 - 1
    assert inline["acceptable"]["with"] == 1.0
    assert inline["level_lenient"]["difference"] == pytest.approx(1 / 3)
    assert inline["variable_f1"]["difference"] == pytest.approx(1 / 3)
    assert report["splits"]["dev"]["project_index"]["logsmith_inline_index"]["acceptable"]["difference"] == -1.0
    engines = report["splits"]["heldout"]["engines"]
    assert engines["logsmith_inline_index"]["neighbour_share"] == 1.0
    assert engines["logsmith_inline_index"]["model_share"] == 0.0
    assert engines["logsmith_inline_index"]["cost"]["cpu_s"] == pytest.approx(15.0)  # the indexing server's CPU
    assert engines["logsmith_inline"]["cost"]["cpu_s"] == pytest.approx(6.0)
    sizes = report["by_project_size"]
    assert list(sizes) == ["<100", "100-300", ">300"]
    assert sizes["100-300"]["projects"] == {"pika": 288, "scrapy": 145}
    assert report["resources"]["server_index_peak_rss_bytes"] == 450 * 1024 * 1024
    markdown = adoption_report.render_markdown(report)
    assert "## With the project index against without" in markdown
    assert "| logsmith, inline on the empty line | 3 | +33.3 pts (" in markdown
    assert "100-300: pika (288), scrapy (145)" in markdown
    assert "reported their index ready 1 times of 2 (at most 1.5 s after the model); otherwise: not reported" in markdown
    assert "The server with the project index peaked at 450 MiB." in markdown
    assert "| logsmith with the project index, inline | 100 % |" in markdown
    assert "The store of the server with the project index:" in markdown
    page = report_html.render_html(report)
    assert "<td>logsmith with the project index, inline</td>" in page


def test_a_report_of_rows_without_the_index_has_no_index_section(report):
    assert "project_index" not in report and "project_index" not in report["splits"]["heldout"]
    assert "with the project index" not in adoption_report.render_markdown(report)


def test_cases_run_project_by_project_in_their_order():
    def case(project, line):
        return corpus.LogCase(project, "1", f"{project}-1/m.py", line, 4, line, 9, "info", "other", "f", "log.info()")

    chosen = [("heldout", case("a", 1)), ("dev", case("b", 1)), ("heldout", case("a", 2)), ("dev", case("c", 1)),
              ("dev", case("b", 2))]
    ordered = adoption.by_project(chosen)
    assert [(c.project, c.line) for _, c in ordered] == [("a", 1), ("a", 2), ("b", 1), ("b", 2), ("c", 1)]
    assert len(ordered) == len(chosen) and set(ordered) == set(chosen)


def test_the_editor_tells_the_index_progress_from_the_models():
    editor = Editor(["true"], {})
    editor.on_progress("m", {"kind": "begin", "title": "logsmith", "message": "loading model gemma-3-270m"})
    editor.on_progress("i", {"kind": "begin", "title": "logsmith", "message": "indexing log statements"})
    editor.on_progress("i", {"kind": "report", "message": "120 of 300 files", "percentage": 40})
    assert editor.index_began is not None and not editor.index_ready.is_set()
    editor.on_progress("m", {"kind": "end", "message": "model gemma-3-270m ready"})
    assert editor.ready.is_set() and not editor.index_ready.is_set()
    editor.on_progress("i", {"kind": "end", "message": "145 log statements in 185 files"})
    assert editor.index_ready.is_set() and editor.index_state == "145 log statements in 185 files"
    assert editor.model_state == "model gemma-3-270m ready"
    # a progress whose end alone names the index is the index's too
    other = Editor(["true"], {})
    other.on_progress("x", {"kind": "begin", "title": "logsmith"})
    other.on_progress("x", {"kind": "end", "message": "project index ready"})
    assert other.index_ready.is_set() and not other.ready.is_set()


async def test_waiting_for_an_index_the_server_does_not_report():
    editor = Editor(["true"], {})
    waited = await editor.wait_for_index(timeout_s=5.0, grace_s=0.2)
    assert waited["state"] == "not reported" and waited["wait_s"] < 2
    editor.on_progress("i", {"kind": "begin", "title": "indexing"})
    assert (await editor.wait_for_index(timeout_s=0.3, grace_s=0.1))["state"] == "timed out"
    editor.on_progress("i", {"kind": "end", "message": "done"})
    assert (await editor.wait_for_index(timeout_s=5.0, grace_s=0.1)) == {"state": "ready", "wait_s": 0.0,
                                                                          "message": "done"}


async def test_one_case_is_asked_of_both_servers_and_the_template_with_and_without_the_index(tmp_path, monkeypatch):
    """The runner's wiring, with stand-ins for the servers and the model baselines (no process)."""
    from eval.bench import workspace

    tree = tmp_path / "trees" / "demo-1"
    package = tree / "demo-1" / "demo"
    package.mkdir(parents=True)
    text = ("import logging\n\nlogger = logging.getLogger(__name__)\n\n\ndef save(path):\n"
            "    try:\n        write(path)\n    except OSError as exc:\n"
            "        logger.error(\"Cannot save %s: %s\", path, exc)\n        raise\n\n\n"
            "def load(path):\n    try:\n        return read(path)\n    except OSError as exc:\n"
            "        logger.error(\"Cannot load %s: %s\", path, exc)\n        raise\n")
    (package / "store.py").write_text(text)
    case = corpus.collect_cases(text, "demo", "1", "demo-1/demo/store.py")[1]
    monkeypatch.setattr(corpus, "case_source", lambda case, cache=None: (tree / case.file, text))
    monkeypatch.setattr(workspace, "project_root", lambda case, cache=None: tree / "demo-1")

    class Session:
        def __init__(self, kind):
            self.kind = kind

        async def run_case(self, case, path, source, masked, setup):
            answer = {"statement": "logger.error('x')", "latency_ms": 1.0, "error": None, "source": self.kind}
            return dict(answer), dict(answer), {"cpu_s": 1.0}

    class Servers:
        roots = []

        async def use(self, root):
            self.roots.append(root)
            return {"plain": Session("plain"), "index": Session("index")}

    class Models:
        template = adoption.Baselines.template
        template_settings = adoption.logsmith.Settings(use_model=False)

        def models(self, masked, path):
            return {}

    found = await adoption.run_one(Servers(), Models(), "heldout", case, workspace.Indexes())
    assert Servers.roots == [tree / "demo-1"]
    assert list(found["results"]) == ["logsmith_inline", "logsmith_completion", "logsmith_inline_index",
                                      "logsmith_completion_index", "template", "template_index"]
    assert found["results"]["logsmith_inline_index"]["source"] == "index"
    assert found["server"] == found["server_index"] == {"cpu_s": 1.0}
    assert found["index"]["statements"] == 2 and found["index"]["files"] == 1
    indexed = found["results"]["template_index"]
    assert indexed["neighbours"] == ['demo/store.py:10: logger.error("Cannot save %s: %s", path, exc)']
    assert indexed["own_site_neighbour"] is False
    assert indexed["score"]["level_lenient"]


async def test_a_stopped_or_failed_index_build():
    editor = Editor(["true"], {})
    editor.on_progress("logsmith-index-1", {"kind": "begin", "title": "logsmith", "message": "indexing log statements"})
    editor.on_progress("logsmith-index-1", {"kind": "end", "message": "stopped"})  # a new build follows
    assert not editor.index_ready.is_set()
    editor.on_progress("logsmith-index-2", {"kind": "begin", "title": "logsmith", "message": "indexing log statements"})
    editor.on_progress("logsmith-index-2", {"kind": "end", "message": "failed: cannot list /x"})
    assert (await editor.wait_for_index(timeout_s=1.0, grace_s=0.1))["state"] == "failed"
