"""The engine benchmark in Java, Go, JavaScript and TypeScript: `logsmith.suggest` on the masked
sites of `eval/corpus/languages-cases.jsonl` against the template alone and the llama.vim way.

For each case (the developer's statement masked out, cursor on the blank indented line) it asks
logsmith with the real model first cold (its first request there), then warm (after the model has
read the stable part of its prompt, as the server lets it while the user pauses: the pause is not
counted), then the template alone (`Settings(use_model=False)`; asked twice: the second time is
what a request costs once the file and its folder have been read), then the same model the way
llama.vim asks (`eval.bench.llama_vim`: the file's prefix, greedy, first line). Every answer is
scored with `eval.bench.language_scoring` (the language's reader for level, values and message;
`eval.checks.foreign_scope` for validity). The developer's own statement is checked the same way
(`expected_valid`): how often the validity check wrongly refuses real code.

    python -m eval.bench.languages --split heldout --limit 40            # every language
    python -m eval.bench.languages --language go --split dev --limit 10

Rows go to eval/reports/<date>/languages/<language>-<split>-cases.jsonl (a stopped run starts
again where it was; --fresh starts over); the report of every rows file of the folder to
report.md / report.json beside them (`python -m eval.report.languages FOLDER` recomputes it).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import json
import sys
import time
from pathlib import Path

import logsmith
from eval.bench import engine, language_scoring, llama_vim, machine
from eval.checks import foreign_scope
from eval.corpus import build_languages as corpus
from eval.corpus import sources
from eval.corpus.build import CorpusError
from eval.report import languages as report
from logsmith.syntax.document import ParsedDocument

REPORTS_DIR = Path(__file__).resolve().parents[1] / "reports"


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def package_names(path: Path, language: str) -> set[str]:
    """What the case file's package brings without an import: Go, what its other files declare at
    their top; Java, its other classes (the names of the folder's other `.java` files) and the
    fields the file's classes inherit from superclasses of the same folder."""
    if language == "java":
        others = {other.stem: other for other in path.parent.glob("*.java") if other != path}
        own = _read(path) or ""
        texts = {name: text for name, file in others.items() if (text := _read(file)) is not None}
        return set(others) | foreign_scope.java_inherited_fields(own, texts)
    if language != "go":
        return set()
    texts = []
    for other in sorted(path.parent.glob("*.go")):
        if other != path and not other.name.endswith("_test.go") and other.is_file():
            text = _read(other)
            if text is not None:
                texts.append(text)
    return foreign_scope.package_names(texts)


def _edits(suggestion) -> list[dict]:
    return [dataclasses.asdict(edit) for edit in suggestion.additional_edits]


def ask_logsmith(
    masked, path: Path, language: str, settings: logsmith.Settings, document=None
) -> dict:
    """The top suggestion of one `logsmith.suggest` call and its wall time; an exception is
    recorded, never raised. `document`: the file as an editor keeps it open (parsed once, its
    answers per text kept, as in the server); None: the text is parsed within the request."""
    from logsmith.pipeline import suggest

    started = time.perf_counter()
    try:
        found = suggest(
            masked.source,
            masked.line,
            masked.character,
            path=str(path),
            settings=settings,
            language=language,
            document=document,
        )
    except Exception as exc:  # a bug in the engine must not stop the benchmark; it is counted
        return {
            "statement": None,
            "latency_ms": (time.perf_counter() - started) * 1000,
            "error": f"{type(exc).__name__}: {exc}",
        }
    elapsed = (time.perf_counter() - started) * 1000
    if not found:
        return {"statement": None, "latency_ms": elapsed, "error": None, "source": None}
    top = found[0]
    return {
        "statement": top.statement,
        "latency_ms": elapsed,
        "error": None,
        "source": top.source,
        "level": top.level,
        "notes": list(top.notes),
        "additional_edits": _edits(top),
        "suggestions": len(found),
    }


def warm_up(masked, language: str, settings: logsmith.Settings) -> float:
    """What the server does while the user pauses on the line: the model reads the stable part of
    logsmith's prompt. Returns its wall time (not counted in the warm request)."""
    if not settings.use_model:
        return 0.0
    from logsmith.engines import model_engine
    from logsmith.idioms import registry, stages
    from logsmith.syntax.document import ParsedDocument

    document = ParsedDocument(masked.source, language)
    try:
        site = registry.reader_for(language).site_at(document, masked.line, masked.character)
        prompt = stages.context(document, site) + site.indent
    except Exception:  # the warm request then pays for the reading, as a cold one
        return 0.0
    started = time.perf_counter()
    model_engine.warm(prompt, settings, budget_s=60)
    return time.perf_counter() - started


ENGINES = ("logsmith", "template", "baseline")
"""What `--engines` may name: logsmith with the model (cold, then warm), the template alone, and
the llama.vim way (which uses none of logsmith's code, so its answers stand when logsmith
changes; `--rescore` scores them again with the current readers)."""
ANSWERS = {
    "logsmith": ("logsmith_cold", "logsmith"),
    "template": ("template", "template_again"),
    "baseline": ("baseline",),
}
"""The answers each engine leaves in a row."""


def _case_facts(case: corpus.LanguageCase) -> dict:
    return {
        "id": case.id,
        "project": case.project,
        "language": case.language,
        "kind": case.kind,
        "level": case.level,
        "library": case.library,
        "file": case.file,
        "line": case.line,
        "function": case.function,
    }


def ask_engines(
    case: corpus.LanguageCase,
    masked,
    path: Path,
    engines: tuple[str, ...],
    settings: logsmith.Settings,
    baseline: llama_vim.BaselineModel | None,
) -> tuple[dict, float | None]:
    """The answers of `engines` at one masked site (unscored), and the warm-up's seconds.
    logsmith is asked as the server asks it, on the file as the editor opened it (parsed before
    the request); the template alone is asked once with the text alone (parsed within the
    request, as the Python engine benchmark asks) and once on the opened file."""
    language = case.language
    results, warm_up_s = {}, None
    if "logsmith" in engines:
        opened = ParsedDocument(masked.source, language)  # the editor parses it on opening
        results["logsmith_cold"] = ask_logsmith(masked, path, language, settings, opened)
        warm_up_s = warm_up(masked, language, settings)
        results["logsmith"] = ask_logsmith(masked, path, language, settings, opened)
    if "template" in engines:
        template_settings = settings.replace(use_model=False)
        results["template"] = ask_logsmith(masked, path, language, template_settings)
        opened = ParsedDocument(masked.source, language)  # the editor parses it on opening
        ask_logsmith(masked, path, language, template_settings, opened)  # the file's facts read
        results["template_again"] = ask_logsmith(masked, path, language, template_settings, opened)
    if "baseline" in engines and baseline is not None:
        results["baseline"] = engine.ask_baseline(baseline, masked)
    return results, warm_up_s


def score_row(row: dict, masked, path: Path, language: str, reader) -> dict:
    """Every answer of `row` scored (again) with `reader`, and the developer's own statement
    checked for validity."""
    package = package_names(path, language)
    for result in row["results"].values():
        score = language_scoring.score_case(
            result["statement"],
            masked.expected,
            masked.source,
            masked.line,
            language,
            reader,
            edits=result.get("additional_edits", ()),
            package=package,
        )
        result["score"] = dataclasses.asdict(score)
    missing = foreign_scope.unbound(masked.source, masked.line, masked.expected, language, package)
    row["expected_valid"] = missing is not None and not missing
    row["expected_unbound"] = sorted(missing or ())
    return row


def run_case(
    case: corpus.LanguageCase,
    projects: dict,
    settings: logsmith.Settings,
    baseline: llama_vim.BaselineModel | None,
    reader,
    engines: tuple[str, ...] = ENGINES,
    row: dict | None = None,
) -> dict:
    """The `engines` not yet in `row` (a new row when None) on one case, then every answer
    scored."""
    path, source = corpus.case_source(case, projects)
    masked = corpus.mask(source, case)
    row = row or {"case": _case_facts(case), "expected": masked.expected, "results": {}}
    missing = tuple(name for name in engines if name not in row["results"])
    started = time.perf_counter()
    results, warm_up_s = ask_engines(case, masked, path, missing, settings, baseline)
    if results:
        row["results"].update(results)
        row.setdefault("elapsed_s", {})[",".join(missing)] = time.perf_counter() - started
        row.setdefault("load_average", machine.load_average())
        row.setdefault("load_averages", {})[",".join(missing)] = machine.load_average()
    if warm_up_s is not None:
        row["warm_up_s"] = warm_up_s
    return score_row(row, masked, path, case.language, reader)


def _write_rows(path: Path, rows: list[dict]) -> None:
    partial = path.with_suffix(".partial")
    partial.write_text(
        "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8"
    )
    partial.replace(path)


def _read_rows(path: Path, fresh: bool) -> list[dict]:
    if fresh or not path.exists():
        return []
    return report.load_rows(path)


def run_language(
    language: str,
    todo: list[corpus.LanguageCase],
    rows_path: Path,
    by_name: dict,
    settings: logsmith.Settings,
    baseline: llama_vim.BaselineModel | None,
    readers: dict,
    engines: tuple[str, ...],
    fresh: bool,
    run: dict,
    again: tuple[str, ...] = (),
) -> None:
    """Ask `engines` on each case of `todo` that lacks one, scoring and saving after each case;
    the answers of `again` already in the rows are dropped first (asked anew)."""
    rows = _read_rows(rows_path, fresh)
    todo_ids = {case.id for case in todo}
    for row in rows:
        if row["case"]["id"] in todo_ids:
            for name in again:
                for answer in ANSWERS[name]:
                    row["results"].pop(answer, None)
    by_id = {row["case"]["id"]: row for row in rows}
    wanted = tuple(e for e in engines if e != "baseline" or baseline is not None)
    print(f"{language}: {len(todo)} cases -> {rows_path}", file=sys.stderr)
    for number, case in enumerate(todo, 1):
        row = by_id.get(case.id)
        have = set(row["results"]) if row else set()
        if all(name in have for name in wanted):
            continue
        try:
            row = run_case(case, by_name, settings, baseline, readers[case.language], wanted, row)
        except (CorpusError, sources.SourceError) as exc:
            print(f"skipping {case.id}: {exc}", file=sys.stderr)
            continue
        row.setdefault("runs", []).append(run)
        if case.id not in by_id:
            by_id[case.id] = row
            rows.append(row)
        _write_rows(rows_path, rows)
        answers = {name: result["statement"] for name, result in row["results"].items()}
        print(f"[{language} {number}/{len(todo)}] {case.id} -> {answers}", file=sys.stderr)


def rescore(rows_path: Path, cases: dict, by_name: dict, readers: dict) -> int:
    """Score every row of `rows_path` again with the current readers; the number of rows."""
    rows = report.load_rows(rows_path)
    for row in rows:
        case = cases[row["case"]["id"]]
        path, source = corpus.case_source(case, by_name)
        score_row(row, corpus.mask(source, case), path, case.language, readers[case.language])
    _write_rows(rows_path, rows)
    return len(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m eval.bench.languages", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--language",
        choices=corpus.LANGUAGES,
        action="append",
        default=None,
        help="a project language (repeatable; default: every one with a reader)",
    )
    parser.add_argument("--split", choices=("dev", "heldout"), default="heldout")
    parser.add_argument("--limit", type=int, default=None, help="first N cases per language")
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="rows and report folder (default eval/reports/<date>/languages)",
    )
    parser.add_argument(
        "--engines",
        default=",".join(ENGINES),
        help="comma-separated, of %(default)s; rows already holding an engine keep its answers",
    )
    parser.add_argument("--no-baseline", action="store_true", help="skip the llama.vim way")
    parser.add_argument(
        "--prefix-lines",
        type=int,
        default=llama_vim.PREFIX_LINES,
        help="lines before the cursor in the llama.vim way's prompt (llama.vim: %(default)s)",
    )
    parser.add_argument(
        "--no-model",
        action="store_true",
        help="the template alone (no model is loaded: no logsmith with the model, no baseline)",
    )
    parser.add_argument(
        "--rescore",
        action="store_true",
        help="ask nothing: score the rows already saved again with the current readers",
    )
    parser.add_argument(
        "--fresh", action="store_true", help="discard earlier rows of the same files"
    )
    parser.add_argument(
        "--again",
        default="",
        help="comma-separated engines whose answers in the rows are dropped and asked anew "
        "(the other engines' answers are kept: `--again logsmith,template` keeps the llama.vim "
        "way's)",
    )
    args = parser.parse_args(argv)
    engines = tuple(name.strip() for name in args.engines.split(",") if name.strip())
    if set(engines) - set(ENGINES):
        parser.error(f"--engines takes {', '.join(ENGINES)}")
    again = tuple(name.strip() for name in args.again.split(",") if name.strip())
    if set(again) - set(engines):
        parser.error("--again names engines that --engines asks")
    if args.no_baseline:
        engines = tuple(name for name in engines if name != "baseline")
    if args.no_model:
        engines = tuple(name for name in engines if name == "template")

    from logsmith.model import registry
    from logsmith.model.client import shutdown_workers

    settings = logsmith.Settings(use_model="logsmith" in engines)
    projects = corpus.load_projects()
    by_name = {spec.name: spec for spec in projects}
    cases = corpus.load_cases()
    available = corpus.readers()
    languages = args.language or list(corpus.LANGUAGES)
    out = args.out or REPORTS_DIR / datetime.date.today().isoformat() / "languages"
    out.mkdir(parents=True, exist_ok=True)
    described = machine.describe()
    if args.rescore:
        by_id = {case.id: case for case in cases}
        for language in languages:
            rows_path = out / f"{language}-{args.split}-cases.jsonl"
            if rows_path.exists():
                count = rescore(rows_path, by_id, by_name, available)
                print(f"{rows_path}: {count} rows scored again", file=sys.stderr)
        print(report.write_folder(out))
        return 0
    baseline = None
    try:
        if "baseline" in engines:
            baseline = llama_vim.BaselineModel(
                registry.resolve(logsmith.Settings()), prefix_lines=args.prefix_lines
            )
        if settings.use_model:
            print(engine._preload(settings), file=sys.stderr)
        for language in languages:
            if language not in available:
                print(f"{language}: no reader in logsmith yet, skipped", file=sys.stderr)
                continue
            todo = corpus.ordered(corpus.cases_for(cases, projects, args.split, language))
            todo = todo[: args.limit] if args.limit is not None else todo
            run = {
                "split": args.split,
                "engines": list(engines),
                "baseline_prefix_lines": args.prefix_lines if baseline is not None else None,
                "limit": args.limit,
                "started": datetime.datetime.now().isoformat(timespec="seconds"),
            }
            rows_path = out / f"{language}-{args.split}-cases.jsonl"
            run_language(
                language,
                todo,
                rows_path,
                by_name,
                settings,
                baseline,
                available,
                engines,
                args.fresh,
                run,
                again,
            )
    except KeyboardInterrupt:
        print("interrupted: reporting the cases done so far", file=sys.stderr)
    finally:
        if baseline is not None:
            baseline.close()
        shutdown_workers()
    described["load_average_end"] = machine.load_average()
    print(report.write_folder(out, described))
    return 0


if __name__ == "__main__":
    sys.exit(main())
