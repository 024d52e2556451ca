"""Which files batch mode reads (.gitignore, excludes, virtualenvs, symlinks) and how it keeps a
file's bytes (encoding, BOM, CRLF, tabs, missing final newline) when it edits it."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from logsmith.batch.source_file import UnreadableSource, decode_source
from logsmith.suggestion import TextEdit
from logsmith.text_edits import EditConflict, apply_edits
from logsmith.workspace.files import discover
from logsmith.workspace.ignore_patterns import PatternSet, compile_patterns, excluded


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def walked(root: Path, *paths: str) -> list[str]:
    found = discover([str(root / p) for p in (paths or ("",))], cwd=root)
    return sorted(t.display for t in found.targets)


TREE = {
    "pyproject.toml": '[tool.logsmith]\nexclude = ["migrations/", "**/generated_*.py"]\n',
    ".gitignore": "build/\n*_pb2.py\n!keep_pb2.py\n",
    "app/main.py": "x = 1\n",
    "app/models_pb2.py": "x = 1\n",
    "app/keep_pb2.py": "x = 1\n",
    "app/generated_api.py": "x = 1\n",
    "app/notes.txt": "not python\n",
    "build/lib/app/main.py": "x = 1\n",
    "migrations/0001_initial.py": "x = 1\n",
    "venv/pyvenv.cfg": "home = /usr\n",
    "venv/lib/site.py": "x = 1\n",
    "app/__pycache__/main.cpython-311.py": "x = 1\n",
    "tools/sub/.gitignore": "local_*.py\n",
    "tools/sub/local_debug.py": "x = 1\n",
    "tools/sub/script.py": "x = 1\n",
}
EXPECTED = ["app/keep_pb2.py", "app/main.py", "tools/sub/script.py"]


def test_walk_outside_git_honours_gitignore_excludes_and_virtualenvs(tmp_path):
    write(tmp_path, TREE)
    assert walked(tmp_path) == EXPECTED


def test_walk_inside_git_gives_the_same_files(tmp_path):
    write(tmp_path, TREE)
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    assert walked(tmp_path) == EXPECTED


def test_a_file_named_on_the_command_line_is_always_read(tmp_path):
    write(tmp_path, TREE)
    assert walked(tmp_path, "migrations/0001_initial.py") == ["migrations/0001_initial.py"]


def test_a_subfolder_uses_the_excludes_of_its_project_root(tmp_path):
    write(tmp_path, TREE)
    assert walked(tmp_path, "app") == ["app/keep_pb2.py", "app/main.py"]


def test_test_files_are_left_out_unless_asked_for_or_named(tmp_path):
    write(tmp_path, {"pyproject.toml": "", "pkg/core.py": "", "pkg/test_core.py": "", "pkg/core_test.py": "",
                     "tests/helpers.py": "", "tests/conftest.py": "", "src/testing/util.py": "", "pkg/testimony.py": ""})
    found = discover([str(tmp_path)], cwd=tmp_path)
    assert sorted(t.display for t in found.targets) == ["pkg/core.py", "pkg/testimony.py"]
    assert found.test_files == 5
    everything = discover([str(tmp_path)], cwd=tmp_path, include_tests=True)
    assert len(everything.targets) == 7 and everything.test_files == 0
    assert walked(tmp_path, "tests") == ["tests/conftest.py", "tests/helpers.py"]
    assert walked(tmp_path, "pkg/test_core.py") == ["pkg/test_core.py"]


def test_missing_path_is_an_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope"):
        discover([str(tmp_path / "nope")])


def test_symlinks_out_of_the_root_are_skipped_and_linked_folders_not_followed(tmp_path):
    outside = tmp_path / "outside"
    project = tmp_path / "project"
    write(outside, {"secret.py": "x = 1\n", "pkg/mod.py": "x = 1\n"})
    write(project, {"pyproject.toml": "", "inside.py": "x = 1\n"})
    os.symlink(outside / "secret.py", project / "link.py")
    os.symlink(outside / "pkg", project / "pkg")
    os.symlink(project / "inside.py", project / "alias.py")
    found = discover([str(project)], cwd=project)
    assert [t.display for t in found.targets] == ["alias.py"]  # the same file as inside.py, read once
    assert [(p, r) for p, r in found.skipped if "outside the project root" in r] == [("link.py", "skipped: symlink to a file outside the project root")]


def test_exclude_patterns_follow_gitignore_syntax():
    patterns = PatternSet(compile_patterns(["tests/", "*.gen.py", "/top_only.py", "docs/**/conf.py"]))
    assert excluded(patterns, "tests/test_a.py")
    assert excluded(patterns, "src/tests/test_a.py")
    assert excluded(patterns, "src/a.gen.py")
    assert excluded(patterns, "top_only.py")
    assert not excluded(patterns, "src/top_only.py")
    assert excluded(patterns, "docs/source/en/conf.py")
    assert not excluded(patterns, "src/conf.py")


def test_decoding_keeps_bom_cookie_and_line_endings():
    bom = decode_source("x = 'é'\r\ny = 2\r\n".encode("utf-8-sig"))
    assert (bom.encoding, bom.newline, bom.text[:1]) == ("utf-8-sig", "\r\n", "x")
    assert bom.analysis_text == "x = 'é'\ny = 2\n"
    assert bom.encode(bom.text) == bom.raw

    latin = decode_source("# -*- coding: latin-1 -*-\nname = 'Müller'\n".encode("latin-1"))
    assert latin.encoding == "iso-8859-1" and "Müller" in latin.text
    assert latin.encode(latin.text) == latin.raw


@pytest.mark.parametrize("raw, reason", [
    (b"x = 1\0\n", "binary"),
    (b"x = '\xff'\n", "invalid or missing encoding declaration"),
    (b"x = 1\ny = 2\nz = '\xff'\n", "not valid utf-8"),
    (b"x = 1\ry = 2\n", "lone"),
    (b"# coding: klingon\nx = 1\n", "klingon"),
])
def test_unreadable_files_say_why(raw, reason):
    with pytest.raises(UnreadableSource, match=reason):
        decode_source(raw)


def test_oversized_file_is_skipped_with_its_size():
    with pytest.raises(UnreadableSource, match="over max_file_bytes"):
        decode_source(b"x = 1\n" * 100, max_bytes=50)


def test_edits_keep_crlf_tabs_and_a_missing_final_newline():
    text = "def f():\r\n\ttry:\r\n\t\tg()\r\n\texcept E:\r\n\t\tpass"
    edits = [TextEdit(4, 0, 4, 0, "\t\tlog.warning('x')\n"), TextEdit(0, 0, 0, 0, "import logging\n")]
    out = apply_edits(text, edits, "\r\n")
    assert out == "import logging\r\ndef f():\r\n\ttry:\r\n\t\tg()\r\n\texcept E:\r\n\t\tlog.warning('x')\r\n\t\tpass"


def test_same_position_insertions_keep_their_order_and_duplicates_count_once():
    text = "a\nb\n"
    setup = TextEdit(1, 0, 1, 0, "import logging\n")
    edits = [setup, TextEdit(1, 0, 1, 0, "log()\n"), setup]
    assert apply_edits(text, edits) == "a\nimport logging\nlog()\nb\n"


def test_overlapping_or_out_of_range_edits_are_refused():
    with pytest.raises(EditConflict):
        apply_edits("abc\n", [TextEdit(0, 0, 0, 2, "x"), TextEdit(0, 1, 0, 3, "y")])
    with pytest.raises(EditConflict):
        apply_edits("abc\n", [TextEdit(5, 0, 5, 0, "x")])
