"""The corpus in Java, Go, JavaScript and TypeScript: developer-written log statements of pinned
projects (`eval/corpus/languages.toml`), found by each language's reader.

A case is a statement the language's reader (`logsmith.idioms.registry.reader_for(language)`)
lists in `logged_calls`, inside a function of a production file (not tests, docs, examples,
vendored or generated code), standing alone on its lines (only a comment may follow it). At most
`cap` cases per project, the first in an order seeded with the Python corpus's seed and ranked by
each statement's id alone (a reader that finds a few more statements changes a few cases only).
Masking is the Python corpus's: the statement's lines become one line holding only their
indentation.

    python -m eval.corpus.build_languages build   # fetch if needed, rewrite languages-cases.jsonl
    python -m eval.corpus.build_languages stats   # counts: language, split, project, kind, level
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import tomllib
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path

from eval.corpus import build as corpus
from eval.corpus import foreign_sources, sources

CORPUS_DIR = Path(__file__).resolve().parent
PROJECTS_FILE = CORPUS_DIR / "languages.toml"
CASES_FILE = CORPUS_DIR / "languages-cases.jsonl"
LANGUAGES = ("go", "java", "javascript")
"""A project's language: the reader that finds its statements (a javascript project's `.ts` files
are read as typescript)."""
ORDER_SEED = "logsmith-bench-1"
SUFFIXES = {
    "go": (".go",),
    "java": (".java",),
    "javascript": (".js", ".mjs", ".cjs", ".jsx", ".ts", ".mts", ".cts", ".tsx"),
}
_EXCLUDED_FOLDERS = corpus._EXCLUDED_FOLDERS | {
    "__tests__",
    "__mocks__",
    "spec",
    "specs",
    "e2e",
    "integration",
    "testdata",
    "testutil",
    "testutils",
    "testing",
    "mock",
    "mocks",
    "fixtures",
    "bench",
    "hack",
    "generated",
    "dist",
    "node_modules",
    "androidTest",
    "functional",
}
_TEST_FILE = re.compile(
    r"(_test\.go|Tests?\.java|\.(test|spec)\.[cm]?[jt]sx?|\.d\.ts|\.min\.js|\.pb(\.gw)?\.go"
    r"|^zz_generated.*)$"
)
_GENERATED_MARK = re.compile(r"Code generated .* DO NOT EDIT|@generated|DO NOT EDIT")
_TRAILING = re.compile(r"^;?\s*(//.*|/\*.*)?$")


@dataclass(frozen=True)
class LanguageProject:
    """One pinned project of the non-Python corpus."""

    name: str
    language: str
    source: str
    """`debian:NAME=VERSION` or `npm:NAME@VERSION` (eval.corpus.foreign_sources)."""
    include: tuple[str, ...]
    kind: str
    split: str
    licence: str = ""
    nested: str | None = None

    @property
    def version(self) -> str:
        return foreign_sources.PackageSource.parse(self.source).version


@dataclass(frozen=True)
class LanguageCase:
    """One developer-written log statement, where it sits and what the reader made of it."""

    project: str
    language: str
    """The file's language: go, java, javascript or typescript."""
    version: str
    file: str
    """Path inside the unpacked package."""
    line: int
    column: int
    end_line: int
    end_column: int
    level: str | None
    """Normalised (`logsmith.idioms.contract.LEVELS`), None for a library without levels."""
    library: str
    logger: str
    message: str | None
    values: tuple[str, ...]
    error: str | None
    kind: str
    function: str | None
    statement: str

    @property
    def id(self) -> str:
        return f"{self.project}:{self.file}:{self.line + 1}"

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_dict(cls, data: dict) -> LanguageCase:
        try:
            fields = {name: data[name] for name in cls.__dataclass_fields__}
        except KeyError as exc:
            raise corpus.CorpusError(f"case is missing field {exc}: {data!r}") from None
        fields["values"] = tuple(fields["values"])
        return cls(**fields)


def file_language(project_language: str, file: str) -> str:
    """The language a file is read as: a javascript project's `.ts` files are typescript."""
    if project_language != "javascript":
        return project_language
    if file.endswith(".tsx"):
        return "tsx"
    if file.endswith((".ts", ".mts", ".cts")):
        return "typescript"
    return "javascript"


def is_production_file(file: str, text: str = "") -> bool:
    """False for tests, docs, examples, benchmarks, vendored and generated code."""
    parts = Path(file).parts
    if _TEST_FILE.search(parts[-1]):
        return False
    if any(part in _EXCLUDED_FOLDERS for part in parts[:-1]):
        return False
    if "/src/test/" in f"/{file}":
        return False
    head = "\n".join(text.split("\n", 8)[:8])
    return not _GENERATED_MARK.search(head)


