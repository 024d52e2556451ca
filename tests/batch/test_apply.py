"""`--apply` and `--diff` keep every byte they do not add: encodings, BOM, CRLF, tabs; they write only
files that are unchanged since read, that still parse, that git has no uncommitted change for
(unless --force, with a backup), and never through a symlink out of the project root."""

from __future__ import annotations

import dataclasses
import os
import py_compile
import subprocess

from batch_cli import run_suggest, run_suggest_together, write_tree

from logsmith.batch.analyse import Task, analyse
from logsmith.batch.apply import apply_changes
from logsmith.batch.changes import plan_change
from logsmith.settings import Settings
from logsmith.suggestion import TextEdit

HANDLER = "def parse(raw):\n{i}try:\n{i}{i}return int(raw)\n{i}except ValueError:\n{i}{i}return 0\n"
FILES = {
    "pyproject.toml": "",
    "crlf.py": HANDLER.format(i="    ").replace("\n", "\r\n").encode(),
    "tabs.py": HANDLER.format(i="\t").encode(),
    "bom.py": ("# Grüße\n" + HANDLER.format(i="    ")).replace("\n", "\r\n").encode("utf-8-sig"),
    "latin.py": ("# -*- coding: latin-1 -*-\n# Müller\n" + HANDLER.format(i="  ")).encode("latin-1"),
    "no_newline.py": HANDLER.format(i="    ").rstrip("\n").encode(),
    "script.py": ("#!/usr/bin/env python3\n" + HANDLER.format(i="    ")).encode(),
}


def added_lines(before: bytes, after: bytes, newline: bytes) -> list[bytes]:
    """The lines of `after` that are not in `before`, checking that `before`'s lines all remain, in order."""
    bom = b"\xef\xbb\xbf"
    old, new = before.removeprefix(bom).split(newline), after.removeprefix(bom).split(newline)
    added, at = [], 0
    for line in new:
        if at < len(old) and line == old[at]:
            at += 1
        else:
            added.append(line)
    assert at == len(old), "a line of the original was changed or removed"
    return added


def test_apply_keeps_encoding_bom_line_endings_and_indentation(tmp_path):
    root = write_tree(tmp_path / "p", FILES)
    run = run_suggest("--no-model", "--apply", ".", cwd=root)
    assert run.returncode == 0, run.stderr
    assert "applied: 6 files written, 0 not written" in run.stderr
    for name, before in FILES.items():
        if not name.endswith(".py"):
            continue
        after = (root / name).read_bytes()
        py_compile.compile(str(root / name), doraise=True)
        newline = b"\r\n" if b"\r\n" in before else b"\n"
        added = [line for line in added_lines(before, after, newline) if line.strip()]
        assert any(b"logger." in line for line in added), name
        if newline == b"\r\n":
            assert after.count(b"\n") == after.count(b"\r\n"), f"{name}: a new line lost its CRLF"
        statement = next(line for line in added if b"logger." in line)
        indent = statement[: len(statement) - len(statement.lstrip())]
        assert indent == {"tabs.py": b"\t\t", "latin.py": b"    "}.get(name, b"        "), name
    assert (root / "bom.py").read_bytes().startswith(b"\xef\xbb\xbf") and (root / "bom.py").read_bytes().count(b"\xef\xbb\xbf") == 1
    assert (root / "latin.py").read_bytes().startswith(b"# -*- coding: latin-1 -*-\n")  # the cookie stays on line 1
    assert "Müller".encode("latin-1") in (root / "latin.py").read_bytes()
    assert (root / "script.py").read_bytes().startswith(b"#!/usr/bin/env python3\nimport logging\n")
    assert not (root / "no_newline.py").read_bytes().endswith(b"\n")


