"""The evaluation corpus: developer-written log statements collected from real projects.

`collect_cases` finds, with tree-sitter, every log statement inside a function of one file;
`build` does it over the pinned projects of `eval/corpus/projects.toml` (sources fetched with
pip by `eval.corpus.sources`) and samples at most `cap` cases per project with a fixed seed;
`mask` and `mask_typed` turn a case back into what an editor shows just before the developer
wrote it.

Positions are 0-based lines and code-point columns, as in `logsmith.suggest`.

    python -m eval.corpus.build build      # refetch if needed, rewrite eval/corpus/cases.jsonl
    python -m eval.corpus.build stats      # counts per project, split, site kind and level
"""

from __future__ import annotations

import argparse
import ast
import json
import random
import re
import sys
import tomllib
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path

import tree_sitter
import tree_sitter_python

from eval.corpus import sources

CORPUS_DIR = Path(__file__).resolve().parent
PROJECTS_FILE = CORPUS_DIR / "projects.toml"
CASES_FILE = CORPUS_DIR / "cases.jsonl"
DEFAULT_CAP = 150
DEFAULT_SEED = "logsmith-eval-1"

LEVELS = ("debug", "info", "warning", "warn", "error", "exception", "critical", "fatal")
SITE_KINDS = ("except", "entry", "return", "raise", "loop", "other")
SPLITS = ("dev", "heldout", "train")
# The splits a benchmark may run on: "train" only feeds the fit of the variable ranker.
BENCHMARK_SPLITS = ("dev", "heldout")

# The receiver's last name, leading underscores ignored: log, logger, logging, LOG, _LOGGER,
# gen_log, app_log, queue_logger, self.__logger ... (not `catalog`, `warnings`, `parser`).
_LOGGER_NAME = re.compile(r"^_*(log|logger|logging|[a-z0-9]+_log|[a-z0-9_]+_logger)$", re.IGNORECASE)
# Calls that return a logger: logging.getLogger(...).info(...), structlog.get_logger().info(...).
_LOGGER_FACTORIES = {"getLogger", "get_logger", "getChild", "get_task_logger"}
# Calls on a logger that return a logger: loguru's bind/opt/patch, structlog's bind/new.
_LOGGER_DERIVERS = {"bind", "opt", "new", "patch", "contextualize"}
# Folders whose files are not the project's own production code.
_EXCLUDED_FOLDERS = {"tests", "test", "testing", "docs", "doc", "examples", "example", "benchmarks",
                     "_vendor", "vendor", "vendored", "externals", "third_party"}
_LOOPS = {"for_statement", "while_statement"}
_EXCEPT = {"except_clause", "except_group_clause"}


class CorpusError(ValueError):
    """The corpus definition is malformed; the message says where."""


@dataclass(frozen=True)
class ProjectSpec:
    """One pinned project of the corpus."""

    name: str
    version: str
    kind: str
    """What the project is: web, infrastructure, messaging, data, cli ..."""
    split: str
    """dev (used for tuning), heldout (never used for tuning) or train (only fits the variable ranker)."""


@dataclass(frozen=True)
class LogCase:
    """One developer-written log statement and where it sits."""

    project: str
    version: str
    file: str
    """Path inside the unpacked archive, e.g. `tornado-6.6.1/tornado/web.py`."""
    line: int
    column: int
    end_line: int
    end_column: int
    level: str
    """The level as written: debug, info, warning, warn, error, exception, critical or fatal."""
    kind: str
    """Site kind: except, entry, return, raise, loop or other."""
    function: str
    """Qualified name of the enclosing function, e.g. `Worker.run.handle`."""
    statement: str
    """The statement text exactly as in the file (multi-line statements keep their line breaks)."""

    @property
    def id(self) -> str:
        return f"{self.project}:{self.file}:{self.line + 1}"

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_dict(cls, data: dict) -> "LogCase":
        try:
            return cls(**{name: data[name] for name in cls.__dataclass_fields__})
        except KeyError as exc:
            raise CorpusError(f"case is missing field {exc}: {data!r}") from None


@dataclass(frozen=True)
class MaskedCase:
    """What the editor shows before the statement was written, and the statement to expect."""

    source: str
    line: int
    character: int
    expected: str
    case: LogCase


_PARSER: tree_sitter.Parser | None = None


def _parser() -> tree_sitter.Parser:
    global _PARSER
    if _PARSER is None:
        _PARSER = tree_sitter.Parser(tree_sitter.Language(tree_sitter_python.language()))
    return _PARSER


def _text(node: tree_sitter.Node) -> str:
    return node.text.decode("utf-8")


def _is_logger(node: tree_sitter.Node) -> bool:
    """Whether an expression looks like a logger: `logger`, `self.log`, `getLogger(...)`, `logger.bind(...)`."""
    if node.type == "identifier":
        return bool(_LOGGER_NAME.match(_text(node)))
    if node.type == "attribute":
        return bool(_LOGGER_NAME.match(_text(node.child_by_field_name("attribute"))))
    if node.type == "call":
        function = node.child_by_field_name("function")
        if function.type == "identifier":
            return _text(function) in _LOGGER_FACTORIES
        if function.type == "attribute":
            name = _text(function.child_by_field_name("attribute"))
            if name in _LOGGER_FACTORIES:
                return True
            if name in _LOGGER_DERIVERS:
                return _is_logger(function.child_by_field_name("object"))
    return False


