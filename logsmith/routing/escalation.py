"""Whether and how a site goes to the stronger model (`escalate_to`), once the local model has
answered there.

The local answer's confidence (`engines.routing.decide`, from its tokens' log-probabilities, the
site and the other engines' statements) decides whether the site is escalated at all; then the
user's daily remote-token budget (`TokenBudget`) must allow it; then the remote model's recent
answer times (`LatencyWindow`, one per target) decide how: when their 95th percentile fits the time
left before the request's deadline, the stronger model is asked now and its checked answer served;
otherwise (an editor's short budget, or a target not yet measured) it is asked in the background,
the local answer is served as pending (the editor asks again on the next keystroke), and a later
request for the same target and the same prompt context (the part that stays the same while the
user types on the line) gets the finished answer, checked again against the site as it is then.

Every remote answer spends the tokens it used (evaluated prompt and written tokens) and records its
seconds. A remote failure (a server that is down, a refused URL, a statement that fails the checks)
keeps the local answer and says why; it never costs the editor more than its latency budget.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field

from logsmith.audit.store import logsmith_home
from logsmith.engines import model_engine
from logsmith.engines.model_engine import Outcome
from logsmith.engines.routing import Decision, decide, evidence_of
from logsmith.engines.statement import InvalidStatement, check
from logsmith.planning.plan import Plan
from logsmith.routing.budget import TokenBudget
from logsmith.routing.latency import LatencyWindow
from logsmith.settings import Settings
from logsmith.syntax.document import ParsedDocument
from logsmith.syntax.file_facts import FileFacts
from logsmith.syntax.site import LogSite

log = logging.getLogger(__name__)

BACKGROUND_DEADLINE_S = 60.0
"""The longest a request asked in the background may take (it waits for a server still
connecting, too)."""
WORKERS = 2
"""Background requests in flight at once; more wait their turn."""
KEPT = 64
"""Background requests remembered (finished or not); older ones are forgotten."""

Ask = Callable[[ParsedDocument, LogSite, Plan, FileFacts, Settings, float], Outcome]
"""Asks the stronger model at a site until a deadline (`time.perf_counter()` seconds)."""


@dataclass(frozen=True)
class Escalation:
    """What routing made of a site where the local model answered."""

    confidence: float
    """How sure the local answer is (`engines.routing.confidence`)."""
    reason: str
    """Why the served statement is the local or the stronger model's, in words the audit keeps."""
    remote: Outcome | None = None
    """The stronger model's answer, checked at the site, when it is to be served."""
    pending: bool = False
    """Asked in the background and not answered yet: a later request may get it."""
    notes: tuple[str, ...] = ()
    """What the user should know (why the stronger model's answer is not served)."""


@dataclass
class _Asked:
    """One background request: its answer when done."""

    future: Future
    started: float = field(default_factory=time.perf_counter)


def remote_settings(settings: Settings) -> Settings:
    """The settings that make the stronger model the one asked."""
    return settings.replace(model=settings.escalate_to, escalate_to=None)


def ask_stronger(
    document: ParsedDocument,
    site: LogSite,
    plan: Plan,
    facts: FileFacts,
    settings: Settings,
    deadline: float,
) -> Outcome:
    """The stronger model's checked statement at `site` (the model engine, as for any model),
    waiting up to the deadline for a server that is still connecting."""
    from logsmith.model.registry import ModelError

    remote = remote_settings(settings)
    try:
        model_engine.worker_for(remote).wait_ready(max(0.0, deadline - time.perf_counter()))
    except ModelError as exc:
        return Outcome(notes=[str(exc)])
    return model_engine.statement(document, site, plan, facts, remote, deadline=deadline)


def decision_for(
    local: Outcome,
    site: LogSite,
    plan: Plan,
    settings: Settings,
    *,
    template_statement: str | None,
    neighbour_statement: str | None,
) -> Decision:
    """Whether the local answer is weak enough to escalate, at `settings.escalate_percent`."""
    evidence = evidence_of(
        local.completion.token_logprobs if local.completion is not None else (),
        local.statement,
        site,
        plan,
        template_statement=template_statement,
        neighbour_statement=neighbour_statement,
    )
    return decide(evidence, settings.escalate_percent / 100)


