"""Items on a Dask cluster: a `LocalCluster` of worker processes started for the run, or the
scheduler at `--address`. Each worker runs `prepare()` once, through a `WorkerPlugin` registered
by this client (a worker that joins or is restarted later runs it too); each item is one Dask task.
A task whose worker dies is given up by the scheduler of the local cluster at once
(`allowed-failures` 0), so that it is retried here exactly once, on any worker; a scheduler given
by `--address` keeps its own `allowed-failures` setting, and its retries come before this one.
"""

from __future__ import annotations

import asyncio
import logging
import time
import urllib.parse
import uuid
from collections.abc import Callable
from typing import Any

import dask
from distributed import Client, LocalCluster, WorkerPlugin, as_completed

from logsmith.batch.cluster.outcome import (
    Attempts,
    ClusterReport,
    ClusterUnavailable,
    Outcome,
    check_reachable,
    describe_error,
)

CONNECT_TIMEOUT_S = 10
"""How long a scheduler at `--address` gets to answer, and to have a worker."""


class Prepare(WorkerPlugin):
    """Runs `prepare()` once in each worker process, off its event loop (it may take a while:
    loading a model)."""

    name = "logsmith-prepare"

    def __init__(self, prepare: Callable[[], None]):
        self.prepare = prepare

    async def setup(self, worker):
        await asyncio.to_thread(self.prepare)


def start_local_cluster(workers: int) -> LocalCluster:
    """A scheduler in this process and `workers` worker processes of one thread; a task whose
    worker dies fails at once (to be retried by `run`, once)."""
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        return LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        )


def _connect(address: str | None, workers: int) -> tuple[Client, LocalCluster | None, str]:
    if address is None:
        try:
            cluster = start_local_cluster(workers)
        except Exception as exc:  # ports, process limits: the run goes local and says why
            raise ClusterUnavailable(
                f"cannot start a local Dask cluster ({describe_error(exc)})"
            ) from exc
        return Client(cluster), cluster, "a local Dask cluster"
    where = urllib.parse.urlsplit(address if "://" in address else f"tcp://{address}")
    try:
        host, port = where.hostname, where.port
    except ValueError:  # a port that is not a number: the client says what is wrong below
        host, port = None, None
    if host and port:
        check_reachable(host, port, f"the Dask scheduler at {address}", CONNECT_TIMEOUT_S)
    try:
        client = Client(address, timeout=CONNECT_TIMEOUT_S)
    except (OSError, TimeoutError, ValueError) as exc:
        raise ClusterUnavailable(
            f"cannot reach the Dask scheduler at {address} ({describe_error(exc)})"
        ) from exc
    try:
        client.wait_for_workers(1, timeout=CONNECT_TIMEOUT_S)
    except (OSError, TimeoutError) as exc:
        client.close()
        raise ClusterUnavailable(
            f"the Dask scheduler at {address} has no worker ({describe_error(exc)})"
        ) from exc
    return client, None, f"the Dask scheduler at {address}"


def run(
    address: str | None,
    items: list[Any],
    work: Callable[[Any], Any],
    prepare: Callable[[], None] | None,
    workers: int,
    labels: list[str],
    on_done: Callable[[Outcome], None] | None,
) -> tuple[list[Outcome], ClusterReport]:
    started = time.perf_counter()
    client, cluster, where = _connect(address, workers)
    report = ClusterReport("dask", where)
    attempts = Attempts(len(items), labels, report)
    run_id = uuid.uuid4().hex[:8]
    try:
        if prepare is not None:
            try:
                client.register_plugin(Prepare(prepare))
            except Exception as exc:  # the work itself says what it lacks (e.g. a model note)
                report.prepare_errors.append(describe_error(exc))
        report.workers = len(client.scheduler_info()["workers"])
        report.start_seconds = time.perf_counter() - started

        def submit(item: int):
            attempt = attempts.started(item)
            key = f"logsmith-{run_id}-{item}-{attempt}"
            return client.submit(work, items[item], key=key, pure=False, retries=0)

        which = {}
        pending = as_completed()
        for item in range(len(items)):
            future = submit(item)
            which[future.key] = item
            pending.add(future)
        for future in pending:
            item = which.pop(future.key)
            try:
                value = future.result()
            except Exception as exc:  # a lost worker (KilledWorker) or an error in the work
                if attempts.failed(item, exc):
                    again = submit(item)
                    which[again.key] = item
                    pending.add(again)
                continue
            finally:
                future.release()
            outcome = attempts.done(item, value)
            if on_done is not None:
                on_done(outcome)
        return attempts.finished(), report
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
