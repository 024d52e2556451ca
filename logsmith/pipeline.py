"""site -> plan -> engines -> check -> rank: the one path every consumer (server, batch, eval) goes through."""

from __future__ import annotations

import dataclasses
import threading
import time
from pathlib import Path

from logsmith.arguments import reconcile
from logsmith.engines import template
from logsmith.plan import Plan, make_plan
from logsmith.settings import Settings, from_environment
from logsmith.statement import InvalidStatement, check, render
from logsmith.style import HouseStyle, find_project_root, house_style, project_style
from logsmith.suggestion import Suggestion, TextEdit
from logsmith.syntax.document import ParsedDocument
from logsmith.syntax.site import LogSite, parse_for_site
from logsmith.syntax.site import site_at as _site_at
from logsmith.syntax.style import FileFacts, file_facts

def facts_of(document: ParsedDocument) -> FileFacts:
    """File facts, cached per document text (a 5 MB file is scanned once, not per request)."""
    return document.memo("file_facts", lambda: file_facts(document))


def _document(source: str, document: ParsedDocument | None) -> ParsedDocument:
    if document is not None and document.text == source:
        return document
    return ParsedDocument(source)


def _document_for_request(source: str, line: int, character: int, document: ParsedDocument | None) -> ParsedDocument:
    """The caller's document when it holds `source`, else `source` parsed once for this request."""
    if document is not None and document.text == source:
        return document
    return parse_for_site(source, line, character)


def site_at(source: str, line: int, character: int, *, document: ParsedDocument | None = None) -> LogSite:
    """The log site at a position (see `logsmith.syntax.site.LogSite`)."""
    return _site_at(_document(source, document), line, character)


def style_for(facts: FileFacts, path, settings: Settings) -> HouseStyle:
    project = None
    if not any(True for _ in facts.calls):
        root = find_project_root(path)
        project = project_style(root) if root is not None else None
    return house_style(facts, project, settings.style)


def _edit_for(site: LogSite, document: ParsedDocument, statement: str) -> TextEdit:
    line_text = document.line(site.line)
    return TextEdit(site.line, len(site.indent), site.line, len(line_text), statement)


def suggest(
    source: str,
    line: int,
    character: int,
    *,
    path=None,
    settings: Settings | None = None,
    document: ParsedDocument | None = None,
    cancel: threading.Event | None = None,
) -> list[Suggestion]:
    """Log statements for the cursor at (line, character), best first. Never raises on bad input:
    positions are clamped; a file that does not parse still gets the template's best effort."""
    started = time.perf_counter()
    document = _document_for_request(source, line, character, document)
    return _suggest_at(document, line, character, path, settings, cancel, facts_of(document), started)


def _suggest_at(document, line, character, path, settings, cancel, facts: FileFacts, started: float) -> list[Suggestion]:
    settings = from_environment(settings or Settings())
    site = _site_at(document, line, character)
    if not site.reachable:
        return []  # after a return, raise, continue or break: a statement here would never run
    style = style_for(facts, path, settings)
    plan = make_plan(site, facts, style)
    notes: list[str] = []
    if site.syntax_error:
        notes.append("the file has syntax errors; the site was read as well as it parses")

    results: list[Suggestion] = []
    model_pending = False
    use_model = settings.use_model and len(document.source_bytes) <= settings.max_file_bytes
    if settings.use_model and not use_model:
        notes.append(f"file larger than {settings.max_file_bytes} bytes: template only")
    if use_model and not (cancel is not None and cancel.is_set()):
        from logsmith.engines import model_engine

        outcome = model_engine.statement(document, site, plan, facts, settings, deadline=started + settings.latency_budget_ms / 1000, cancel=cancel)
        notes.extend(outcome.notes)
        model_pending = outcome.short_of_time
        if outcome.statement is not None:
            statement, note = reconcile(outcome.statement, site, plan)
            try:
                check(statement, plan, site)  # what is served passes every check, whatever wrote it
                results.append(_suggestion(statement, site, plan, document, outcome.source, started,
                                           notes + ([note] if note else [])))
            except InvalidStatement as exc:
                notes.append(f"model statement rejected: {exc}")

    fallback = render(plan, template.message(site, plan))
    try:
        check(fallback, plan, site)
        if not any(s.statement == fallback for s in results):
            results.append(_suggestion(fallback, site, plan, document, "template", started, notes, model_pending))
    except InvalidStatement as exc:  # the template is built from checked parts; this is a bug guard
        notes.append(f"template statement rejected: {exc}")
    return results


def _suggestion(statement: str, site: LogSite, plan: Plan, document: ParsedDocument, source: str, started: float,
                notes: list[str], model_pending: bool = False) -> Suggestion:
    import ast

    call = ast.parse(statement).body[0].value
    from logsmith.statement import used_names

    return Suggestion(
        statement=statement,
        edit=_edit_for(site, document, statement),
        additional_edits=plan.setup_edits,
        level=plan.level if call.func.attr == plan.level else call.func.attr,
        logger=plan.logger,
        variables=tuple(used_names(call)),
        source=source,
        latency_ms=(time.perf_counter() - started) * 1000,
        reason=plan.reason,
        site_kind=site.kind,
        notes=tuple(notes),
        model_pending=model_pending,
    )


def suggest_insertion(
    source: str,
    before_line: int,
    *,
    path=None,
    settings: Settings | None = None,
    document: ParsedDocument | None = None,
) -> list[Suggestion]:
    """Statements for a new line inserted before `before_line`, indented like that line.
    Each suggestion's `edit` inserts the whole line at (before_line, 0)."""
    started = time.perf_counter()
    document = _document(source, document)
    before_line = min(max(before_line, 0), document.line_count - 1)
    anchor = document.line(before_line)
    indent = anchor[: len(anchor) - len(anchor.lstrip(" \t"))]
    newline = "\r\n" if "\r\n" in source[:10_000] else "\n"
    probe = document.with_line(before_line, indent + newline + anchor)
    # The original file's facts: its setup edits are then already in the original's coordinates.
    found = _suggest_at(probe, before_line, len(indent), path, settings, None, facts_of(document), started)
    edits = [TextEdit(before_line, 0, before_line, 0, indent + item.statement + newline) for item in found]
    return [dataclasses.replace(item, edit=edit) for item, edit in zip(found, edits)]