def _placed(lines: list[str], call) -> tuple[int, int, str] | None:
    """(column, end column, statement) of a logged call standing alone on its lines, else None."""
    text_lines = call.text.split("\n")
    if call.start_line >= len(lines) or call.end_line >= len(lines):
        return None
    first = lines[call.start_line]
    column = first.find(text_lines[0])
    if column < 0 or first[:column].strip():
        return None
    if len(text_lines) == 1:
        end_column = column + len(call.text)
    else:
        if not lines[call.end_line].startswith(text_lines[-1]):
            return None
        end_column = len(text_lines[-1])
    rest = lines[call.end_line][end_column:]
    if not _TRAILING.match(rest.strip()):
        return None
    statement = call.text + (";" if rest.strip().startswith(";") else "")
    return column, end_column, statement


def collect_cases(
    text: str, language: str, project: str, version: str, file: str, reader
) -> list[LanguageCase]:
    """Every log statement of `text` inside a function, alone on its lines, in file order.
    `reader`: the language's `SiteReader` module."""
    from logsmith.syntax.document import ParsedDocument

    lines = text.split("\n")
    cases = []
    for call in reader.logged_calls(ParsedDocument(text, language)):
        if call.function is None:
            continue
        placed = _placed(lines, call)
        if placed is None:
            continue
        column, end_column, statement = placed
        cases.append(
            LanguageCase(
                project,
                language,
                version,
                file,
                call.start_line,
                column,
                call.end_line,
                end_column,
                call.level,
                call.library,
                call.logger,
                call.message,
                tuple(call.values),
                call.error,
                call.site_kind,
                call.function,
                statement,
            )
        )
    return cases


def readers(languages: tuple[str, ...] = LANGUAGES) -> dict[str, object]:
    """The readers that have landed, by file language (javascript brings typescript and tsx)."""
    from logsmith.idioms import registry

    found = {}
    for language in languages:
        names = ("javascript", "typescript", "tsx") if language == "javascript" else (language,)
        for name in names:
            if not registry.supported(name):
                continue
            try:
                found[name] = registry.reader_for(name)
            except ImportError:
                continue
    return found


def collect_project(
    spec: LanguageProject, reader_by_language: dict, cache: Path | None = None
) -> list[LanguageCase]:
    """All cases of one project (files whose language has no reader yet are skipped)."""
    tree = foreign_sources.project_tree(spec.source, spec.nested, cache)
    cases = []
    for file in foreign_sources.source_files(tree, spec.include, SUFFIXES[spec.language]):
        language = file_language(spec.language, file)
        reader = reader_by_language.get(language)
        if reader is None:
            continue
        try:
            text = sources.read_source(tree, file)
        except sources.SourceError:
            continue
        if not is_production_file(file, text):
            continue
        cases.extend(collect_cases(text, language, spec.name, spec.version, file, reader))
    return cases


def rank(case_id: str, seed: str) -> str:
    """A case's place in a seeded order that depends on nothing but its id: a reader that finds a
    few more or fewer statements in a project changes the sample and the order by those few only."""
    return hashlib.sha256(f"{seed}:{case_id}".encode()).hexdigest()


def sample(cases: list[LanguageCase], cap: int, seed: str) -> list[LanguageCase]:
    """At most `cap` cases (the first by `rank`), in file order."""
    kept = sorted(cases, key=lambda case: rank(case.id, seed))[:cap]
    return sorted(kept, key=lambda case: (case.file, case.line))


def ordered(cases: list[LanguageCase], seed: str = ORDER_SEED) -> list[LanguageCase]:
    """Projects taken in turn, each one's cases by `rank`: any prefix of the list spreads over
    every project."""
    queues = defaultdict(list)
    for case in sorted(cases, key=lambda case: rank(case.id, seed)):
        queues[case.project].append(case)
    lists = [queues[name] for name in sorted(queues)]
    result = []
    for index in range(max((len(queue) for queue in lists), default=0)):
        result.extend(queue[index] for queue in lists if index < len(queue))
    return result


def load_projects(path: Path = PROJECTS_FILE) -> list[LanguageProject]:
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise corpus.CorpusError(f"cannot read {path}: {exc}") from exc
    specs = []
    for entry in data.get("project", []):
        try:
            spec = LanguageProject(
                entry["name"],
                entry["language"],
                entry["source"],
                tuple(entry["include"]),
                entry["kind"],
                entry["split"],
                entry.get("licence", ""),
                entry.get("nested"),
            )
        except KeyError as exc:
            raise corpus.CorpusError(f"{path}: project {entry!r} lacks {exc}") from None
        if spec.split not in corpus.BENCHMARK_SPLITS:
            raise corpus.CorpusError(f"{path}: project {spec.name} has split {spec.split!r}")
        if spec.language not in LANGUAGES:
            raise corpus.CorpusError(f"{path}: project {spec.name} has language {spec.language!r}")
        foreign_sources.PackageSource.parse(spec.source)
        specs.append(spec)
    names = [spec.name for spec in specs]
    if len(set(names)) != len(names):
        raise corpus.CorpusError(f"{path}: a project name appears twice")
    return specs


