"""The level of a statement: a multinomial logistic model (`data/level_model.json`) of the kind of
site, the file's own habits, the statement that follows the cursor and the levels of the project's
logged sites most like it. The counts of `data/level_priors.json` name the kinds of site, and
`likeliest_level` (those counts weighed with the habits) is the baseline the fitters measure the
model against."""

from __future__ import annotations

import dataclasses
import math
from collections import Counter
from dataclasses import dataclass, field
from typing import NamedTuple

from logsmith.planning.fitted import LevelModel, LevelPriors, level_model, level_priors
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
MODEL = level_model()
NEXT_WORDS = frozenset({"raise", "return", "continue", "break", "pass"})
"""The statements after the cursor whose first word the level model reads (else "none")."""


def place_key(kind: str, in_except: bool, ending: str | None) -> str:
    """The row of the level priors (`PRIORS.site_counts`) for a site of `kind`, in a handler that
    ends with `ending` (reraise, return, value, pass ...) or not."""
    kind = "except" if in_except and kind not in ("raise", "return") else kind
    if kind == "except":
        key = f"except/{ending or 'pass'}"
        if key in PRIORS.site_counts:
            return key
    return kind if kind in PRIORS.site_counts else "other"


def site_key(site: LogSite) -> str:
    """The row of the level priors (`PRIORS.site_counts`) that describes `site`."""
    return place_key(site.kind, site.in_except, "reraise" if site.reraises else site.recovers)


def next_word(site: LogSite) -> str:
    """The first word of the statement after the cursor when the level model reads it."""
    words = site.next_statement.split()
    word = words[0].rstrip(":(;") if words else ""
    return word if word in NEXT_WORDS else "none"


class NeighbourLevel(NamedTuple):
    """What the level model reads of one of the project's logged sites like this one."""

    level: str
    score: float
    """Its retrieval score."""
    key: str
    """Its kind of site (`place_key`)."""
    near: str = ""
    """`function` when it sits in the same function as the cursor, `class` in the same class."""


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
    neighbours: tuple[NeighbourLevel, ...] = ()
    """The same sites, best first."""
    next_word: str = "none"
    """See `next_word`."""


def level_evidence(
    site: LogSite,
    style: HouseStyle,
    framework: str = "logging",
    nearby: Counter | None = None,
    neighbours: tuple[NeighbourLevel, ...] = (),
) -> LevelEvidence:
    """The evidence at `site`; `nearby` are the levels logged in the same function near the
    cursor, `neighbours` the project's sites most like it, best first."""
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
        Counter(n.level for n in neighbours),
        0.0,
        neighbours,
        next_word(site),
    )


def likeliest_level(evidence: LevelEvidence, priors: LevelPriors) -> str:
    """The baseline's level: the allowed level that best fits both how developers log at this kind
    of site and the file's habits, weighed as `priors` says (the product uses `chosen_level`)."""
    scores = level_scores(evidence, priors)
    return max(evidence.allowed, key=scores.__getitem__)


def level_scores(evidence: LevelEvidence, priors: LevelPriors) -> dict[str, float]:
    """Each allowed level's log-likelihood at the site: the priors of its kind of site and the
    file's (and project's) habits, weighed as `priors` says."""
    counts = priors.site_counts
    prior = counts.get(evidence.key, counts["other"])

    def score(level: str) -> float:
        index = LEVELS.index(level)
        value = math.log((prior[index] + 1) / (sum(prior) + len(LEVELS)))
        value += priors.same_context_weight * _share(evidence.same, level)
        value += priors.file_weight * _share(evidence.file, level)
        value += priors.nearby_weight * _share(evidence.nearby, level)
        if evidence.project:
            value += evidence.project_weight * _share(evidence.project, level)
        # In a handler, ties go to the more severe level: a user reading it expects attention.
        return value + (0.001 * index if evidence.in_except else 0.0)

    return {level: score(level) for level in evidence.allowed}


