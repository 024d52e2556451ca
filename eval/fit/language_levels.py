"""Fits the level logsmith starts from at each kind of site in Java, Go and JavaScript/TypeScript
(`logsmith/planning/data/language_levels.json`): for each language, the level developers of the
dev projects wrote most often at sites of that kind, read where logsmith reads them (the masked
site, as `site_at` sees it). The file's and folder's own statements still outweigh these.

    python -m eval.fit.language_levels [--dry-run]
"""

from __future__ import annotations

import argparse
from collections import Counter, defaultdict
from pathlib import Path

from eval.corpus import build_languages as corpus
from eval.corpus.build import CorpusError
from eval.fit.common import add_output_arguments, command_line, finish, today
from logsmith.idioms import registry
from logsmith.idioms.contract import LEVELS
from logsmith.planning.fitted import LANGUAGE_LEVELS_FILE, write
from logsmith.syntax.document import ParsedDocument

SPLIT = "dev"


def observations(cases: list[corpus.LanguageCase], projects: dict) -> list[tuple[str, str, str]]:
    """(language family, site kind at the masked site, the developer's level) per dev case with a
    level; a case whose file cannot be read is left out."""
    found = []
    for case in cases:
        if case.level is None:
            continue
        try:
            _, source = corpus.case_source(case, projects)
        except (OSError, CorpusError):
            continue
        masked = corpus.mask(source, case)
        document = ParsedDocument(masked.source, case.language)
        site = registry.reader_for(case.language).site_at(document, masked.line, masked.character)
        found.append((registry.MODULES[case.language], site.kind, case.level))
    return found


def fit(found: list[tuple[str, str, str]]) -> dict[str, dict[str, dict]]:
    """Per language family and site kind: the likeliest level (ties go to the more severe) and the
    counts it came from."""
    counts: dict[str, dict[str, Counter]] = defaultdict(lambda: defaultdict(Counter))
    for family, kind, level in found:
        counts[family][kind][level] += 1
    table: dict[str, dict[str, dict]] = {}
    for family in sorted(counts):
        table[family] = {}
        for kind in sorted(counts[family]):
            levels = counts[family][kind]
            best = max(levels.items(), key=lambda item: (item[1], LEVELS.index(item[0])))[0]
            table[family][kind] = {
                "level": best,
                "counts": dict(sorted(levels.items(), key=lambda item: LEVELS.index(item[0]))),
            }
    return table


def accuracy(found: list[tuple[str, str, str]], table: dict, defaults: dict[str, str]) -> dict:
    """On the fitting cases themselves: how often the fitted level, and the unfitted default, is
    the developer's (per language family)."""
    result: dict[str, dict] = {}
    for family in sorted({f for f, _, _ in found}):
        rows = [(kind, level) for f, kind, level in found if f == family]
        fitted = sum(table[family][kind]["level"] == level for kind, level in rows)
        default = sum(defaults.get(kind, "info") == level for kind, level in rows)
        result[family] = {
            "cases": len(rows),
            "fitted": round(fitted / len(rows), 3),
            "unfitted defaults": round(default / len(rows), 3),
        }
    return result


def main(argv: list[str] | None = None) -> int:
    from logsmith.idioms.stages import DEFAULT_LEVELS

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_output_arguments(parser, LANGUAGE_LEVELS_FILE)
    args = parser.parse_args(argv)
    projects = {spec.name: spec for spec in corpus.load_projects()}
    cases = corpus.cases_for(corpus.load_cases(), list(projects.values()), SPLIT)
    found = observations(cases, projects)
    table = fit(found)
    provenance = {
        "what": "the level at each kind of site before the file's and folder's own statements "
        "are weighed, per language family (javascript covers TypeScript)",
        "corpus": f"the {SPLIT} cases of eval/corpus/languages-cases.jsonl with a level "
        f"({len(found)} of {len(cases)}), their sites read at the masked line by logsmith's "
        "readers; projects: " + ", ".join(sorted({c.project for c in cases})),
        "command": command_line("eval.fit.language_levels", argv),
        "date": today(),
        "accuracy on the fitting cases": accuracy(found, table, DEFAULT_LEVELS),
    }
    numbers = {"levels": table}
    return finish(
        Path(args.output),
        args.dry_run,
        provenance,
        numbers,
        lambda path: write(path, provenance, numbers),
    )


if __name__ == "__main__":
    raise SystemExit(main())
