"""`logsmith suggest` end to end with the template engine (--no-model): outputs, exit codes, excludes,
syntax errors, --check, --rules, --jobs, SARIF structure, and --review counts against --json; then,
with the real model, what the summary and the review say about which engine wrote the statements
(the model out of time, the model not loading, the model writing them)."""

from __future__ import annotations

import json
import re

import pytest

from batch_cli import run_suggest, run_suggest_together, write_tree

SITES = {("sample/io.py", "io_call"), ("sample/io.py", "except_swallowed")}


def test_text_output_summary_excludes_and_syntax_errors(sample_project):
    run = run_suggest("--no-model", ".", cwd=sample_project)
    assert run.returncode == 0, run.stderr
    assert re.search(r"^sample/io\.py:5:5: \[io_call\] `load` performs file I/O", run.stdout, re.M)
    assert re.search(r"^sample/io\.py:12:5: \[except_swallowed\] `except ValueError` returns", run.stdout, re.M)
    assert "vendor/lib.py" not in run.stdout + run.stderr  # excluded by [tool.logsmith] exclude
    assert "sample/broken.py: skipped: does not parse (syntax error near line 1)" in run.stderr
    assert re.search(r"3 files analysed, 1 skipped, 2 sites, 2 suggestions in 1 files", run.stderr)
    assert "by rule:   except_swallowed 1, io_call 1" in run.stderr
    assert "\r" not in run.stderr  # no progress bar when stderr is not a terminal
    assert "by source: template 2" in run.stderr
    assert "did not write" not in run.stderr and "wrote none" not in run.stderr  # --no-model: nothing to explain


def test_test_files_are_counted_and_read_with_include_tests(sample_project):
    (sample_project / "tests").mkdir()
    (sample_project / "tests" / "test_io.py").write_text("def test_x():\n    try:\n        f()\n    except ValueError:\n        pass\n")
    default, included = run_suggest_together((("--no-model", "--json", "."), sample_project),
                                             (("--no-model", "--json", "-q", "--include-tests", "."), sample_project))
    assert "1 test files left out (--include-tests to read them)" in default.stderr
    assert "tests/test_io.py" not in {r["file"] for r in default.json_lines()}
    assert "tests/test_io.py" in {r["file"] for r in included.json_lines()}


def test_check_exits_1_only_when_there_are_suggestions(sample_project):
    found, clean = run_suggest_together((("--no-model", "--check", "-q", "."), sample_project),
                                        (("--no-model", "--check", "-q", "sample/clean.py"), sample_project))
    assert found.returncode == 1
    assert (clean.returncode, clean.stdout, clean.stderr) == (0, "", "")


def test_json_lines_carry_file_range_level_statement_rule_source(sample_project):
    run = run_suggest("--no-model", "--json", "-q", ".", cwd=sample_project)
    records = run.json_lines()
    assert {(r["file"], r["rule"]) for r in records} == SITES
    for record in records:
        assert record["source"] == "template"
        assert record["level"] in ("debug", "info", "warning", "error", "exception", "critical")
        assert record["statement"].startswith("logger.") and record["text"].strip() == record["statement"]
        assert record["range"]["start"] == record["range"]["end"] and record["range"]["start"]["character"] == 0
        assert record["latency_ms"] >= 0 and record["reason"]
    swallowed = next(r for r in records if r["rule"] == "except_swallowed")
    assert swallowed["range"]["start"]["line"] == 12 and swallowed["site"]["start"] == {"line": 11, "character": 4}


def test_rules_from_the_command_line_and_from_pyproject(sample_project):
    only_io, bad = run_suggest_together((("--no-model", "--json", "-q", "--rules", "io_call", "."), sample_project),
                                        (("--no-model", "--rules", "io_call,nope", "."), sample_project))
    assert {r["rule"] for r in only_io.json_lines()} == {"io_call"}
    assert bad.returncode == 2 and "unknown rule(s) nope" in bad.stderr

    pyproject = sample_project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + 'rules = ["except_swallowed"]\n')
    from_config = run_suggest("--no-model", "--json", "-q", ".", cwd=sample_project)
    assert {r["rule"] for r in from_config.json_lines()} == {"except_swallowed"}
    pyproject.write_text(pyproject.read_text().replace('"except_swallowed"', '"typo_rule"'))
    wrong = run_suggest("--no-model", ".", cwd=sample_project)
    assert wrong.returncode == 2 and "typo_rule" in wrong.stderr


