"""Items on a Ray cluster: a local Ray instance started for the run (`ray.init(num_cpus=...)`), or
the cluster at `--address` (`HOST:PORT` of its head node). One actor per worker CPU, each running
`prepare()` once when it starts (so each holds its own loaded model), and the items handed to the
actors that are free. An actor that dies takes its item with it: a new actor replaces it and the
item is tried once more; an item that fails twice is reported lost.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable
from typing import Any

import ray

from logsmith.batch.cluster.outcome import (
    Attempts,
    ClusterReport,
    ClusterUnavailable,
    Outcome,
    check_reachable,
    describe_error,
)

CONNECT_TIMEOUT_S = 10
"""How long the head node at `--address` gets to accept a connection (ray.init itself would
wait for minutes on an address where nothing answers)."""


class Worker:
    """A Ray actor: prepared once, then runs the items it is handed, one at a time."""

    def __init__(self, prepare: Callable[[], None] | None):
        self.prepare_error: str | None = None
        if prepare is not None:
            try:
                prepare()
            except Exception as exc:  # the work itself says what it lacks (e.g. a model note)
                self.prepare_error = describe_error(exc)

    def prepared(self) -> str | None:
        return self.prepare_error

    def run(self, work: Callable[[Any], Any], item: Any) -> Any:
        return work(item)


def _check_reachable(address: str) -> None:
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit():
        raise ClusterUnavailable(f"{address!r} is not a Ray head node's HOST:PORT")
    check_reachable(host, int(port), f"the Ray cluster at {address}", CONNECT_TIMEOUT_S)


def _start(address: str | None, workers: int) -> tuple[str, int]:
    options: dict[str, Any] = {
        "log_to_driver": False,
        "logging_level": logging.WARNING,
        "configure_logging": False,
    }
    if address is None:
        # "local": a new instance, never one that `ray start` left running on this machine; its
        # services listen on the loopback interface only
        options |= {
            "address": "local",
            "num_cpus": workers,
            "include_dashboard": False,
            "_node_ip_address": "127.0.0.1",
        }
        where = "a local Ray instance"
    else:
        _check_reachable(address)
        options["address"] = address
        where = f"the Ray cluster at {address}"
    try:
        ray.init(**options)
    except Exception as exc:  # a refused or incompatible cluster: the run goes local
        raise ClusterUnavailable(f"cannot start or join Ray ({describe_error(exc)})") from exc
    cpus = int(ray.cluster_resources().get("CPU", 0))
    return where, max(1, cpus if address is not None else workers)


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
    where, cpus = _start(address, workers)
    report = ClusterReport("ray", where)
    attempts = Attempts(len(items), labels, report)
    actor_class = ray.remote(num_cpus=1, max_restarts=0)(Worker)
    actors: list = []

    def new_actor():
        actor = actor_class.remote(prepare)
        actors.append(actor)
        return actor

    try:
        idle = [new_actor() for _ in range(max(1, min(cpus, len(items))))]
        for error in ray.get([actor.prepared.remote() for actor in idle]):
            if error is not None:
                report.prepare_errors.append(error)
        report.workers = len(idle)
        report.start_seconds = time.perf_counter() - started
        queue = deque(range(len(items)))
        running: dict = {}
        while queue or running:
            while queue and idle:
                actor, item = idle.pop(), queue.popleft()
                attempts.started(item)
                running[actor.run.remote(work, items[item])] = (actor, item)
            ready, _ = ray.wait(list(running), num_returns=1)
            actor, item = running.pop(ready[0])
            try:
                value = ray.get(ready[0])
            except ray.exceptions.RayActorError as exc:  # the actor's process died
                ray.kill(actor)
                idle.append(new_actor())
                if attempts.failed(item, exc):
                    queue.appendleft(item)
                continue
            except Exception as exc:  # the work raised; the actor lives on
                idle.append(actor)
                if attempts.failed(item, exc):
                    queue.appendleft(item)
                continue
            idle.append(actor)
            outcome = attempts.done(item, value)
            if on_done is not None:
                on_done(outcome)
        return attempts.finished(), report
    finally:
        for actor in actors:
            try:
                ray.kill(actor)
            except Exception:  # already gone
                pass
        ray.shutdown()
