"""site -> plan -> engines -> check -> rank: the one path every consumer
(server, batch, eval) goes through.

Each stage is a function below, in that order: `analyse` reads the site at the cursor (or takes the
one the caller already read), `plan_for` plans the statement (with the project's logged sites most
like this one when a project index is given), `write` asks the engines (the model within the
budget, and the stronger model where its answer is weak: `logsmith.routing.escalation`; a
neighbour's statement adapted, when there is a neighbour; the template always),
`checked` keeps what passes every check, `rank` orders what is left into suggestions.
"""

from __future__ import annotations

import ast
import dataclasses
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from logsmith.engines import neighbour, template
from logsmith.engines.revision import reconcile
from logsmith.engines.statement import InvalidStatement, check, checked_call, render, used_names
from logsmith.planning.house_style import HouseStyle, find_project_root, house_style, project_style
from logsmith.planning.neighbours import HABITS, neighbours_of
from logsmith.planning.plan import Plan, make_plan
from logsmith.settings import Settings, from_environment
from logsmith.suggestion import Suggestion, TextEdit
from logsmith.syntax.document import ParsedDocument
from logsmith.syntax.file_facts import FileFacts, file_facts
from logsmith.syntax.site import LogSite, parse_for_site
from logsmith.syntax.site import site_at as _site_at
from logsmith.workspace.index import ProjectIndex

if TYPE_CHECKING:
    from logsmith.engines.model_engine import Outcome


def facts_of(document: ParsedDocument) -> FileFacts:
    """File facts, cached per document text (a 5 MB file is scanned once, not per request)."""
    cache = document.cache
    if cache.file_facts is None:
        cache.file_facts = file_facts(document)
    return cache.file_facts


def _document(source: str, document: ParsedDocument | None) -> ParsedDocument:
    if document is not None and document.text == source:
        return document
    return ParsedDocument(source)


def _document_for_request(
    source: str, line: int, character: int, document: ParsedDocument | None
) -> ParsedDocument:
    """The caller's document when it holds `source`, else `source` parsed once for this request."""
    if document is not None and document.text == source:
        return document
    return parse_for_site(source, line, character)


def site_at(
    source: str, line: int, character: int, *, document: ParsedDocument | None = None
) -> LogSite:
    """The log site at a position (see `logsmith.syntax.site.LogSite`)."""
    return _site_at(_document(source, document), line, character)


def style_for(facts: FileFacts, path, settings: Settings) -> HouseStyle:
    """The house style of the file, or of its project when the file has no log statement yet."""
    project = None
    if not any(True for _ in facts.calls):
        root = find_project_root(path)
        project = project_style(root) if root is not None else None
    return house_style(facts, project, settings.style)


@dataclass(frozen=True)
class Request:
    """One request: where, in which document, with which settings and until when."""

    document: ParsedDocument
    line: int
    character: int
    path: str | None
    settings: Settings
    started: float
    cancel: threading.Event | None = None
    original: ParsedDocument | None = None
    """The file as its facts and log statements are read: for a line inserted into a file
    (`suggest_insertion`), the file without it, in the original's coordinates (the setup edits, the
    neighbours' lines); with text typed on the cursor's line, the file with that line blank; else
    None (the document itself)."""
    project: ProjectIndex | None = None
    """The project index of the workspace the file is in, when there is one."""


@dataclass(frozen=True)
class Candidate:
    """A statement an engine wrote, before it is checked and ranked."""

    statement: str
    source: str
    """`template` or the model's id."""
    notes: tuple[str, ...] = ()
    model_pending: bool = False
    route: str = "template"
    """`template`, `neighbour`, `local` or `remote` (see `Suggestion.route`)."""
    route_reason: str = ""
    confidence: float | None = None


@dataclass
class Written:
    """What the engines wrote for one plan, and what they said on the way."""

    candidates: list[Candidate] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    model_pending: bool = False
    model: Outcome | None = None
    """What the model engine answered, when it was asked (for routing the site elsewhere)."""


@dataclass(frozen=True)
class Stages:
    """What each stage made for one request; `suggestions` is all `suggest` returns. No plan and
    nothing written where no statement would run."""

    site: LogSite
    plan: Plan | None = None
    written: Written | None = None
    suggestions: list[Suggestion] = field(default_factory=list)


