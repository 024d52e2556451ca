"""`make eval`: runs the benchmarks of eval/ with their defaults (today: the engine benchmark, dev split, 200 cases).

Extra arguments are passed to `eval.bench_engine`, e.g. `python -m eval.run --split heldout`.
"""

from __future__ import annotations

import sys

from eval import bench_engine

DEFAULT_ARGUMENTS = ["--split", "dev", "--limit", "200"]


def main(argv: list[str] | None = None) -> int:
    extra = sys.argv[1:] if argv is None else argv
    return bench_engine.main([*DEFAULT_ARGUMENTS, *extra])


if __name__ == "__main__":
    sys.exit(main())
