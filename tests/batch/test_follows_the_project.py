"""Batch mode follows the project's own statements: `logsmith suggest` indexes each project's log
statements (kept in the private LOGSMITH_CACHE of tests/batch/conftest.py) and proposes statements in
their words and at their level, lists the statements it followed in --json, --sarif and the review, and
says in the summary what the index held; --no-project-index and `project_index = false` give the
proposals of a run without it; --apply still writes only files that compile; --jobs 2 (fork, and spawn
reopening the index from the cache) proposes what --jobs 1 does."""

from __future__ import annotations

import json
import multiprocessing
import py_compile
import re
from pathlib import Path

import pytest
from batch_cli import run_suggest, run_suggest_together, write_tree

from logsmith.batch import project as batch_project
from logsmith.batch import runner
from logsmith.batch.analyse import Task
from logsmith.batch.results import FileResult, Proposal
from logsmith.batch.summary import Summary
from logsmith.settings import Settings
from logsmith.suggestion import Suggestion, TextEdit
from logsmith.syntax.batch_rules import Finding
from logsmith.workspace import store
from logsmith.workspace.files import discover

# The developers of this shop log a lost connection as an error, in words of their own.
SHOP = {
    "pyproject.toml": '[project]\nname = "shop"\n',
    "shop/__init__.py": "",
    "shop/orders.py": (
        "import logging\n"
        "\n"
        "log = logging.getLogger(__name__)\n"
        "\n"
        "\n"
        "def load_order(order_id, store):\n"
        "    try:\n"
        "        return store.fetch(order_id)\n"
        "    except ConnectionError:\n"
        '        log.error("Ledger miss: order %s vanished from the store", order_id)\n'
        "        return {}\n"
        "\n"
        "\n"
        "def load_customer(customer_id, store):\n"
        "    try:\n"
        "        return store.fetch(customer_id)\n"
        "    except ConnectionError:\n"
        '        log.error("Ledger miss: customer %s vanished from the store", customer_id)\n'
        "        return {}\n"
    ),
    # a site above a statement of its own file: line 10 gets a proposal, line 17 is followed
    "shop/stock.py": (
        "import logging\n"
        "\n"
        "log = logging.getLogger(__name__)\n"
        "\n"
        "\n"
        "def load_item(item_id, store):\n"
        "    try:\n"
        "        return store.fetch(item_id)\n"
        "    except ConnectionError:\n"
        "        return {}\n"
        "\n"
        "\n"
        "def load_shelf(shelf_id, store):\n"
        "    try:\n"
        "        return store.fetch(shelf_id)\n"
        "    except ConnectionError:\n"
        '        log.error("Ledger miss: shelf %s vanished from the store", shelf_id)\n'
        "        return {}\n"
    ),
    # no logging at all yet: the statement needs `import logging` and a logger too
    "shop/billing.py": (
        "def load_invoice(invoice_id, store):\n"
        "    try:\n"
        "        return store.fetch(invoice_id)\n"
        "    except ConnectionError:\n"
        "        return {}\n"
    ),
    # what else the shop logs, in other words: a project of some size, where words that only
    # handlers of a lost connection share tell those sites apart
    "shop/reports.py": "import logging\n\nlog = logging.getLogger(__name__)\n"
    + "".join(
        f"\n\ndef make_{part}(report, width):\n"
        "    total = report.size(width)\n"
        f'    log.info("Made {part} of %s at %s", report.name, total)\n'
        "    return total\n"
        for part in (
            "chart", "export", "pdf", "totals", "margin", "quarter", "summary", "page", "font",
            "column", "header", "footer", "legend", "axis", "scale", "colour", "print", "queue",
        )
    ),
    "shop/broken.py": "def broken(:\n    pass\n",
}
WORDS = "Ledger miss"


@pytest.fixture
def shop(tmp_path) -> Path:
    return write_tree(tmp_path / "shop-repo", SHOP)


def without_latency(records: list[dict]) -> list[dict]:
    return [{k: v for k, v in r.items() if k != "latency_ms"} for r in records]


