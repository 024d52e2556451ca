"""`logsmith audit`: export the raw audit trail (CSV or JSON Lines) and verify its hash chain.

    logsmith audit export --format csv|jsonl [--output FILE]
    logsmith audit verify      exit 0: chain intact; 1: first changed / deleted / inserted row named
    logsmith audit path        print where the store lives

With no store yet, export and verify say how the editors create one and where it is looked for.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

from logsmith.audit.store import (
    CHAINED_COLUMNS,
    AuditStore,
    NoStore,
    StoreError,
    default_store_path,
    no_store_help,
)

EXPORT_COLUMNS = (*CHAINED_COLUMNS, "prev_hash", "row_hash")


def add_arguments(parser) -> None:
    parser.add_argument(
        "--store", type=Path, help="audit store (default: $LOGSMITH_HOME/telemetry.sqlite3)"
    )
    actions = parser.add_subparsers(dest="audit_action", metavar="ACTION", required=True)
    export = actions.add_parser("export", help="write every row of the trail")
    export.add_argument("--format", choices=("csv", "jsonl"), default="jsonl")
    export.add_argument(
        "--output", "-o", type=Path, metavar="FILE", help="write here instead of standard output"
    )
    actions.add_parser("verify", help="recompute the hash chain; exit 1 at the first tampered row")
    actions.add_parser("path", help="print the location of the audit store")


def export_rows(store: AuditStore, out, fmt: str) -> int:
    count = 0
    if fmt == "csv":
        writer = csv.writer(out)
        writer.writerow(EXPORT_COLUMNS)
        for row in store.rows():
            record = row.as_dict()
            writer.writerow(["" if record[c] is None else record[c] for c in EXPORT_COLUMNS])
            count += 1
    else:
        for row in store.rows():
            out.write(json.dumps(row.as_dict(), sort_keys=True) + "\n")
            count += 1
    return count


def run(args) -> int:
    store_path = args.store or default_store_path()
    if args.audit_action == "path":
        print(store_path)
        return 0
    try:
        with AuditStore(store_path, readonly=True) as store:
            if args.audit_action == "verify":
                report = store.verify()
                problem = report.problem
                if problem is None:
                    print(
                        f"audit trail intact: {report.rows} rows, "
                        f"head {report.head_seq} {report.head_hash}"
                    )
                    return 0
                print(
                    f"audit trail TAMPERED at row {problem.seq} ({problem.kind}): {problem.message}"
                )
                return 1
            if args.output:
                try:
                    with open(args.output, "w", encoding="utf-8", newline="") as out:
                        count = export_rows(store, out, args.format)
                except OSError as exc:
                    print(
                        f"logsmith audit: cannot write {args.output}: {exc.strerror or exc}",
                        file=sys.stderr,
                    )
                    return 2
                print(f"{count} rows written to {args.output}", file=sys.stderr)
            else:
                export_rows(store, sys.stdout, args.format)
            return 0
    except NoStore:
        command = f"audit {args.audit_action}"
        help_text = no_store_help(store_path, command, explicit=args.store is not None)
        print(f"logsmith audit: {help_text}", file=sys.stderr)
        return 2
    except StoreError as exc:
        print(f"logsmith audit: {exc}", file=sys.stderr)
        return 2
