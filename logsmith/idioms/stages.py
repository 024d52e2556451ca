"""The pipeline's stages for a language other than Python: the same path as Python's
(site -> plan -> engines -> check -> rank), with the language's reader and idioms in place of
Python's own analysis (`logsmith.idioms.contract`).

`plan` decides the logger (the file's, else its folder's, else the language's standard one), the
level (what this file and its folder log at sites of the same kind, else what the project logs
most there, else the kind's default) and the values (the caught error, then names the code around
the site uses); `write` repeats the function's own statement at a site of the same kind
(`file_neighbour`), else writes the plan in the words of the project's statement at the site most
like this one (`project_neighbour`), asks the model to continue the planned statement's message
under a grammar and the template for its words; `checked` keeps what parses in place and reads
only names bound at the site; `rank` puts the function's own statement first, then the project's
words, then the model's.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from logsmith.engines import template
from logsmith.engines.prompt import file_examples, message_words_grammar
from logsmith.idioms import registry
from logsmith.idioms.contract import LEVELS, LoggedCall, LoggerChoice, StatementSpec
from logsmith.idioms.file_neighbour import nearest_alike
from logsmith.idioms.folder_habits import folder_calls
from logsmith.idioms.literals import escaped
from logsmith.idioms.project_habits import project_levels
from logsmith.idioms.project_neighbour import with_context
from logsmith.planning.secrets import is_secret
from logsmith.settings import Settings
from logsmith.suggestion import TextEdit
from logsmith.syntax.document import ParsedDocument
from logsmith.syntax.site import LogSite
from logsmith.text_edits import EditConflict, apply_edits

DEFAULT_LEVELS = {
    "except": "error",
    "raise": "error",
    "entry": "debug",
    "return": "debug",
    "loop": "debug",
    "finally": "debug",
}
"""The level at a kind of site with no evidence at all (else `info`), where the fitted levels
(`planning/data/language_levels.json`) have no entry for the language and kind."""
EVIDENCE_WEIGHTS = {"function": 3.0, "file": 2.0, "folder": 1.0}
"""How much a statement at a site of the same kind counts towards the level, by where it is."""
NEARNESS_BONUS = 64.0
NEARNESS_LINES = 5.0
"""A statement of the file counts `1 + NEARNESS_BONUS / (1 + distance / NEARNESS_LINES)` times its
place's weight, `distance` the lines between it and the site: the nearest statements at sites of
the same kind decide, the rest break ties. Chosen on the dev split, leave one project out (the
level right in 596 of 841 cases against 570 with no bonus; 7 of the 8 folds chose these
numbers): Go 264 -> 280 of 405, Java 139 -> 149 of 208, JavaScript 167 -> 169 of 228."""
MIN_EVIDENCE = 2.0
"""Below this weight of evidence the project's habit, else the kind's default level, stands."""
MIN_PROJECT_STATEMENTS = 3
"""The project's statements at sites of a kind it takes for its habit to decide the level (chosen
on the dev split: 5 gives the same levels there, 1 one fewer right in Java, 10 two fewer in
JavaScript)."""
MAX_VALUES = 2
MAX_TOKENS = 28
WINDOW_LINES = 48
WINDOW_STEP = 16
HEAD_LINES = 12
UNLOGGABLE = frozenset({"this", "self", "ctx", "context", "_", "t", "b", "w", "r"})
"""Names bound at many sites that developers rarely log as a value."""
IDENTIFIER = re.compile(r"[A-Za-z_$][\w$]*")


@dataclass(frozen=True)
class LanguagePlan:
    """What is decided before the statement is written. `variables` and `capitalized` are what
    the template's wording reads (`logsmith.engines.template.message`)."""

    language: str
    logger: LoggerChoice
    level: str
    values: tuple[str, ...]
    error: str | None
    capitalized: bool
    reason: str
    typed_method: str | None = None
    """The method the user has typed, with its call opened (`log.Fatalf(`)."""

    @property
    def variables(self) -> tuple[str, ...]:
        return self.values

    def spec(self, message: str) -> StatementSpec:
        return StatementSpec(
            self.logger, self.level, message, self.values, self.error, self.typed_method
        )