def test_proposals_follow_the_projects_statements_and_say_which(shop):
    review = shop / "review.md"
    run = run_suggest("--no-model", "--json", "--review", review, ".", cwd=shop)
    assert run.returncode == 0, run.stderr
    records = {r["file"]: r for r in run.json_lines()}
    assert set(records) == {"shop/stock.py", "shop/billing.py"}
    for record in records.values():
        assert record["source"] == "neighbour" and record["level"] == "error", record
        assert WORDS in record["statement"] and "vanished from the store" in record["statement"]
    stock = records["shop/stock.py"]
    assert stock["statement"].startswith('log.error("Ledger miss: shelf')
    # the statement of its own file is placed in the file as read (line 17, 0-based 16), like the others
    assert {"file": "shop/stock.py", "line": 16,
            "statement": 'log.error("Ledger miss: shelf %s vanished from the store", shelf_id)'} in stock["neighbours"]
    assert {"file": "shop/orders.py", "line": 9,
            "statement": 'log.error("Ledger miss: order %s vanished from the store", order_id)'} in stock["neighbours"]
    assert any(note.startswith("adapted from shop/stock.py:17: ") for note in stock["notes"]), stock["notes"]

    assert "project index: 21 log statements in 5 files (skipped: 1 unparsable), built in" in run.stderr
    assert "by source: neighbour (a statement of this project, adapted) 2" in run.stderr

    document = review.read_text()
    assert "Written by adapted statements of this project for all 2 statements (no model was used)." in document
    assert "Project index: 21 log statements in 5 files" in document
    assert "| neighbour (a statement of this project, adapted) | 2 |" in document
    assert document.count("- **Followed** (this project's statements at the sites most like this one):") == 2
    assert ('  - `shop/orders.py:10`: `log.error("Ledger miss: order %s vanished from the store", order_id)`'
            in document)
    assert '  - `shop/stock.py:17`: `log.error("Ledger miss: shelf %s vanished from the store", shelf_id)`' in document
    for block in document.split("\n### ")[1:]:  # at most three followed statements under each proposal
        assert len(re.findall(r"^  - `[^`]+:\d+`: ", block, re.M)) <= 3


def test_sarif_carries_the_followed_statements(shop):
    log = json.loads(run_suggest("--no-model", "--sarif", "-q", ".", cwd=shop).stdout)
    results = log["runs"][0]["results"]
    assert len(results) == 2
    for result in results:
        assert result["properties"]["source"] == "neighbour"
        assert any(entry.startswith("shop/orders.py:10: log.error(") for entry in result["properties"]["neighbours"])


def test_without_the_index_by_flag_or_setting_the_proposals_are_those_of_a_single_file(shop, tmp_path):
    by_setting = write_tree(tmp_path / "by-setting", {**SHOP, "pyproject.toml": SHOP["pyproject.toml"]
                                                      + "\n[tool.logsmith]\nproject_index = false\n"})
    flag, setting = run_suggest_together((("--no-model", "--json", "--no-project-index", "."), shop),
                                         (("--no-model", "--json", "."), by_setting))
    assert "project index: off (--no-project-index)" in flag.stderr
    assert "project index: off (project_index = false in [tool.logsmith])" in setting.stderr
    assert without_latency(flag.json_lines()) == without_latency(setting.json_lines())
    for record in flag.json_lines():
        assert record["source"] == "template" and record["neighbours"] == [] and WORDS not in record["statement"]
    # nothing was indexed for either run
    assert not store.index_path(shop).exists() and not store.index_path(by_setting).exists()


def test_the_index_is_kept_in_the_cache_and_reused(shop):
    first = run_suggest("--no-model", "--json", ".", cwd=shop)
    assert store.index_path(shop).is_file()
    assert "(no index kept yet)" in first.stderr
    again = run_suggest("--no-model", "--json", ".", cwd=shop)
    assert "built in" in again.stderr and "(5 files from the cache)" in again.stderr
    assert without_latency(again.json_lines()) == without_latency(first.json_lines())


def test_apply_writes_the_followed_statements_only_into_files_that_compile(shop):
    broken_before = (shop / "shop/broken.py").read_bytes()
    run = run_suggest("--no-model", "--apply", ".", cwd=shop)
    assert run.returncode == 0, run.stderr
    assert "applied: 2 files written, 0 not written" in run.stderr
    for name in ("shop/stock.py", "shop/billing.py", "shop/orders.py"):
        py_compile.compile(str(shop / name), cfile=str(shop / (name + ".check")), doraise=True)
    assert (shop / "shop/broken.py").read_bytes() == broken_before
    billing = (shop / "shop/billing.py").read_text()
    # billing.py had no logger: the one added is named as the project's modules name theirs
    assert "import logging\n\nlog = logging.getLogger(__name__)\n" in billing
    assert 'log.error("Ledger miss: ' in billing and "logger" not in billing
    assert 'log.error("Ledger miss: shelf' in (shop / "shop/stock.py").read_text().split("def load_shelf")[0]


