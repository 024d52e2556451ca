"""Scoring a suggested Java, Go, JavaScript or TypeScript log statement against the developer's.

Both statements are read the same way: written at the masked site (after the suggestion's own
additional edits, for the suggestion), and read back with the language's reader
(`logged_calls`): the call that starts on the site's line is the statement's log call; none there
means it is not a log statement and scores 0 on level, variables, BLEU-4 and ROUGE-L.

- level: the reader's normalised levels are equal (`None == None` for a library without levels);
- variables: the name chains of the values the reader lists (`eval.checks.foreign_scope.
  value_variables`: `req.host`, `this.name`, a method call's receiver; imports, globals and Java
  class names left out), precision / recall / F1 as `eval.metrics.set_scores`;
- message: the reader's literal message text (placeholders removed), split into words and compared
  with `eval.metrics.rouge_l` and `eval.metrics.bleu4`;
- valid: `eval.checks.foreign_scope` (apart from logsmith's analysis): the file parses with the
  statement there and every name it reads is bound at the site; the reader's own
  `statement_problems` is kept beside it (`reader_parses`) to compare;
- acceptable: `eval.metrics.acceptable`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from eval import metrics
from eval.checks import foreign_scope


@dataclass(frozen=True)
class StatementReading:
    """What the scoring reads from one statement at its site."""

    is_log_call: bool
    level: str | None = None
    library: str | None = None
    message: tuple[str, ...] = ()
    values: tuple[str, ...] = ()
    variables: frozenset[str] = frozenset()


@dataclass(frozen=True)
class LanguageScore:
    """All metrics of one suggested statement against the developer's."""

    predicted_level: str | None
    expected_level: str | None
    level: bool
    variable_precision: float
    variable_recall: float
    variable_f1: float
    bleu4: float
    rouge_l: float
    parses: bool
    in_scope: bool
    valid: bool
    is_log_call: bool
    acceptable: bool
    unbound: tuple[str, ...] = ()
    reader_parses: bool | None = None
    predicted_variables: tuple[str, ...] = field(default=())
    expected_variables: tuple[str, ...] = field(default=())


def apply_edits(source: str, line: int, edits: list[dict]) -> tuple[str, int]:
    """`source` with the suggestion's additional edits applied (each a TextEdit as a dict, in the
    source's coordinates, none overlapping the site), and where the site's line moved to."""
    lines = source.split("\n")
    ordered = sorted(edits, key=lambda e: (e["start_line"], e["start_character"]), reverse=True)
    for edit in ordered:
        head = "\n".join(
            lines[: edit["start_line"]] + [lines[edit["start_line"]][: edit["start_character"]]]
        )
        tail_line = lines[edit["end_line"]] if edit["end_line"] < len(lines) else ""
        tail = "\n".join([tail_line[edit["end_character"] :]] + lines[edit["end_line"] + 1 :])
        removed = edit["end_line"] - edit["start_line"]
        if edit["start_line"] <= line:
            line += edit["new_text"].count("\n") - removed
        lines = (head + edit["new_text"] + tail).split("\n")
    return "\n".join(lines), line


def read_statement(
    masked_source: str, line: int, statement: str | None, language: str, reader, skip: set[str]
) -> StatementReading:
    """The log call of `statement` written at `line` of `masked_source`, read by `reader`."""
    from logsmith.syntax.document import ParsedDocument

    if not statement or not statement.strip():
        return StatementReading(False)
    filled = foreign_scope.insert_statement(masked_source, line, statement)
    last = line + statement.strip().count("\n")
    try:
        calls = reader.logged_calls(ParsedDocument(filled, language))
    except Exception:  # a reader that fails on odd text reads no statement there
        return StatementReading(False)
    for call in calls:
        if line <= call.start_line <= last:
            return StatementReading(
                True,
                call.level,
                call.library,
                metrics.message_words(call.message or ""),
                tuple(call.values),
                foreign_scope.value_variables(call.values, language, skip),
            )
    return StatementReading(False)


def _reader_parses(
    masked_source: str, line: int, statement: str | None, language: str, reader
) -> bool | None:
    from logsmith.syntax.document import ParsedDocument

    if not statement or not statement.strip():
        return False
    try:
        return not reader.statement_problems(
            ParsedDocument(masked_source, language), line, statement.strip()
        )
    except Exception:
        return None


def score_case(
    predicted: str | None,
    expected: str,
    masked_source: str,
    line: int,
    language: str,
    reader,
    *,
    edits: list[dict] = (),
    package: set[str] = frozenset(),
) -> LanguageScore:
    """Score `predicted` (None: no suggestion) against `expected` at line `line` of the masked
    file; `edits`: the suggestion's additional edits; `package`: Go names the package's other
    files declare."""
    skip = foreign_scope.receiver_skip(masked_source, language)
    want = read_statement(masked_source, line, expected, language, reader, skip)
    own_source, own_line = (
        apply_edits(masked_source, line, list(edits)) if edits else (masked_source, line)
    )
    got = read_statement(
        own_source,
        own_line,
        predicted,
        language,
        reader,
        skip | foreign_scope.receiver_skip(own_source, language),
    )
    if got.is_log_call:
        precision, recall, f1 = metrics.set_scores(got.variables, want.variables)
        rouge, bleu = (
            metrics.rouge_l(got.message, want.message),
            metrics.bleu4(got.message, want.message),
        )
        level_right = want.is_log_call and got.level == want.level
    else:
        precision = recall = f1 = rouge = bleu = 0.0
        level_right = False
    parses = foreign_scope.parses_at_site(own_source, own_line, predicted, language)
    missing = (
        foreign_scope.unbound(own_source, own_line, predicted, language, package)
        if parses
        else None
    )
    in_scope = missing is not None and not missing
    return LanguageScore(
        predicted_level=got.level,
        expected_level=want.level,
        level=level_right,
        variable_precision=precision,
        variable_recall=recall,
        variable_f1=f1,
        bleu4=bleu,
        rouge_l=rouge,
        parses=parses,
        in_scope=in_scope,
        valid=parses and in_scope,
        is_log_call=got.is_log_call,
        acceptable=metrics.acceptable(level_right, f1, rouge),
        unbound=tuple(sorted(missing or ())),
        reader_parses=_reader_parses(own_source, own_line, predicted, language, reader),
        predicted_variables=tuple(sorted(got.variables)),
        expected_variables=tuple(sorted(want.variables)),
    )