@dataclass(frozen=True)
class LanguageCandidate:
    """A statement an engine wrote, before it is checked and ranked."""

    statement: str
    source: str
    route: str
    notes: tuple[str, ...] = ()
    model_pending: bool = False
    route_reason: str = ""
    copied: LoggedCall | None = None
    """The file's statement it repeats (its logger, level and values), for a neighbour's."""
    neighbours: tuple[str, ...] = ()
    """`path:line: statement` of the project's statement whose words it took."""


@dataclass
class LanguageWritten:
    """What the engines wrote for one plan, and what they said on the way."""

    candidates: list[LanguageCandidate] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    model_pending: bool = False


def calls_of(document: ParsedDocument) -> tuple[LoggedCall, ...]:
    """The document's log statements, read once per text version."""
    cache = document.cache
    if cache.language_calls is None:
        found = registry.reader_for(document.language).logged_calls(document)
        cache.language_calls = with_context(found, document.text.splitlines())
    return cache.language_calls


def _in_function(call: LoggedCall, site: LogSite) -> bool:
    return site.function is not None and call.function == site.function.name


def level_for(
    site: LogSite,
    calls: tuple[LoggedCall, ...],
    folder: tuple[LoggedCall, ...],
    language: str = "",
    project: Callable[[], dict[str, Counter[str]]] | None = None,
) -> tuple[str, str]:
    """(level, why): what the file and its folder log at sites of this kind, weighed by place
    (the same function, the file, the folder) and, in the file, by lines from the site
    (`_nearness`); else what the project logs most at such sites (`project`: its levels per site
    kind, asked only then, when it has MIN_PROJECT_STATEMENTS there); else what developers of
    the language log most at such sites (fitted), else the kind's default."""
    typed = _typed_level(site)
    if typed is not None:
        return typed, "the level typed"
    weights: dict[str, float] = {}
    for where, group in (("file", calls), ("folder", folder)):
        for call in group:
            if call.level is None or call.site_kind != site.kind:
                continue
            place = "function" if where == "file" and _in_function(call, site) else where
            weight = EVIDENCE_WEIGHTS[place]
            if where == "file":
                weight *= _nearness(call, site)
            weights[call.level] = weights.get(call.level, 0.0) + weight
    if weights and sum(weights.values()) >= MIN_EVIDENCE:
        level, weight = max(weights.items(), key=lambda item: (item[1], LEVELS.index(item[0])))
        return level, f"{level}: what this code logs at {site.kind} sites (weight {weight:.3g})"
    counts = (project() if project is not None else {}).get(site.kind, Counter())
    if sum(counts.values()) >= MIN_PROJECT_STATEMENTS:
        level, count = max(counts.items(), key=lambda item: (item[1], LEVELS.index(item[0])))
        return level, f"{level}: what this project logs most at {site.kind} sites ({count})"
    fitted = _fitted_levels().get(registry.MODULES.get(language, language), {})
    level = fitted.get(site.kind) or DEFAULT_LEVELS.get(site.kind, "info")
    return level, (
        f"{level}: what developers log most at {site.kind} sites in this language "
        "(no statement at such sites here)"
    )


def _nearness(call: LoggedCall, site: LogSite) -> float:
    """How many times its place's weight a statement of the file counts, by its lines from the
    site (NEARNESS_BONUS, NEARNESS_LINES)."""
    distance = abs(call.start_line - site.line)
    return 1.0 + NEARNESS_BONUS / (1.0 + distance / NEARNESS_LINES)


@functools.cache
def _fitted_levels() -> dict[str, dict[str, str]]:
    from logsmith.planning.fitted import language_levels

    return language_levels()


TYPED_LEVELS = {
    "warn": "warning",
    "severe": "error",
    "fatal": "critical",
    "config": "info",
    "fine": "debug",
    "finer": "debug",
    "finest": "trace",
    "e": "error",
    "w": "warning",
    "i": "info",
    "d": "debug",
    "v": "trace",
    "wtf": "critical",
    "log": "info",
    "printf": "info",
    "println": "info",
}