def _share(counts: Counter, level: str) -> float:
    return math.log((counts.get(level, 0) + 0.5) / (sum(counts.values()) + 3))


def level_features(evidence: LevelEvidence, level: str) -> dict[str, float]:
    """What the level model reads for `level` at the site: the kind of site, the smoothed log
    shares of `level` in the file's habits and, when the project index found neighbours, in theirs
    (all of them, the first, weighed by retrieval score, those at the same kind of site) and the
    share of `level` among those in the same function and among those in the same class (the same
    function counted in), and the statement that follows."""
    key = evidence.key
    found = {
        f"level:{level}": 1.0,
        f"key:{key}:{level}": 1.0,
        f"next:{'handler' if evidence.in_except else 'code'}:{evidence.next_word}:{level}": 1.0,
        "same": _share(evidence.same, level),
        f"same:{key}": _share(evidence.same, level),
        "file": _share(evidence.file, level),
        "nearby": _share(evidence.nearby, level),
    }
    neighbours = evidence.neighbours
    if neighbours:
        total = sum(n.score for n in neighbours)
        found["neighbours"] = _share(evidence.project, level)
        found["first_neighbour"] = float(neighbours[0].level == level)
        if total > 0:
            found["neighbours_by_score"] = (
                sum(n.score for n in neighbours if n.level == level) / total
            )
        alike = Counter(n.level for n in neighbours if n.key == key)
        found["neighbours_same_key"] = _share(alike, level)
        for name, near in (("function", ("function",)), ("class", ("function", "class"))):
            close = [n.level for n in neighbours if n.near in near]
            if close:
                found[f"neighbours_same_{name}"] = close.count(level) / len(close)
    return found


def model_scores(evidence: LevelEvidence, model: LevelModel = MODEL) -> dict[str, float]:
    """Each allowed level's score under `model`: the weights of the group (with or without the
    project's neighbours) times `level_features`."""
    weights = model.with_neighbours if evidence.neighbours else model.without_neighbours
    return {
        level: sum(weights.get(name, 0.0) * value for name, value in feats.items())
        for level in evidence.allowed
        for feats in (level_features(evidence, level),)
    }


def chosen_level(evidence: LevelEvidence, model: LevelModel = MODEL) -> tuple[str, float]:
    """The allowed level the model scores highest, and its probability (softmax of the scores)."""
    scores = model_scores(evidence, model)
    level = max(evidence.allowed, key=scores.__getitem__)
    best = scores[level]
    total = sum(math.exp(value - best) for value in scores.values())
    return level, 1.0 / total


def level_for(
    site: LogSite,
    style: HouseStyle,
    framework: str = "logging",
    nearby: Counter | None = None,
    neighbours: tuple[NeighbourLevel, ...] = (),
) -> LevelChoice:
    """The level for a statement at `site`: what was typed, else the likeliest level for this kind
    of site and this file's habits (same context, whole file, same function) and the project's at
    sites like it."""
    prefix = site.typed.level_prefix
    if prefix:
        for level in (*LEVELS, "warn", "fatal"):
            if level.startswith(prefix.lower()):
                return LevelChoice(normalise_level(level), f"you typed `{prefix}`")
    evidence = level_evidence(site, style, framework, nearby, neighbours)
    level, sure = chosen_level(evidence)
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
    """Why `level` was chosen, saying only what the evidence holds: the level the model chooses
    from the kind of site alone (and the statement after it), and the counts the choice read,
    named after where they were counted (this file's log statements, or the project's when the
    file has none)."""
    place = SITE_PLACES.get(evidence.key, SITE_PLACES["other"])
    site_alone = LevelEvidence(
        evidence.key,
        Counter(),
        Counter(),
        Counter(),
        evidence.allowed,
        evidence.in_except,
        next_word=evidence.next_word,
    )
    usual_allowed, _ = chosen_level(site_alone)
    usual, _ = chosen_level(dataclasses.replace(site_alone, allowed=LEVELS))
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
