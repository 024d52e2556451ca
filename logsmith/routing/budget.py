"""The daily budget of remote-model tokens of one user: how many prompt and answer tokens the
stronger model may spend today, kept in `$LOGSMITH_HOME/remote-usage.json` (0600) so the language
server and batch runs of the same user share it. A new UTC day starts from zero."""

from __future__ import annotations

import fcntl
import json
import os
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

USAGE_FILE = "remote-usage.json"


def today() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d")


@dataclass(frozen=True)
class Usage:
    """Tokens spent on the remote model on `day`, and how many requests spent them."""

    day: str
    tokens: int = 0
    requests: int = 0


class TokenBudget:
    """`limit` remote tokens a day for the user whose home is `home`. `allows()` is a cheap read;
    `spend()` adds a request's tokens under a file lock, so concurrent processes add up."""

    def __init__(self, home: Path, limit: int):
        self.path = Path(home) / USAGE_FILE
        self.limit = limit
        self._lock = threading.Lock()

    def usage(self) -> Usage:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            day, tokens, requests = str(data["day"]), int(data["tokens"]), int(data["requests"])
        except (OSError, ValueError, KeyError, TypeError):
            return Usage(today())
        return Usage(day, tokens, requests) if day == today() else Usage(today())

    def left(self) -> int:
        return max(0, self.limit - self.usage().tokens)

    def allows(self, tokens: int = 1) -> bool:
        return self.left() >= tokens

    def spend(self, tokens: int) -> Usage:
        """Add `tokens` to today's usage and return it; an unwritable file only loses the count."""
        with self._lock:
            try:
                self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            except OSError:
                return Usage(today(), tokens, 1)
            with os.fdopen(fd, "r+", encoding="utf-8") as handle:
                fcntl.flock(handle, fcntl.LOCK_EX)
                usage = self.usage()
                usage = Usage(usage.day, usage.tokens + max(0, tokens), usage.requests + 1)
                handle.seek(0)
                handle.truncate()
                json.dump(
                    {"day": usage.day, "tokens": usage.tokens, "requests": usage.requests}, handle
                )
                handle.flush()
            return usage