def test_diff_applies_with_git_apply_on_the_same_files(tmp_path):
    root, fresh = write_tree(tmp_path / "p", FILES), write_tree(tmp_path / "q", FILES)
    run, fresh_run = run_suggest_together((("--no-model", "--diff", "-q", "."), root),
                                          (("--no-model", "--apply", "-q", "."), fresh))
    assert run.returncode == 0 and run.stdout_bytes.count(b"+++ b/") == 6
    patch = tmp_path / "change.patch"
    patch.write_bytes(run.stdout_bytes)
    check = subprocess.run(["git", "apply", "--check", "-v", str(patch)], cwd=root, capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    subprocess.run(["git", "apply", str(patch)], cwd=root, check=True)
    applied = {name: (root / name).read_bytes() for name in FILES if name.endswith(".py")}
    assert fresh_run.returncode == 0
    assert {name: (fresh / name).read_bytes() for name in applied} == applied


def _analysed(root, name):
    task = Task(str(root / name), name, str(root), Settings(use_model=False), ())
    result = analyse(task)
    assert result.proposals, result
    return result


def test_a_file_changed_between_read_and_apply_is_not_written(tmp_path):
    root = write_tree(tmp_path / "p", FILES)
    result = _analysed(root, "tabs.py")
    edited = b"# edited by someone else meanwhile\n" + FILES["tabs.py"]
    (root / "tabs.py").write_bytes(edited)
    (outcome,) = apply_changes([plan_change(result)])
    assert not outcome.written and outcome.reason == "not written: the file changed since it was read"
    assert (root / "tabs.py").read_bytes() == edited


def test_a_result_that_would_not_parse_is_not_written(tmp_path):
    root = write_tree(tmp_path / "p", FILES)
    result = _analysed(root, "tabs.py")
    proposal = result.proposals[0]
    broken = dataclasses.replace(proposal.suggestion, edit=TextEdit(proposal.finding.line, 0, proposal.finding.line, 0, "logger.info(\n"))
    change = plan_change(dataclasses.replace(result, proposals=(dataclasses.replace(proposal, suggestion=broken),)))
    assert not change.ok and "would not parse" in change.problem
    (outcome,) = apply_changes([change])
    assert not outcome.written and (root / "tabs.py").read_bytes() == FILES["tabs.py"]


def git(root, *args):
    subprocess.run(["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@example.com", *args], check=True, capture_output=True)


def test_in_git_dirty_files_need_force_and_are_backed_up(tmp_path, private_home):
    root = write_tree(tmp_path / "repo", {"pyproject.toml": "", "clean.py": FILES["tabs.py"], "dirty.py": FILES["tabs.py"]})
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "start")
    (root / "dirty.py").write_bytes(FILES["tabs.py"] + b"\n# work in progress\n")
    (root / "new.py").write_bytes(FILES["tabs.py"])

    run = run_suggest("--no-model", "--apply", ".", cwd=root)
    assert run.returncode == 1
    assert "dirty.py: not written: uncommitted changes in git (M)" in run.stderr
    assert "new.py: not written: uncommitted changes in git (??)" in run.stderr
    assert b"logger" in (root / "clean.py").read_bytes()
    assert b"logger" not in (root / "dirty.py").read_bytes()
    assert not (private_home / "backups").exists()  # git holds the clean file's old version

    forced = run_suggest("--no-model", "--apply", "--force", ".", cwd=root)
    assert forced.returncode == 0, forced.stderr
    assert b"logger" in (root / "dirty.py").read_bytes()
    backups = sorted(p.relative_to(private_home / "backups").parts[1:] for p in (private_home / "backups").rglob("*.py"))
    assert backups == [("repo", "dirty.py"), ("repo", "new.py")]


def test_outside_git_every_written_file_is_backed_up_first(tmp_path, private_home):
    root = write_tree(tmp_path / "plain", {"pyproject.toml": "", "a.py": FILES["tabs.py"]})
    assert run_suggest("--no-model", "--apply", "-q", ".", cwd=root).returncode == 0
    (backup,) = (private_home / "backups").rglob("a.py")
    assert backup.read_bytes() == FILES["tabs.py"] and b"logger" in (root / "a.py").read_bytes()


def test_never_writes_through_a_symlink_out_of_the_root(tmp_path):
    outside = write_tree(tmp_path / "outside", {"target.py": FILES["tabs.py"]})
    root = write_tree(tmp_path / "project", {"pyproject.toml": "", "own.py": FILES["tabs.py"]})
    os.symlink(outside / "target.py", root / "link.py")
    for paths in (["."], ["link.py"]):
        run = run_suggest("--no-model", "--apply", *paths, cwd=root)
        assert "link.py: skipped: symlink to a file outside the project root" in run.stderr
        assert (outside / "target.py").read_bytes() == FILES["tabs.py"]
    assert b"logger" in (root / "own.py").read_bytes()
