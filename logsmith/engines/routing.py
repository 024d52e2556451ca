"""Routing: how sure logsmith is of the local model's answer at a site, and whether to ask the
stronger (slower, remote) model instead.

The confidence is a logistic model (`planning/data/routing.json`, fitted on the dev split by
`python -m eval.fit.routing`) of what the local answer and the site say: a summary of the
log-probabilities of the tokens the model chose (the lowest, a low percentile, the mean or the sum:
the fitter keeps the one that separates best, and the file's weights name it), how many tokens it
wrote, the kind of site, how sure the plan is of its level, whether the project index found sites
like it and how like the site the best is, how many values the plan could log, and how much the
model's message agrees with the template's. It is the fitted probability that asking the stronger
model would not make the answer acceptable where it is not. Where a neighbour's statement is
served (it ranks before any model's), the stronger model's answer would not be: the confidence
is 1 and the site is never escalated. Any other site is escalated when its confidence is below the
threshold that escalates `target_rate` of such dev sites, with neighbours found or without as at
the site (the file keeps both groups' percentiles, so every rate has its threshold).
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

from logsmith.planning.fitted import RoutingWeights, routing_weights
from logsmith.planning.levels import site_key
from logsmith.planning.plan import Plan
from logsmith.syntax.site import LogSite

DEFAULT_TARGET_RATE = 0.2
"""The share of sites escalated unless the caller says otherwise."""
SITE_GROUPS = ("except", "entry", "return", "raise", "loop")
"""Kinds of site with a feature of their own; every other kind is the baseline."""
_WORD = re.compile(r"[A-Za-z]+")
_PLACEHOLDER = re.compile(r"%[-#0 +]*\d*(?:\.\d+)?[srdifxXeEgGc]|\{[^{}]*\}")
_STRING = re.compile(r"""(?:[rbuRBUfF]{0,2})("|')((?:\\.|(?!\1).)*)\1""")


@dataclass(frozen=True)
class Evidence:
    """What the confidence is computed from, as plain values (a benchmark row stores it as is)."""

    token_logprobs: tuple[float, ...]
    """The log-probability of each token the local model chose; empty when it wrote nothing."""
    model_statement: str | None
    """The local model's statement, once checked; None when it gave none."""
    site_kind: str
    """The level priors' row of the site (`levels.site_key`): "except/reraise", "entry", ..."""
    level_probability: float
    neighbours: int
    """How many logged sites like this one the project index found."""
    neighbour_score: float
    """How like the site the best of them is (0.0 without one)."""
    candidates: int
    """How many values the plan could log."""
    template_statement: str | None = None
    neighbour_statement: str | None = None
    """The neighbour's statement adapted at the site, served before the model's; None without."""


@dataclass(frozen=True)
class Decision:
    """Whether to ask the stronger model, and why, in words an audit record can carry."""

    escalate: bool
    confidence: float
    threshold: float
    reason: str


def evidence_of(
    token_logprobs: tuple[float, ...],
    model_statement: str | None,
    site: LogSite,
    plan: Plan,
    *,
    template_statement: str | None = None,
    neighbour_statement: str | None = None,
) -> Evidence:
    """The evidence at `site` for the local model's answer (its chosen tokens' log-probabilities
    and its checked statement) under `plan`, with the other engines' statements there."""
    return Evidence(
        token_logprobs=tuple(token_logprobs),
        model_statement=model_statement,
        site_kind=site_key(site),
        level_probability=plan.level_probability,
        neighbours=len(plan.neighbours),
        neighbour_score=plan.neighbours[0].score if plan.neighbours else 0.0,
        candidates=len(plan.candidates),
        template_statement=template_statement,
        neighbour_statement=neighbour_statement,
    )


def quantile(values: tuple[float, ...] | list[float], q: float) -> float:
    """The `q` quantile of `values` (linear between the two nearest ranks); 0.0 for none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    position = q * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def message_words(statement: str | None) -> frozenset[str]:
    """The lower-cased words of a statement's string literals (its message)."""
    if not statement:
        return frozenset()
    text = " ".join(_PLACEHOLDER.sub(" ", match.group(2)) for match in _STRING.finditer(statement))
    return frozenset(word.lower() for word in _WORD.findall(text))


def agreement(first: str | None, second: str | None) -> float:
    """How much two statements' messages share: the Jaccard index of their words (0.0 when either
    has none)."""
    a, b = message_words(first), message_words(second)
    return len(a & b) / len(a | b) if a and b else 0.0


