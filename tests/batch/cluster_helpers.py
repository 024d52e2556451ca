"""Helpers for the cluster tests: a tree of two projects, the tasks `logsmith suggest` would give a
cluster for it, and what a worker does in the tests that kill one (imported by the workers
themselves, which the cluster fixtures start with this folder on PYTHONPATH)."""

from __future__ import annotations

import io
import json
import os
import shutil
import signal
import socket
import time
from pathlib import Path

from batch_cli import SAMPLE, tested_package_env, write_tree

from logsmith.batch.analyse import Task
from logsmith.batch.formats.jsonl import write_json_lines
from logsmith.batch.shards import analyse_shard
from logsmith.settings import Settings
from logsmith.workspace.files import discover

HERE = Path(__file__).resolve().parent
INVENTORY = HERE.parents[1] / "examples" / "inventory"
WAIT_S = 240
"""Longest a test waits for a worker to reach a point (a busy machine, a model loading)."""

SECOND = {
    **{name: text for name, text in SAMPLE.items() if not name.startswith("vendor/")},
    "sample/fetch.py": (
        "import urllib.request\n"
        "\n"
        "\n"
        "def fetch(url, retries=3):\n"
        "    for attempt in range(retries):\n"
        "        try:\n"
        "            return urllib.request.urlopen(url).read()\n"
        "        except OSError:\n"
        "            continue\n"
        "    return None\n"
    ),
}


def organisation(root: Path) -> list[Path]:
    """Two repositories side by side: a copy of examples/inventory and a generated one."""
    inventory = root / "inventory"
    shutil.copytree(INVENTORY, inventory, ignore=shutil.ignore_patterns("__pycache__", ".*"))
    second = write_tree(root / "sample", SECOND)
    return [inventory, second]


def cluster_env() -> dict[str, str]:
    """The environment of the cluster's processes: the tested logsmith and this folder importable."""
    env = tested_package_env()
    env["PYTHONPATH"] = os.pathsep.join([str(HERE), env["PYTHONPATH"]])
    return env


def tasks_for(paths: list[Path], settings: dict | None = None) -> list[Task]:
    """The tasks `logsmith suggest PATHS --no-model` gives the runner (project index on)."""
    found = discover([str(p) for p in paths], {"use_model": False, **(settings or {})})
    return [
        Task(str(t.path), t.display, str(t.project.root), t.project.settings, t.project.settings.rules)
        for t in found.targets
    ]


def json_lines(results) -> list[dict]:
    """The file results as `--json` prints them, without the timings."""
    out = io.StringIO()
    write_json_lines(results, out)
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    for row in rows:
        row.pop("latency_ms", None)
    return rows


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(path: Path, what: str, timeout: float = WAIT_S) -> None:
    """Wait until a worker has written `path` (a condition, not a guess at how long it takes)."""
    deadline = time.monotonic() + timeout
    while not path.exists():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: {path} never appeared")
        time.sleep(0.05)


def held_until_killed(folder: str, shard):
    """The first attempt of shard 1 writes its worker's pid and waits there to be killed; every
    other attempt, and every other shard, analyses as usual."""
    marker = Path(folder) / "held.pid"
    if shard.number == 0 and not marker.exists():
        marker.write_text(str(os.getpid()))
        while True:
            time.sleep(0.05)
    return analyse_shard(shard)


def kills_its_worker(folder: str, shard):
    """Shard 1 kills the worker running it, each time it is tried (once the other shard is done,
    so that no other shard shares its fate); the other shard analyses as usual."""
    done = Path(folder) / "other.done"
    if shard.number != 0:
        result = analyse_shard(shard)
        done.write_text(str(os.getpid()))
        return result
    wait_for(done, "the other shard")
    with open(Path(folder) / "killed.pids", "a") as killed:
        killed.write(f"{os.getpid()}\n")
    os.kill(os.getpid(), signal.SIGKILL)
    return None


def processes_mentioning(text: str) -> list[int]:
    """Pids of the processes whose command line contains `text`, and of their descendants."""
    found, parents = set(), {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parents[int(entry.name)] = int(stat[stat.rfind(")") + 2 :].split()[1])
        if text in command:
            found.add(int(entry.name))
    grew = True
    while grew:
        below = {pid for pid, parent in parents.items() if parent in found} - found
        found |= below
        grew = bool(below)
    return sorted(found)
