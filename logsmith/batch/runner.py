"""Run `analyse` over every target, in this process (`--jobs 1`), in a process pool, or on a Dask
or Ray cluster (`--executor`, in shards: logsmith.batch.shards), giving the results in file order.
A cluster that cannot be started or reached leaves the run to the process pool, which says so."""

from __future__ import annotations

import concurrent.futures
import functools
import multiprocessing
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from logsmith.batch.analyse import Task, analyse
from logsmith.batch.results import FileResult

LOCAL = "local"


def _pool_context():
    # fork is cheap and safe here: the parent has loaded no model and started no threads; and the
    # workers inherit the project indexes it built (logsmith.batch.project) instead of opening them.
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def run_tasks(tasks: list[Task], jobs: int = 1) -> Iterator[FileResult]:
    """Results in the order of `tasks`, as they become ready."""
    if jobs <= 1 or len(tasks) <= 1:
        for task in tasks:
            yield analyse(task)
        return
    uses_model = any(task.settings.use_model for task in tasks)
    chunk = 1 if uses_model else max(1, min(16, len(tasks) // (jobs * 8)))
    with concurrent.futures.ProcessPoolExecutor(
        max_workers=jobs, mp_context=_pool_context()
    ) as pool:
        yield from pool.map(analyse, tasks, chunksize=chunk)


def collect(results: Iterable[FileResult], progress=None) -> list[FileResult]:
    done = []
    for result in results:
        done.append(result)
        if progress is not None:
            progress.advance(result.display, result.sites)
    return done


def lost_result(task: Task, why: str) -> FileResult:
    """The result of a file whose shard failed on the cluster twice: not analysed, and why."""
    return FileResult(
        task.path,
        task.display,
        task.root,
        skipped=f"not analysed: lost on the cluster ({why})",
        language=task.language,
    )


@dataclass
class ClusterRun:
    """A run's file results from a cluster, and what the summary says of the cluster."""

    results: list[FileResult]
    lines: list[str] = field(default_factory=list)
    """Where it ran (or why it ran locally instead), the workers, items retried or lost."""
    lost: int = 0
    """Files not analysed because their shard failed twice."""


def _worker_lines(values) -> list[str]:
    shards: Counter = Counter()
    loads: dict[str, int] = {}
    for value in values:
        shards[value.worker] += 1
        loads[value.worker] = max(loads.get(value.worker, 0), value.models_loaded)
    return [
        f"worker {worker}: {count} {'shard' if count == 1 else 'shards'}, "
        f"model loaded {loads[worker]} {'time' if loads[worker] == 1 else 'times'}"
        for worker, count in sorted(shards.items())
    ]


def run_on_cluster(
    tasks: list[Task],
    engine: str,
    address: str | None,
    workers: int,
    progress=None,
    work: Callable | None = None,
    shard_files: int | None = None,
) -> ClusterRun:
    """The results of `tasks` in their order, analysed on `engine`'s cluster at `address` (None:
    a local one of `workers` processes). The files of each project go in shards to the workers,
    each of which loads the model once; a shard that failed twice gives its files as not analysed
    (`lost_result`). When the cluster cannot be started or reached, the files are analysed here
    with `workers` processes, and the lines say why. `work`: what a worker does with a shard
    (default `shards.analyse_shard`); `shard_files`: files per shard (default
    `shards.SHARD_FILES`)."""
    from logsmith.batch import shards as sharding
    from logsmith.batch.cluster import ClusterUnavailable, run_items

    if not tasks:
        return ClusterRun([], [f"{engine}: no file to analyse, no cluster started"])
    shards = sharding.split(tasks, uuid.uuid4().hex, shard_files or sharding.SHARD_FILES)
    results: list[FileResult | None] = [None] * len(tasks)

    def arrived(outcome) -> None:
        shard = shards[outcome.item]
        for position, result in zip(shard.positions, outcome.value.results, strict=True):
            results[position] = result
            if progress is not None:
                progress.advance(result.display, result.sites)

    first = tasks[0]  # the model of another project's settings loads on its first file
    prepare = (
        functools.partial(sharding.prepare_worker, first.settings, first.model_threads)
        if first.settings.use_model
        else None
    )
    try:
        outcomes, report = run_items(
            engine,
            address,
            shards,
            work or sharding.analyse_shard,
            prepare,
            workers,
            [shard.label for shard in shards],
            arrived,
        )
    except ClusterUnavailable as exc:
        local = collect(run_tasks(tasks, workers), progress)
        return ClusterRun(local, [f"{engine}: {exc}; ran locally instead ({workers} processes)"])
    lost = 0
    for outcome in outcomes:
        if outcome.lost:
            shard = shards[outcome.item]
            for position, task in zip(shard.positions, shard.tasks, strict=True):
                results[position] = lost_result(task, outcome.error or "")
                lost += 1
                if progress is not None:
                    progress.advance(task.display, 0)
    done = [outcome.value for outcome in outcomes if not outcome.lost]
    lines = report.lines() + _worker_lines(done)
    return ClusterRun([r for r in results if r is not None], lines, lost)
