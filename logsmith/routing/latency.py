"""The remote model's recent answer times: their 95th percentile decides whether an editor request
can wait for it within the latency budget, or gets the local answer first."""

from __future__ import annotations

import threading
from collections import deque

WINDOW = 50
"""Answers remembered; older ones fall out, so a server that got faster is trusted again."""


class LatencyWindow:
    """Seconds of the last `WINDOW` remote answers; `p95()` is None until `minimum` are known."""

    def __init__(self, window: int = WINDOW, minimum: int = 3):
        self._seconds: deque[float] = deque(maxlen=window)
        self._minimum = minimum
        self._lock = threading.Lock()

    def add(self, seconds: float) -> None:
        with self._lock:
            self._seconds.append(seconds)

    def p95(self) -> float | None:
        with self._lock:
            values = sorted(self._seconds)
        if len(values) < self._minimum:
            return None
        return values[min(len(values) - 1, int(0.95 * len(values)))]

    def fits(self, seconds_left: float) -> bool:
        """Whether a remote answer is expected within `seconds_left` (unknown: not yet)."""
        p95 = self.p95()
        return p95 is not None and p95 <= seconds_left
