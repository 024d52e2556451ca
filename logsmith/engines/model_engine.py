"""The model engine: asks the local model for a planned statement's message within the time left.

Any failure (model missing, corrupt, still loading, crashed, too slow, bad output) returns no
statement and a note saying why; the pipeline then serves the template's statement.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from logsmith import models
from logsmith.engines import prompt as prompts
from logsmith.plan import Plan
from logsmith.policy import secret_values
from logsmith.settings import Settings
from logsmith.statement import InvalidStatement, check, render
from logsmith.syntax.style import FileFacts
from logsmith.syntax.document import ParsedDocument
from logsmith.syntax.site import LogSite

MAX_TOKENS = 28
MIN_TIME_S = 0.05


@dataclass
class Outcome:
    statement: str | None = None
    source: str = ""
    notes: list[str] = field(default_factory=list)


def worker_for(settings: Settings):
    """The running worker for the configured model; raises models.ModelError with the fix."""
    from logsmith.engines.llama import get_worker

    choice = models.resolve(settings)
    worker = get_worker(choice)
    if worker.state in ("stopped", "failed"):
        worker.start()
    return worker


def preload(settings: Settings, timeout: float = 120.0):
    """Load the model now and wait for it (batch mode and benchmarks); returns the worker."""
    worker = worker_for(settings)
    worker.wait_ready(timeout)
    return worker


def secrets_of(document: ParsedDocument) -> frozenset[str]:
    """Values the file binds to secret-looking names; computed once per document text."""
    return document.memo("secret_values", lambda: secret_values(document.text))


def context_for(document: ParsedDocument, site: LogSite, facts: FileFacts) -> str:
    """The part of the model's prompt at `site` that stays the same while the user types on the line.
    Values bound to secret-looking names are masked: the model never reads them."""
    context = prompts.context(document, site, prompts.examples_for(site, facts.calls))
    for value in secrets_of(document):
        context = context.replace(value, "***")
    return context


def warm(context: str, settings: Settings, *, cancel: threading.Event | None = None, budget_s: float = 5.0) -> None:
    """Evaluate `context` into the model's KV cache, so the next request there only pays for its tail.
    Stops when `cancel` is set; never raises (a real failure shows on the next request)."""
    try:
        worker = worker_for(settings)
        if worker.state == "ready" and not (cancel is not None and cancel.is_set()):
            worker.warm(context, deadline_s=budget_s, cancel=cancel)
    except Exception:
        pass


def statement(
    document: ParsedDocument,
    site: LogSite,
    plan: Plan,
    facts: FileFacts,
    settings: Settings,
    *,
    deadline: float,
    cancel: threading.Event | None = None,
) -> Outcome:
    from logsmith.engines.llama import ModelFailed

    try:
        worker = worker_for(settings)
    except models.ModelError as exc:
        return Outcome(notes=[str(exc)])
    if worker.state != "ready":
        return Outcome(notes=[f"model {worker.model_id} is {worker.state}" + (f": {worker.last_error}" if worker.last_error else "")])
    left = deadline - time.perf_counter()
    if left < MIN_TIME_S:
        return Outcome(notes=["no time left for the model"])
    try:
        completion = worker.complete(
            context_for(document, site, facts) + prompts.opening(site, plan),
            grammar=prompts.grammar(plan),
            max_tokens=MAX_TOKENS,
            stop=("\n",),
            deadline_s=left,
            cancel=cancel,
        )
    except ModelFailed as exc:
        return Outcome(notes=[f"model failed: {exc}"])
    message = prompts.message_from(completion.text, site, plan)
    if message is not None and any(value.lower() in message.lower() for value in secrets_of(document)):
        return Outcome(notes=["model message rejected: it repeats a value bound to a secret-looking name"])
    if message is None:
        why = {"deadline": "ran out of time", "cancelled": "was cancelled"}.get(completion.stopped_by, "gave no usable message")
        return Outcome(notes=[f"model {why}"])
    text = render(plan, message)
    try:
        check(text, plan, site)
    except InvalidStatement as exc:
        return Outcome(notes=[f"model statement rejected: {exc}"])
    return Outcome(statement=text, source=worker.model_id)
