"""Memory and CPU time of a process and its descendants, read from /proc (Linux).

`ProcessTree(pid)` names the process and every live descendant (the language server and its model
worker); `MemoryWatch` samples their summed resident memory on a background thread and keeps the
peak. Where /proc is missing every figure is None, never an error.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

PROC = Path("/proc")
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
_PAGE_BYTES = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _stat_fields(pid: int) -> list[str] | None:
    """Fields of /proc/PID/stat after the command name (which may hold spaces): state is [0], ppid [1]."""
    try:
        text = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    return text[text.rfind(")") + 2:].split()


def children_map() -> dict[int, list[int]]:
    """Parent pid -> its children's pids, for every process visible now."""
    found: dict[int, list[int]] = {}
    try:
        entries = os.listdir(PROC)
    except OSError:
        return found
    for entry in entries:
        if entry.isdigit():
            fields = _stat_fields(int(entry))
            if fields and len(fields) > 1:
                found.setdefault(int(fields[1]), []).append(int(entry))
    return found


def descendants(pid: int) -> list[int]:
    """`pid` and every live process below it."""
    tree = children_map()
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        queue.extend(tree.get(current, ()))
    return found


def rss_bytes(pid: int) -> int | None:
    """Resident memory of one process now; None when it is gone."""
    try:
        with open(PROC / str(pid) / "statm") as handle:
            return int(handle.read().split()[1]) * _PAGE_BYTES
    except (OSError, ValueError, IndexError):
        return None


def peak_rss_bytes(pid: int) -> int | None:
    """The process's own high-water mark of resident memory (VmHWM); None when it is gone."""
    try:
        with open(PROC / str(pid) / "status") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time the process has used so far; None when it is gone."""
    fields = _stat_fields(pid)
    if not fields or len(fields) < 13:
        return None
    return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS


def command_name(pid: int) -> str | None:
    try:
        return (PROC / str(pid) / "comm").read_text().strip()
    except OSError:
        return None


class ProcessTree:
    """A root process and its descendants, looked up afresh on each call (a restarted worker is found)."""

    def __init__(self, pid: int):
        self.pid = pid

    def pids(self) -> list[int]:
        return descendants(self.pid)

    def rss_bytes(self) -> int | None:
        values = [value for value in map(rss_bytes, self.pids()) if value is not None]
        return sum(values) if values else None

    def cpu_seconds(self) -> float | None:
        values = [value for value in map(cpu_seconds, self.pids()) if value is not None]
        return sum(values) if values else None

    def peaks(self) -> dict[int, dict]:
        """Per live process: its name and its own resident-memory high-water mark (VmHWM)."""
        return {pid: {"name": command_name(pid), "peak_rss_bytes": peak_rss_bytes(pid)} for pid in self.pids()}

    def wait_idle(self, *, cpu_share: float = 0.1, window_s: float = 0.3, timeout_s: float = 6.0) -> float:
        """Wait until the tree uses less than `cpu_share` of one core over `window_s` (e.g. a model
        warm-up has finished), at most `timeout_s`; returns the seconds waited."""
        started = time.perf_counter()
        before = self.cpu_seconds()
        while time.perf_counter() - started < timeout_s:
            time.sleep(window_s)
            after = self.cpu_seconds()
            if before is None or after is None or after - before < cpu_share * window_s:
                break
            before = after
        return time.perf_counter() - started


class MemoryWatch:
    """Samples the summed resident memory of a process tree every `interval_s` on a daemon thread."""

    def __init__(self, tree: ProcessTree, interval_s: float = 0.5):
        self.tree = tree
        self.interval_s = interval_s
        self.peak_bytes: int | None = None
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="memory-watch", daemon=True)

    def start(self) -> "MemoryWatch":
        self._thread.start()
        return self

    def sample(self) -> int | None:
        value = self.tree.rss_bytes()
        if value is not None:
            self.samples += 1
            self.peak_bytes = value if self.peak_bytes is None else max(self.peak_bytes, value)
        return value

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval_s)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
