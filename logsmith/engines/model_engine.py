"""The model engine: asks the model (embedded, or an inference server) for a planned statement's
message within the time left.

Any failure (model missing, corrupt, still loading, crashed, too slow, bad output) returns no
statement and a note saying why; the pipeline then serves the template's statement.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from logsmith.engines import prompt as prompts
from logsmith.engines.statement import InvalidStatement, check
from logsmith.model import registry
from logsmith.planning.plan import Plan
from logsmith.planning.secrets import secret_values
from logsmith.settings import Settings
from logsmith.syntax.document import ParsedDocument
from logsmith.syntax.file_facts import FileFacts
from logsmith.syntax.site import LogSite

if TYPE_CHECKING:
    from logsmith.model.client import Completion

log = logging.getLogger(__name__)

MAX_TOKENS = 28
# placeholders, arguments and `exc_info=True`: as many tokens in all as the unconstrained
# baseline gets
ARGUMENT_TOKENS = 20
MIN_TIME_S = 0.05


@dataclass
class Outcome:
    """The model engine's answer: its statement (or none), the model that wrote it, and notes."""

    statement: str | None = None
    source: str = ""
    notes: list[str] = field(default_factory=list)
    short_of_time: bool = False
    """No statement only because the time ran out: a later request may get one."""
    completion: Completion | None = None
    """What the model answered (its text, tokens and their log-probabilities), when it did."""


def worker_for(settings: Settings):
    """The running backend of the configured model (the embedded worker, or an inference server
    when the model is a URL); raises registry.ModelError with the fix."""
    from logsmith.model.backend import backend_for

    worker = backend_for(settings)
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
    cache = document.cache
    if cache.secret_values is None:
        cache.secret_values = secret_values(document.text)
    return cache.secret_values


def _masked(document: ParsedDocument, text: str) -> str:
    """`text` with the values bound to secret-looking names masked: the model never reads them."""
    for value in secrets_of(document):
        text = text.replace(value, "***")
    return text


def _examples(document: ParsedDocument, facts: FileFacts) -> tuple[str, ...]:
    """The file's example log statements for the prompt; chosen once per document text."""
    cache = document.cache
    if cache.prompt_examples is None:
        cache.prompt_examples = prompts.file_examples(facts.calls)
    return cache.prompt_examples


def context_for(document: ParsedDocument, site: LogSite, facts: FileFacts) -> str:
    """The part of the model's prompt at `site` that stays the same while the user types on the
    line."""
    return _masked(document, prompts.context(document, site, _examples(document, facts)))


def file_prefix_for(document: ParsedDocument, facts: FileFacts) -> str:
    """The start of every prompt in this file (see `prompts.file_prefix`):
    worth evaluating on open."""
    return _masked(document, prompts.file_prefix(document, _examples(document, facts)))


def warm(
    context: str,
    settings: Settings,
    *,
    cancel: threading.Event | None = None,
    budget_s: float = 5.0,
) -> None:
    """Evaluate `context` into the model's KV cache, so the next request there only pays for its
    tail. Stops when `cancel` is set; never raises (a real failure shows on the next request)."""
    try:
        worker = worker_for(settings)
        if worker.state == "ready" and not (cancel is not None and cancel.is_set()):
            done = worker.warm(context, deadline_s=budget_s, cancel=cancel)
            log.debug(
                "warm-up: %d of %d prompt tokens evaluated in %.2f s (%d cached), %s",
                done.evaluated_tokens,
                done.prompt_tokens,
                done.worker_seconds,
                done.reused_tokens,
                done.stopped_by,
            )
    except Exception:
        log.debug("warm-up failed", exc_info=True)


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
    from logsmith.model.client import ModelFailed, ModelNotReady

    try:
        worker = worker_for(settings)
    except registry.ModelError as exc:
        return Outcome(notes=[str(exc)])
    if worker.state != "ready":
        return Outcome(
            notes=[
                f"model {worker.model_id} is {worker.state}"
                + (f": {worker.last_error}" if worker.last_error else "")
            ]
        )
    left = deadline - time.perf_counter()
    if left < MIN_TIME_S:
        return Outcome(notes=["no time left for the model"], short_of_time=True)
    try:
        completion = worker.complete(
            context_for(document, site, facts) + prompts.opening(site, plan),
            grammar=prompts.grammar(site, plan),
            max_tokens=MAX_TOKENS + (ARGUMENT_TOKENS if prompts.writes_arguments(plan) else 0),
            stop=("\n",),
            deadline_s=left,
            cancel=cancel,
        )
    except ModelNotReady as exc:  # busy or late: another request in a moment may find it free
        return Outcome(notes=[f"model failed: {exc}"], short_of_time=True)
    except ModelFailed as exc:
        return Outcome(notes=[f"model failed: {exc}"])
    log.debug(
        "model: %d prompt tokens (%d cached, %d evaluated) in %.2f s, %d written, %s; "
        "needed %.2f s of %.2f s",
        completion.prompt_tokens,
        completion.reused_tokens,
        completion.evaluated_tokens,
        completion.seconds,
        completion.tokens,
        completion.stopped_by,
        completion.needed_seconds,
        left,
    )
    text = prompts.statement_for(completion.text, site, plan)
    if text is not None and any(value.lower() in text.lower() for value in secrets_of(document)):
        return Outcome(
            notes=["model message rejected: it repeats a value bound to a secret-looking name"],
            completion=completion,
        )
    if text is None:
        if completion.stopped_by == "too_slow":
            return Outcome(
                notes=[
                    "no time left for the model: reading this part of the file and answering "
                    f"takes it about {completion.needed_seconds:.1f} s, {left:.2f} s were left; "
                    "it reads it meanwhile"
                ],
                short_of_time=True,
            )
        why = {"deadline": "ran out of time", "cancelled": "was cancelled"}.get(
            completion.stopped_by, "gave no usable message"
        )
        return Outcome(
            notes=[f"model {why}"],
            short_of_time=completion.stopped_by == "deadline",
            completion=completion,
        )
    try:
        check(text, plan, site)
    except InvalidStatement as exc:
        return Outcome(notes=[f"model statement rejected: {exc}"], completion=completion)
    return Outcome(statement=text, source=worker.model_id, completion=completion)