def test_missing_path_is_a_usage_error(sample_project):
    run = run_suggest("--no-model", "does-not-exist", cwd=sample_project)
    assert run.returncode == 2 and "does-not-exist: no such file or folder" in run.stderr


def test_jobs_2_gives_the_same_results_as_jobs_1(sample_project):
    more = {f"sample/extra_{i}.py": f"def f{i}(path):\n    with open(path) as h:\n        return h.read()\n" for i in range(12)}
    write_tree(sample_project, more)
    one, two = run_suggest_together((("--no-model", "--json", "-q", "."), sample_project),
                                    (("--no-model", "--json", "-q", "--jobs", "2", "."), sample_project))
    strip = lambda records: [{k: v for k, v in r.items() if k != "latency_ms"} for r in records]  # noqa: E731
    assert len(one.json_lines()) == 14
    assert strip(two.json_lines()) == strip(one.json_lines())


def apply_sarif_fixes(text: str, replacements: list[dict]) -> str:
    """Apply SARIF insertions (1-based line/column regions of length 0); each fix is complete on its own,
    so the setup lines (import, logger) that several fixes share are applied once."""
    unique = {json.dumps(r, sort_keys=True): r for r in replacements}.values()
    lines = text.split("\n")
    for replacement in sorted(unique, key=lambda r: (r["deletedRegion"]["startLine"], r["deletedRegion"]["startColumn"]), reverse=True):
        region = replacement["deletedRegion"]
        assert (region["startLine"], region["startColumn"]) == (region["endLine"], region["endColumn"])
        row, column = region["startLine"] - 1, region["startColumn"] - 1
        line = lines[row]
        lines[row] = line[:column] + replacement["insertedContent"]["text"] + line[column:]
    return "\n".join(lines)


