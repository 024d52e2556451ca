"""Only what was asked is written (SECURITY.md "What logsmith writes").

The whole folder around a project (the project, a folder outside it that symlinks point into, and
LOGSMITH_HOME) is fingerprinted before and after real `logsmith suggest` runs: every file's bytes,
mode and mtime, and every symlink's target. A run changes exactly the files it was asked to change,
nothing through a symlink that leads out of the project, and leaves nothing behind but its backups.

Covered elsewhere (see SECURITY.md): refusing files with uncommitted git changes unless --force, and
the backups then (tests/batch/test_apply.py::test_in_git_dirty_files_need_force_and_are_backed_up);
the TCP mode binding 127.0.0.1 (tests/server/test_lsp_robustness.py::test_tcp_mode_binds_to_localhost).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

HANDLER = "def parse(raw):\n    try:\n        return int(raw)\n    except ValueError:\n        return 0\n"


def fingerprint(top: Path) -> dict[str, tuple]:
    """Every entry under `top` (symlinks not followed): file hash, mode and mtime, or link target."""
    found = {}
    for folder, folders, files in os.walk(top):
        for name in folders + files:
            path = Path(folder, name)
            relative = path.relative_to(top).as_posix()
            info = path.lstat()
            if path.is_symlink():
                found[relative] = ("link", os.readlink(path))
            elif path.is_file():
                found[relative] = ("file", hashlib.sha256(path.read_bytes()).hexdigest(), info.st_mode, info.st_mtime_ns)
            else:
                found[relative] = ("dir", info.st_mode)
    return found


def changes(before: dict, after: dict) -> dict[str, set[str]]:
    return {
        "added": set(after) - set(before),
        "removed": set(before) - set(after),
        "changed": {name for name in set(before) & set(after) if before[name] != after[name] and before[name][0] != "dir"},
    }


@pytest.fixture
def world(tmp_path):
    """tmp_path/project (with a pyproject), tmp_path/outside (reached through two symlinks), tmp_path/home."""
    files = {
        "project/pyproject.toml": "",
        "project/app/one.py": HANDLER,
        "project/app/two.py": HANDLER,
        "project/lib/three.py": HANDLER,
        "project/untouched.py": HANDLER,
        "outside/pkg/mod.py": HANDLER,
        "outside/solo.py": HANDLER,
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    os.symlink(tmp_path / "outside" / "pkg", tmp_path / "project" / "linked")  # a folder link out of the root
    os.symlink(tmp_path / "outside" / "solo.py", tmp_path / "project" / "app" / "link.py")  # a file link out
    (tmp_path / "home").mkdir()
    return tmp_path


def suggest(world: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "LOGSMITH_HOME": str(world / "home")}
    return subprocess.run([sys.executable, "-m", "logsmith.cli", "suggest", "--no-model", *args], cwd=world / "project",
                          env=env, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("args, written", [
    (["--apply", "app/one.py", "lib"], {"project/app/one.py", "project/lib/three.py"}),
    (["--apply", "app"], {"project/app/one.py", "project/app/two.py"}),
    (["--apply", "."], {"project/app/one.py", "project/app/two.py", "project/lib/three.py", "project/untouched.py"}),
    (["--apply", "linked", "app/link.py", "linked/mod.py"], set()),
    (["--diff", "."], set()),
    (["--json", "--check", "."], set()),
])
def test_a_run_writes_exactly_the_files_it_was_asked_to(world, args, written):
    before = fingerprint(world)
    done = suggest(world, *args)
    assert done.returncode in (0, 1), done.stderr
    after = fingerprint(world)
    delta = changes(before, after)
    assert delta["removed"] == set(), delta
    assert delta["changed"] == written, f"{args}: {done.stderr}"
    for name in written:
        assert "logger" in (world / name).read_text()
    # Nothing new outside LOGSMITH_HOME (no temporary file left next to a written one); inside it,
    # only the backups of the files written (this project is not in git, so every write is backed up).
    assert {name for name in delta["added"] if not name.startswith("home/")} == set(), delta["added"]
    backups = sorted(Path(name).name for name in delta["added"] if name.endswith(".py"))
    assert backups == sorted(Path(name).name for name in written)
    for name in delta["added"]:
        if name.endswith(".py"):
            assert (world / name).read_text() == HANDLER  # the backup holds the file as it was
    if "linked" in args:  # each link out of the root is named, with why it was not written
        assert "linked/mod.py: not written: a symlink that leads out of the project root" in done.stderr, done.stderr
        assert "app/link.py: skipped: symlink to a file outside the project root" in done.stderr, done.stderr
