"""The inputs of `logsmith report`: audit stores and their exports, each read and its hash chain
verified before any of its rows may be counted.

An input is an audit store (SQLite, recognised by its first bytes) or a file `logsmith audit
export` wrote (JSON Lines or CSV). Every row of an export carries its `prev_hash` and `row_hash`,
so an export is verified like a store, with two differences:
- An export has no chain head. Rows changed, inserted or deleted inside it are found; rows cut off
  its end are not (compare the last row number and hash the report shows for it with what `logsmith
  audit verify` printed for the store).
- An export may be a segment cut from the middle of a chain: its first row then follows a row it
  does not hold, and is taken as it names that row's hash (a segment is exactly as trustworthy as
  its first row). An export whose first row is row 1 must start the chain.
An input that cannot be read, or whose chain breaks, is named with the reason and left out of the
figures whole. The same row given twice (two overlapping exports, or a store and its export) has
the same hash, and is counted once.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from logsmith.audit.export import EXPORT_COLUMNS
from logsmith.audit.store import (
    GENESIS_HASH,
    AuditRow,
    AuditStore,
    ChainReport,
    StoreError,
    verify_chain,
)

SQLITE_MAGIC = b"SQLite format 3\x00"
INTEGER_COLUMNS = frozenset({"seq", "rank"})
NUMBER_COLUMNS = frozenset({"latency_ms"})


class UnreadableInput(ValueError):
    """The file is not an audit store or export, or a row of it is not an audit row."""


@dataclass
class AuditInput:
    """One input of the report: what it is, its rows, and whether its chain holds."""

    number: int
    """Its place on the command line, from 1: how the report names it (never by its path)."""
    path: Path
    format: str
    """sqlite, jsonl or csv; `unknown` when it could not be read."""
    rows: list[AuditRow]
    chain: ChainReport | None
    problem: str | None
    """Why the input is left out of the figures, or None when it verified."""

    @property
    def verified(self) -> bool:
        return self.problem is None

    @property
    def segment(self) -> bool:
        """Whether the rows start after the first row of their chain (an export cut from it)."""
        return bool(self.rows) and self.rows[0].seq > 1

    def as_dict(self) -> dict:
        """What the report says of the input: no path, no row content."""
        return {
            "input": self.number,
            "format": self.format,
            "rows": len(self.rows),
            "first_row": self.rows[0].seq if self.rows else None,
            "last_row": self.rows[-1].seq if self.rows else None,
            "last_hash": self.rows[-1].row_hash if self.rows else None,
            "segment": self.segment,
            "verified": self.verified,
            "problem": self.problem,
        }


def read_input(number: int, path: Path) -> AuditInput:
    """Read and verify the input at `path`; a problem is recorded, never raised."""
    path = Path(path)
    try:
        with open(path, "rb") as handle:
            start = handle.read(len(SQLITE_MAGIC))
    except OSError as exc:
        return AuditInput(number, path, "unknown", [], None, f"cannot read it: {exc.strerror}")
    try:
        if start == SQLITE_MAGIC:
            with AuditStore(path, readonly=True) as store:
                rows = list(store.rows())
                return _verified(number, path, "sqlite", rows, verify_chain(rows, store.head()))
        fmt, rows = _read_export(path)
    except (StoreError, UnreadableInput) as exc:
        return AuditInput(number, path, "unknown", [], None, str(exc))
    return _verified(number, path, fmt, rows, verify_export(rows))


def verify_export(rows: list[AuditRow]) -> ChainReport:
    """The chain of an export: from its first row (row 1 starts at the genesis hash; a segment
    after the row its first row names), to its last row, which stands in for the head."""
    if not rows:
        return verify_chain(rows, None)
    first, last = rows[0], rows[-1]
    after = (0, GENESIS_HASH) if first.seq <= 1 else (first.seq - 1, first.prev_hash)
    return verify_chain(rows, (last.seq, last.row_hash), after=after)


def _verified(number, path, fmt, rows, chain: ChainReport) -> AuditInput:
    problem = None
    if chain.problem is not None:
        problem = f"hash chain broken at row {chain.problem.seq} ({chain.problem.kind}): "
        problem += chain.problem.message
    return AuditInput(number, path, fmt, rows, chain, problem)


def _read_export(path: Path) -> tuple[str, list[AuditRow]]:
    try:
        # newline="": a statement's own carriage returns and line breaks stay as they were hashed
        with open(path, encoding="utf-8", newline="") as handle:
            text = handle.read()
    except UnicodeDecodeError:
        raise UnreadableInput("not an audit store nor an export (not UTF-8 text)") from None
    except OSError as exc:
        raise UnreadableInput(f"cannot read it: {exc.strerror}") from None
    first = text.lstrip()[:1]
    if first == "{":
        return "jsonl", list(_jsonl_rows(text.split("\n")))
    if text.startswith(f"{EXPORT_COLUMNS[0]},"):
        return "csv", list(_csv_rows(text))
    raise UnreadableInput(
        "not an audit store nor an export of one (`logsmith audit export` writes JSON Lines or CSV)"
    )


def _jsonl_rows(lines: Iterable[str]) -> Iterator[AuditRow]:
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError as exc:
            raise UnreadableInput(f"line {number} is not JSON ({exc})") from None
        if not isinstance(record, dict):
            raise UnreadableInput(f"line {number} is not an audit row")
        yield _row(record, f"line {number}")


def _csv_rows(text: str) -> Iterator[AuditRow]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    missing = [c for c in EXPORT_COLUMNS if c not in (reader.fieldnames or ())]
    if missing:
        raise UnreadableInput(f"the CSV header lacks {', '.join(missing)}")
    for record in reader:
        values: dict[str, object] = {}
        for column in EXPORT_COLUMNS:
            cell = record[column]
            values[column] = None if cell in ("", None) else cell
        yield _row(values, f"CSV line {reader.line_num}")


def _row(record: dict, where: str) -> AuditRow:
    """An AuditRow from an exported record, with each column's type as the store holds it."""
    values = {}
    for column in EXPORT_COLUMNS:
        if column not in record:
            raise UnreadableInput(f"{where} lacks the column {column}")
        value = record[column]
        try:
            if value is not None and column in INTEGER_COLUMNS:
                value = int(value)
            elif value is not None and column in NUMBER_COLUMNS:
                value = float(value)
            elif value is not None and not isinstance(value, str):
                raise ValueError(f"{value!r} is not text")
        except (TypeError, ValueError) as exc:
            raise UnreadableInput(f"{where}: {column} {exc}") from None
        values[column] = value
    if values["seq"] is None or values["prev_hash"] is None or values["row_hash"] is None:
        raise UnreadableInput(f"{where} has no seq, prev_hash or row_hash")
    return AuditRow(**values)


def counted_rows(inputs: list[AuditInput]) -> tuple[list[AuditRow], int]:
    """The rows of the verified inputs, each row once (by its hash), and how many were repeats."""
    seen: set[str] = set()
    rows, repeats = [], 0
    for item in inputs:
        if not item.verified:
            continue
        for row in item.rows:
            if row.row_hash in seen:
                repeats += 1
                continue
            seen.add(row.row_hash)
            rows.append(row)
    return rows, repeats