def test_sarif_is_a_well_formed_2_1_0_log_whose_fixes_give_the_applied_file(sample_project):
    run = run_suggest("--no-model", "--sarif", "-q", ".", cwd=sample_project)
    log = json.loads(run.stdout)
    assert log["version"] == "2.1.0" and log["$schema"].endswith("sarif-2.1.0.json")
    (sarif_run,) = log["runs"]
    driver = sarif_run["tool"]["driver"]
    rule_ids = [rule["id"] for rule in driver["rules"]]
    assert driver["name"] == "logsmith" and len(rule_ids) == len(set(rule_ids)) == 5
    for rule in driver["rules"]:
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"]
        assert rule["defaultConfiguration"]["level"] in ("none", "note", "warning", "error")
    assert sarif_run["originalUriBaseIds"]["%SRCROOT%"]["uri"].startswith("file://")
    notifications = sarif_run["invocations"][0]["toolExecutionNotifications"]
    assert [n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for n in notifications] == ["sample/broken.py"]
    results = sarif_run["results"]
    assert {(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], r["ruleId"]) for r in results} == SITES
    replacements = []
    for result in results:
        assert rule_ids[result["ruleIndex"]] == result["ruleId"]
        assert result["level"] in ("note", "warning") and result["message"]["text"]
        region = result["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] >= 1 and region["startColumn"] >= 1 and region["endLine"] >= region["startLine"]
        (fix,) = result["fixes"]
        (change,) = fix["artifactChanges"]
        assert change["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        replacements += change["replacements"]
    fixed = apply_sarif_fixes((sample_project / "sample/io.py").read_text(), replacements)
    assert run_suggest("--no-model", "--apply", "-q", ".", cwd=sample_project).returncode == 0
    assert (sample_project / "sample/io.py").read_text() == fixed


def markdown_tables(document: str) -> list[list[list[str]]]:
    tables, current = [], []
    for line in document.splitlines() + [""]:
        if line.startswith("|"):
            current.append([cell.strip() for cell in re.split(r"(?<!\\)\|", line.strip())[1:-1]])
        elif current:
            tables.append(current)
            current = []
    return tables


def test_review_document_is_valid_markdown_and_its_counts_match_json(sample_project):
    review = sample_project / "review.md"
    run = run_suggest("--no-model", "--json", "-q", "--review", review, ".", cwd=sample_project)
    records = run.json_lines()
    document = review.read_text()
    assert document.startswith("# logsmith review\n")
    for table in markdown_tables(document):
        assert all(len(row) == len(table[0]) for row in table), table
        assert all(re.fullmatch(r":?-{3,}:?", cell) for cell in table[1])
    assert document.count("```") % 2 == 0
    header = document.split("\n")[2]
    assert "Written by the template engine for all 2 statements (no model was used). Configured: template only (--no-model)." in header
    summary = dict(row[:2] for row in markdown_tables(document)[0][2:])
    assert int(summary["suggestions"]) == len(records) == len(re.findall(r"^### \d+\. ", document, re.M))
    assert int(summary["files skipped"]) == 1 and "sample/broken.py" in document
    for record in records:
        assert f"`{record['statement']}`" in document
        assert f"`{record['rule']}`" in document
        assert f"+   | {record['text'].rstrip()}" in document or f"+    | {record['text'].rstrip()}" in document


def test_the_summary_rate_keeps_a_decimal_below_ten_files_a_second():
    from logsmith.batch.summary import Summary

    assert "(0.3 files/s)" in Summary(files=6, sites=24, suggestions=24, files_with_suggestions=5, seconds=17.8).text()
    assert "(176 files/s)" in Summary(files=475, seconds=2.7).text()


# ---------------------------------------------------------------------------------------------
# Which engine wrote the statements: the summary on stderr and the review's header, with the real model


@pytest.fixture(scope="module")
def model_id(default_model_path):
    from logsmith.model import registry
    from logsmith.settings import Settings

    return registry.resolve(Settings(model=str(default_model_path))).model_id


def review_header(review) -> str:
    return review.read_text(encoding="utf-8").split("\n")[2]


def test_the_summary_and_the_review_say_the_model_had_no_time_and_how_to_give_it_more(sample_project, default_model_path, model_id):
    review = sample_project / "review.md"
    run = run_suggest("--model", default_model_path, "--budget-ms", "1", "--json", "--review", review, ".", cwd=sample_project)
    assert run.returncode == 0, run.stderr
    records = run.json_lines()
    assert len(records) == 2 and {r["source"] for r in records} == {"template"}
    assert all(r["notes"][0].startswith("no time left for the model") for r in records), [r["notes"] for r in records]
    assert "by source: template 2" in run.stderr
    assert f"the model {model_id} wrote none of the 2 statements; the template engine did, because:\n    2  no time left for the model\n" in run.stderr
    assert "give the model more time with --budget-ms 10000 (this run: 1 ms a statement)" in run.stderr
    header = review_header(review)
    assert f"Written by the template engine for all 2 statements (the model {model_id} wrote none: no time left for the model 2)." in header
    assert "Give the model more time with --budget-ms 10000" in header
    assert f"Configured: {model_id}, 1 ms a statement" in header
    document = review.read_text(encoding="utf-8")
    assert "| no time left for the model | 2 |" in document
    assert document.count("**Written by:** template in") == 2 and "(not the model: no time left for the model)" in document


def test_the_review_header_names_the_model_and_the_template_for_what_each_wrote(sample_project, default_model_path, model_id):
    review = sample_project / "review.md"
    run = run_suggest("--model", default_model_path, "--budget-ms", "30000", "--json", "--review", review, ".", cwd=sample_project)
    assert run.returncode == 0, run.stderr
    records = run.json_lines()
    by_model = sum(r["source"] == model_id for r in records)
    by_template = sum(r["source"] == "template" for r in records)
    assert by_model + by_template == len(records) == 2, [(r["source"], r["notes"]) for r in records]
    header = review_header(review)
    if by_model and by_template:
        assert f"Written by the model {model_id} for {by_model} and the template engine for {by_template} of the 2 statements (the model {model_id} did not write {by_template}: " in header
        assert f"by source: {model_id} {by_model}, template {by_template}\n  the model {model_id} did not write {by_template} of the 2 statements" in run.stderr
    elif by_model:
        assert f"Written by the model {model_id} for all 2 statements." in header
        assert f"by source: {model_id} 2\n" in run.stderr and "did not write" not in run.stderr
    else:  # a machine too busy for the model even in 30 s: the header still says so
        assert f"Written by the template engine for all 2 statements (the model {model_id} wrote none: " in header
        assert f"by source: template 2\n  the model {model_id} wrote none of the 2 statements" in run.stderr
    assert "Engine:" not in header


def test_a_model_that_cannot_load_is_named_as_the_reason_with_its_error(sample_project):
    broken = sample_project / "broken.gguf"
    broken.write_bytes(b"GGUF" + bytes(range(256)) * 64)  # the magic bytes, then nothing llama.cpp can read
    review = sample_project / "review.md"
    run = run_suggest("--model", broken, "--review", review, "sample", cwd=sample_project)
    assert run.returncode == 0, run.stderr
    assert "by source: template 2" in run.stderr
    assert "the model broken wrote none of the 2 statements; the template engine did, because:\n    2  the model was not ready (failed)\n" in run.stderr
    assert re.search(r"^       \(first note: model broken is failed: model broken cannot be loaded: .+\)$", run.stderr, re.M), run.stderr
    assert "--budget-ms" not in run.stderr  # more time would not help
    assert "Written by the template engine for all 2 statements (the model broken wrote none: the model was not ready (failed) 2)." in review_header(review)


def test_the_reasons_are_grouped_from_the_notes_and_the_hint_covers_the_slowest_site():
    from logsmith.batch.results import FileResult, Proposal
    from logsmith.batch.summary import Summary, model_skip_reason
    from logsmith.suggestion import Suggestion, TextEdit
    from logsmith.syntax.batch_rules import Finding

    def proposal(source, *notes):
        finding = Finding("io_call", 3, "    ", 3, 4, 3, 20, "`f` performs file I/O", "f")
        return Proposal(finding, Suggestion('logger.info("Read %s", path)', TextEdit(3, 0, 3, 0, ""), source=source, notes=notes))

    slow = "no time left for the model: reading this part of the file and answering takes it about {} s, 10.00 s were left; it reads it meanwhile"
    proposals = [
        proposal("gemma-3-270m"),
        proposal("gemma-3-270m", "the model dropped `x`, which the ranker rates unlikely"),
        proposal("template", slow.format("14.2")),
        proposal("template", "the file has syntax errors; the site was read as well as it parses", slow.format("11.0")),
        proposal("template", "model ran out of time"),
        proposal("template", "model failed: model gemma-3-270m is still loading"),
        proposal("template", "model gave no usable message"),
        proposal("template"),  # the model was not asked: not counted
    ]
    assert model_skip_reason(proposals[1].suggestion) is None and model_skip_reason(proposals[-1].suggestion) is None
    result = FileResult("/p/a.py", "a.py", "/p", proposals=tuple(proposals), sites=len(proposals))
    summary = Summary.of([result], model="gemma-3-270m", budget_ms=10_000, jobs=2)
    assert summary.reason_rows() == [("no time left for the model", 3), ("the model gave no usable message (one word, or an unfinished call)", 1),
                                     ("the model was not ready (loading)", 1)]
    text = summary.text()
    assert "by source: gemma-3-270m 2, template 6" in text
    assert "the model gemma-3-270m did not write 5 of the 8 statements; the template engine did, because:\n    3  no time left for the model\n" in text
    assert ("give the model more time with --budget-ms 20000 (this run: 10000 ms a statement; the slowest site needed about 14.2 s), "
            "or run fewer --jobs") in text
    assert summary.written_by().startswith("the model gemma-3-270m for 2 and the template engine for 6 of the 8 statements "
                                           "(the model gemma-3-270m did not write 5: no time left for the model 3, ")
    summary.budget_ms = 5_000
    summary.needed_seconds = 30.4
    assert "--budget-ms 38000 (this run: 5000 ms a statement; the slowest site needed about 30.4 s)" in summary.more_time_hint()
