"""Routing: the confidence in the local model's answer, the threshold a share of escalated sites
maps to, and the decision with the reason an audit record carries (logic on sites read from
source and plans made without the model; the shipped numbers' fit is eval/fit/routing.py's)."""

from __future__ import annotations

import math
import textwrap

import pytest

from logsmith.engines import routing
from logsmith.pipeline import Request, plan_for, site_at
from logsmith.planning.fitted import RoutingWeights
from logsmith.settings import Settings
from logsmith.syntax.document import ParsedDocument

SOURCE = textwrap.dedent(
    '''\
    import logging

    logger = logging.getLogger(__name__)


    def fetch(session, url):
        try:
            return session.get(url)
        except ConnectionError as err:
            #HERE
            raise
    '''
)
SURE = (-0.05, -0.1, -0.02, -0.2, -0.01)
UNSURE = (-0.05, -3.5, -0.02, -2.8, -0.01)
# A confidence that grows with the lowest tokens' log-probability; percentiles 0..1 evenly.
EVEN = tuple(p / 100 for p in range(101))
WEIGHTS = RoutingWeights(
    {"bias": 2.0, "logprob_p10": 1.0}, {"with_neighbours": EVEN, "without_neighbours": EVEN}
)


def site_and_plan():
    lines = SOURCE.split("\n")
    row = next(i for i, text in enumerate(lines) if "#HERE" in text)
    lines[row] = "        "
    text = "\n".join(lines)
    document = ParsedDocument(text)
    site = site_at(text, row, 8, document=document)
    request = Request(document, row, 8, None, Settings(use_model=False), 0.0)
    return site, plan_for(site, request)


def evidence(logprobs=SURE, statement='logger.error("Cannot fetch %s: %s", url, err)', **changes):
    site, plan = site_and_plan()
    found = routing.evidence_of(logprobs, statement, site, plan,
                                template_statement='logger.error("Fetch failed: %s", err)')
    return found if not changes else routing.Evidence(**{**found.__dict__, **changes})


def test_the_evidence_reads_the_site_and_the_plan():
    found = evidence()
    assert found.site_kind == "except/reraise"
    assert 0.0 < found.level_probability <= 1.0
    assert found.neighbours == 0 and found.neighbour_score == 0.0
    assert found.candidates >= 2  # url, session (err is the exception)
    assert found.token_logprobs == SURE


def test_a_low_quantile_marks_one_unsure_token_that_the_mean_hides():
    sure, unsure = routing.features(evidence(SURE)), routing.features(evidence(UNSURE))
    assert unsure["logprob_min"] == -3.5 and sure["logprob_min"] == -0.2
    assert unsure["logprob_p10"] < sure["logprob_p10"] - 1.0
    assert unsure["logprob_mean"] - sure["logprob_mean"] > -1.5  # diluted by the sure tokens
    assert routing.quantile([1.0, 2.0, 3.0, 4.0, 5.0], 0.25) == 2.0
    assert routing.quantile([1.0, 3.0], 0.5) == 2.0
    assert routing.quantile([], 0.1) == 0.0


def test_agreement_is_the_share_of_message_words_two_statements_share():
    model = 'logger.error("Cannot fetch %s: %s", url, err)'
    assert routing.agreement(model, 'logger.error("cannot fetch page", err)') == pytest.approx(2 / 3)
    assert routing.agreement(model, "logger.error(err)") == 0.0
    assert routing.agreement(None, model) == 0.0
    assert routing.features(evidence())["agrees_template"] == pytest.approx(1 / 3)


def test_without_an_answer_only_the_site_speaks():
    found = routing.features(evidence((), None))
    assert "answered" not in found and not any(name.startswith("logprob") for name in found)
    assert found["kind:except"] == 1.0 and found["bias"] == 1.0


def test_where_a_neighbours_statement_is_served_no_model_would_be_and_nothing_is_escalated():
    served = evidence(UNSURE, neighbour_statement='logger.error("Fetch of %s failed", url)',
                      neighbours=3, neighbour_score=20.0)
    assert routing.confidence(served, WEIGHTS.weights) == 1.0
    decision = routing.decide(served, 1.0, WEIGHTS)
    assert not decision.escalate
    assert decision.reason == "a neighbour's statement is served before any model's (100 % escalation)"
    found = routing.features(evidence(neighbours=3, neighbour_score=20.0))
    assert found["has_neighbours"] == 1.0
    assert found["neighbour_score_log"] == pytest.approx(math.log(21.0))


def test_the_threshold_follows_the_dev_percentiles():
    assert routing.threshold_for(0.2, WEIGHTS) == pytest.approx(0.2)
    assert routing.threshold_for(0.155, WEIGHTS) == pytest.approx(0.155)
    assert routing.threshold_for(0.0, WEIGHTS) == 0.0
    halved = RoutingWeights({}, {"with_neighbours": tuple(p / 200 for p in range(101)),
                                 "without_neighbours": EVEN})
    assert routing.threshold_for(0.2, halved, "with_neighbours") == pytest.approx(0.1)
    assert routing.group_of(evidence(neighbours=2, neighbour_score=9.0)) == "with_neighbours"
    assert routing.group_of(evidence()) == "without_neighbours"
    assert routing.threshold_for(1.0, WEIGHTS) == math.inf
    with pytest.raises(ValueError, match="between 0 and 1"):
        routing.threshold_for(20, WEIGHTS)


def test_an_unsure_answer_is_escalated_with_the_reason_an_audit_record_carries():
    higher = tuple(0.6 + p * 0.003 for p in range(101))
    weights = RoutingWeights(
        WEIGHTS.weights, {"with_neighbours": EVEN, "without_neighbours": higher}
    )
    unsure = routing.decide(evidence(UNSURE), 0.2, weights)
    sure = routing.decide(evidence(SURE), 0.2, weights)
    assert unsure.confidence < sure.confidence
    assert unsure.escalate and not sure.escalate
    assert unsure.reason == (f"local confidence {unsure.confidence:.2f} below "
                             f"{unsure.threshold:.2f} (20 % escalation)")
    assert sure.reason.startswith(f"local confidence {sure.confidence:.2f} not below 0.66")
    assert routing.decide(evidence(SURE), 1.0, weights).escalate
    assert not routing.decide(evidence(UNSURE), 0.0, weights).escalate


def test_should_escalate_reads_the_shipped_numbers():
    site, plan = site_and_plan()
    escalate, reason = routing.should_escalate(UNSURE, 'logger.error("x %s", err)', site, plan, 0.3)
    assert isinstance(escalate, bool)
    assert reason.startswith("local confidence ") and reason.endswith("(30 % escalation)")
    every, _ = routing.should_escalate(SURE, 'logger.error("x %s", err)', site, plan, 1.0)
    assert every
