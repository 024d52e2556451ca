"""What the server offered the user and what became of it: the events written to the audit store.

Rules (the report's definitions rely on them):
- Completion items and code-action statements are recorded `shown` when they are sent.
- Inline items are recorded `shown` when sent, until the client proves it reports display itself
  (its first `textDocument/didShowCompletion`); from then on an inline item is `shown` only when
  the client says so, since a client may receive ghost text it never displays.
- `accepted` comes from the `logsmith.accept` command an item carries, `partially_accepted` from
  `textDocument/didPartiallyAcceptCompletion`. An item accepted before it was recorded as shown is
  recorded shown first.
- A `shown` row's detail names the repository: the workspace folder's name, when the file is
  inside it (the adoption report groups by it without recording who or which file).
- Each event's `detail` names the model's backend (`embedded`, `llama-server` or `openai`), the
  model a server said it serves (`server_model`), the `route` that wrote the statement
  (`template`, `neighbour`, `local`, or `remote`: an inference server, the configured model or the
  stronger one a weak local answer was escalated to) and why (`route_reason`), when a model is
  configured, and the document's `language` (`python`, `go`, `java`, `javascript`, `typescript`,
  `tsx`).
- A shown item that is still open when the next request for its document and channel arrives, or
  when the document closes or the server stops, is recorded `dismissed` with the reason.
  An acceptance that arrives after that still counts (the report lets acceptance win).
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from logsmith.audit.store import AuditEvent, AuditRecorder, new_id, settings_that_matter
from logsmith.suggestion import Suggestion

log = logging.getLogger(__name__)

KEPT = 2000
"""Offered suggestions remembered for accept / show / dismiss; older ones are forgotten."""


@dataclass
class Offered:
    """One suggestion as offered: enough to write its events and to apply its extra edits on
    accept."""

    id: str
    offer_id: str
    channel: str
    rank: int
    uri: str
    path: str | None
    suggestion: Suggestion
    settings: object
    model_id: str | None
    model_sha256: str | None
    latency_ms: float
    backend: dict | None = None
    """The model's backend when the offer was made (`backend`, `server_model`, `route`), written
    into every event's `detail`."""
    language: str | None = None
    """The document's language, written into every event's `detail`."""
    shown: bool = False
    outcome: str | None = None
    """None while open; accepted, partially_accepted or dismissed."""
    offered_at: float = field(default_factory=time.monotonic)


class OfferLedger:
    """The suggestions offered to the client, and the audit events saying what became of them."""

    def __init__(
        self,
        recorder: AuditRecorder | None,
        current_settings,
        workspace: Callable[[], Path | None] = lambda: None,
    ):
        self.recorder = recorder
        self._current_settings = current_settings
        """Returns the settings in force now: whether to record,
        and whether to keep the statement text."""
        self._workspace = workspace
        """Returns the workspace folder, or None."""
        self.client_reports_shown = False
        self._items: OrderedDict[str, Offered] = OrderedDict()
        self._open: dict[tuple[str, str], list[str]] = {}

    def get(self, suggestion_id: str) -> Offered | None:
        return self._items.get(suggestion_id)

    def offer(
        self,
        *,
        uri: str,
        path: str | None,
        channel: str,
        suggestions: list[Suggestion],
        settings,
        model: tuple[str | None, str | None],
        latency_ms: float,
        backend: dict | None = None,
        language: str | None = None,
    ) -> list[Offered]:
        """Remember `suggestions` as one offer; record them shown unless the client reports display
        itself."""
        offer_id = new_id()
        offered = []
        for rank, suggestion in enumerate(suggestions):
            item = Offered(
                new_id(),
                offer_id,
                channel,
                rank,
                uri,
                path,
                suggestion,
                settings,
                model[0],
                model[1],
                latency_ms,
                backend,
                language,
            )
            self._items[item.id] = item
            offered.append(item)
        while len(self._items) > KEPT:
            self._items.popitem(last=False)
        self._open.setdefault((uri, channel), []).extend(item.id for item in offered)
        if not (channel == "inline" and self.client_reports_shown):
            for item in offered:
                self._write_shown(item)
        return offered

    def close_open(self, uri: str, channel: str | None, reason: str) -> None:
        """Dismiss every open shown item of `uri` (and `channel`, when given)."""
        for key in [
            key for key in self._open if key[0] == uri and (channel is None or key[1] == channel)
        ]:
            for suggestion_id in self._open.pop(key):
                item = self._items.get(suggestion_id)
                if item is not None and item.outcome is None and item.shown:
                    item.outcome = "dismissed"
                    self._write(item, "dismissed", {"reason": reason})

    def close_everything(self, reason: str) -> None:
        for uri in {key[0] for key in self._open}:
            self.close_open(uri, None, reason)

    def shown(self, suggestion_id: str):
        """The client displayed the item (didShowCompletion)."""
        self.client_reports_shown = True
        item = self._items.get(suggestion_id)
        if item is None:
            log.info("didShowCompletion for an unknown suggestion %s ignored", suggestion_id)
            return None
        if not item.shown:
            return self._write_shown(item)
        return None

    def accepted(self, suggestion_id: str):
        """The client inserted the item and ran its command. Returns (item, write future) or
        (None, None)."""
        item = self._items.get(suggestion_id)
        if item is None:
            return None, None
        if not item.shown:
            self._write_shown(item)
        detail = {"after": item.outcome} if item.outcome == "dismissed" else None
        item.outcome = "accepted"
        return item, self._write(item, "accepted", detail)

    def partially_accepted(self, suggestion_id: str, accepted_chars: int | None):
        item = self._items.get(suggestion_id)
        if item is None:
            return None, None
        if not item.shown:
            self._write_shown(item)
        if item.outcome is None:
            item.outcome = "partially_accepted"
        return item, self._write(
            item,
            "partially_accepted",
            {"accepted_chars": accepted_chars} if accepted_chars is not None else None,
        )

    def _write_shown(self, item: Offered):
        item.shown = True
        repository = self._repository(item.path)
        return self._write(item, "shown", {"repository": repository} if repository else None)

    def _repository(self, path: str | None) -> str | None:
        """The workspace folder's name, when `path` is inside it."""
        root = self._workspace()
        if root is None or not path or not Path(path).is_relative_to(root):
            return None
        return root.name or None

    def _write(self, item: Offered, event: str, detail: dict | None):
        if self.recorder is None:
            return None
        suggestion = item.suggestion
        if item.backend is not None:
            detail = {**item.backend, **(detail or {}), "route": suggestion.route}
            if suggestion.route_reason:
                detail["route_reason"] = suggestion.route_reason
        if item.language is not None:
            detail = {**(detail or {}), "language": item.language}
        return self.recorder.record(
            AuditEvent(
                event,
                item.id,
                offer_id=item.offer_id,
                channel=item.channel,
                rank=item.rank,
                path=item.path or item.uri,
                level=suggestion.level,
                source=suggestion.source,
                model_id=item.model_id,
                model_sha256=item.model_sha256,
                latency_ms=item.latency_ms,
                site_kind=suggestion.site_kind,
                settings=settings_that_matter(item.settings),
                statement=suggestion.statement,
                detail=detail,
            ),
            self._current_settings(),
        )