def _typed_method(site: LogSite, logger: LoggerChoice) -> str | None:
    """The method the user has typed on the plan's logger, with its call opened (`Fatalf` of
    `log.Fatalf(`)."""
    typed = site.typed
    if typed.opened_call and typed.level_prefix and typed.logger == logger.expression:
        return typed.level_prefix
    return None


def _typed_level(site: LogSite) -> str | None:
    """The level the user typed (`LOG.warn(`), when the call is open."""
    typed = site.typed
    if not typed.opened_call or not typed.level_prefix:
        return None
    word = re.sub(r"(f|w|ln|context)$", "", typed.level_prefix.lower()) or typed.level_prefix
    word = TYPED_LEVELS.get(word, word)
    return word if word in LEVELS else None


def _words_near(site: LogSite) -> set[str]:
    text = f"{site.previous_statement}\n{site.next_statement}"
    return set(IDENTIFIER.findall(text))


def values_for(site: LogSite, logger: LoggerChoice) -> tuple[tuple[str, ...], str | None]:
    """(values, error): the caught error at an except site; with it or instead, the names the
    statements around the site use (loop variables in a loop, parameters at entry), nearest
    first, at most MAX_VALUES; never a name that looks like it holds a secret."""
    error = site.exception_name if site.in_except or site.kind == "except" else None
    logger_root = logger.expression.split(".", 1)[0].split("(", 1)[0]
    skip = UNLOGGABLE | {logger_root, error or ""} | site.function_values
    near = _words_near(site)
    chosen: list[str] = []

    context = f"{site.function.name} {' '.join(site.function.parameters)}" if site.function else ""

    def add(name: str) -> None:
        if (
            name
            and name not in skip
            and name not in chosen
            and len(chosen) < MAX_VALUES
            and not is_secret(name, context)
        ):
            chosen.append(name)

    if site.kind == "loop":
        for name in site.loop_variables:
            add(name)
    if site.kind == "entry" and site.function is not None:
        for name in site.function.parameters:
            add(name)
    limit = 1 if error else MAX_VALUES
    for name in site.names:
        if len(chosen) >= limit:
            break
        if name in near:
            add(name)
    return tuple(chosen[:limit] if error else chosen), error


def _capitalized(calls: tuple[LoggedCall, ...], folder: tuple[LoggedCall, ...]) -> bool:
    """Whether this code starts its messages with a capital letter (Go's habit is lower case)."""
    starts = [c.message.strip()[:1] for c in (calls or folder) if c.message and c.message.strip()]
    letters = [s for s in starts if s.isalpha()]
    if not letters:
        return True
    return sum(s.isupper() for s in letters) * 2 >= len(letters)


def _needs_folder(site: LogSite, calls: tuple[LoggedCall, ...]) -> bool:
    """Whether the file alone says too little: fewer statements at sites of this kind than
    MIN_EVIDENCE's weight (the folder's files are read only then)."""
    same_kind = sum(1 for call in calls if call.site_kind == site.kind and call.level is not None)
    return same_kind * EVIDENCE_WEIGHTS["file"] < MIN_EVIDENCE or not calls


def plan_for(
    site: LogSite, document: ParsedDocument, path: str | None
) -> tuple[LanguagePlan, tuple[str, ...]]:
    """The plan for a statement at `site`, and notes for the user."""
    idioms = registry.idioms_for(document.language)
    # not what is typed on the site's line: with the line after it, `log.` can read as one call
    calls = tuple(c for c in calls_of(document) if not c.start_line <= site.line <= c.end_line)
    folder = folder_calls(path, document.language) if path and _needs_folder(site, calls) else ()
    logger = idioms.logger_for(document, site, calls, folder)
    level, why = level_for(
        site,
        calls,
        folder,
        document.language,
        (lambda: project_levels(path, document.language)) if path else None,
    )
    values, error = values_for(site, logger)
    capitalized = _capitalized(calls, folder)
    if document.language == "go" and not calls and not folder:
        capitalized = False  # Go's convention: messages start in lower case
    plan = LanguagePlan(
        document.language,
        logger,
        level,
        values,
        error,
        capitalized,
        f"{why}; logger {logger.expression} ({logger.library})",
        _typed_method(site, logger),
    )
    return plan, ((logger.note,) if logger.note else ())