def test_jobs_2_proposes_what_jobs_1_does_with_the_index(shop):
    write_tree(shop, {f"shop/extra_{i}.py": SHOP["shop/billing.py"].replace("charge", f"charge_{i}") for i in range(6)})
    one, two = run_suggest_together((("--no-model", "--json", "-q", "."), shop),
                                    (("--no-model", "--json", "-q", "--jobs", "2", "."), shop))
    assert len(one.json_lines()) == 8
    assert all(r["source"] == "neighbour" for r in one.json_lines())
    assert without_latency(two.json_lines()) == without_latency(one.json_lines())


def tasks_of(root: Path) -> list[Task]:
    found = discover([str(root)], {"use_model": False}, cwd=root)
    return [Task(str(t.path), t.display, str(t.project.root), t.project.settings, ()) for t in found.targets]


def test_workers_started_by_fork_use_the_index_built_before_them(shop, monkeypatch):
    """A forked worker has the parent's index: it never builds one (here it could not)."""
    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("no fork on this platform")
    batch_project.open_all(discover([str(shop)], {"use_model": False}, cwd=shop).projects, False)

    def fails(self, progress=None, cancel=None):
        raise AssertionError("a worker built the index again")

    monkeypatch.setattr(batch_project.ProjectIndex, "build", fails)
    results = list(runner.run_tasks(tasks_of(shop), 2))
    statements = [p.suggestion.statement for r in results for p in r.proposals]
    assert len(statements) == 2 and all(WORDS in statement for statement in statements)


def test_workers_started_by_spawn_reopen_the_index_from_the_cache(shop, monkeypatch):
    """Where workers cannot inherit the index (no fork), each opens it again from the kept cache."""
    tasks = tasks_of(shop)
    batch_project.open_all(discover([str(shop)], {"use_model": False}, cwd=shop).projects, False)
    in_process = [p.suggestion.statement for r in runner.run_tasks(tasks, 1) for p in r.proposals]
    monkeypatch.setattr(runner, "_pool_context", lambda: multiprocessing.get_context("spawn"))
    spawned = [p.suggestion.statement for r in runner.run_tasks(tasks, 2) for p in r.proposals]
    assert spawned == in_process and all(WORDS in statement for statement in in_process)


def test_an_index_that_cannot_be_built_is_reported_and_the_run_goes_on(shop, monkeypatch):
    def fails(self, progress=None, cancel=None):
        raise OSError("the disk went away")

    monkeypatch.setattr(batch_project.ProjectIndex, "build", fails)
    projects = discover([str(shop)], {"use_model": False}, cwd=shop).projects
    (use,) = batch_project.open_all(projects, False)
    assert use.text == "not used: it could not be built (OSError: the disk went away)"
    results = list(runner.run_tasks(tasks_of(shop), 1))
    statements = [p.suggestion.statement for r in results for p in r.proposals]
    assert len(statements) == 2 and not any(WORDS in s for s in statements)


def test_each_project_of_a_run_has_its_own_index_line(shop, tmp_path):
    other = write_tree(tmp_path / "other", {"pyproject.toml": "", "quiet.py": SHOP["shop/billing.py"]})
    run = run_suggest("--no-model", "--json", str(shop), str(other), cwd=tmp_path)
    assert re.search(r"^  project index of shop-repo: 21 log statements in 5 files", run.stderr, re.M), run.stderr
    assert re.search(r"^  project index of other: 0 log statements in 1 files, .*; no statement to follow yet$",
                     run.stderr, re.M), run.stderr
    sources = {r["file"]: r["source"] for r in run.json_lines()}
    assert sources == {"shop-repo/shop/billing.py": "neighbour", "shop-repo/shop/stock.py": "neighbour",
                       "other/quiet.py": "template"}


def proposal(source: str, *notes: str) -> Proposal:
    finding = Finding("except_swallowed", 2, "        ", 1, 4, 1, 20, "`except E` returns without logging", "f")
    return Proposal(finding, Suggestion("logger.error('x')", TextEdit(2, 0, 2, 0, ""), source=source, notes=notes))


