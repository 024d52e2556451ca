"""Count the level priors (`logsmith/planning/data/level_priors.json`) on the corpus, never on the
held-out split, score them, and write them with the provenance of the run.

For each case of the dev and train splits (the developer's statement masked, cursor on its blank
line) it reads the site and the file's habits the way `logsmith.suggest` does
(`logsmith.planning.levels.level_evidence`), and the level the developer chose. The priors are how
often each level was chosen at each kind of site, counted on `--splits` (dev, as shipped). Leaving
each of the dev and train projects out in turn, it scores the level the product's
`likeliest_level` picks for that project's statements with a `LevelPriors` counted on the other
projects: of the dev split only and of the dev and train splits. The score of the splits counted
is the one the file records. The weights of a file's own habits (`HABIT_WEIGHTS`) are not fitted
here: the file carries them as they are set below.

    python -m eval.fit.levels                          # writes logsmith's level_priors.json
    python -m eval.fit.levels --output /tmp/levels.json
    python -m eval.fit.levels --splits dev,train --dry-run
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass

from eval import metrics
from eval.corpus import build as corpus
from eval.fit import common
from logsmith.planning import fitted
from logsmith.planning.fitted import LevelPriors
from logsmith.planning.levels import LevelEvidence, likeliest_level
from logsmith.vocabulary import LEVELS

PROG = "eval.fit.levels"
HABIT_WEIGHTS = {"same_context": 1.5, "file": 0.5, "nearby": 1.0}
"""How much the levels a file uses count against the site's prior: in the same context as the site
(handlers or not), in the whole file, in the same function nearby. Chosen by leave-one-project-out
on dev when the habits were added; set here, not fitted by this script."""
WHAT = ("how often developers chose each level at each kind of site (counts), and the weights of "
        "a file's own habits against them")
KEYS = ("kind of site, or kind/how the handler ends; 'except' counts every handler, for endings "
        "that have no key of their own")


@dataclass(frozen=True)
class LevelExample:
    project: str
    split: str
    evidence: LevelEvidence
    expected: str | None


def examples(splits: tuple[str, ...] = common.FIT_SPLITS) -> list[LevelExample]:
    from eval.corpus.reading import read_case
    from logsmith.planning.house_style import logger_for
    from logsmith.planning.levels import level_evidence
    from logsmith.planning.plan import nearby_levels

    common.check_splits(splits)
    found = []
    every_case, projects = corpus.load_cases(), corpus.load_projects()
    for split in splits:
        for case in corpus.cases_for_split(every_case, projects, split):
            reading = read_case(case)
            site, facts, style = reading.site, reading.facts, reading.style
            framework = logger_for(site, facts, style).framework
            evidence = level_evidence(site, style, framework, nearby_levels(site, facts))
            expected = metrics.parse_statement(reading.masked.expected).level
            found.append(LevelExample(case.project, split, evidence, expected))
    return found


def count_priors(rows: list[LevelExample]) -> dict[str, tuple[int, ...]]:
    """Per kind of site, how often each level was chosen; "except" counts every handler."""
    table: dict[str, list[int]] = {}
    for row in rows:
        if row.expected not in LEVELS:
            continue
        key = row.evidence.key
        for counted in ({key, "except"} if key.startswith("except") else {key}):
            table.setdefault(counted, [0] * len(LEVELS))[LEVELS.index(row.expected)] += 1
    table.setdefault("other", [0] * len(LEVELS))
    return {key: tuple(counts) for key, counts in sorted(table.items())}


def level_priors(counts: dict[str, tuple[int, ...]]) -> LevelPriors:
    """The product's priors with these counts and `HABIT_WEIGHTS`."""
    return LevelPriors(counts, HABIT_WEIGHTS["same_context"], HABIT_WEIGHTS["file"],
                       HABIT_WEIGHTS["nearby"])


def accuracy(rows: list[LevelExample], priors: LevelPriors) -> float:
    """Share of `rows` whose developer's level is the one chosen with `priors` (exact match)."""
    right = sum(metrics.level_match(likeliest_level(row.evidence, priors), row.expected)
                for row in rows)
    return right / len(rows)


def leave_one_project_out(rows: list[LevelExample], prior_splits: tuple[str, ...]
                          ) -> dict[str, float]:
    """Per project: accuracy on its statements with priors counted on the other projects of
    `prior_splits`."""
    scores = {}
    for project in sorted({row.project for row in rows}):
        others = [row for row in rows if row.project != project and row.split in prior_splits]
        held = [row for row in rows if row.project == project]
        scores[project] = accuracy(held, level_priors(count_priors(others)))
    return scores


def provenance(rows: list[LevelExample], splits: tuple[str, ...],
               means: dict[tuple[str, ...], float], command: str) -> dict:
    """`means`: the leave-one-project-out accuracy of priors counted on each set of splits."""
    counted = [row for row in rows if row.split in splits]
    folds = len({row.project for row in rows})
    others = "; ".join(f"counted on {' and '.join(other)}: {mean:.3f}"
                       for other, mean in means.items() if other != splits)
    return {
        "what": WHAT,
        "corpus": (f"eval/corpus/cases.jsonl, split{'s' if len(splits) > 1 else ''} "
                   f"{' and '.join(splits)}: {len(counted):,} statements of "
                   f"{len({row.project for row in counted})} projects; the held-out projects "
                   "were not used"),
        "command": command,
        "date": common.today(),
        "score": {
            "leave_one_project_out_level_accuracy": round(means[splits], 3),
            "folds": folds,
            "note": (f"counted on {' and '.join(splits)}, scored on each of the {folds} dev and "
                     f"train projects left out in turn; {others}"),
        },
        "keys": KEYS,
        "habit_weights": "set in eval/fit/levels.py (HABIT_WEIGHTS), not fitted by this command",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=f"python -m {PROG}",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--splits", default="dev",
                        help="comma-separated splits to count the priors on (default: dev)")
    common.add_output_arguments(parser, fitted.LEVEL_PRIORS_FILE)
    args = parser.parse_args(argv)
    splits = tuple(args.splits.split(","))
    try:
        common.check_splits(splits)
    except ValueError as exc:
        parser.error(str(exc))
    splits = tuple(split for split in common.FIT_SPLITS if split in splits)
    rows = examples()
    projects = sorted({row.project for row in rows})
    dev_projects = {row.project for row in rows if row.split == "dev"}
    print(f"{len(rows)} statements of {len(projects)} dev and train projects", file=sys.stderr)
    means: dict[tuple[str, ...], float] = {}
    for prior_splits in dict.fromkeys((splits, ("dev",), ("dev", "train"))):
        scores = leave_one_project_out(rows, prior_splits)
        means[prior_splits] = sum(scores.values()) / len(scores)
        new = [scores[p] for p in projects if p not in dev_projects]
        print(f"  priors from {'+'.join(prior_splits)}: leave-one-project-out level accuracy, "
              f"mean over {len(projects)} projects {means[prior_splits]:.3f}, over the {len(new)} "
              f"outside dev {sum(new) / len(new):.3f}", file=sys.stderr)
    priors = level_priors(count_priors([row for row in rows if row.split in splits]))
    origin = provenance(rows, splits, means, common.command_line(PROG, argv))
    return common.finish(args.output, args.dry_run, origin, fitted.level_priors_numbers(priors),
                         lambda path: fitted.save_level_priors(priors, origin, path))


if __name__ == "__main__":
    sys.exit(main())