def _examples_block(document: ParsedDocument) -> str:
    examples = file_examples(calls_of(document))
    if not examples:
        return ""
    return "// Log statements of this file:\n" + "".join(f"//     {e}\n" for e in examples) + "\n"


def file_prefix(document: ParsedDocument) -> str:
    """The start of every prompt in this file: its log statements as comments, then its first
    HEAD_LINES lines (warmed into the model's cache as soon as the file is opened)."""
    head = "".join(document.line(n) + "\n" for n in range(min(HEAD_LINES, document.line_count)))
    return _examples_block(document) + head


def context(document: ParsedDocument, site: LogSite) -> str:
    """What the model reads before the statement: `file_prefix`, then a window of lines before the
    cursor that moves in steps (the KV cache keeps it while the user types on the line)."""
    earliest = max(0, site.line - WINDOW_LINES)
    start = earliest - earliest % WINDOW_STEP
    if start < HEAD_LINES:
        lines = "".join(document.line(n) + "\n" for n in range(site.line))
        return _examples_block(document) + lines
    body = "".join(document.line(n) + "\n" for n in range(start, site.line))
    return file_prefix(document) + ("\n// ...\n\n" if start > HEAD_LINES else "") + body


def message_grammar(quote: str) -> str:
    """GBNF: message words (no quote, backslash, placeholder or newline), then the closing
    quote."""
    banned = "\\\\%{}$\\n" + ('\\"' if quote == '"' else quote)
    return message_words_grammar(escaped(quote), banned)


def model_message(
    document: ParsedDocument,
    site: LogSite,
    plan: LanguagePlan,
    settings: Settings,
    deadline: float,
    cancel: threading.Event | None,
) -> tuple[str | None, str, list[str], bool]:
    """(message, model id, notes, short of time): the model continuing the planned statement's
    opening, within the time left."""
    from logsmith.engines.model_engine import MIN_TIME_S, secrets_of, worker_for
    from logsmith.model import registry as models
    from logsmith.model.client import ModelFailed, ModelNotReady

    try:
        worker = worker_for(settings)
    except models.ModelError as exc:
        return None, "", [str(exc)], False
    if worker.state != "ready":
        error = f": {worker.last_error}" if worker.last_error else ""
        return None, "", [f"model {worker.model_id} is {worker.state}{error}"], False
    left = deadline - time.perf_counter()
    if left < MIN_TIME_S:
        return None, "", ["no time left for the model"], True
    opening, quote = registry.idioms_for(document.language).opening(plan.spec(""))
    typed = site.typed.message if site.typed.quote else None
    try:
        completion = worker.complete(
            context(document, site) + site.indent + opening + (typed or ""),
            grammar=message_grammar(quote),
            max_tokens=MAX_TOKENS,
            stop=("\n",),
            deadline_s=left,
            cancel=cancel,
        )
    except ModelNotReady as exc:
        return None, "", [f"model failed: {exc}"], True
    except ModelFailed as exc:
        return None, "", [f"model failed: {exc}"], False
    text = completion.text
    if not text.endswith(quote):
        short = completion.stopped_by in ("too_slow", "deadline")
        return None, "", [f"model gave no usable message ({completion.stopped_by})"], short
    message = finished(((typed or "") + text[: -len(quote)]).strip())
    if len(message) < 3 or len(message.split()) < 2:
        return None, "", ["model gave no usable message (too short)"], False
    if any(value.lower() in message.lower() for value in secrets_of(document)):
        return None, "", ["model message rejected: it repeats a secret-looking value"], False
    return message, worker.model_id, [], False


def finished(message: str) -> str:
    """The model's message without a separator it left for a value (`url =`, `Failed to open:`):
    the plan's values, if any, are written after it in the language's own way."""
    return message.rstrip(" \t:=,;(-")


QUOTED = re.compile(r'"((?:[^"\\\n]|\\.)*)"|\'((?:[^\'\\\n]|\\.)*)\'|`([^`\n]*)`')
FORMAT_HOLES = re.compile(r"%[-+# 0-9.]*[a-zA-Z]|\{\}|\$\{[^}]*\}|\\[ntr]")
REPORTS_ERROR = re.compile(
    r"\b(return|throw|panic|raise)\b|Errorf?\(|errors\.New\(|Exception\(|Error\("
)


