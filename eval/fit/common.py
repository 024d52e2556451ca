"""What the three fitters share: the splits they may fit on, the cache of their examples, and the
end of every run: the provenance of the run, and the data file written at `--output` (by default
the one logsmith ships), or with `--dry-run` only shown and compared with the file there."""

from __future__ import annotations

import argparse
import datetime
import json
import shlex
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

FIT_SPLITS = ("dev", "train")
"""The splits a fitter may read; the held-out split is for measuring, never for fitting."""


def check_splits(splits: tuple[str, ...]) -> tuple[str, ...]:
    """`splits`, when every one of them may be fitted on; ValueError otherwise."""
    if "heldout" in splits:
        raise ValueError("the held-out split is for measuring, never for fitting")
    if not splits or not set(splits) <= set(FIT_SPLITS):
        raise ValueError(f"a fitter reads dev, train or both, not {','.join(splits)!r}")
    return splits


def cached(path: Path | None, refresh: bool, key: Mapping[str, Any],
           compute: Callable[[], list]) -> list:
    """`compute()`'s rows, kept at `path` with `key` (what they were computed for) and read back
    by a later run with the same key; `refresh` computes them again, `path` None keeps nothing."""
    if path is not None and path.exists() and not refresh:
        try:
            stored = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            stored = None
        if isinstance(stored, dict) and stored.get("key") == dict(key):
            print(f"examples read from {path} (--refresh computes them again)", file=sys.stderr)
            return stored["rows"]
    rows = compute()
    if path is not None:
        path.write_text(json.dumps({"key": dict(key), "rows": rows}), encoding="utf-8")
    return rows


def add_output_arguments(parser: argparse.ArgumentParser, default: Path) -> None:
    parser.add_argument("--output", type=Path, default=default, metavar="PATH",
                        help="the data file to write (default: logsmith's own, %(default)s)")
    parser.add_argument("--dry-run", action="store_true",
                        help="print the file it would write and how it differs, write nothing")


def command_line(module: str, argv: list[str] | None) -> str:
    """The command that ran the fitter, as a user would type it again."""
    return shlex.join(["python", "-m", module, *(sys.argv[1:] if argv is None else argv)])


def today() -> str:
    return datetime.date.today().isoformat()


def differences(old: Mapping[str, Any], new: Mapping[str, Any], prefix: str = "") -> list[str]:
    """One line per number that differs between two files' numbers (nested keys joined by '.')."""
    lines = []
    for key in sorted(set(old) | set(new), key=str):
        name = f"{prefix}{key}"
        if key not in new:
            lines.append(f"{name}: {old[key]!r} -> (none)")
        elif key not in old:
            lines.append(f"{name}: (none) -> {new[key]!r}")
        elif isinstance(old[key], Mapping) and isinstance(new[key], Mapping):
            lines += differences(old[key], new[key], f"{name}.")
        elif old[key] != new[key]:
            lines.append(f"{name}: {old[key]!r} -> {new[key]!r}")
    return lines


def finish(output: Path, dry_run: bool, provenance: Mapping[str, Any],
           numbers: Mapping[str, Any], save: Callable[[Path], None]) -> int:
    """Writes the data file at `output` with `save` (unless `dry_run`), and says how its numbers
    compare with those of the file that was there."""
    previous = None
    if output.exists():
        try:
            previous = json.loads(output.read_text(encoding="utf-8"))
        except ValueError:
            previous = None
    if dry_run:
        print(json.dumps({"provenance": dict(provenance), **numbers}, indent=1, ensure_ascii=False))
    if isinstance(previous, dict):
        changed = differences({k: v for k, v in previous.items() if k != "provenance"}, numbers)
        verb = "would change" if dry_run else "changed"
        if changed:
            print(f"{len(changed)} numbers {verb} against {output}:", file=sys.stderr)
            for line in changed:
                print(f"  {line}", file=sys.stderr)
        else:
            print(f"the numbers equal those {output} held", file=sys.stderr)
    if dry_run:
        print(f"dry run: {output} left as it was", file=sys.stderr)
        return 0
    output.parent.mkdir(parents=True, exist_ok=True)
    save(output)
    print(f"wrote {output}", file=sys.stderr)
    return 0