def suggest(
    source: str,
    line: int,
    character: int,
    *,
    path=None,
    settings: Settings | None = None,
    document: ParsedDocument | None = None,
    site: LogSite | None = None,
    cancel: threading.Event | None = None,
    project: ProjectIndex | None = None,
    language: str | None = None,
) -> list[Suggestion]:
    """Log statements for the cursor at (line, character), best first. Never raises on bad input:
    positions are clamped; a file that does not parse still gets the template's best effort.
    `site`: the site at that position when the caller has already read it (the server does).
    `project`: the workspace's project index; `source` stands for `path` in it.
    `language`: the file's language (`logsmith.syntax.languages.SPECS`); None: the document's,
    else `path`'s suffix, else Python."""
    return suggest_stages(
        source,
        line,
        character,
        path=path,
        settings=settings,
        document=document,
        site=site,
        cancel=cancel,
        project=project,
        language=language,
    ).suggestions


def suggest_stages(
    source: str,
    line: int,
    character: int,
    *,
    path=None,
    settings: Settings | None = None,
    document: ParsedDocument | None = None,
    site: LogSite | None = None,
    cancel: threading.Event | None = None,
    project: ProjectIndex | None = None,
    language: str | None = None,
) -> Stages:
    """`suggest`, with what each stage made on the way (the plan, the model's answer)."""
    started = time.perf_counter()
    language = _language(language, document, path)
    if language != "python":
        return _other_language_stages(
            source, line, character, language, path, settings, document, site, cancel, started
        )
    document = _document_for_request(source, line, character, document)
    request = Request(
        document,
        line,
        character,
        path,
        from_environment(settings or Settings()),
        started,
        cancel,
        project=project,
    )
    return stages(request, site)


def _language(language: str | None, document: ParsedDocument | None, path) -> str:
    """The request's language: the one given, else the document's, else `path`'s suffix, else
    Python."""
    from logsmith.syntax.languages import language_of_path

    if language is not None:
        return language
    if document is not None:
        return document.language
    return language_of_path(path) or "python"


def _other_language_stages(
    source: str,
    line: int,
    character: int,
    language: str,
    path,
    settings: Settings | None,
    document: ParsedDocument | None,
    site: LogSite | None,
    cancel: threading.Event | None,
    started: float,
) -> Stages:
    """A request in a language other than Python (`logsmith.idioms.stages`); nothing for a
    language logsmith does not write."""
    from logsmith.idioms import registry, stages

    if not registry.supported(language):
        raise ValueError(f"logsmith does not write {language} statements")
    if document is None or document.text != source or document.language != language:
        document = ParsedDocument(source, language)
    return stages.stages(
        document,
        line,
        character,
        path=path,
        settings=from_environment(settings or Settings()),
        started=started,
        cancel=cancel,
        site=site,
    )


def run(request: Request, site: LogSite | None = None) -> list[Suggestion]:
    """The stages, in order, for one request: the suggestions."""
    return stages(request, site).suggestions


def stages(request: Request, site: LogSite | None = None) -> Stages:
    """The stages, in order, for one request, and what each made."""
    site = site if site is not None else analyse(request)
    if not site.reachable:
        return Stages(site)  # after a return, raise, continue or break: it would never run
    if request.original is None and not site.typed.is_empty:
        # A half-typed `logger.` reads as one call with the statement below it: the file's facts
        # are read with the cursor's line blank, as on an empty line.
        request = dataclasses.replace(request, original=request.document.with_line(site.line, ""))
    plan = plan_for(site, request)
    written = write(site, plan, request)
    ranked = rank(checked(written.candidates, site, plan), site, plan, request)
    return Stages(site, plan, written, ranked)


def analyse(request: Request) -> LogSite:
    """Stage 1: the site at the request's position."""
    return _site_at(request.document, request.line, request.character)


def plan_for(site: LogSite, request: Request) -> Plan:
    """Stage 2: logger, level, values, format and the edits around the statement."""
    read = request.original or request.document
    facts = facts_of(read)
    neighbours = neighbours_of(request.project, site, read, request.path)
    return make_plan(site, facts, style_for(facts, request.path, request.settings), neighbours)