def error_words(site: LogSite, capitalized: bool) -> str | None:
    """The words of the error the next statement returns or throws (`throw new IOException("Cannot
    read the index")`, `return fmt.Errorf("open %s: %w", ...)`): developers often log what they
    are about to report. None without such a statement, or with fewer than two words."""
    text = site.next_statement
    if not text or not REPORTS_ERROR.search(text):
        return None
    for found in QUOTED.finditer(text):
        literal = next(group for group in found.groups() if group is not None)
        words = " ".join(FORMAT_HOLES.sub(" ", literal).split()).strip(" :;,.-=")
        if len(words.split()) >= 2 and any(c.isalpha() for c in words):
            first = words[:1].upper() if capitalized else words[:1].lower()
            return first + words[1:] if not words[:2].isupper() else words
    return None


def write(
    document: ParsedDocument,
    site: LogSite,
    plan: LanguagePlan,
    settings: Settings,
    deadline: float,
    cancel: threading.Event | None,
    path: str | None = None,
) -> LanguageWritten:
    """The file's statement at the site most like this one (`file_neighbour`), else the plan in
    the words of the project's (`project_neighbour`; `path` is the file's, left out of the
    project), the model's statement when it answers within the budget, and the template's,
    always."""
    from logsmith.pipeline import model_route

    idioms = registry.idioms_for(document.language)
    written = LanguageWritten()
    neighbour = _neighbour(document, site, plan)
    if neighbour is not None:
        written.candidates.append(neighbour)
    lent = _lent(document, site, plan, path) if neighbour is None else None
    if lent is not None:
        written.candidates.append(lent)
    if site.syntax_error:
        written.notes.append("the file has syntax errors; the site was read as well as it parses")
    use_model = settings.use_model and len(document.source_bytes) <= settings.max_file_bytes
    if settings.use_model and not use_model:
        written.notes.append(f"file larger than {settings.max_file_bytes} bytes: template only")
    if use_model and not (cancel is not None and cancel.is_set()):
        message, model_id, notes, pending = model_message(
            document, site, plan, settings, deadline, cancel
        )
        written.notes.extend(notes)
        written.model_pending = pending
        if message is not None:
            route = model_route(settings)
            written.candidates.append(
                LanguageCandidate(
                    idioms.render(plan.spec(message)),
                    model_id,
                    route,
                    tuple(written.notes),
                    route_reason=f"the {route} model continued the planned statement",
                )
            )
    wording = error_words(site, plan.capitalized) or template.message(
        site,
        plan,  # type: ignore[arg-type]
    )
    written.candidates.append(
        LanguageCandidate(
            idioms.render(plan.spec(wording)),
            "template",
            "template",
            tuple(written.notes),
            route_reason="the template engine: words from the site's names",
        )
    )
    if written.model_pending:
        written.candidates = [
            dataclasses.replace(c, model_pending=True) for c in written.candidates
        ]
    return written


def _neighbour(
    document: ParsedDocument, site: LogSite, plan: LanguagePlan
) -> LanguageCandidate | None:
    """The file's statement at the site most like this one that may go here too (it reads bound
    names and does not end the program: a Go `log.Fatal` is not repeated), repeated; none when
    the plan's logger needs setting up (the file then has no usable statement to repeat)."""
    if plan.logger.setup:
        return None
    reader = registry.reader_for(document.language)
    allowed = _allowed_names(document, site, plan)
    call = nearest_alike(
        site,
        calls_of(document),
        lambda text: reader.names_read(text) <= allowed and not reader.ends_program(text),
    )
    if call is None:
        return None
    return LanguageCandidate(
        call.text,
        "neighbour",
        "neighbour",
        (f"repeats line {call.start_line + 1}: {call.text}",),
        route_reason="this function's statement at a site of the same kind: served first",
        copied=call,
    )


