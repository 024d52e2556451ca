"""The level of a statement: how developers log at this kind of site (priors fitted on the
development corpus, `data/level_priors.json`) weighed with the file's own habits."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

from logsmith.planning.fitted import LevelPriors, level_priors
from logsmith.planning.house_style import HouseStyle
from logsmith.syntax.site import LogSite
from logsmith.vocabulary import LEVELS, normalise_level


@dataclass(frozen=True)
class LevelChoice:
    """The level for a statement and why it was chosen."""

    level: str
    why: str
    probability: float = 1.0
    """How sure the evidence is of `level`: its share of the allowed levels' likelihoods (1.0 when
    the user typed it)."""


PRIORS = level_priors()


def site_key(site: LogSite) -> str:
    """The row of the level priors (`PRIORS.site_counts`) that describes `site`."""
    kind = "except" if site.in_except and site.kind not in ("raise", "return") else site.kind
    if kind == "except":
        ending = "reraise" if site.reraises else (site.recovers or "pass")
        if f"except/{ending}" in PRIORS.site_counts:
            return f"except/{ending}"
    return kind if kind in PRIORS.site_counts else "other"


@dataclass(frozen=True)
class LevelEvidence:
    """What the level at one site is chosen from: the kind of site, the levels the file uses in the
    same context (handlers or not), in the whole file and in the same function nearby, and the
    levels the logger allows there."""

    key: str
    same: Counter
    file: Counter
    nearby: Counter
    allowed: tuple[str, ...]
    in_except: bool
    project: Counter = field(default_factory=Counter)
    """The levels of the project's logged sites most like this one (the project index)."""
    project_weight: float = 0.0


def level_evidence(
    site: LogSite,
    style: HouseStyle,
    framework: str = "logging",
    nearby: Counter | None = None,
    project: Counter | None = None,
    project_weight: float = 0.0,
) -> LevelEvidence:
    """The evidence at `site`; `nearby` are the levels logged in the same function near the
    cursor, `project` those of the project's sites most like it, weighed by `project_weight`."""
    allowed = tuple(
        lvl
        for lvl in LEVELS
        if lvl != "exception"
        or (site.in_except and framework != "structlog")
        or style.levels.get("exception")
    )
    same = style.except_levels if site.in_except else style.levels - style.except_levels
    return LevelEvidence(
        site_key(site),
        same,
        style.levels,
        nearby or Counter(),
        allowed,
        site.in_except,
        project or Counter(),
        project_weight,
    )


def likeliest_level(evidence: LevelEvidence, priors: LevelPriors) -> str:
    """The allowed level that best fits both how developers log at this kind of site and the file's
    habits, weighed as `priors` says."""
    scores = level_scores(evidence, priors)
    return max(evidence.allowed, key=scores.__getitem__)


def level_probability(level: str, evidence: LevelEvidence, priors: LevelPriors) -> float:
    """The share of `level` in the allowed levels' likelihoods (the scores are log-likelihoods)."""
    scores = level_scores(evidence, priors)
    best = max(scores.values())
    weights = {lvl: math.exp(value - best) for lvl, value in scores.items()}
    return weights[level] / sum(weights.values())


def level_scores(evidence: LevelEvidence, priors: LevelPriors) -> dict[str, float]:
    """Each allowed level's log-likelihood at the site: the priors of its kind of site and the
    file's (and project's) habits, weighed as `priors` says."""
    counts = priors.site_counts
    prior = counts.get(evidence.key, counts["other"])

    def habit(counts: Counter, level: str) -> float:
        return math.log((counts.get(level, 0) + 0.5) / (sum(counts.values()) + 3))

    def score(level: str) -> float:
        index = LEVELS.index(level)
        value = math.log((prior[index] + 1) / (sum(prior) + len(LEVELS)))
        value += priors.same_context_weight * habit(evidence.same, level)
        value += priors.file_weight * habit(evidence.file, level)
        value += priors.nearby_weight * habit(evidence.nearby, level)
        if evidence.project:
            value += evidence.project_weight * habit(evidence.project, level)
        # In a handler, ties go to the more severe level: a user reading it expects attention.
        return value + (0.001 * index if evidence.in_except else 0.0)

    return {level: score(level) for level in evidence.allowed}


def level_for(
    site: LogSite,
    style: HouseStyle,
    framework: str = "logging",
    nearby: Counter | None = None,
    project: Counter | None = None,
    project_weight: float = 0.0,
) -> LevelChoice:
    """The level for a statement at `site`: what was typed, else the likeliest level for this kind
    of site and this file's habits (same context, whole file, same function) and the project's at
    sites like it."""
    prefix = site.typed.level_prefix
    if prefix:
        for level in (*LEVELS, "warn", "fatal"):
            if level.startswith(prefix.lower()):
                return LevelChoice(normalise_level(level), f"you typed `{prefix}`")
    evidence = level_evidence(site, style, framework, nearby, project, project_weight)
    level = likeliest_level(evidence, PRIORS)
    sure = level_probability(level, evidence, PRIORS)
    return LevelChoice(level, _level_reason(level, evidence, style), sure)


# Where a site is, for the level's explanation, by the priors' key.
SITE_PLACES = {
    "except/reraise": "in a handler that re-raises",
    "except/pass": "in a handler that swallows the error",
    "except/return": "in a handler that returns a fallback",
    "except/value": "in a handler that recovers",
    "except": "in an exception handler",
    "entry": "at the start of a function",
    "return": "just before a return",
    "raise": "just before a raise",
    "loop": "inside a loop",
    "else": "in an else branch",
    "finally": "in a finally block",
    "other": "in ordinary code",
}


def _times(count: int) -> str:
    return "once" if count == 1 else f"{count} times"


def _level_reason(level: str, evidence: LevelEvidence, style: HouseStyle) -> str:
    """Why `level` was chosen, saying only what the evidence holds: the level developers use most at
    this kind of site, and the counts the choice read, named after where they were counted (this
    file's log statements, or the project's when the file has none)."""
    place = SITE_PLACES.get(evidence.key, SITE_PLACES["other"])
    without_habits = LevelEvidence(
        evidence.key, Counter(), Counter(), Counter(), evidence.allowed, evidence.in_except
    )
    usual_allowed = likeliest_level(without_habits, PRIORS)
    usual = likeliest_level(
        LevelEvidence(evidence.key, Counter(), Counter(), Counter(), LEVELS, evidence.in_except),
        PRIORS,
    )
    owner = {"file": "this file uses", "project": "this project's files use"}.get(style.source)
    habit = ""
    if owner and evidence.same.get(level):
        context = "in handlers" if evidence.in_except else "outside handlers"
        habit = f"{owner} {level} {_times(evidence.same[level])} {context}"
    elif owner and evidence.file.get(level):
        habit = f"{owner} {level} {_times(evidence.file[level])}"
    elif evidence.nearby.get(level):
        habit = f"the log statements near here use {level} {_times(evidence.nearby[level])}"
    if evidence.project.get(level):
        like = (
            f"{evidence.project[level]} of the {sum(evidence.project.values())} sites like this "
            f"one in this project use {level}"
        )
        habit = f"{habit}; {like}" if habit else like
    common = f"developers most often log at {usual} {place}"
    if usual not in evidence.allowed:
        common += f", which is not offered here, then at {usual_allowed}"
    if level == usual_allowed:
        return f"{common}; {habit}" if habit else common
    # the file's (or project's) habits outweighed the usual level
    return f"{common}, but {habit or f'the levels logged here favour {level}'}"