def log_call(statement: tree_sitter.Node) -> tree_sitter.Node | None:
    """The call of an `expression_statement` that is a log statement, else None."""
    if statement.type != "expression_statement" or statement.named_child_count != 1:
        return None
    call = statement.named_children[0]
    if call.type != "call":
        return None
    function = call.child_by_field_name("function")
    if function is None or function.type != "attribute":
        return None
    if _text(function.child_by_field_name("attribute")) not in LEVELS:
        return None
    return call if _is_logger(function.child_by_field_name("object")) else None


def _enclosing_function(node: tree_sitter.Node) -> tree_sitter.Node | None:
    parent = node.parent
    while parent is not None:
        if parent.type == "function_definition":
            return parent
        parent = parent.parent
    return None


def _qualified_name(function: tree_sitter.Node) -> str:
    names = []
    node = function
    while node is not None:
        if node.type in ("function_definition", "class_definition"):
            names.append(_text(node.child_by_field_name("name")))
        node = node.parent
    return ".".join(reversed(names))


def _statements(block: tree_sitter.Node) -> list[tree_sitter.Node]:
    return [child for child in block.named_children if child.type != "comment"]


def _is_docstring(node: tree_sitter.Node) -> bool:
    return (node.type == "expression_statement" and node.named_child_count == 1
            and node.named_children[0].type in ("string", "concatenated_string"))


def site_kind(statement: tree_sitter.Node, function: tree_sitter.Node) -> str:
    """except / entry / return / raise / loop / other, the first that applies, in that order."""
    ancestors = []
    node = statement.parent
    while node is not None and node != function:
        ancestors.append(node.type)
        node = node.parent
    if any(kind in _EXCEPT for kind in ancestors):
        return "except"
    body = function.child_by_field_name("body")
    if statement.parent == body:
        leading = _statements(body)
        if leading and _is_docstring(leading[0]):
            leading = leading[1:]
        if leading and leading[0] == statement:
            return "entry"
    siblings = _statements(statement.parent)
    position = siblings.index(statement)
    following = siblings[position + 1] if position + 1 < len(siblings) else None
    if following is not None and following.type == "return_statement":
        return "return"
    if following is not None and following.type == "raise_statement":
        return "raise"
    if any(kind in _LOOPS for kind in ancestors):
        return "loop"
    return "other"


def _code_points(line_bytes: bytes, byte_column: int) -> int:
    return len(line_bytes[:byte_column].decode("utf-8", errors="replace"))


def _stands_alone(lines: list[str], line: int, column: int, end_line: int, end_column: int) -> bool:
    """Only blanks before the statement and only blanks or a comment after it."""
    if lines[line][:column].strip():
        return False
    rest = lines[end_line][end_column:].strip()
    return not rest or rest.startswith("#")


def collect_cases(source: str, project: str, version: str, file: str) -> list[LogCase]:
    """Every log statement inside a function of `source`, alone on its lines, in file order."""
    data = source.encode("utf-8")
    byte_lines = data.split(b"\n")
    lines = source.split("\n")
    tree = _parser().parse(data)
    cases = []
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        stack.extend(reversed(node.named_children))
        if node.type != "expression_statement":
            continue
        call = log_call(node)
        if call is None:
            continue
        function = _enclosing_function(node)
        if function is None:
            continue
        (line, start), (end_line, end) = node.start_point, node.end_point
        column = _code_points(byte_lines[line], start)
        end_column = _code_points(byte_lines[end_line], end)
        if not _stands_alone(lines, line, column, end_line, end_column):
            continue
        level = _text(call.child_by_field_name("function").child_by_field_name("attribute"))
        cases.append(LogCase(project, version, file, line, column, end_line, end_column, level,
                             site_kind(node, function), _qualified_name(function), _text(node)))
    cases.sort(key=lambda case: (case.line, case.column))
    return cases


def receiver_of(statement: str) -> str:
    """The logger expression a log statement calls, e.g. `self.logger` for `self.logger.info(...)`."""
    tree = _parser().parse(statement.encode("utf-8"))
    for node in tree.root_node.named_children:
        call = log_call(node)
        if call is not None:
            return _text(call.child_by_field_name("function").child_by_field_name("object"))
    raise CorpusError(f"not a log statement: {statement!r}")


def is_production_file(file: str) -> bool:
    """False for tests, docs, examples, benchmarks and vendored code."""
    parts = Path(file).parts
    name = parts[-1]
    if name == "conftest.py" or name.startswith("test_") or name.endswith("_test.py"):
        return False
    return not any(part in _EXCLUDED_FOLDERS for part in parts[:-1])


def _parses(source: str) -> bool:
    try:
        ast.parse(source)
    except (SyntaxError, ValueError):
        return False
    return True


