"""The logic around a cluster run, without a cluster: shards, the retry-once bookkeeping, what the
summary says, the arguments; that dask and ray are imported only when asked for; and a missing
package, which leaves the run to local processes."""

from __future__ import annotations

import subprocess
import sys

import batch_cli
from batch_cli import run_suggest, write_tree
from cluster_helpers import SECOND, free_port, organisation, tasks_for

from logsmith.batch.cluster.outcome import Attempts, ClusterReport
from logsmith.batch.shards import split


def test_shards_keep_each_project_apart_and_cut_a_large_one(tmp_path):
    tasks = tasks_for(organisation(tmp_path))
    roots = [task.root for task in tasks]
    shards = split(tasks, "run", size=2)
    assert all(len({task.root for task in shard.tasks}) == 1 for shard in shards)
    assert all(1 <= len(shard.tasks) <= 2 for shard in shards)
    assert sorted(p for shard in shards for p in shard.positions) == list(range(len(tasks)))
    assert [tasks[p] for shard in shards for p in shard.positions] == [
        task for root in dict.fromkeys(roots) for task in tasks if task.root == root
    ]
    assert [len(s.tasks) for s in split(tasks, "run")] == [roots.count(r) for r in dict.fromkeys(roots)]
    assert shards[0].label.startswith("shard 1 (") and "more files" in shards[0].label


def test_an_item_is_retried_once_then_lost():
    report = ClusterReport("dask", "a local Dask cluster", workers=2, start_seconds=1.5)
    attempts = Attempts(2, ["shard 1 (a.py)", "shard 2 (b.py)"], report)
    attempts.started(0)
    attempts.started(1)
    assert attempts.failed(0, RuntimeError("worker lost\ndetails")) is True
    attempts.started(0)
    assert attempts.failed(0, RuntimeError("worker lost again")) is False
    attempts.done(1, "value")
    lost, done = attempts.finished()
    assert (lost.lost, lost.attempts, lost.error) == (True, 2, "RuntimeError: worker lost again")
    assert (done.lost, done.value, done.attempts) == (False, "value", 1)
    assert report.lines() == [
        "ran on a local Dask cluster: 2 workers, ready in 1.5 s",
        "retried once: shard 1 (a.py) (RuntimeError: worker lost)",
        "LOST after 2 attempts: shard 1 (a.py) (RuntimeError: worker lost again)",
    ]


def test_an_address_alone_means_dask_and_an_address_with_local_is_a_bad_argument(tmp_path):
    project = write_tree(tmp_path / "p", SECOND)
    address = f"tcp://127.0.0.1:{free_port()}"
    run = run_suggest("--no-model", "--address", address, ".", cwd=project)
    assert run.returncode == 0 and f"cluster: dask: cannot reach the Dask scheduler at {address}" in run.stderr
    run = run_suggest("--no-model", "--executor", "local", "--address", address, ".", cwd=project)
    assert run.returncode == 2 and "--address needs a cluster: --executor dask or ray" in run.stderr


def test_dask_and_ray_are_imported_only_on_a_cluster_run():
    code = (
        "import sys, logsmith.cli, logsmith.batch.command, logsmith.batch.runner, logsmith.server.main\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed', 'ray')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=batch_cli.tested_package_env(), timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_a_missing_package_leaves_the_run_to_local_processes(tmp_path):
    # a `distributed` that cannot be imported stands first on the path, as when it is not installed
    write_tree(tmp_path / "shadow", {"distributed/__init__.py": "raise ImportError('No module named distributed')\n"})
    project = write_tree(tmp_path / "p", SECOND)
    env = batch_cli.tested_package_env()
    env["PYTHONPATH"] = f"{tmp_path / 'shadow'}:{env['PYTHONPATH']}"
    done = subprocess.run([sys.executable, "-m", "logsmith.cli", "suggest", "--no-model", "--json",
                           "--executor", "dask", "."], cwd=project, capture_output=True, text=True,
                          env=env, timeout=300)
    local = run_suggest("--no-model", "--json", ".", cwd=project)
    assert done.returncode == 0, done.stderr
    assert "cluster: dask: dask is not installed (ImportError: No module named distributed; " \
           "pip install 'logsmith[cluster]'); ran locally instead (2 processes)" in done.stderr
    strip = lambda text: [line.split('"latency_ms"')[0] for line in text.splitlines()]  # noqa: E731
    assert strip(done.stdout) == strip(local.stdout) and done.stdout.strip()
