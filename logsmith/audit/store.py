"""The local audit store: every suggestion shown, accepted, partially accepted or dismissed.

One SQLite file, `$LOGSMITH_HOME/telemetry.sqlite3` (default `$XDG_DATA_HOME/logsmith` when
XDG_DATA_HOME is set to an absolute path, else `~/.local/share/logsmith`), created with permissions
0600 in a 0700 directory by the first process that records an event (the language server). The
schema is versioned with `PRAGMA user_version` and upgraded by the numbered `MIGRATIONS` below.
Opening a store that is not there yet for reading raises `NoStore`; `no_store_help` tells the
user how the store comes to be and where it is looked for.

Tamper evidence: rows form a hash chain. Each row stores `prev_hash` (the previous row's hash, or
64 zeros for the first row) and `row_hash = sha256(prev_hash + "\\n" + canonical content)`, where
the canonical content is the row's columns (its sequence number included) as sorted, compact JSON.
A one-row `chain_head` table remembers the last sequence number and hash, so deleting the newest
rows is noticed too. `verify_chain()` recomputes everything and names the first row that was
changed, deleted or inserted. Anyone who can write the file can rebuild the whole chain, so a
reviewer who wants more records the head hash (`logsmith audit verify` prints it) elsewhere.

Nothing here talks to the network. `AuditRecorder` is the writer long-running processes use: it
writes on a thread of its own, honours the `telemetry` and `store_code` settings, and turns an
unusable store (read-only, locked, not a database) into one warning instead of an error per event.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import hashlib
import json
import logging
import os
import sqlite3
import textwrap
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

STORE_FILE = "telemetry.sqlite3"
EVENT_KINDS = ("shown", "accepted", "partially_accepted", "dismissed")
GENESIS_HASH = "0" * 64
BUSY_TIMEOUT_MS = 1000
"""How long a write waits for another process's lock before the store counts as locked."""
BACKLOG_LIMIT = 2000
"""Events kept in memory while the store cannot be written; older ones are dropped and counted."""
RETRY_INTERVAL_S = 1.0
"""After a failed write, events go straight to the backlog for this long before the store is tried
again."""

# Columns covered by the hash, in the order they are stored.
CHAINED_COLUMNS = (
    "seq",
    "time",
    "event",
    "suggestion_id",
    "offer_id",
    "channel",
    "rank",
    "path",
    "level",
    "source",
    "model_id",
    "model_sha256",
    "latency_ms",
    "site_kind",
    "settings",
    "statement",
    "detail",
)