def features(evidence: Evidence) -> dict[str, float]:
    """The numbers the logistic model reads; a feature absent here counts as 0."""
    logprobs = evidence.token_logprobs
    answered = evidence.model_statement is not None
    found: dict[str, float] = {"bias": 1.0}
    if answered and logprobs:
        found["answered"] = 1.0
        found["logprob_min"] = min(logprobs)
        found["logprob_p10"] = quantile(logprobs, 0.10)
        found["logprob_p25"] = quantile(logprobs, 0.25)
        found["logprob_mean"] = sum(logprobs) / len(logprobs)
        found["logprob_sum"] = sum(logprobs)
        found["tokens_log"] = math.log1p(len(logprobs))
        found["agrees_template"] = agreement(evidence.model_statement, evidence.template_statement)
    group = evidence.site_kind.split("/")[0]
    if group in SITE_GROUPS:
        found[f"kind:{group}"] = 1.0
    found["level_unsure"] = 1.0 - evidence.level_probability
    if evidence.neighbours:
        found["has_neighbours"] = 1.0
        found["neighbour_score_log"] = math.log1p(max(0.0, evidence.neighbour_score))
    found["candidates_log"] = math.log1p(evidence.candidates)
    return found


def confidence(evidence: Evidence, weights: Mapping[str, float]) -> float:
    """The fitted probability that the stronger model would not improve the local answer; 1.0
    where a neighbour's statement is served (no model's answer would be)."""
    if evidence.neighbour_statement is not None:
        return 1.0
    total = sum(weights.get(name, 0.0) * value for name, value in features(evidence).items())
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, total))))


def group_of(evidence: Evidence) -> str:
    """Which dev sites the threshold at a site is calibrated on (`fitted.ROUTING_GROUPS`)."""
    return "with_neighbours" if evidence.neighbours else "without_neighbours"


def threshold_for(
    target_rate: float, fitted: RoutingWeights, group: str = "without_neighbours"
) -> float:
    """The confidence below which `target_rate` of the dev sites of `group` where a model's answer
    is served were escalated."""
    if not 0.0 <= target_rate <= 1.0:
        raise ValueError(f"the escalation rate is a share between 0 and 1, not {target_rate!r}")
    if target_rate == 0.0:
        return 0.0
    if target_rate == 1.0:
        return math.inf
    levels = fitted.quantiles[group]
    percent = target_rate * 100
    low = min(int(percent), len(levels) - 2)
    return levels[low] + (levels[low + 1] - levels[low]) * (percent - low)


def decide(
    evidence: Evidence,
    target_rate: float = DEFAULT_TARGET_RATE,
    fitted: RoutingWeights | None = None,
) -> Decision:
    """Whether to ask the stronger model at a site, given the evidence for the local answer."""
    fitted = fitted if fitted is not None else shipped()
    score = confidence(evidence, fitted.weights)
    threshold = threshold_for(target_rate, fitted, group_of(evidence))
    rate = f"{target_rate * 100:.0f} % escalation"
    if evidence.neighbour_statement is not None:
        reason = f"a neighbour's statement is served before any model's ({rate})"
        return Decision(False, score, threshold, reason)
    if score < threshold:
        reason = f"local confidence {score:.2f} below {threshold:.2f} ({rate})"
    else:
        shown = "any" if math.isinf(threshold) else f"{threshold:.2f}"
        reason = f"local confidence {score:.2f} not below {shown} ({rate})"
    return Decision(score < threshold, score, threshold, reason)


def should_escalate(
    token_logprobs: tuple[float, ...],
    model_statement: str | None,
    site: LogSite,
    plan: Plan,
    target_rate: float = DEFAULT_TARGET_RATE,
    *,
    template_statement: str | None = None,
    neighbour_statement: str | None = None,
) -> tuple[bool, str]:
    """Whether the local answer at `site` is weak enough to ask the stronger model, and the reason
    an audit record carries ("local confidence 0.31 below 0.42 (20 % escalation)").

    `token_logprobs` and `model_statement` are the local model's (`Completion.token_logprobs`, the
    model engine's checked statement, None when it gave none); `template_statement` and
    `neighbour_statement` the other engines' statements at the site, when they wrote one."""
    evidence = evidence_of(
        token_logprobs,
        model_statement,
        site,
        plan,
        template_statement=template_statement,
        neighbour_statement=neighbour_statement,
    )
    decision = decide(evidence, target_rate)
    return decision.escalate, decision.reason


@functools.cache
def shipped() -> RoutingWeights:
    """The fitted numbers logsmith ships (`planning/data/routing.json`), read once."""
    return routing_weights()
