"""`logsmith suggest --executor ray` on real Ray clusters: a local instance the command starts (no
--address), and a head node started here for the module (`ray start --head`, 2 CPUs) reached by its
address; an actor killed mid-run; a shard whose actor dies twice; an address where nothing
answers."""

from __future__ import annotations

import functools
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import pytest
from batch_cli import run_suggest
from cluster_helpers import (
    cluster_env,
    free_port,
    held_until_killed,
    json_lines,
    kills_its_worker,
    organisation,
    processes_mentioning,
    tasks_for,
    wait_for,
)

from logsmith.batch.cluster import run_items
from logsmith.batch.runner import run_on_cluster, run_tasks
from logsmith.batch.shards import split


@pytest.fixture(scope="module")
def org(tmp_path_factory) -> list[Path]:
    return organisation(tmp_path_factory.mktemp("org"))


@pytest.fixture(scope="module")
def local_json(org) -> list[dict]:
    run = run_suggest("--no-model", "--json", *org, cwd=org[0].parent)
    assert run.returncode == 0, run.stderr
    rows = run.json_lines()
    for row in rows:
        row.pop("latency_ms")
    assert len({row["file"] for row in rows}) >= 4, rows
    return rows


@pytest.fixture(scope="module")
def local_rows(org) -> list[dict]:
    """The same run in this process (paths shown as this process shows them)."""
    return json_lines(list(run_tasks(tasks_for(org))))


@pytest.fixture(scope="module")
def head():
    """A Ray head node of 2 CPUs for the module, in a folder of its own (so that its processes,
    which outlive `ray start`, are found and ended: never `ray stop`, which ends every Ray
    instance of the machine); its address."""
    folder = tempfile.mkdtemp(prefix="lsray-", dir="/tmp")
    port = free_port()
    ray = str(Path(sys.executable).with_name("ray"))
    env = {**cluster_env(), "RAY_AUTH_MODE": "disabled"}
    started = subprocess.run(
        [ray, "start", "--head", "--port", str(port), "--node-ip-address", "127.0.0.1",
         "--num-cpus", "2", "--include-dashboard=false", "--disable-usage-stats",
         "--temp-dir", folder],
        env=env, capture_output=True, text=True, timeout=300)
    try:
        assert started.returncode == 0, started.stderr
        yield f"127.0.0.1:{port}"
    finally:
        for pid in processes_mentioning(folder):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        shutil.rmtree(folder, ignore_errors=True)


def rows_of(run) -> list[dict]:
    rows = run.json_lines()
    for row in rows:
        row.pop("latency_ms")
    return rows


def test_a_local_ray_instance_gives_the_same_output_as_a_local_run(org, local_json):
    run = run_suggest("--no-model", "--json", "--executor", "ray", *org, cwd=org[0].parent)
    assert run.returncode == 0, run.stderr
    assert rows_of(run) == local_json
    assert "cluster: ran on a local Ray instance: 2 workers" in run.stderr
    assert re.search(r"cluster: worker \S+:\d+: \d+ shards?, model loaded 0 times", run.stderr)


def test_an_actor_killed_mid_run_is_retried_once_and_the_run_completes(
    org, local_rows, head, tmp_path
):
    tasks = tasks_for(org)
    assert len(split(tasks, "killed-mid-run")) == 2
    ran = {}
    thread = threading.Thread(
        target=lambda: ran.update(
            run=run_on_cluster(
                tasks, "ray", head, 2, work=functools.partial(held_until_killed, str(tmp_path))
            )
        )
    )
    thread.start()
    marker = tmp_path / "held.pid"
    wait_for(marker, "the held shard")
    os.kill(int(marker.read_text()), signal.SIGKILL)
    thread.join(timeout=600)
    run = ran["run"]
    assert run.lost == 0
    assert [line for line in run.lines if line.startswith("retried once:")] == [
        line for line in run.lines if line.startswith("retried once: shard 1 (")
    ] != []
    assert json_lines(run.results) == local_rows


def test_a_shard_whose_actor_dies_twice_is_reported_lost_and_the_rest_completes(
    org, local_rows, head, tmp_path
):
    tasks = tasks_for(org)
    shards = split(tasks, "dies-twice")
    outcomes, report = run_items(
        "ray",
        head,
        shards,
        functools.partial(kills_its_worker, str(tmp_path)),
        None,
        2,
        [shard.label for shard in shards],
    )
    assert [outcome.lost for outcome in outcomes] == [True, False]
    assert outcomes[0].attempts == 2 and "ActorDiedError" in (outcomes[0].error or "")
    assert len(set((tmp_path / "killed.pids").read_text().split())) == 2
    assert len(report.retried) == 1 and len(report.lost) == 1
    expected = [row for row in local_rows if row["file"] not in {t.display for t in shards[0].tasks}]
    assert json_lines(outcomes[1].value.results) == expected


def test_an_address_where_nothing_answers_falls_back_to_a_local_run(org, local_json):
    address = f"127.0.0.1:{free_port()}"
    run = run_suggest("--no-model", "--json", "--executor", "ray", "--address", address, *org,
                      cwd=org[0].parent)
    assert run.returncode == 0, run.stderr
    assert f"cannot reach the Ray cluster at {address}" in run.stderr
    assert "ran locally instead (2 processes)" in run.stderr
    assert rows_of(run) == local_json


def test_the_real_model_is_loaded_once_per_actor(org, head, default_model_path):
    run = run_suggest("--model", default_model_path, "--no-project-index", "--budget-ms", "120000",
                      "--json", "--executor", "ray", "--address", head, org[1], cwd=org[1],
                      timeout=900)
    assert run.returncode == 0, run.stderr
    assert f"cluster: ran on the Ray cluster at {head}: 1 worker" in run.stderr
    workers = re.findall(r"cluster: worker (\S+:\d+): \d+ shards?, model loaded (\d+) times?",
                         run.stderr)
    assert workers and all(loads == "1" for _, loads in workers), run.stderr
    rows = run.json_lines()
    assert rows and any(row["source"] not in ("template", "neighbour") for row in rows), rows
