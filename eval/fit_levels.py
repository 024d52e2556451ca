"""Count the level priors (`logsmith.planning.levels.SITE_LEVELS`) on the corpus, never on the held-out split,
and measure whether counting them on more projects would choose levels better.

For each case (the developer's statement masked, cursor on its blank line) it reads the site and
the file's habits the way `logsmith.suggest` does (`logsmith.planning.levels.level_evidence`), and the level
the developer chose. The priors are how often each level was chosen at each kind of site. Leaving
each of the dev and train projects out in turn, it scores the level `logsmith.planning.levels.likeliest_level`
picks for that project's statements with priors counted on the other projects: of the dev split
only (as shipped) and of the dev and train splits.

    .venv/bin/python -m eval.fit_levels             # prints the priors to paste into logsmith/planning/levels.py
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass

from eval import corpus, metrics
from logsmith.planning.levels import LevelEvidence, likeliest_level
from logsmith.vocabulary import LEVELS


@dataclass(frozen=True)
class LevelExample:
    project: str
    split: str
    evidence: LevelEvidence
    expected: str | None


def examples(splits: tuple[str, ...] = ("dev", "train")) -> list[LevelExample]:
    from eval.case_reading import read_case
    from logsmith.planning.plan import nearby_levels
    from logsmith.planning.levels import level_evidence
    from logsmith.planning.house_style import logger_for

    found = []
    every_case, projects = corpus.load_cases(), corpus.load_projects()
    for split in splits:
        for case in corpus.cases_for_split(every_case, projects, split):
            reading = read_case(case)
            site, facts, style = reading.site, reading.facts, reading.style
            framework = logger_for(site, facts, style).framework
            evidence = level_evidence(site, style, framework, nearby_levels(site, facts))
            found.append(LevelExample(case.project, split, evidence, metrics.parse_statement(reading.masked.expected).level))
    return found


def count_priors(rows: list[LevelExample]) -> dict[str, tuple[int, ...]]:
    """Per kind of site, how often each level was chosen; "except" counts every handler."""
    table: dict[str, list[int]] = {}
    for row in rows:
        if row.expected not in LEVELS:
            continue
        keys = {row.evidence.key, "except"} if row.evidence.key.startswith("except") else {row.evidence.key}
        for key in keys:
            table.setdefault(key, [0] * len(LEVELS))[LEVELS.index(row.expected)] += 1
    table.setdefault("other", [0] * len(LEVELS))
    return {key: tuple(counts) for key, counts in sorted(table.items())}


def accuracy(rows: list[LevelExample], priors: dict[str, tuple[int, ...]]) -> float:
    """Share of `rows` whose developer's level is the one chosen with `priors` (exact match)."""
    return sum(metrics.level_match(likeliest_level(row.evidence, priors), row.expected) for row in rows) / len(rows)


def leave_one_project_out(rows: list[LevelExample], prior_splits: tuple[str, ...]) -> dict[str, float]:
    """Per project: accuracy on its statements with priors counted on the other projects of `prior_splits`."""
    scores = {}
    for project in sorted({row.project for row in rows}):
        others = [row for row in rows if row.project != project and row.split in prior_splits]
        scores[project] = accuracy([row for row in rows if row.project == project], count_priors(others))
    return scores


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.fit_levels", description=__doc__.split("\n")[0])
    parser.add_argument("--splits", default="dev", help="comma-separated splits to count the printed priors on (default: dev, as shipped)")
    args = parser.parse_args(argv)
    splits = tuple(args.splits.split(","))
    if "heldout" in splits:
        parser.error("the held-out split is for measuring, never for fitting")
    if not set(splits) <= {"dev", "train"}:
        parser.error(f"--splits takes dev, train or both, not {args.splits!r}")
    rows = examples()
    projects = sorted({row.project for row in rows})
    dev_projects = {row.project for row in rows if row.split == "dev"}
    print(f"{len(rows)} statements of {len(projects)} dev and train projects", file=sys.stderr)
    for prior_splits in (("dev",), ("dev", "train")):
        scores = leave_one_project_out(rows, prior_splits)
        new = [scores[p] for p in projects if p not in dev_projects]
        print(f"  priors from {'+'.join(prior_splits)}: leave-one-project-out level accuracy, mean over "
              f"{len(projects)} projects {sum(scores.values()) / len(scores):.3f}, over the {len(new)} outside dev "
              f"{sum(new) / len(new):.3f}", file=sys.stderr)
    priors = count_priors([row for row in rows if row.split in splits])
    print(f"# counted on {'+'.join(splits)}: {sum(1 for row in rows if row.split in splits)} statements")
    print("SITE_LEVELS = {")
    for key, counts in priors.items():
        print(f'    "{key}": {counts},')
    print("}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
