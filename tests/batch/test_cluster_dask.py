"""`logsmith suggest --executor dask` on real Dask clusters: one started by the command (no
--address), one started here for the module (2 worker processes) and reached by its address; a
worker killed mid-run; a shard whose worker dies twice; an address where no scheduler answers."""

from __future__ import annotations

import functools
import os
import re
import signal
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
def scheduler():
    """A Dask cluster of 2 worker processes for the module (as the command starts one), whose
    workers import the tested logsmith and the test helpers; its scheduler's address."""
    from logsmith.batch.cluster.dask_executor import start_local_cluster

    with pytest.MonkeyPatch.context() as patch:
        for name, value in cluster_env().items():
            patch.setenv(name, value)
        cluster = start_local_cluster(2)
    try:
        yield cluster.scheduler_address
    finally:
        cluster.close()


def test_a_local_dask_cluster_gives_the_same_output_as_a_local_run(org, local_json):
    run = run_suggest("--no-model", "--json", "--executor", "dask", *org, cwd=org[0].parent)
    assert run.returncode == 0, run.stderr
    rows = run.json_lines()
    for row in rows:
        row.pop("latency_ms")
    assert rows == local_json
    assert "cluster: ran on a local Dask cluster: 2 workers" in run.stderr
    assert re.search(r"cluster: worker \S+:\d+: \d+ shards?, model loaded 0 times", run.stderr)


def test_a_worker_killed_mid_run_is_retried_once_and_the_run_completes(
    org, local_rows, scheduler, tmp_path
):
    tasks = tasks_for(org)
    shards = split(tasks, "killed-mid-run")
    assert len(shards) == 2
    ran = {}
    thread = threading.Thread(
        target=lambda: ran.update(
            run=run_on_cluster(
                tasks,
                "dask",
                scheduler,
                2,
                work=functools.partial(held_until_killed, str(tmp_path)),
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
    assert any(line.startswith("retried once: shard 1 (") for line in run.lines), run.lines
    assert not any("LOST" in line for line in run.lines), run.lines
    assert json_lines(run.results) == local_rows


def test_a_shard_whose_worker_dies_twice_is_reported_lost_and_the_rest_completes(
    org, local_rows, scheduler, tmp_path
):
    tasks = tasks_for(org)
    shards = split(tasks, "dies-twice")
    outcomes, report = run_items(
        "dask",
        scheduler,
        shards,
        functools.partial(kills_its_worker, str(tmp_path)),
        None,
        2,
        [shard.label for shard in shards],
    )
    assert [outcome.lost for outcome in outcomes] == [True, False]
    assert outcomes[0].attempts == 2 and "KilledWorker" in (outcomes[0].error or "")
    assert len((tmp_path / "killed.pids").read_text().split()) == 2
    assert len(report.retried) == 1 and len(report.lost) == 1
    assert report.lost[0].startswith(shards[0].label)
    expected = [row for row in local_rows if row["file"] not in {t.display for t in shards[0].tasks}]
    assert json_lines(outcomes[1].value.results) == expected


def test_files_of_a_lost_shard_are_reported_not_analysed(org, scheduler, tmp_path):
    tasks = tasks_for(org)
    run = run_on_cluster(
        tasks, "dask", scheduler, 2, work=functools.partial(kills_its_worker, str(tmp_path))
    )
    first = split(tasks, "again")[0]
    assert run.lost == len(first.tasks)
    lost = [r for r in run.results if r.skipped and "lost on the cluster" in r.skipped]
    assert [r.display for r in lost] == [t.display for t in first.tasks]
    assert any(line.startswith("LOST after 2 attempts: shard 1 (") for line in run.lines)


def test_an_address_where_no_scheduler_answers_falls_back_to_a_local_run(org, local_json):
    address = f"tcp://127.0.0.1:{free_port()}"
    run = run_suggest("--no-model", "--json", "--executor", "dask", "--address", address, *org,
                      cwd=org[0].parent)
    assert run.returncode == 0, run.stderr
    assert f"cannot reach the Dask scheduler at {address}" in run.stderr
    assert "ran locally instead (2 processes)" in run.stderr
    rows = run.json_lines()
    for row in rows:
        row.pop("latency_ms")
    assert rows == local_json


def test_the_real_model_is_loaded_once_per_worker(org, scheduler, default_model_path):
    run = run_suggest("--model", default_model_path, "--no-project-index", "--budget-ms", "120000",
                      "--json", "--executor", "dask", "--address", scheduler, org[1], cwd=org[1],
                      timeout=900)
    assert run.returncode == 0, run.stderr
    workers = re.findall(r"cluster: worker (\S+:\d+): \d+ shards?, model loaded (\d+) times?",
                         run.stderr)
    assert workers and all(loads == "1" for _, loads in workers), run.stderr
    rows = run.json_lines()
    assert rows and any(row["source"] not in ("template", "neighbour") for row in rows), rows
    # a second run on the same workers does not load it again
    again = run_suggest("--model", default_model_path, "--no-project-index", "--budget-ms",
                        "120000", "--json", "--executor", "dask", "--address", scheduler, org[1],
                        cwd=org[1], timeout=900)
    assert again.returncode == 0, again.stderr
    assert re.findall(r"model loaded (\d+) times?", again.stderr) == ["1"] * len(
        re.findall(r"model loaded", again.stderr)
    )
