"""The unit of work of a batch run on a cluster: a shard, the files of one project (all of them, or
up to SHARD_FILES of a large one), analysed by one worker, which reads them from its own disk (the
paths are the same on every worker) and sends the file results back.

A worker keeps its model and its project indexes between shards: the model is loaded once per
worker (`prepare_worker`, before its first shard), and each project's index is read again once per
run (a worker of a long-lived cluster serves many runs, and the files may have changed between
them).
"""

from __future__ import annotations

import os
import platform
from dataclasses import dataclass

from logsmith.batch.analyse import Task, analyse, ensure_model, models_loaded
from logsmith.batch.project import open_index
from logsmith.batch.results import FileResult
from logsmith.settings import Settings

SHARD_FILES = 25
"""Files of one project per shard. Smaller shards spread a large project over the workers, leave
less of a run to one worker at its end and lose less work when a worker dies; a shard costs only a
round trip to the scheduler (a worker reads a project's index once per run, however many of its
shards it gets). On a local Dask cluster, 6 to 33 shards of the same 300 files took the same time
within the noise (eval/reports/2026-12-06/cluster.md); with the model a file takes seconds, so 25
files are a minute or two of one worker."""

_index_run: dict[str, str] = {}
"""Project root -> the run whose files this process last read its index for."""


@dataclass(frozen=True)
class Shard:
    """Files of one project, and where their results go in the run's list of files."""

    number: int
    run: str
    """The run's id: a worker reads each project's index again once per run."""
    positions: tuple[int, ...]
    tasks: tuple[Task, ...]

    @property
    def label(self) -> str:
        first = self.tasks[0].display
        more = f" and {len(self.tasks) - 1} more files" if len(self.tasks) > 1 else ""
        return f"shard {self.number + 1} ({first}{more})"


@dataclass(frozen=True)
class ShardResult:
    """A shard's file results, and which worker produced them."""

    number: int
    results: tuple[FileResult, ...]
    worker: str
    """`host:pid` of the worker process."""
    models_loaded: int
    """How many times that process has loaded a model so far (once, or 0 with --no-model)."""


def split(tasks: list[Task], run: str, size: int = SHARD_FILES) -> list[Shard]:
    """The tasks by project, in their order, each project cut into shards of at most `size`."""
    by_root: dict[str, list[int]] = {}
    for position, task in enumerate(tasks):
        by_root.setdefault(task.root, []).append(position)
    shards: list[Shard] = []
    for positions in by_root.values():
        for start in range(0, len(positions), max(1, size)):
            chunk = tuple(positions[start : start + size])
            shards.append(Shard(len(shards), run, chunk, tuple(tasks[p] for p in chunk)))
    return shards


def prepare_worker(settings: Settings, threads: int | None) -> None:
    """Load the model of `settings` in this worker process (nothing with --no-model)."""
    ensure_model(settings, threads)


def analyse_shard(shard: Shard) -> ShardResult:
    """Analyse a shard's files in this worker, in order (`analyse` never raises)."""
    for task in shard.tasks:
        if task.settings.project_index and _index_run.get(task.root) != shard.run:
            open_index(task.root, task.settings, fresh=True)
            _index_run[task.root] = shard.run
    results = tuple(analyse(task) for task in shard.tasks)
    return ShardResult(shard.number, results, f"{platform.node()}:{os.getpid()}", models_loaded())