# Numbered migrations: MIGRATIONS[n] brings a store from user_version n to n + 1. SQLite keeps each
# CREATE statement's text in the database itself, so their lines stay as first written.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE events (
        seq INTEGER PRIMARY KEY,      -- position in the hash chain, from 1
        time TEXT NOT NULL,           -- ISO 8601, UTC, milliseconds
        event TEXT NOT NULL CHECK (event IN ('shown', 'accepted', 'partially_accepted', 'dismissed')),
        suggestion_id TEXT NOT NULL,  -- one proposed statement
        offer_id TEXT,                -- the request that produced it (one offer holds several suggestions)
        channel TEXT,                 -- completion, inline or code_action
        rank INTEGER,                 -- 0 = best suggestion of its offer
        path TEXT,                    -- the file the suggestion was for
        level TEXT,
        source TEXT,                  -- 'template' or the model id that wrote the statement
        model_id TEXT,                -- the model configured when the suggestion was made
        model_sha256 TEXT,            -- SHA-256 of that model file
        latency_ms REAL,
        site_kind TEXT,
        settings TEXT,                -- JSON: the settings that shaped the suggestion
        statement TEXT,               -- NULL when store_code is off
        detail TEXT,                  -- JSON: accepted length, why dismissed, ...
        prev_hash TEXT NOT NULL,
        row_hash TEXT NOT NULL
    );
    CREATE INDEX events_by_suggestion ON events (suggestion_id);
    CREATE TABLE chain_head (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        seq INTEGER NOT NULL,
        row_hash TEXT NOT NULL
    );
    """,  # noqa: E501
)
SCHEMA_VERSION = len(MIGRATIONS)


class StoreError(RuntimeError):
    """The audit store cannot be opened, read or written; the message says which file and why."""


class NoStore(StoreError):
    """There is no audit store at that path (yet): nothing has been recorded there."""


def _xdg_data_home() -> str | None:
    """`$XDG_DATA_HOME` when it is set to an absolute path; the XDG Base Directory specification
    says an empty or relative value is to be ignored."""
    value = os.environ.get("XDG_DATA_HOME", "")
    return value if os.path.isabs(value) else None


def logsmith_home() -> Path:
    """`$LOGSMITH_HOME`, else `$XDG_DATA_HOME/logsmith`, else `~/.local/share/logsmith`."""
    if os.environ.get("LOGSMITH_HOME"):
        return Path(os.environ["LOGSMITH_HOME"]).expanduser()
    data = _xdg_data_home() or str(Path.home() / ".local" / "share")
    return Path(data) / "logsmith"


def default_store_path() -> Path:
    return logsmith_home() / STORE_FILE


def home_origin() -> str:
    """Why `logsmith_home()` is where it is, in words, for messages."""
    if os.environ.get("LOGSMITH_HOME"):
        return "LOGSMITH_HOME is set"
    if _xdg_data_home():
        return "LOGSMITH_HOME is not set, so it is $XDG_DATA_HOME/logsmith"
    if os.environ.get("XDG_DATA_HOME"):
        return (
            "LOGSMITH_HOME is not set and XDG_DATA_HOME is not an absolute path (so it is "
            "ignored), so it is ~/.local/share/logsmith"
        )
    return "neither LOGSMITH_HOME nor XDG_DATA_HOME is set, so it is ~/.local/share/logsmith"


def no_store_help(path: Path, command: str, *, explicit: bool = False) -> str:
    """What to tell a user whose `logsmith COMMAND` found no audit store at `path`: how the store
    comes to be, how to get a first one, and where it is looked for. `explicit`: the user named
    `path` (`--store`)."""
    paragraphs = [
        "The editors record suggestions in the audit store as they are shown, "
        "accepted or dismissed: the language server (`logsmith serve`, which the VS Code and "
        "Neovim plugins start) creates it with the first suggestion it shows, "
        "unless its `telemetry` setting is false. `logsmith suggest` records nothing.",
        f"Use logsmith in your editor, then run `logsmith {command}` again.",
    ]
    where = f"{STORE_FILE} in LOGSMITH_HOME, here {logsmith_home()}: {home_origin()}."
    if explicit:
        paragraphs.append(f"Without --store, the store is {where}")
    else:
        paragraphs.append(
            f"The store is {where} An editor started with another LOGSMITH_HOME records "
            f"there: set the same LOGSMITH_HOME here, or pass --store FILE."
        )
    head = f"no audit store at {path} (--store)" if explicit else f"no audit store yet at {path}"
    wrapped = [
        textwrap.fill(text, width=100, break_long_words=False, break_on_hyphens=False)
        for text in paragraphs
    ]
    return "\n".join([head, *wrapped])


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def new_id() -> str:
    return uuid.uuid4().hex


@dataclass(frozen=True)
class AuditEvent:
    """One thing that happened to one suggestion."""

    event: str
    suggestion_id: str
    offer_id: str | None = None
    channel: str | None = None
    rank: int | None = None
    path: str | None = None
    level: str | None = None
    source: str | None = None
    model_id: str | None = None
    model_sha256: str | None = None
    latency_ms: float | None = None
    site_kind: str | None = None
    settings: dict | None = None
    statement: str | None = None
    detail: dict | None = None
    time: str = field(default_factory=utc_now)

    def __post_init__(self):
        if self.event not in EVENT_KINDS:
            raise ValueError(
                f"unknown audit event {self.event!r}; expected one of {', '.join(EVENT_KINDS)}"
            )


@dataclass(frozen=True)
class AuditRow:
    """A stored event as read back, with its place in the chain."""

    seq: int
    time: str
    event: str
    suggestion_id: str
    offer_id: str | None
    channel: str | None
    rank: int | None
    path: str | None
    level: str | None
    source: str | None
    model_id: str | None
    model_sha256: str | None
    latency_ms: float | None
    site_kind: str | None
    settings: str | None
    """JSON text, exactly as stored (the hash covers the text)."""
    statement: str | None
    detail: str | None
    """JSON text, exactly as stored."""
    prev_hash: str
    row_hash: str

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)


def _json_text(value: dict | None) -> str | None:
    return None if value is None else json.dumps(value, sort_keys=True, separators=(",", ":"))


def canonical_content(values: dict) -> str:
    """The text the row hash covers: the chained columns as sorted, compact, ASCII JSON."""
    return json.dumps(
        {name: values.get(name) for name in CHAINED_COLUMNS}, sort_keys=True, separators=(",", ":")
    )


def row_hash(prev_hash: str, values: dict) -> str:
    return hashlib.sha256(f"{prev_hash}\n{canonical_content(values)}".encode("ascii")).hexdigest()


# ---------------------------------------------------------------------------------------------
# Chain verification (pure)


@dataclass(frozen=True)
class ChainProblem:
    """The first row where the hash chain breaks, and how it breaks."""

    seq: int
    kind: str
    """changed, deleted or inserted."""
    message: str


@dataclass(frozen=True)
class ChainReport:
    """The result of verifying the hash chain: rows read, the last good row, the first problem."""

    rows: int
    head_seq: int
    head_hash: str
    problem: ChainProblem | None = None

    @property
    def intact(self) -> bool:
        return self.problem is None


def verify_chain(
    rows: Iterable[AuditRow],
    head: tuple[int, str] | None,
    *,
    after: tuple[int, str] = (0, GENESIS_HASH),
) -> ChainReport:
    """Recompute the hash chain over `rows` (in sequence order) and compare it with the stored head.

    `after` is the row the first row follows, as (sequence number, hash): none for a whole chain;
    an export cut from the middle of a chain starts after a row it does not hold.

    Returns the first problem found: a row whose content no longer matches its hash (changed), a
    gap in the sequence (deleted), or a row that does not follow the one before it (inserted, or the
    row before it was changed and re-hashed).
    """
    expected_prev, expected_seq, count = after[1], after[0] + 1, 0
    last_seq, last_hash = after
    for row in rows:
        count += 1
        values = row.as_dict()
        if row_hash(row.prev_hash, values) != row.row_hash:
            return ChainReport(
                count,
                last_seq,
                last_hash,
                ChainProblem(
                    row.seq,
                    "changed",
                    f"row {row.seq} was changed: its content no longer matches its hash",
                ),
            )
        if row.prev_hash != expected_prev:
            if row.seq > expected_seq:
                missing = (
                    f"row {expected_seq}"
                    if row.seq == expected_seq + 1
                    else f"rows {expected_seq}-{row.seq - 1}"
                )
                return ChainReport(
                    count,
                    last_seq,
                    last_hash,
                    ChainProblem(
                        expected_seq,
                        "deleted",
                        f"{missing} deleted: row {row.seq} does not follow row {last_seq}",
                    ),
                )
            return ChainReport(
                count,
                last_seq,
                last_hash,
                ChainProblem(
                    row.seq,
                    "inserted",
                    f"row {row.seq} does not follow row {last_seq}: it was inserted, "
                    f"or row {last_seq} was changed and re-hashed",
                ),
            )
        if row.seq != expected_seq:
            return ChainReport(
                count,
                last_seq,
                last_hash,
                ChainProblem(
                    row.seq,
                    "inserted",
                    f"row {row.seq} carries the right previous hash under the wrong number",
                ),
            )
        expected_prev, expected_seq = row.row_hash, row.seq + 1
        last_seq, last_hash = row.seq, row.row_hash
    if head is None:
        if count:
            return ChainReport(
                count,
                last_seq,
                last_hash,
                ChainProblem(
                    last_seq,
                    "inserted",
                    "the chain head is missing: rows were written outside logsmith",
                ),
            )
        return ChainReport(0, 0, GENESIS_HASH)
    head_seq, head_hash = head
    if head_seq > last_seq:
        missing = (
            f"row {head_seq}" if head_seq == last_seq + 1 else f"rows {last_seq + 1}-{head_seq}"
        )
        return ChainReport(
            count,
            last_seq,
            last_hash,
            ChainProblem(last_seq + 1, "deleted", f"{missing} deleted from the end of the trail"),
        )
    if head_seq < last_seq:
        return ChainReport(
            count,
            last_seq,
            last_hash,
            ChainProblem(
                head_seq + 1, "inserted", f"rows after {head_seq} were appended outside logsmith"
            ),
        )
    if head_hash != last_hash:
        return ChainReport(
            count,
            last_seq,
            last_hash,
            ChainProblem(
                last_seq,
                "changed",
                f"row {last_seq} was replaced: its hash differs from the recorded chain head",
            ),
        )
    return ChainReport(count, last_seq, last_hash)


# ---------------------------------------------------------------------------------------------
# The store


def _create_private_file(path: Path) -> None:
    """Create `path` (and its directory) readable by the owner only, before SQLite touches it."""
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(
            f"cannot create the audit store directory {path.parent}: {exc.strerror or exc}"
        ) from exc
    if path.exists():
        return
    try:
        descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return
    except OSError as exc:
        raise StoreError(f"cannot create the audit store {path}: {exc.strerror or exc}") from exc
    os.close(descriptor)
    os.chmod(path, 0o600)  # the umask may have narrowed it further; never widen beyond 0600


class AuditStore:
    """An open audit store. Not thread-safe: use it from one thread (AuditRecorder does)."""

    def __init__(self, path: Path | str, *, readonly: bool = False):
        self.path = Path(path)
        self.readonly = readonly
        try:
            if readonly:
                if not self.path.is_file():
                    raise NoStore(f"no audit store at {self.path}")
                self._db = sqlite3.connect(
                    f"{self.path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False
                )
            else:
                _create_private_file(self.path)
                self._db = sqlite3.connect(
                    self.path,
                    timeout=BUSY_TIMEOUT_MS / 1000,
                    check_same_thread=False,
                    isolation_level=None,
                )
            self._db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            self._migrate()
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open the audit store {self.path}: {exc}") from exc

    def __enter__(self) -> AuditStore:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        try:
            self._db.close()
        except sqlite3.Error:
            pass

    @property
    def version(self) -> int:
        return self._db.execute("PRAGMA user_version").fetchone()[0]

    def _migrate(self) -> None:
        version = self.version
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"the audit store {self.path} has schema version {version}, "
                f"newer than this logsmith understands ({SCHEMA_VERSION}); upgrade logsmith"
            )
        if version == SCHEMA_VERSION:
            return
        if self.readonly:
            raise StoreError(
                f"the audit store {self.path} has schema version {version}; open it once with "
                f"`logsmith serve` or `logsmith audit verify` to upgrade it to {SCHEMA_VERSION}"
            )
        self._db.execute("BEGIN IMMEDIATE")
        try:
            version = self.version  # another process may have migrated meanwhile
            for number in range(version, SCHEMA_VERSION):
                for statement in MIGRATIONS[number].split(";"):
                    if statement.strip():
                        self._db.execute(statement)
                self._db.execute(f"PRAGMA user_version = {number + 1}")
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise

    def append(self, event: AuditEvent) -> AuditRow:
        """Write one event at the end of the chain, atomically with the chain head."""
        if self.readonly:
            raise StoreError(f"the audit store {self.path} was opened read-only")
        try:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                head = self._db.execute(
                    "SELECT seq, row_hash FROM chain_head WHERE id = 1"
                ).fetchone()
                seq, prev_hash = (head[0] + 1, head[1]) if head else (1, GENESIS_HASH)
                values: dict[str, Any] = {
                    "seq": seq,
                    "time": event.time,
                    "event": event.event,
                    "suggestion_id": event.suggestion_id,
                    "offer_id": event.offer_id,
                    "channel": event.channel,
                    "rank": event.rank,
                    "path": event.path,
                    "level": event.level,
                    "source": event.source,
                    "model_id": event.model_id,
                    "model_sha256": event.model_sha256,
                    "latency_ms": None
                    if event.latency_ms is None
                    else round(float(event.latency_ms), 3),
                    "site_kind": event.site_kind,
                    "settings": _json_text(event.settings),
                    "statement": event.statement,
                    "detail": _json_text(event.detail),
                }
                digest = row_hash(prev_hash, values)
                columns = ", ".join((*CHAINED_COLUMNS, "prev_hash", "row_hash"))
                marks = ", ".join("?" * (len(CHAINED_COLUMNS) + 2))
                self._db.execute(
                    f"INSERT INTO events ({columns}) VALUES ({marks})",
                    (*(values[name] for name in CHAINED_COLUMNS), prev_hash, digest),
                )
                self._db.execute(
                    "INSERT OR REPLACE INTO chain_head (id, seq, row_hash) VALUES (1, ?, ?)",
                    (seq, digest),
                )
                self._db.execute("COMMIT")
            except BaseException:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            raise StoreError(f"cannot write to the audit store {self.path}: {exc}") from exc
        return AuditRow(**values, prev_hash=prev_hash, row_hash=digest)

    def rows(self) -> Iterator[AuditRow]:
        columns = ", ".join((*CHAINED_COLUMNS, "prev_hash", "row_hash"))
        try:
            for record in self._db.execute(f"SELECT {columns} FROM events ORDER BY seq"):
                yield AuditRow(*record)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot read the audit store {self.path}: {exc}") from exc

    def head(self) -> tuple[int, str] | None:
        try:
            found = self._db.execute("SELECT seq, row_hash FROM chain_head WHERE id = 1").fetchone()
        except sqlite3.Error as exc:
            raise StoreError(f"cannot read the audit store {self.path}: {exc}") from exc
        return (found[0], found[1]) if found else None

    def verify(self) -> ChainReport:
        return verify_chain(self.rows(), self.head())


def read_rows(path: Path | str | None = None) -> list[AuditRow]:
    """All rows of the store at `path` (default store when None), read-only."""
    with AuditStore(path or default_store_path(), readonly=True) as store:
        return list(store.rows())


# ---------------------------------------------------------------------------------------------
# The writer long-running processes use


def settings_that_matter(settings) -> dict:
    """The settings recorded with each event: the ones that change what is suggested or stored."""
    return {
        "model": settings.model,
        "use_model": settings.use_model,
        "latency_budget_ms": settings.latency_budget_ms,
        "inline": settings.inline,
        "style": settings.style,
        "store_code": settings.store_code,
        "max_file_bytes": settings.max_file_bytes,
    }


class AuditRecorder:
    """Writes events on a thread of its own; never raises into the caller.

    `warn(message)` is called once when the store becomes unusable (and `log` notes the recovery);
    events that cannot be written wait in a bounded backlog and are written when the store works
    again.
    """

    def __init__(
        self,
        path: Path | str | None = None,
        *,
        warn: Callable[[str], None] | None = None,
        retry_interval: float = RETRY_INTERVAL_S,
    ):
        self.path = Path(path) if path else default_store_path()
        self.retry_interval = retry_interval
        self._retry_at = 0.0
        self._warn = warn or (lambda message: log.warning("%s", message))
        self._executor = concurrent.futures.ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="logsmith-audit"
        )
        self._store: AuditStore | None = None
        self._backlog: deque[AuditEvent] = deque()
        self._failing = False
        self._lock = threading.Lock()
        self.written = 0
        self.dropped = 0
        self.last_error: str | None = None

    def record(self, event: AuditEvent, settings=None) -> concurrent.futures.Future | None:
        """Queue `event` for writing; None when telemetry is off. The future resolves to True once
        written."""
        if settings is not None:
            if not settings.telemetry:
                return None
            if not settings.store_code and event.statement is not None:
                event = dataclasses.replace(event, statement=None)
        try:
            return self._executor.submit(self._write, event)
        except RuntimeError:  # shut down
            return None

    def flush(self, timeout: float | None = 5.0) -> bool:
        """Wait until everything queued so far has been tried;
        True when nothing is left unwritten."""
        try:
            self._executor.submit(lambda: None).result(timeout)
        except (concurrent.futures.TimeoutError, RuntimeError):
            return False
        return not self._backlog

    def close(self) -> None:
        self._executor.shutdown(wait=True)
        if self._store is not None:
            self._store.close()
            self._store = None

    def _write(self, event: AuditEvent) -> bool:
        self._backlog.append(event)
        while len(self._backlog) > BACKLOG_LIMIT:
            self._backlog.popleft()
            self.dropped += 1
        if self._failing and time.monotonic() < self._retry_at:
            return False  # a locked store would make every event wait for the busy timeout
        try:
            if self._store is None:
                self._store = AuditStore(self.path)
            while self._backlog:
                self._store.append(self._backlog[0])
                self._backlog.popleft()
                self.written += 1
        except (StoreError, OSError, sqlite3.Error) as exc:
            self.last_error = str(exc)
            self._retry_at = time.monotonic() + self.retry_interval
            if self._store is not None:  # reopen next time: the file may have become writable
                self._store.close()
                self._store = None
            if not self._failing:
                self._failing = True
                self._warn(
                    f"logsmith cannot record suggestions in its audit store ({exc}). "
                    "Suggestions keep working; events are kept in memory and written once the "
                    "store is usable."
                )
            return False
        if self._failing:
            self._failing = False
            log.info("audit store %s is writable again", self.path)
        return True
