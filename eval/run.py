"""`make eval`: the adoption benchmark (`eval.bench.adoption`) on the held-out and dev splits, then
the report (`eval/reports/<date>/report.html`, `report.md`, `report.json`).

`EVAL_LIMIT=N make eval` runs the first N cases of each split's fixed order (N = 10 takes about 5
minutes on a 2-core machine); without it, DEFAULT_LIMIT cases per split, sized so the whole run
fits in an hour there (see eval/README.md for the measured timings). Extra arguments are
passed to the suite, e.g. `python -m eval.run --split heldout --limit 5 --out /tmp/eval`.
A run that stops is resumed by running it again (cases already done are kept).
"""

from __future__ import annotations

import argparse
import os
import sys

from eval.bench import adoption

LIMIT_ENV = "EVAL_LIMIT"
DEFAULT_LIMIT = 50
"""Cases per split in a full `make eval`. Measured: 16 s per case on 2 idle cores (50 held-out cases
in 785 s, 2026-12-01) and 25 s on cores shared with a test run (20 cases in 508 s, 2026-11-24), so
2 x 50 cases take 27 to 42 minutes."""


def limit_from_environment(environ=os.environ) -> int:
    """EVAL_LIMIT as a positive number of cases per split, DEFAULT_LIMIT when unset; ValueError when bad."""
    value = environ.get(LIMIT_ENV, "").strip()
    if not value:
        return DEFAULT_LIMIT
    try:
        limit = int(value)
    except ValueError:
        raise ValueError(f"{LIMIT_ENV} must be a whole number of cases per split, got {value!r}") from None
    if limit < 1:
        raise ValueError(f"{LIMIT_ENV} must be at least 1, got {limit}")
    return limit


def main(argv: list[str] | None = None) -> int:
    try:
        limit = limit_from_environment()
    except ValueError as exc:
        print(f"make eval: {exc}", file=sys.stderr)
        return 2
    parser = argparse.ArgumentParser(prog="python -m eval.run", description=__doc__.split("\n\n")[0])
    adoption.add_arguments(parser)
    parser.set_defaults(limit=limit)
    return adoption.run_and_report(adoption.options_from(parser.parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