def collect_project(spec: ProjectSpec, cache: Path | None = None) -> list[LogCase]:
    """All cases of one project: production files that Python 3.11 parses."""
    tree = sources.project_tree(spec.name, spec.version, cache)
    cases = []
    for file in sources.python_files(tree):
        if not is_production_file(file):
            continue
        try:
            text = sources.read_source(tree, file)
        except sources.SourceError:
            continue
        if not _parses(text):
            continue
        cases.extend(collect_cases(text, spec.name, spec.version, file))
    return cases


def sample(cases: list[LogCase], cap: int, seed: str) -> list[LogCase]:
    """At most `cap` cases, the same ones on every run for the same seed, in file order."""
    if len(cases) > cap:
        project = cases[0].project if cases else ""
        cases = random.Random(f"{seed}:{project}").sample(cases, cap)
    return sorted(cases, key=lambda case: (case.file, case.line))


def build(projects: list[ProjectSpec], cap: int = DEFAULT_CAP, seed: str = DEFAULT_SEED,
          cache: Path | None = None) -> list[LogCase]:
    """The corpus: each project's cases, sampled to `cap`."""
    cases = []
    for spec in projects:
        cases.extend(sample(collect_project(spec, cache), cap, seed))
    return cases


def load_projects(path: Path = PROJECTS_FILE) -> list[ProjectSpec]:
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise CorpusError(f"cannot read {path}: {exc}") from exc
    specs = []
    for entry in data.get("project", []):
        try:
            spec = ProjectSpec(entry["name"], entry["version"], entry["kind"], entry["split"])
        except KeyError as exc:
            raise CorpusError(f"{path}: project {entry!r} lacks {exc}") from None
        if spec.split not in SPLITS:
            raise CorpusError(f"{path}: project {spec.name} has split {spec.split!r}, expected one of {SPLITS}")
        specs.append(spec)
    return specs


def load_cases(path: Path = CASES_FILE) -> list[LogCase]:
    cases = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                cases.append(LogCase.from_dict(json.loads(line)))
            except json.JSONDecodeError as exc:
                raise CorpusError(f"{path}:{number}: {exc}") from None
    return cases


def write_cases(cases: list[LogCase], path: Path = CASES_FILE) -> None:
    Path(path).write_text("".join(case.to_json() + "\n" for case in cases), encoding="utf-8")


def cases_for_split(cases: list[LogCase], projects: list[ProjectSpec], split: str) -> list[LogCase]:
    names = {spec.name for spec in projects if spec.split == split}
    return [case for case in cases if case.project in names]


def _check_case(source: str, case: LogCase) -> list[str]:
    lines = source.split("\n")
    if case.end_line >= len(lines):
        raise CorpusError(f"{case.id}: the file has only {len(lines)} lines")
    return lines


def mask(source: str, case: LogCase) -> MaskedCase:
    """The file with the statement's lines replaced by one line holding only its indentation."""
    lines = _check_case(source, case)
    indent = lines[case.line][: case.column]
    masked = lines[: case.line] + [indent] + lines[case.end_line + 1:]
    return MaskedCase("\n".join(masked), case.line, len(indent), case.statement, case)


def mask_typed(source: str, case: LogCase) -> MaskedCase:
    """As `mask`, with the logger and the dot already typed (`logger.`), cursor after the dot."""
    lines = _check_case(source, case)
    typed = lines[case.line][: case.column] + receiver_of(case.statement) + "."
    masked = lines[: case.line] + [typed] + lines[case.end_line + 1:]
    return MaskedCase("\n".join(masked), case.line, len(typed), case.statement, case)


def case_source(case: LogCase, cache: Path | None = None) -> tuple[Path, str]:
    """The path on disk of the case's file and its text (fetched on first use)."""
    tree = sources.project_tree(case.project, case.version, cache)
    return tree / case.file, sources.read_source(tree, case.file)


def _print_stats(cases: list[LogCase], projects: list[ProjectSpec]) -> None:
    split_of = {spec.name: spec.split for spec in projects}
    print(f"{len(cases)} cases")
    for title, key in (("split", lambda c: split_of.get(c.project, "?")), ("project", lambda c: c.project),
                       ("site kind", lambda c: c.kind), ("level", lambda c: c.level),
                       ("multi-line", lambda c: c.end_line > c.line)):
        counts = Counter(key(case) for case in cases)
        print(f"{title}: " + ", ".join(f"{name}={count}" for name, count in counts.most_common()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.corpus.build",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=("build", "stats"))
    parser.add_argument("--cap", type=int, default=DEFAULT_CAP, help="most cases per project")
    parser.add_argument("--seed", default=DEFAULT_SEED)
    parser.add_argument("--cache", type=Path, default=None, help="sources cache (default $LOGSMITH_EVAL_SOURCES "
                        "or ~/.cache/logsmith/eval-sources)")
    args = parser.parse_args(argv)
    projects = load_projects()
    if args.command == "build":
        cases = build(projects, args.cap, args.seed, args.cache)
        write_cases(cases)
        print(f"wrote {CASES_FILE}")
    else:
        cases = load_cases()
    _print_stats(cases, projects)
    return 0


if __name__ == "__main__":
    sys.exit(main())