def write(site: LogSite, plan: Plan, request: Request) -> Written:
    """Stage 3: the model's statement when it answers within the budget (its values then weighed
    with the ranker's), the stronger model's where the local answer is weak (`escalate_to`), a
    neighbour's statement adapted, and the template's, always."""
    settings, document = request.settings, request.document
    written = Written()
    if site.syntax_error:
        written.notes.append("the file has syntax errors; the site was read as well as it parses")
    use_model = settings.use_model and len(document.source_bytes) <= settings.max_file_bytes
    if settings.use_model and not use_model:
        written.notes.append(f"file larger than {settings.max_file_bytes} bytes: template only")
    by_model: Candidate | None = None
    if use_model and not (request.cancel is not None and request.cancel.is_set()):
        from logsmith.engines import model_engine

        outcome = model_engine.statement(
            document,
            site,
            plan,
            facts_of(request.original or document),
            settings,
            deadline=_deadline(request),
            cancel=request.cancel,
        )
        written.model = outcome
        written.notes.extend(outcome.notes)
        written.model_pending = outcome.short_of_time
        if outcome.statement is not None:
            statement, note = reconcile(outcome.statement, site, plan)
            by_model = Candidate(
                statement,
                outcome.source,
                tuple(written.notes) + ((note,) if note else ()),
                route=model_route(settings),
            )
    adapted = _adapted(site, plan)
    fallback = render(plan, template.message(site, plan))
    if by_model is not None and written.model is not None:
        routed = _routed(by_model, written, site, plan, request, adapted, fallback)
        written.candidates.extend(routed)
    if adapted is not None:
        written.candidates.append(
            dataclasses.replace(
                adapted,
                notes=tuple(written.notes) + adapted.notes,
                model_pending=written.model_pending,
            )
        )
    if not use_model:
        template_reason = "the template engine: no model is used"
    elif by_model is not None:
        template_reason = "the template engine: ranked after the model's statement"
    else:
        why = f" ({written.notes[0]})" if written.notes else ""
        template_reason = f"the template engine: the model wrote no statement here{why}"
    written.candidates.append(
        Candidate(
            fallback,
            "template",
            tuple(written.notes),
            written.model_pending,
            route="template",
            route_reason=template_reason,
        )
    )
    if written.model_pending:
        written.candidates = [
            dataclasses.replace(c, model_pending=True) for c in written.candidates
        ]
    return written


def _deadline(request: Request) -> float:
    return request.started + request.settings.latency_budget_ms / 1000


def model_route(settings: Settings) -> str:
    """`remote` when the configured model is an inference server's, else `local`."""
    from logsmith.model.backend import names_server

    return "remote" if names_server(settings) else "local"


def _routed(
    by_model: Candidate,
    written: Written,
    site: LogSite,
    plan: Plan,
    request: Request,
    adapted: Candidate | None,
    fallback: str,
) -> list[Candidate]:
    """The local model's statement with its confidence and route, and the stronger model's before
    it where the site is escalated (`logsmith.routing.escalation`)."""
    from logsmith.routing.escalation import decision_for, escalator

    assert written.model is not None
    settings = request.settings
    decision = decision_for(
        written.model,
        site,
        plan,
        settings,
        template_statement=fallback,
        neighbour_statement=adapted.statement if adapted is not None else None,
    )
    if settings.escalate_to is None:
        return [
            dataclasses.replace(
                by_model,
                confidence=decision.confidence,
                route_reason=f"{decision.reason}; no stronger model set (escalate_to)",
            )
        ]
    routed = escalator().route(
        request.document,
        site,
        plan,
        facts_of(request.original or request.document),
        settings,
        decision,
        deadline=_deadline(request),
    )
    written.notes.extend(routed.notes)
    written.model_pending = written.model_pending or routed.pending
    local = dataclasses.replace(
        by_model,
        notes=by_model.notes + routed.notes,
        route_reason=routed.reason,
        confidence=routed.confidence,
    )
    if routed.remote is None or routed.remote.statement is None:
        return [local]
    statement, note = reconcile(routed.remote.statement, site, plan)
    remote = Candidate(
        statement,
        routed.remote.source,
        tuple(written.notes) + ((note,) if note else ()),
        route="remote",
        route_reason=routed.reason,
        confidence=routed.confidence,
    )
    return [remote, local]


def _adapted(site: LogSite, plan: Plan) -> Candidate | None:
    """The statement of the project's site most like this one, adapted here (nothing when the
    user has started the message: the template keeps their words)."""
    if site.typed.message is not None:
        return None
    chosen = neighbour.chosen(plan, HABITS.adapt_min_score)
    statement = neighbour.statement_from(chosen, site, plan) if chosen is not None else None
    if chosen is None or statement is None:
        return None
    place = f"{chosen.statement.path}:{chosen.statement.line + 1}"
    return Candidate(
        statement,
        "neighbour",
        (f"adapted from {place}: {chosen.statement.text}",),
        route="neighbour",
        route_reason="a statement of the project at a site like this one, adapted: served first",
    )


