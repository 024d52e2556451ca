"""Supersession and cancellation of suggestion requests.

A newer request on the same document and channel (completion or inline) supersedes the older one:
its `Ticket` is cancelled at once, so the older request answers empty without waiting for its
thread, and the thread (or the model, through the pipeline's `cancel` event) stops at its next
check. Neovim never sends `$/cancelRequest` for inline requests, so this is the only way its stale
requests stop. `$/cancelRequest` cancels the handler's task; the handler then cancels the ticket.
"""

from __future__ import annotations

import asyncio
import threading


class Ticket:
    """One request's right to run: `cancel` is the event the pipeline polls."""

    def __init__(self, key: tuple[str, str], loop: asyncio.AbstractEventLoop | None):
        self.key = key
        self.cancel = threading.Event()
        self.reason: str | None = None
        self._loop = loop
        self._cancelled_future: asyncio.Future | None = loop.create_future() if loop else None

    @property
    def cancelled(self) -> bool:
        return self.cancel.is_set()

    def stop(self, reason: str) -> None:
        """Cancel the request; safe to call more than once, from the event loop."""
        if self.cancel.is_set():
            return
        self.reason = reason
        self.cancel.set()
        if self._cancelled_future is not None and not self._cancelled_future.done():
            self._cancelled_future.set_result(reason)

    async def run(self, future: asyncio.Future):
        """Wait for `future` unless the ticket is cancelled first; returns (done, result)."""
        if self._cancelled_future is None:
            return True, await future
        done, _ = await asyncio.wait(
            {future, self._cancelled_future}, return_when=asyncio.FIRST_COMPLETED
        )
        if future in done:
            return True, future.result()
        future.add_done_callback(_consume)
        return False, None


def _consume(future: asyncio.Future) -> None:
    if not future.cancelled():
        # retrieve, so a late failure of a superseded request is not reported as unhandled
        future.exception()


class RequestTracker:
    """The newest ticket per (document URI, channel)."""

    def __init__(self):
        self._current: dict[tuple[str, str], Ticket] = {}
        self.superseded = 0

    def begin(self, uri: str, channel: str) -> Ticket:
        key = (uri, channel)
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        ticket = Ticket(key, loop)
        older = self._current.get(key)
        if older is not None and not older.cancelled:
            older.stop("superseded")
            self.superseded += 1
        self._current[key] = ticket
        return ticket

    def finish(self, ticket: Ticket) -> None:
        if self._current.get(ticket.key) is ticket:
            del self._current[ticket.key]

    def cancel_document(self, uri: str, reason: str) -> None:
        for key in [key for key in self._current if key[0] == uri]:
            self._current.pop(key).stop(reason)

    def cancel_all(self, reason: str) -> None:
        for ticket in self._current.values():
            ticket.stop(reason)
        self._current.clear()
