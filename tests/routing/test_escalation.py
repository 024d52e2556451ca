"""Unit tests of the escalation logic with a fake stronger model (the real one is asked in
tests/server/test_lsp_escalation.py and tests/batch/test_escalation_burst.py): a spent budget keeps
the local answer, an unmeasured server is asked in the background and its finished answer served on
the next request (checked again at the site as it is then), a measured server that fits the time
left is asked at once, and a failure keeps the local answer with the reason."""

from __future__ import annotations

import threading
import time

import pytest

from logsmith.engines.model_engine import Outcome
from logsmith.engines.routing import Decision
from logsmith.model.client import Completion
from logsmith.pipeline import facts_of, suggest_stages
from logsmith.routing.budget import TokenBudget
from logsmith.routing.escalation import Escalator, ask_stronger
from logsmith.settings import Settings
from logsmith.syntax.document import ParsedDocument

SOURCE = '''import logging

logger = logging.getLogger(__name__)


def fetch(client, symbol):
    try:
        return client.get(symbol)
    except ConnectionError as err:
        logger.
        raise
'''
LINE, CHARACTER = 9, len("        logger.")
TARGET = "http://127.0.0.1:9"
WEAK = Decision(True, 0.12, 0.4, "local confidence 0.12 below 0.40 (20 % escalation)")
SURE = Decision(False, 0.9, 0.4, "local confidence 0.90 not below 0.40 (20 % escalation)")
STRONG = 'logger.error("Could not fetch %s: %s", symbol, err)'


class FakeStronger:
    """Answers with `statement`, having read 40 prompt tokens and written 6; records its calls and
    the thread each ran on; waits for `release` when one is given."""

    def __init__(self, statement: str | None = STRONG, release: threading.Event | None = None):
        self.statement = statement
        self.release = release
        self.threads: list[str] = []

    def __call__(self, document, site, plan, facts, settings, deadline) -> Outcome:
        self.threads.append(threading.current_thread().name)
        if self.release is not None:
            self.release.wait(30)
        if self.statement is None:
            return Outcome(notes=[f"model {TARGET} is failed: the server is unreachable"])
        completion = Completion(self.statement, 6, 52, 0.2, "stop", evaluated_tokens=40)
        return Outcome(statement=self.statement, source="strong.gguf", completion=completion)


@pytest.fixture(scope="module")
def at_site():
    document = ParsedDocument(SOURCE)
    made = suggest_stages(
        SOURCE, LINE, CHARACTER, settings=Settings(use_model=False), document=document
    )
    assert made.plan is not None
    return document, made.site, made.plan, facts_of(document)


def settings(limit: int = 1000) -> Settings:
    return Settings(escalate_to=TARGET, remote_tokens_per_day=limit)


def route(escalator: Escalator, at_site, decision=WEAK, deadline_s: float = 0.5, **changes):
    document, site, plan, facts = at_site
    return escalator.route(
        document,
        site,
        plan,
        facts,
        settings(**changes),
        decision,
        deadline=time.perf_counter() + deadline_s,
    )


def test_a_sure_local_answer_is_not_escalated(at_site, tmp_path):
    stronger = FakeStronger()
    routed = route(Escalator(stronger, lambda s: TokenBudget(tmp_path, s.remote_tokens_per_day)),
                   at_site, SURE)
    assert routed.remote is None and not routed.pending and stronger.threads == []
    assert routed.reason == "not escalated: " + SURE.reason and routed.confidence == 0.9


def test_a_spent_budget_keeps_the_local_answer_and_says_so(at_site, tmp_path):
    TokenBudget(tmp_path, 100).spend(100)
    stronger = FakeStronger()
    routed = route(Escalator(stronger, lambda s: TokenBudget(tmp_path, s.remote_tokens_per_day)),
                   at_site, limit=100)
    assert routed.remote is None and not routed.pending and stronger.threads == []
    assert routed.reason == (f"{WEAK.reason}; daily remote budget spent (100 tokens): "
                             "local answer kept")


def test_unmeasured_server_is_asked_in_the_background_and_its_answer_served_next(at_site, tmp_path):
    release = threading.Event()
    stronger = FakeStronger(release=release)
    budget = TokenBudget(tmp_path, 1000)
    escalator = Escalator(stronger, lambda s: budget)
    first = route(escalator, at_site)
    assert first.pending and first.remote is None
    assert first.reason == f"{WEAK.reason}; remote answer time not known yet: asked in the background"
    waiting = route(escalator, at_site)  # the same site again, before the answer: not asked twice
    assert waiting.pending and "not answered yet" in waiting.reason
    release.set()
    escalator._asked[next(iter(escalator._asked))].future.result(30)
    served = route(escalator, at_site)
    assert not served.pending and served.remote is not None and served.remote.statement == STRONG
    assert served.reason == f"{WEAK.reason}: the stronger model answered in the background"
    assert len(stronger.threads) == 1 and stronger.threads[0].startswith("logsmith-escalate")
    assert budget.usage().tokens == 46 and budget.usage().requests == 1
    assert escalator.window(TARGET)._seconds and escalator.window(TARGET).p95() is None