def _lent(
    document: ParsedDocument, site: LogSite, plan: LanguagePlan, path: str | None
) -> LanguageCandidate | None:
    """The plan's statement in the words of the project's statement at the site most like this
    one (`project_neighbour`)."""
    from logsmith.idioms.project_habits import project_calls
    from logsmith.idioms.project_neighbour import CONTEXT_AFTER, CONTEXT_BEFORE, most_alike, window

    own = Path(path) if path else None
    in_project = project_calls(path, document.language) if path else ()
    start = max(0, site.line - CONTEXT_BEFORE)
    near = [
        document.line(n)
        for n in range(start, min(document.line_count, site.line + 1 + CONTEXT_AFTER))
    ]
    around = window(near, site.line - start, site.line - start)
    lent = most_alike(site, calls_of(document), in_project, own, around)
    if lent is None:
        return None
    where = _shown_path(lent.path, own) if lent.path else (own.name if own else "this file")
    followed = f"{where}:{lent.call.start_line + 1}: {lent.call.text}"
    idioms = registry.idioms_for(document.language)
    return LanguageCandidate(
        idioms.render(plan.spec(lent.words)),
        "neighbour",
        "neighbour",
        (f"the words of {followed} (alike by {lent.score:.1f})",),
        route_reason="the words of the project's statement at the site most like this one",
        neighbours=(followed,),
    )


def _shown_path(path: Path, own: Path | None) -> str:
    """`path` from the project's root (the file's name when it lies outside)."""
    from logsmith.idioms.project_habits import project_root

    root = project_root(own) if own is not None else None
    try:
        return path.relative_to(root).as_posix() if root is not None else path.name
    except ValueError:
        return path.name


def _with_setup(document: ParsedDocument, plan: LanguagePlan) -> ParsedDocument | str | None:
    """The document with the plan's setup edits applied (parsed once for both checks that need
    it), a reason they cannot be applied, or None without setup edits."""
    if not plan.logger.setup:
        return None
    try:
        edited = apply_edits(document.text, list(plan.logger.setup))
    except EditConflict as exc:
        return f"the logger's setup edits conflict: {exc}"
    return ParsedDocument(edited, document.language)


def _setup_for(
    candidate: LanguageCandidate, document: ParsedDocument, site: LogSite, plan: LanguagePlan
) -> tuple[TextEdit, ...]:
    """The plan's setup edits, unless the statement needs none of them: a repeated statement, or
    one whose logger is usable as the file stands and which reads no name the edits write (a zap
    logger's statement without fields needs no `zap` import, and Go refuses an import nothing
    uses)."""
    if candidate.copied or not plan.logger.setup:
        return ()
    if plan.logger.defined:
        reader = registry.reader_for(document.language)
        written = set(IDENTIFIER.findall(" ".join(edit.new_text for edit in plan.logger.setup)))
        if not reader.names_read(candidate.statement) & written:
            return ()
    return plan.logger.setup


def _allowed_names(
    document: ParsedDocument,
    site: LogSite,
    plan: LanguagePlan,
    edited: ParsedDocument | str | None = None,
) -> set[str]:
    """The names a statement may read at the site: bound there, in the file, or by the
    language; with the plan's setup edits (`edited`: the document with them), also what they
    import and declare; never a name the site leaves unbound (`LogSite.unbound_names`), nor a
    function value (`LogSite.function_values`) other than the logger itself."""
    reader = registry.reader_for(document.language)
    idioms = registry.idioms_for(document.language)
    allowed = set(site.names) | set(site.module_names) | idioms.always_bound(document)
    if plan.logger.setup:
        if edited is None:
            edited = _with_setup(document, plan)
        if isinstance(edited, ParsedDocument):
            allowed |= idioms.always_bound(edited)
        allowed |= reader.names_read(plan.logger.expression)
    functions = site.function_values
    if functions:
        functions = functions - reader.names_read(plan.logger.expression)
    return allowed - site.unbound_names - functions


def setup_problems(document: ParsedDocument, edited: ParsedDocument | str | None) -> list[str]:
    """Why the plan's setup edits (`edited`: the document with them) may not be applied: they
    conflict, or they make a file that parsed not parse."""
    if isinstance(edited, str):
        return [edited]
    if edited is None or document.tree.root_node.has_error:
        return []
    if edited.tree.root_node.has_error:
        return ["the logger's setup edits would break the file"]
    return []