def checked(candidates: list[Candidate], site: LogSite, plan: Plan) -> list[Candidate]:
    """Stage 4: the candidates that parse as one call on the planned logger, name only values bound
    on every path to the site, and format at run time;
    a rejected one leaves its reason on the others."""
    passed, rejected = [], []
    for candidate in candidates:
        try:
            check(candidate.statement, plan, site)
            passed.append(candidate)
        except InvalidStatement as exc:
            rejected.append(
                f"{'template' if candidate.source == 'template' else 'model'} statement rejected: "
                f"{exc}"
            )
    return [dataclasses.replace(c, notes=c.notes + tuple(rejected)) for c in passed]


ROUTE_ORDER = {"neighbour": 0, "remote": 1, "local": 2, "template": 3}
"""The order of the routes in the ranking (`rank`)."""


def rank(
    candidates: list[Candidate], site: LogSite, plan: Plan, request: Request
) -> list[Suggestion]:
    """Stage 5: the project's statement adapted (a developer's words at the site most like this
    one; on the development split as often acceptable as the model's, and there at once), then the
    stronger model's (asked where the local answer was weak), then the local model's (it read the
    code around the site), then the template's (only the site's names); a statement written twice
    is offered once, under the first route."""
    ranked: list[Candidate] = []
    for candidate in sorted(candidates, key=lambda candidate: ROUTE_ORDER[candidate.route]):
        if all(candidate.statement != kept.statement for kept in ranked):
            ranked.append(candidate)
    return [_suggestion(candidate, site, plan, request) for candidate in ranked]


def _suggestion(candidate: Candidate, site: LogSite, plan: Plan, request: Request) -> Suggestion:
    call = checked_call(candidate.statement)
    assert isinstance(call.func, ast.Attribute)  # checked: a method of the logger
    line_text = request.document.line(site.line)
    return Suggestion(
        statement=candidate.statement,
        edit=TextEdit(site.line, len(site.indent), site.line, len(line_text), candidate.statement),
        additional_edits=plan.setup_edits,
        level=plan.level if call.func.attr == plan.level else call.func.attr,
        logger=plan.logger,
        variables=tuple(used_names(call)),
        source=candidate.source,
        latency_ms=(time.perf_counter() - request.started) * 1000,
        reason=plan.reason,
        site_kind=site.kind,
        notes=candidate.notes,
        model_pending=candidate.model_pending,
        neighbours=tuple(
            f"{n.statement.path}:{n.statement.line + 1}: {n.statement.text}"
            for n in plan.neighbours
        ),
        route=candidate.route,
        route_reason=candidate.route_reason,
        confidence=candidate.confidence,
    )


def suggest_insertion(
    source: str,
    before_line: int,
    *,
    path=None,
    settings: Settings | None = None,
    document: ParsedDocument | None = None,
    project: ProjectIndex | None = None,
    language: str | None = None,
) -> list[Suggestion]:
    """Statements for a new line inserted before `before_line`, indented like that line.
    Each suggestion's `edit` inserts the whole line at (before_line, 0)."""
    return insertion_stages(
        source,
        before_line,
        path=path,
        settings=settings,
        document=document,
        project=project,
        language=language,
    ).suggestions


def insertion_stages(
    source: str,
    before_line: int,
    *,
    path=None,
    settings: Settings | None = None,
    document: ParsedDocument | None = None,
    project: ProjectIndex | None = None,
    language: str | None = None,
) -> Stages:
    """`suggest_insertion`, with what each stage made on the way (the model's answer)."""
    started = time.perf_counter()
    language = _language(language, document, path)
    if language != "python" and (document is None or document.language != language):
        document = ParsedDocument(source, language)
    document = _document(source, document)
    before_line = min(max(before_line, 0), document.line_count - 1)
    anchor = document.line(before_line)
    indent = anchor[: len(anchor) - len(anchor.lstrip(" \t"))]
    newline = "\r\n" if "\r\n" in source[:10_000] else "\n"
    probe = document.with_line(before_line, indent + newline + anchor)
    if language != "python":
        made = _other_language_stages(
            probe.text,
            before_line,
            len(indent),
            language,
            path,
            settings,
            probe,
            None,
            None,
            started,
        )
    else:
        request = Request(
            probe,
            before_line,
            len(indent),
            path,
            from_environment(settings or Settings()),
            started,
            original=document,
            project=project,
        )
        made = stages(request)
    edits = [
        TextEdit(before_line, 0, before_line, 0, indent + item.statement + newline)
        for item in made.suggestions
    ]
    return dataclasses.replace(
        made,
        suggestions=[
            dataclasses.replace(item, edit=edit) for item, edit in zip(made.suggestions, edits)
        ],
    )