def test_the_summary_counts_the_neighbour_as_an_engine_of_its_own():
    slow = "no time left for the model: it needs more"
    result = FileResult("/p/a.py", "a.py", "/p", proposals=(
        proposal("gemma-3-270m"), proposal("neighbour", slow), proposal("neighbour", slow), proposal("template", slow)))
    summary = Summary.of([result], model="gemma-3-270m", budget_ms=10_000)
    assert summary.by_models == [("gemma-3-270m", 1)]
    assert summary.not_by_model == {"no time left for the model": 3}
    assert summary.written_by() == (
        "the model gemma-3-270m for 1, adapted statements of this project for 2 and the template engine for 1 of the "
        "4 statements (the model gemma-3-270m did not write 3: no time left for the model 3)")
    text = summary.text()
    assert "by source: gemma-3-270m 1, neighbour (a statement of this project, adapted) 2, template 1" in text
    assert ("the model gemma-3-270m did not write 3 of the 4 statements; adapted statements of this project and the "
            "template engine did, because:") in text

    # the statement a neighbour adapted may well speak of a model: that is no reason the model did not write it
    adapted = proposal("neighbour", 'adapted from a.py:3: log.info("Loaded model %s", name)')
    no_model = Summary.of([FileResult("/p/a.py", "a.py", "/p", proposals=(adapted,))])
    assert not no_model.not_by_model
    assert no_model.written_by() == "adapted statements of this project for the one statement (no model was used)"


def test_a_file_in_no_project_is_read_alone_and_a_folder_given_is_indexed(tmp_path):
    """The folder of a lone file could be a home directory: it is not indexed; a folder given is read whole anyway."""
    scripts = write_tree(tmp_path / "scripts", {"logged.py": SHOP["shop/orders.py"], "quiet.py": SHOP["shop/billing.py"],
                                                 "reports.py": SHOP["shop/reports.py"]})
    alone, folder = run_suggest_together((("--no-model", "--json", "quiet.py"), scripts),
                                         (("--no-model", "--json", "."), scripts))
    assert "project index: off (no pyproject.toml or git work tree holds the files)" in alone.stderr
    assert [r["source"] for r in alone.json_lines()] == ["template"]
    assert "project index: 20 log statements in 3 files" in folder.stderr
    assert [r["source"] for r in folder.json_lines()] == ["neighbour"]


def test_with_the_model_each_adapted_statement_says_why_it_is_not_the_models(shop, default_model_path):
    """The project's statement adapted ranks first: where the model wrote one too, the proposal keeps it in
    a note and the summary counts it under its own reason."""
    review = shop / "review.md"
    run = run_suggest("--model", default_model_path, "--budget-ms", "30000", "--json", "--review", review, ".", cwd=shop, timeout=600)
    assert run.returncode == 0, run.stderr
    records = run.json_lines()
    assert len(records) == 2
    explained = re.compile(r"^(the model's statement, ranked after this one: |model |no time left for the model)")
    for record in records:
        if record["source"] == "neighbour":
            assert any(explained.match(note) for note in record["notes"]), record["notes"]
    outranked = sum(any(n.startswith("the model's statement, ranked after this one: ") for n in r["notes"]) for r in records)
    if outranked:
        assert re.search(rf"^    +{outranked}  its statement was ranked after the project's statement adapted$", run.stderr, re.M), run.stderr
        assert "(not the model: its statement was ranked after the project's statement adapted)" in review.read_text()


def test_a_model_statement_ranked_after_the_projects_is_counted_as_such():
    from logsmith.batch.results import OUTRANKED_NOTE

    outranked = proposal("neighbour", 'adapted from a.py:3: log.error("Lost %s", x)', OUTRANKED_NOTE + 'logger.error("Lost the ledger")')
    summary = Summary.of([FileResult("/p/a.py", "a.py", "/p", proposals=(outranked, proposal("gemma-3-270m")))],
                         model="gemma-3-270m")
    assert summary.not_by_model == {"its statement was ranked after the project's statement adapted": 1}
    assert ("the model gemma-3-270m did not write 1 of the 2 statements; adapted statements of this project did, because:\n"
            "    1  its statement was ranked after the project's statement adapted\n") in summary.text()