def problems(
    statement: str, document: ParsedDocument, site: LogSite, allowed: set[str]
) -> list[str]:
    """Why a statement may not go at the site: it does not parse there, or it reads a name that
    is not in `allowed`."""
    reader = registry.reader_for(document.language)
    found = list(reader.statement_problems(document, site.line, statement))
    unbound = sorted(reader.names_read(statement) - allowed)
    if unbound:
        found.append(f"reads names not bound here: {', '.join(unbound)}")
    return found


def checked(
    candidates: list[LanguageCandidate],
    document: ParsedDocument,
    site: LogSite,
    plan: LanguagePlan,
) -> list[LanguageCandidate]:
    """The candidates that pass `problems` with setup edits that keep the file parsing; a rejected
    one leaves its reason on the others."""
    edited = _with_setup(document, plan)
    setup = setup_problems(document, edited)
    allowed = _allowed_names(document, site, plan, edited)
    passed, rejected = [], []
    for candidate in candidates:
        found = setup + problems(candidate.statement, document, site, allowed)
        if found:
            who = candidate.source if candidate.route in ("template", "neighbour") else "model"
            rejected.append(f"{who} statement rejected: {'; '.join(found)}")
        else:
            passed.append(candidate)
    return [dataclasses.replace(c, notes=c.notes + tuple(rejected)) for c in passed]


ROUTE_ORDER = {"neighbour": 0, "remote": 1, "local": 2, "template": 3}


def rank(
    candidates: list[LanguageCandidate],
    document: ParsedDocument,
    site: LogSite,
    plan: LanguagePlan,
    started: float,
):
    """The function's own statement at a site of the same kind first (on the dev split its words
    are the developer's far more often than the model's), then the plan in the project's words
    (ahead of the model's on the dev split in Java and JavaScript), then the model's (it read the
    code around the site), then the template's; a statement written twice is offered once."""
    from logsmith.suggestion import Suggestion

    kept: list[LanguageCandidate] = []
    for candidate in sorted(candidates, key=lambda c: (ROUTE_ORDER[c.route], c.copied is None)):
        if all(candidate.statement != k.statement for k in kept):
            kept.append(candidate)
    line_text = document.line(site.line)
    return [
        Suggestion(
            statement=c.statement,
            edit=TextEdit(site.line, len(site.indent), site.line, len(line_text), c.statement),
            additional_edits=_setup_for(c, document, site, plan),
            level=(c.copied.level or plan.level) if c.copied else plan.level,
            logger=c.copied.logger if c.copied else plan.logger.expression,
            variables=c.copied.values
            if c.copied
            else plan.values + ((plan.error,) if plan.error else ()),
            source=c.source,
            latency_ms=(time.perf_counter() - started) * 1000,
            reason=plan.reason,
            site_kind=site.kind,
            notes=c.notes,
            model_pending=c.model_pending,
            route=c.route,
            route_reason=c.route_reason,
            neighbours=c.neighbours,
        )
        for c in kept
    ]


def stages(
    document: ParsedDocument,
    line: int,
    character: int,
    *,
    path: str | None,
    settings: Settings,
    started: float,
    cancel: threading.Event | None = None,
    site: LogSite | None = None,
):
    """The stages, in order, for one request in `document.language`; returns the pipeline's
    `Stages` (its `plan` a `LanguagePlan`)."""
    from logsmith.pipeline import Stages, Written

    reader = registry.reader_for(document.language)
    site = site if site is not None else reader.site_at(document, line, character)
    if not site.reachable:
        return Stages(site)
    plan, notes = plan_for(site, document, str(path) if path is not None else None)
    deadline = started + settings.latency_budget_ms / 1000
    written = write(document, site, plan, settings, deadline, cancel, str(path) if path else None)
    if notes:
        written.candidates = [
            dataclasses.replace(c, notes=notes + c.notes) for c in written.candidates
        ]
    ranked = rank(checked(written.candidates, document, site, plan), document, site, plan, started)
    summary = Written(notes=list(notes) + written.notes, model_pending=written.model_pending)
    return Stages(site, plan, summary, ranked)  # type: ignore[arg-type]
