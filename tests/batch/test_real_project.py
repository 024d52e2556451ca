"""Batch mode on a real open-source project (the waitress sdist, fetched once with pip download and
cached in ~/.cache/logsmith/eval-sources; its tests included): --diff applies with `git apply --check`, --apply leaves
every file compiling and changes nothing but the proposed lines, --review agrees with --json; and
one run with the real model (three files, two worker processes)."""

from __future__ import annotations

import ast
import collections
import py_compile
import shutil
import subprocess
from pathlib import Path

import pytest
from batch_cli import run_suggest, run_suggest_together

from eval.corpus.sources import project_tree

PROJECT, VERSION = "waitress", "3.0.2"


def compiles(path: Path) -> bool:
    try:
        py_compile.compile(str(path), cfile=str(path) + ".pyc-check", doraise=True)
        return True
    except py_compile.PyCompileError:
        return False
    finally:
        Path(str(path) + ".pyc-check").unlink(missing_ok=True)


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Path:
    """The unpacked sdist, copied out of the shared cache (tests change their copies)."""
    tree = project_tree(PROJECT, VERSION)
    (top,) = [p for p in tree.iterdir() if p.is_dir()]
    copy = tmp_path_factory.mktemp("sdist") / top.name
    shutil.copytree(top, copy)
    return copy


@pytest.fixture(scope="module")
def template_run(pristine, tmp_path_factory):
    """--no-model runs over the whole project, at the same time: JSON Lines and the review document,
    the diff, and --apply on a copy. Returns the listing, the review, the diff and the applied copy."""
    review = tmp_path_factory.mktemp("review") / "review.md"
    applied = tmp_path_factory.mktemp("applied") / pristine.name
    shutil.copytree(pristine, applied)
    with pytest.MonkeyPatch.context() as patch:  # the backups --apply makes: never in the user's home
        patch.setenv("LOGSMITH_HOME", str(tmp_path_factory.mktemp("logsmith-home")))
        listing, diff, apply = run_suggest_together(
            (("--no-model", "--include-tests", "--json", "--review", review, "."), pristine),
            (("--no-model", "--include-tests", "--diff", "-q", "."), pristine),
            (("--no-model", "--include-tests", "--apply", "-q", "."), applied))
    for run in (listing, diff, apply):
        assert run.returncode == 0, run.stderr
    return listing, review.read_text(encoding="utf-8"), diff.stdout_bytes, applied


def python_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.py") if p.is_file())


def test_the_project_is_real_and_gives_many_suggestions(pristine, template_run):
    listing, _, _, _ = template_run
    records = listing.json_lines()
    assert 20 <= len(python_files(pristine)) <= 80
    assert len(records) >= 20
    assert len({r["rule"] for r in records}) >= 3
    assert len({r["file"] for r in records}) >= 8


def test_diff_passes_git_apply_check_and_equals_apply(pristine, template_run, tmp_path):
    _, _, patch_bytes, applied = template_run
    patch = tmp_path / "suggestions.patch"
    patch.write_bytes(patch_bytes)
    check = subprocess.run(["git", "apply", "--check", str(patch)], cwd=pristine, capture_output=True, text=True)
    assert check.returncode == 0, check.stderr

    patched = tmp_path / "patched"
    shutil.copytree(pristine, patched)
    subprocess.run(["git", "apply", str(patch)], cwd=patched, check=True)
    for path in python_files(patched):
        assert (applied / path.relative_to(patched)).read_bytes() == path.read_bytes(), path


def test_after_apply_every_file_compiles_and_only_the_proposed_lines_were_added(pristine, template_run):
    listing, _, _, applied = template_run
    records = listing.json_lines()

    expected: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for record in records:
        expected[record["file"]][record["text"].rstrip("\r\n")] += 1
    setup: dict[str, set] = collections.defaultdict(set)
    for record in records:
        for edit in record["additional_edits"]:
            setup[record["file"]].add((edit["range"]["start"]["line"], edit["new_text"]))
    for file, edits in setup.items():
        for _, text in edits:
            for line in text.split("\n")[:-1]:
                expected[file][line] += 1

    before_files = {p.relative_to(pristine).as_posix() for p in python_files(pristine)}
    after_files = {p.relative_to(applied).as_posix() for p in python_files(applied)}
    assert after_files == before_files
    for name in sorted(before_files):
        before, after = pristine / name, applied / name
        if compiles(before):
            assert compiles(after), name
        old = before.read_text(encoding="utf-8").split("\n")
        new = after.read_text(encoding="utf-8").split("\n")
        added, at = collections.Counter(), 0
        for line in new:
            if at < len(old) and line == old[at]:
                at += 1
            else:
                added[line.rstrip("\r")] += 1
        assert at == len(old), f"{name}: an original line was changed or removed"
        assert added == expected.get(name, collections.Counter()), name


def test_review_counts_match_json_on_the_real_project(template_run):
    listing, review, _, _ = template_run
    records = listing.json_lines()
    summary_table = review.split("## Summary", 1)[1].split("\n\n", 2)[1]
    counts = {row.split("|")[1].strip(): row.split("|")[2].strip() for row in summary_table.splitlines()[2:]}
    assert int(counts["suggestions"]) == len(records)
    assert int(counts["files with suggestions"]) == len({r["file"] for r in records})
    assert len([line for line in review.splitlines() if line.startswith("### ")]) == len(records)
    by_rule = collections.Counter(r["rule"] for r in records)
    for rule, count in by_rule.items():
        assert f"| {rule} | {count} |" in review
    for record in records:
        assert record["statement"] in review
    assert review.count("```") % 2 == 0


def test_a_real_model_run_on_three_files_with_two_workers(pristine, default_model_path, tmp_path):
    copy = tmp_path / "model-run"
    shutil.copytree(pristine, copy)
    files = ["src/waitress/__init__.py", "src/waitress/adjustments.py", "src/waitress/utilities.py"]
    review = tmp_path / "review.md"
    # without the project index, whose adapted statements would rank before the model's
    run = run_suggest("--model", default_model_path, "--no-project-index", "--jobs", "2", "--budget-ms", "30000", "--json", "--apply",
                      "--review", review, *files, cwd=copy, timeout=600)
    assert run.returncode == 0, run.stderr
    records = run.json_lines()
    assert len(records) >= 3
    by_model = [r for r in records if r["source"] not in ("template", "neighbour")]
    assert len(by_model) >= len(records) // 2, [(r["source"], r["notes"]) for r in records]
    for record in records:
        call = ast.parse(record["statement"]).body[0].value
        assert isinstance(call, ast.Call) and call.func.attr in ("debug", "info", "warning", "error", "exception", "critical")
        assert record["text"].strip() == record["statement"]
    for name in files:
        assert compiles(copy / name), name
        text = (copy / name).read_text(encoding="utf-8")
        for record in records:
            if record["file"] == name:
                assert record["text"] in text
    document = review.read_text(encoding="utf-8")
    assert by_model[0]["source"] in document and f"**{len(records)}** log statements" in document