def test_a_measured_server_that_fits_the_time_left_is_asked_at_once(at_site, tmp_path):
    stronger = FakeStronger()
    escalator = Escalator(stronger, lambda s: TokenBudget(tmp_path, s.remote_tokens_per_day))
    for seconds in (0.05, 0.06, 0.07):
        escalator.window(TARGET).add(seconds)
    routed = route(escalator, at_site, deadline_s=30.0)
    assert routed.remote is not None and routed.remote.statement == STRONG and not routed.pending
    assert routed.reason == f"{WEAK.reason}: the stronger model answered"
    assert stronger.threads == [threading.current_thread().name]


def test_a_measured_server_too_slow_for_the_time_left_goes_to_the_background(at_site, tmp_path):
    escalator = Escalator(FakeStronger(), lambda s: TokenBudget(tmp_path, s.remote_tokens_per_day))
    for seconds in (1.8, 1.9, 1.9):
        escalator.window(TARGET).add(seconds)
    routed = route(escalator, at_site, deadline_s=0.6)
    assert routed.pending
    assert "remote p95 1.9 s does not fit 0.6 s: asked in the background" in routed.reason


def test_a_finished_answer_that_no_longer_fits_the_site_is_discarded(at_site, tmp_path):
    stale = FakeStronger('logger.error("Could not fetch %s", no_such_name)')
    escalator = Escalator(stale, lambda s: TokenBudget(tmp_path, s.remote_tokens_per_day))
    assert route(escalator, at_site).pending
    escalator._asked[next(iter(escalator._asked))].future.result(30)
    routed = route(escalator, at_site)
    assert routed.remote is None and not routed.pending
    assert "no longer fits the line" in routed.reason and "local answer kept" in routed.reason
    assert routed.notes and routed.notes[0].startswith("stronger model's statement discarded: ")


def test_a_failing_server_keeps_the_local_answer_with_the_reason(at_site, tmp_path):
    escalator = Escalator(FakeStronger(None), lambda s: TokenBudget(tmp_path, s.remote_tokens_per_day))
    for seconds in (0.05, 0.05, 0.05):
        escalator.window(TARGET).add(seconds)
    routed = route(escalator, at_site, deadline_s=30.0)
    assert routed.remote is None and not routed.pending
    assert routed.reason == (f"{WEAK.reason}; the stronger model gave none (model {TARGET} is "
                             "failed: the server is unreachable): local answer kept")
    assert routed.notes == (f"stronger model: model {TARGET} is failed: the server is unreachable",)


def test_a_stronger_server_named_only_by_the_workspace_is_refused_before_anything_is_sent(
    at_site, monkeypatch
):
    monkeypatch.delenv("LOGSMITH_SERVERS", raising=False)
    monkeypatch.delenv("LOGSMITH_MODEL", raising=False)
    document, site, plan, facts = at_site
    outcome = ask_stronger(document, site, plan, facts,
                           Settings(escalate_to="https://collector.example.com"),
                           time.perf_counter() + 5)
    assert outcome.statement is None and outcome.completion is None
    assert "https://collector.example.com:443 is named only by the workspace" in outcome.notes[0]


def test_the_ranking_is_neighbour_remote_local_template_and_each_says_its_route(at_site):
    from logsmith.pipeline import Candidate, Request, rank

    document, site, plan, _facts = at_site
    request = Request(document, LINE, CHARACTER, None, Settings(), time.perf_counter())
    written = [
        Candidate('logger.error("Template %s", err)', "template", route="template"),
        Candidate('logger.error("Local %s", err)', "gemma", route="local", confidence=0.2),
        Candidate(STRONG, "strong.gguf", route="remote", route_reason=WEAK.reason,
                  confidence=0.2),
        Candidate('logger.error("Neighbour %s", err)', "neighbour", route="neighbour"),
        Candidate(STRONG, "gemma", route="local"),  # the same statement: offered once, as remote
    ]
    ranked = rank(written, site, plan, request)
    assert [s.route for s in ranked] == ["neighbour", "remote", "local", "template"]
    remote = ranked[1]
    assert remote.source == "strong.gguf" and remote.route_reason == WEAK.reason
    assert remote.confidence == 0.2 and remote.by_model


def test_background_requests_beyond_the_workers_wait_their_turn(at_site, tmp_path):
    release = threading.Event()
    stronger = FakeStronger(release=release)
    escalator = Escalator(stronger, lambda s: TokenBudget(tmp_path, s.remote_tokens_per_day),
                          workers=1)
    other_source = SOURCE.replace("fetch", "fetch_quotes")
    other = ParsedDocument(other_source)
    made = suggest_stages(other_source, LINE, CHARACTER, settings=Settings(use_model=False),
                          document=other)
    assert route(escalator, at_site).pending
    assert route(escalator, (other, made.site, made.plan, facts_of(other))).pending
    first, second = (asked.future for asked in escalator._asked.values())
    time_left = time.monotonic() + 30
    while not stronger.threads and time.monotonic() < time_left:
        time.sleep(0.01)
    assert len(stronger.threads) == 1 and not first.done() and not second.done()
    release.set()
    assert first.result(30).statement == second.result(30).statement == STRONG
    assert len(stronger.threads) == 2