def load_cases(path: Path = CASES_FILE) -> list[LanguageCase]:
    cases = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if line.strip():
                try:
                    cases.append(LanguageCase.from_dict(json.loads(line)))
                except json.JSONDecodeError as exc:
                    raise corpus.CorpusError(f"{path}:{number}: {exc}") from None
    return cases


def write_cases(cases: list[LanguageCase], path: Path = CASES_FILE) -> None:
    Path(path).write_text("".join(case.to_json() + "\n" for case in cases), encoding="utf-8")


def cases_for(
    cases: list[LanguageCase],
    projects: list[LanguageProject],
    split: str,
    language: str | None = None,
) -> list[LanguageCase]:
    """The cases of a split, of one project language (javascript includes its typescript files)."""
    names = {
        spec.name
        for spec in projects
        if spec.split == split and (language is None or spec.language == language)
    }
    return [case for case in cases if case.project in names]


def mask(source: str, case: LanguageCase) -> corpus.MaskedCase:
    """The file with the statement's lines replaced by one line holding only its indentation."""
    return corpus.mask(source, case)


def case_source(
    case: LanguageCase, projects: dict[str, LanguageProject], cache: Path | None = None
) -> tuple[Path, str]:
    """The path on disk of the case's file and its text (fetched on first use)."""
    spec = projects[case.project]
    tree = foreign_sources.project_tree(spec.source, spec.nested, cache)
    return tree / case.file, sources.read_source(tree, case.file)


def build(
    projects: list[LanguageProject],
    cap: int = corpus.DEFAULT_CAP,
    seed: str = corpus.DEFAULT_SEED,
    cache: Path | None = None,
    previous: list[LanguageCase] = (),
) -> tuple[list[LanguageCase], list[str]]:
    """Each project's cases sampled to `cap`, and what was left out: a project whose language has
    no reader yet keeps its `previous` cases."""
    found = readers(tuple(sorted({spec.language for spec in projects})))
    cases, said = [], []
    for spec in projects:
        if spec.language not in found:
            kept = [case for case in previous if case.project == spec.name]
            cases.extend(kept)
            said.append(
                f"{spec.name}: no {spec.language} reader yet ({len(kept)} earlier cases kept)"
            )
            continue
        cases.extend(sample(collect_project(spec, found, cache), cap, seed))
    return cases, said


def _print_stats(cases: list[LanguageCase], projects: list[LanguageProject]) -> None:
    spec_of = {spec.name: spec for spec in projects}
    print(f"{len(cases)} cases")
    keys = (
        ("language", lambda c: spec_of[c.project].language),
        ("split", lambda c: f"{spec_of[c.project].language}/{spec_of[c.project].split}"),
        ("project", lambda c: c.project),
        ("file language", lambda c: c.language),
        ("library", lambda c: c.library),
        ("site kind", lambda c: c.kind),
        ("level", lambda c: c.level),
        ("multi-line", lambda c: c.end_line > c.line),
    )
    for title, key in keys:
        counts = Counter(key(case) for case in cases if case.project in spec_of)
        print(f"{title}: " + ", ".join(f"{name}={count}" for name, count in counts.most_common()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m eval.corpus.build_languages", description=__doc__.split("\n")[0]
    )
    parser.add_argument("command", choices=("build", "stats"))
    parser.add_argument(
        "--cap", type=int, default=corpus.DEFAULT_CAP, help="most cases per project"
    )
    parser.add_argument("--seed", default=corpus.DEFAULT_SEED)
    parser.add_argument(
        "--cache",
        type=Path,
        default=None,
        help="sources cache (default $LOGSMITH_EVAL_SOURCES or ~/.cache/logsmith/eval-sources)",
    )
    args = parser.parse_args(argv)
    projects = load_projects()
    previous = load_cases() if CASES_FILE.exists() else []
    if args.command == "build":
        cases, said = build(projects, args.cap, args.seed, args.cache, previous)
        for line in said:
            print(line, file=sys.stderr)
        write_cases(cases)
        print(f"wrote {CASES_FILE}")
    else:
        cases = previous
    _print_stats(cases, projects)
    return 0


if __name__ == "__main__":
    sys.exit(main())
