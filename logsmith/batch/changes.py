"""The new content of a file once its proposals are applied, and whether it may be written.

Used by `--diff`, `--apply` and `--review`, so the three always show the same change. A result that
does not parse in its language (`parse_problem`: tree-sitter finds no ERROR or MISSING node, and
for Python, Python 3's `compile()` takes it), a file that did not parse before, or a result that
the file's encoding cannot hold is refused, with the reason.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

from logsmith.batch.results import FileResult
from logsmith.batch.source_file import UnreadableSource, decode_source
from logsmith.suggestion import TextEdit
from logsmith.syntax.batch_rules import syntax_error_line
from logsmith.syntax.document import ParsedDocument
from logsmith.text_edits import EditConflict, apply_edits

LANGUAGE_NAMES = {
    "python": "Python",
    "java": "Java",
    "go": "Go",
    "javascript": "JavaScript",
    "typescript": "TypeScript",
    "tsx": "TSX",
}


@dataclass(frozen=True)
class FileChange:
    """A file's content once its proposals are applied, or the reason it must not be written."""

    result: FileResult
    new_text: str | None
    """The file's text after the edits (line endings as in the file); None when refused."""
    new_bytes: bytes | None
    problem: str | None = None
    """Why the change must not be written."""

    @property
    def ok(self) -> bool:
        return self.problem is None


def compile_error(text: str, name: str) -> str | None:
    """None when `text` compiles as Python 3 (this interpreter's), else the error."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(text, name, "exec", dont_inherit=True)
    except (SyntaxError, ValueError) as exc:
        line = getattr(exc, "lineno", None)
        return f"{type(exc).__name__}: {getattr(exc, 'msg', exc)}" + (
            f" (line {line})" if line else ""
        )
    return None


@dataclass(frozen=True)
class ParseProblem:
    """Why a text does not parse in its language: the line of tree-sitter's first ERROR or MISSING
    node, or (Python) what `compile()` says."""

    language: str
    line: int | None = None
    """0-based."""
    compile_error: str | None = None

    @property
    def text(self) -> str:
        """`does not parse (syntax error near line 3)`, `does not parse as Go (...)`, `does not
        parse as Python 3 (SyntaxError: ...)`."""
        if self.compile_error is not None:
            return f"does not parse as Python 3 ({self.compile_error})"
        language = "" if self.language == "python" else f" as {LANGUAGE_NAMES[self.language]}"
        return f"does not parse{language} (syntax error near line {(self.line or 0) + 1})"


def parse_problem(document: ParsedDocument, name: str) -> ParseProblem | None:
    """None when the document parses in its language: tree-sitter's tree has no ERROR or MISSING
    node and, for Python, this interpreter compiles it; else why not. The one check batch mode makes
    before it reads a file and before it writes one."""
    language = document.language
    line = syntax_error_line(document)
    if line is not None:
        return ParseProblem(language, line=line)
    if language == "python":
        problem = compile_error(document.text, name)
        if problem is not None:
            return ParseProblem(language, compile_error=problem)
    return None


def plan_change(result: FileResult) -> FileChange | None:
    """The change for a file with proposals; None when there is nothing to change."""
    if result.source is None or not result.proposals:
        return None
    source = result.source
    edits: list[TextEdit] = []
    # setup edits (import, logger) first, so they come before at equal positions
    for proposal in result.proposals:
        edits.extend(proposal.suggestion.additional_edits)
    edits.extend(p.suggestion.edit for p in result.proposals)
    try:
        new_text = apply_edits(source.text, edits, source.newline)
    except EditConflict as exc:
        return FileChange(result, None, None, f"not changed: {exc}")
    analysis = new_text.replace("\r\n", "\n")
    before = parse_problem(ParsedDocument(source.analysis_text, result.language), result.display)
    if before is not None:
        return FileChange(result, None, None, f"not changed: the file {before.text}")
    after = parse_problem(ParsedDocument(analysis, result.language), result.display)
    if after is not None and after.compile_error is not None:
        return FileChange(
            result, None, None, f"not changed: the result would not compile: {after.compile_error}"
        )
    if after is not None:
        return FileChange(
            result,
            None,
            None,
            f"not changed: the result would not parse (line {(after.line or 0) + 1})",
        )
    try:
        new_bytes = source.encode(new_text)
    except UnicodeEncodeError as exc:
        return FileChange(
            result,
            None,
            None,
            f"not changed: {source.encoding} cannot hold {exc.object[exc.start : exc.end]!r}",
        )
    if source.text.startswith("#!") and not new_text.startswith("#!"):
        return FileChange(
            result, None, None, "not changed: the #! line would no longer be the first line"
        )
    try:
        read_back = decode_source(new_bytes).text
    except UnreadableSource as exc:
        read_back = str(exc)
    if read_back != new_text:
        return FileChange(
            result,
            None,
            None,
            "not changed: Python would no longer read the file with its encoding "
            f"({source.encoding}); is the coding declaration still on line 1 or 2?",
        )
    return FileChange(result, new_text, new_bytes)
