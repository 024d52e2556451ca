"""A one-line progress bar on stderr, shown only when stderr is a terminal (quiet when piped): over
the files of a run, and before it over the files a project index reads."""

from __future__ import annotations

import shutil
import sys
import time


class Progress:
    """A one-line progress bar over the files of a run, drawn when its stream is a terminal."""

    def __init__(self, total: int, stream=None, enabled: bool | None = None):
        self.total = max(total, 0)
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.done = 0
        self.sites = 0
        self._last = 0.0
        self._started = time.perf_counter()

    def advance(self, label: str = "", sites: int = 0) -> None:
        self.done += 1
        self.sites += sites
        now = time.perf_counter()
        if self.enabled and (now - self._last > 0.1 or self.done == self.total):
            self._last = now
            self._draw(label)

    def _draw(self, label: str) -> None:
        width = shutil.get_terminal_size((80, 20)).columns
        share = self.done / self.total if self.total else 1.0
        bar_width = 24
        filled = int(bar_width * share)
        head = (
            f"[{'#' * filled}{'.' * (bar_width - filled)}] {self.done}/{self.total} files, "
            f"{self.sites} sites "
        )
        room = max(width - len(head) - 1, 0)
        tail = label[-room:] if room else ""
        self.stream.write("\r" + (head + tail).ljust(width - 1)[: width - 1])
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            width = shutil.get_terminal_size((80, 20)).columns
            self.stream.write("\r" + " " * (width - 1) + "\r")
            self.stream.flush()


def indexing(stream=None, enabled: bool | None = None):
    """For `logsmith.batch.project.open_all`: a callback per project that draws
    `indexing ROOT: done/total files` while its index is built, or None when nothing is drawn."""
    stream = stream or sys.stderr
    if not (stream.isatty() if enabled is None else enabled):
        return None

    def for_project(root: str):
        def draw(done: int, total: int) -> None:
            width = shutil.get_terminal_size((80, 20)).columns
            text = f"indexing {root}: {done}/{total} files" if done < total else ""
            stream.write("\r" + text.ljust(width - 1)[: width - 1] + ("" if text else "\r"))
            stream.flush()

        return draw

    return for_project
