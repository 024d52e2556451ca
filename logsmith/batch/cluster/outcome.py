"""What a cluster run gives back: each item's outcome (its value, or why it was lost after its
second attempt) and a report of the run (where it ran, how long the cluster took to start, which
items were retried or lost); and `run_items`, which picks the engine."""

from __future__ import annotations

import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

ENGINES = ("dask", "ray")
"""The distributed engines, the first the default."""
ATTEMPTS = 2
"""An item whose worker fails or is lost is tried once more, then reported lost."""
INSTALL_HINT = "pip install 'logsmith[cluster]'"


class ClusterUnavailable(Exception):
    """The cluster could not be started or reached (missing package, bad address, no worker):
    the caller runs locally instead, and says so."""


@dataclass
class Outcome:
    """One item's fate: its `value`, or, when both attempts failed, `error` says why."""

    item: int
    value: Any = None
    attempts: int = 1
    error: str | None = None

    @property
    def lost(self) -> bool:
        return self.error is not None


@dataclass
class ClusterReport:
    """Where a run went and what happened there, for the summary."""

    engine: str
    where: str = ""
    """e.g. `a local Dask cluster of 2 workers`, `the Ray cluster at 10.0.0.5:6379`."""
    workers: int = 0
    start_seconds: float = 0.0
    """From asking for the cluster to its workers being ready to take items."""
    retried: list[str] = field(default_factory=list)
    """Items tried a second time, each with what failed the first time."""
    lost: list[str] = field(default_factory=list)
    """Items that failed twice, each with why: their results are missing."""
    prepare_errors: list[str] = field(default_factory=list)
    """A worker's `prepare()` failed (e.g. the model would not load there)."""

    def lines(self) -> list[str]:
        lines = [
            f"ran on {self.where}: {self.workers} {'worker' if self.workers == 1 else 'workers'}, "
            f"ready in {self.start_seconds:.1f} s"
        ]
        lines.extend(f"retried once: {item}" for item in self.retried)
        lines.extend(f"LOST after {ATTEMPTS} attempts: {item}" for item in self.lost)
        lines.extend(f"a worker could not prepare: {error}" for error in self.prepare_errors[:3])
        return lines


def describe_error(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text and text[0] else type(exc).__name__


def check_reachable(host: str, port: int, what: str, timeout_s: float) -> None:
    """Raise ClusterUnavailable at once when nothing accepts a connection at host:port (a
    client library would keep retrying until its own timeout)."""
    try:
        socket.create_connection((host, port), timeout=timeout_s).close()
    except OSError as exc:
        raise ClusterUnavailable(f"cannot reach {what} ({describe_error(exc)})") from exc


class Attempts:
    """The bookkeeping both engines share: after a failure, retry once or give the item up."""

    def __init__(self, count: int, labels: Sequence[str], report: ClusterReport):
        self.outcomes: list[Outcome | None] = [None] * count
        self.tries = [0] * count
        self.labels = labels
        self.report = report

    def started(self, item: int) -> int:
        self.tries[item] += 1
        return self.tries[item]

    def done(self, item: int, value: Any) -> Outcome:
        outcome = Outcome(item, value, self.tries[item])
        self.outcomes[item] = outcome
        return outcome

    def failed(self, item: int, exc: BaseException) -> bool:
        """Record a failed attempt; True when the item is to be tried again."""
        why = describe_error(exc)
        if self.tries[item] < ATTEMPTS:
            self.report.retried.append(f"{self.labels[item]} ({why})")
            return True
        self.report.lost.append(f"{self.labels[item]} ({why})")
        self.outcomes[item] = Outcome(item, None, self.tries[item], why)
        return False

    def finished(self) -> list[Outcome]:
        return [
            outcome if outcome is not None else Outcome(item, None, self.tries[item], "never ran")
            for item, outcome in enumerate(self.outcomes)
        ]


def run_items(
    engine: str,
    address: str | None,
    items: Sequence[Any],
    work: Callable[[Any], Any],
    prepare: Callable[[], None] | None,
    workers: int,
    labels: Sequence[str],
    on_done: Callable[[Outcome], None] | None = None,
) -> tuple[list[Outcome], ClusterReport]:
    """Run `work(item)` for every item on `engine`'s cluster at `address` (None: a local cluster
    of `workers` processes), `prepare()` once in each worker first; `on_done` is called in this
    process as each item's value arrives. Outcomes in the order of `items`.

    Raises ClusterUnavailable when the cluster cannot be started or reached (nothing has run)."""
    try:
        if engine == "dask":
            from logsmith.batch.cluster import dask_executor as executor
        elif engine == "ray":
            from logsmith.batch.cluster import ray_executor as executor  # type: ignore[no-redef]
        else:
            raise ValueError(f"unknown executor {engine!r}")
    except ImportError as exc:
        raise ClusterUnavailable(
            f"{engine} is not installed ({describe_error(exc)}; {INSTALL_HINT})"
        ) from exc
    return executor.run(address, list(items), work, prepare, workers, list(labels), on_done)
