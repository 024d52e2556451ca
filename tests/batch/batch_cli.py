"""Helpers for batch-mode tests: run the real `logsmith suggest` command; a small sample project."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

SAMPLE = {
    "pyproject.toml": '[project]\nname = "sample"\n\n[tool.logsmith]\nexclude = ["vendor/"]\n',
    "sample/__init__.py": "",
    "sample/io.py": (
        "import json\n"
        "\n"
        "\n"
        "def load(path):\n"
        "    with open(path) as handle:\n"
        "        return json.load(handle)\n"
        "\n"
        "\n"
        "def parse(raw):\n"
        "    try:\n"
        "        return int(raw)\n"
        "    except ValueError:\n"
        "        return 0\n"
    ),
    "sample/clean.py": "def add(a, b):\n    return a + b\n",
    "sample/broken.py": "def broken(:\n    pass\n",
    "vendor/lib.py": "def parse(raw):\n    try:\n        return int(raw)\n    except ValueError:\n        return 0\n",
}


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str
    stdout_bytes: bytes

    def json_lines(self) -> list[dict]:
        return [json.loads(line) for line in self.stdout.splitlines() if line.strip()]


def tested_package_env() -> dict[str, str]:
    """The environment with the logsmith package these tests import first on PYTHONPATH, so the
    command run in another folder is the code under test (a work tree's, not another checkout's)."""
    import logsmith

    package_root = str(Path(logsmith.__file__).resolve().parents[1])
    path = [package_root, *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(path)}


def run_suggest(*args, cwd: Path, timeout: float = 300) -> Run:
    """`logsmith suggest ARGS` in a subprocess, as a user runs it."""
    done = subprocess.run([sys.executable, "-m", "logsmith.cli", "suggest", *map(str, args)], cwd=cwd,
                          capture_output=True, timeout=timeout, env=tested_package_env())
    return Run(done.returncode, done.stdout.decode("utf-8", "replace"), done.stderr.decode("utf-8", "replace"), done.stdout)


def run_suggest_together(*runs: tuple[tuple, Path], timeout: float = 300) -> list[Run]:
    """Independent `logsmith suggest` runs, each given as (ARGS, cwd), at the same time (each in its own
    process, as `run_suggest` runs it); their results in the same order. For runs that neither read
    what another writes nor write the same files."""
    with ThreadPoolExecutor(len(runs)) as pool:
        return list(pool.map(lambda run: run_suggest(*run[0], cwd=run[1], timeout=timeout), runs))


def write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root