class Escalator:
    """The stronger model's latency windows (one per target) and its background requests (each in
    a thread of its own, `workers` at once): one per process (`escalator()`); `ask` and
    `budget_for` are replaceable for tests of the logic."""

    def __init__(
        self,
        ask: Ask = ask_stronger,
        budget_for: Callable[[Settings], TokenBudget] | None = None,
        workers: int = WORKERS,
    ):
        self._ask = ask
        self._budget_for = budget_for or (
            lambda settings: TokenBudget(logsmith_home(), settings.remote_tokens_per_day)
        )
        self._slots = threading.BoundedSemaphore(workers)
        self._asked: OrderedDict[tuple[str, str], _Asked] = OrderedDict()
        self._windows: dict[str, LatencyWindow] = {}
        self._lock = threading.Lock()

    def window(self, target: str) -> LatencyWindow:
        """The recent answer times of `target`."""
        with self._lock:
            return self._windows.setdefault(target, LatencyWindow())

    def budget(self, settings: Settings) -> TokenBudget:
        return self._budget_for(settings)

    def ask_now(
        self,
        document: ParsedDocument,
        site: LogSite,
        plan: Plan,
        facts: FileFacts,
        settings: Settings,
        deadline: float,
    ) -> Outcome:
        """Ask the stronger model and wait; its tokens are spent and its time recorded."""
        started = time.perf_counter()
        outcome = self._ask(document, site, plan, facts, settings, deadline)
        self.record(settings, outcome, time.perf_counter() - started)
        return outcome

    def record(self, settings: Settings, outcome: Outcome, seconds: float) -> None:
        """Spend the tokens a remote answer used and keep its time (only answers count: a request
        that never reached the model says nothing of its speed)."""
        completion = outcome.completion
        if completion is None or settings.escalate_to is None:
            return
        self.budget(settings).spend(completion.evaluated_tokens + completion.tokens)
        self.window(settings.escalate_to).add(seconds)

    def route(
        self,
        document: ParsedDocument,
        site: LogSite,
        plan: Plan,
        facts: FileFacts,
        settings: Settings,
        decision: Decision,
        *,
        deadline: float,
    ) -> Escalation:
        """Where the local model answered at `site` and `decision` says how sure it is: the
        stronger model's answer when it is due and in time, else the local one and why."""
        why = decision.reason
        if settings.escalate_to is None:
            return Escalation(decision.confidence, f"{why}; no stronger model set (escalate_to)")
        if not decision.escalate:
            return Escalation(decision.confidence, f"not escalated: {why}")
        target = settings.escalate_to
        key = (target, model_engine.context_for(document, site, facts))
        with self._lock:
            asked = self._asked.get(key)
        if asked is not None:
            return self._answer_of(key, asked, site, plan, decision)
        budget = self.budget(settings)
        if not budget.allows():
            reason = f"{why}; daily remote budget spent ({budget.limit} tokens): local answer kept"
            return Escalation(decision.confidence, reason)
        window = self.window(target)
        left = deadline - time.perf_counter()
        if window.fits(left):
            outcome = self.ask_now(document, site, plan, facts, settings, deadline)
            if outcome.statement is None:
                failed = "; ".join(outcome.notes) or "no statement"
                return Escalation(
                    decision.confidence,
                    f"{why}; the stronger model gave none ({failed}): local answer kept",
                    notes=(f"stronger model: {failed}",),
                )
            return Escalation(decision.confidence, f"{why}: the stronger model answered", outcome)
        p95 = window.p95()
        late = (
            f"remote p95 {p95:.1f} s does not fit {max(0.0, left):.1f} s"
            if p95 is not None
            else "remote answer time not known yet"
        )
        self._in_background(key, document, site, plan, facts, settings)
        return Escalation(
            decision.confidence, f"{why}; {late}: asked in the background", pending=True
        )

    def _in_background(
        self,
        key: tuple[str, str],
        document: ParsedDocument,
        site: LogSite,
        plan: Plan,
        facts: FileFacts,
        settings: Settings,
    ) -> None:
        def run() -> Outcome:
            try:
                return self.ask_now(
                    document,
                    site,
                    plan,
                    facts,
                    settings,
                    time.perf_counter() + BACKGROUND_DEADLINE_S,
                )
            except Exception as exc:  # a bug must not lose the local answer
                log.debug("background request to the stronger model failed", exc_info=True)
                return Outcome(notes=[f"{type(exc).__name__}: {exc}"])

        future: Future = Future()

        def in_turn() -> None:
            with self._slots:  # WORKERS at once; the others wait their turn
                future.set_result(run())

        with self._lock:
            self._asked[key] = _Asked(future)
            while len(self._asked) > KEPT:
                self._asked.popitem(last=False)
        # a daemon thread: a request still out when the server exits does not hold it up
        threading.Thread(target=in_turn, name="logsmith-escalate", daemon=True).start()

    def _answer_of(
        self,
        key: tuple[str, str],
        asked: _Asked,
        site: LogSite,
        plan: Plan,
        decision: Decision,
    ) -> Escalation:
        """A background request's answer, checked against the site and plan as they are now."""
        why = decision.reason
        if not asked.future.done():
            return Escalation(
                decision.confidence,
                f"{why}; asked in the background {time.perf_counter() - asked.started:.1f} s ago, "
                "not answered yet",
                pending=True,
            )
        outcome: Outcome = asked.future.result()
        if outcome.statement is None:
            with self._lock:
                self._asked.pop(key, None)  # a later request may ask again
            failed = "; ".join(outcome.notes) or "no statement"
            return Escalation(
                decision.confidence,
                f"{why}; the stronger model gave none ({failed}): local answer kept",
                notes=(f"stronger model: {failed}",),
            )
        try:
            check(outcome.statement, plan, site)
        except InvalidStatement as exc:
            return Escalation(
                decision.confidence,
                f"{why}; the stronger model's answer no longer fits the line ({exc}): "
                "local answer kept",
                notes=(f"stronger model's statement discarded: {exc}",),
            )
        return Escalation(
            decision.confidence, f"{why}: the stronger model answered in the background", outcome
        )


_escalator: Escalator | None = None
_escalator_lock = threading.Lock()


def escalator() -> Escalator:
    """This process's escalator."""
    global _escalator
    with _escalator_lock:
        if _escalator is None:
            _escalator = Escalator()
        return _escalator
