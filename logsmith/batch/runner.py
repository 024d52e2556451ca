"""Run `analyse` over every target, in this process (`--jobs 1`) or in a process pool,
in file order."""

from __future__ import annotations

import concurrent.futures
import multiprocessing
from collections.abc import Iterable, Iterator

from logsmith.batch.analyse import Task, analyse
from logsmith.batch.results import FileResult


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
