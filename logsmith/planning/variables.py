"""Which names and attributes a log statement at a site should carry: a small ranker over the
candidates bound at the cursor.

Candidates are the names bound before the cursor in its scope (parameters, loop variables, the
handled exception included) and the attribute chains the function uses up to the cursor or in
the rest of the cursor's block (`self._sock`, `req.url`) whose root is such a name; every one is
valid at the cursor. Each gets a score from simple features (`candidates`) weighted by a logistic
model (`RANKER`, fitted: `data/variable_ranker.json`); the best ones are logged when they raise the
expected F1 against what a developer would log (`select`), at most `RANKER.max_variables`, never one
that looks like a secret (`logsmith.planning.secrets.is_secret`). Once the model has written a call,
`reconciled` weighs its choice and the ranker's together (`SECOND_OPINION`, fitted:
`data/second_opinion.json`): the second opinion `logsmith.engines.revision` applies.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

from logsmith.planning.fitted import (
    ProjectHabits,
    SecondOpinionWeights,
    ranker_weights,
    second_opinion_weights,
)
from logsmith.planning.neighbours import HABITS, value_evidence
from logsmith.planning.secrets import is_secret
from logsmith.syntax.file_facts import FileFacts
from logsmith.syntax.site import LogSite
from logsmith.vocabulary import LOGGER_WORD, identifier_words
from logsmith.workspace.retrieval import Neighbour

NEVER = frozenset({"self", "cls", "_", "__class__"})
STRING = re.compile(
    r"[rRbBuUfF]{0,2}('''.*?'''|\"\"\".*?\"\"\"|'(?:\\.|[^'\\\n])*'|\"(?:\\.|[^\"\\\n])*\")", re.S
)
KEYWORD = re.compile(r"\b\w+\s*=(?!=)")
CONSTANTS = frozenset({"True", "False", "None"})
CHAIN = re.compile(r"(?<![\w.])[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*")
SITE_KINDS = ("entry", "except", "loop", "return", "raise", "other")

RANKER = ranker_weights()
SECOND_OPINION = second_opinion_weights()


@dataclass(frozen=True)
class VariableChoice:
    """The values a statement logs and why, with the candidates the model may choose from."""

    names: tuple[str, ...]
    exception: str | None
    why: str
    left_out: tuple[str, ...] = ()
    """Secret-looking names that were deliberately not logged."""
    candidates: tuple[str, ...] = ()
    """Every name or chain the model may log here, most likely first;
    never one that looks like a secret."""
    likelihoods: tuple[float, ...] = ()
    """The ranker's probability that the developer logs each of `candidates`."""


@dataclass(frozen=True)
class Candidate:
    """A name or attribute chain that could be logged at a site, with the ranker's features."""

    text: str
    features: dict[str, float]


def _words(text: str) -> set[str]:
    return set(re.findall(r"[A-Za-z_][\w.]*", text or ""))


def _name_words(name: str, shortest: int = 3) -> set[str]:
    """`loadConfigFile` / `load_config_file` -> {'load', 'config', 'file'}
    (words of `shortest` letters or more)."""
    return {word for word in identifier_words(name) if len(word) >= shortest}


def _assigned(statement: str) -> set[str]:
    """Targets the statement assigns: `x = ...`, `a, b = ...`, `self.x = ...`, `for x in ...`."""
    found = re.match(r"\s*(?:for\s+)?([\w.,\s()]+?)\s*(?::[^=]+)?(?:=[^=]|\bin\b)", statement or "")
    return {part.strip("() ") for part in found.group(1).split(",")} if found else set()


@dataclass(frozen=True)
class FileHabits:
    """What the file's own log calls pass as arguments."""

    in_class: frozenset[str] = frozenset()
    """Names and chains logged in the methods of the site's class."""
    in_file: frozenset[str] = frozenset()
    """Names and chains logged anywhere in the file."""
    static_share: float = 0.25
    """Share of the file's log calls with no variable (smoothed towards a quarter)."""
    mean_count: float = 1.0
    """Variables per log call (smoothed towards one)."""
    static_share_here: float = 0.25
    """The same share among the calls in the same context as the site (in a handler or not)."""


def file_habits(
    facts: FileFacts | None, class_name: str | None, in_except: bool = False
) -> FileHabits:
    """The habits of the file's log calls (string literals, keyword names and constants skipped)."""
    if facts is None:
        return FileHabits()
    in_class, in_file = set(), set()
    static = total = count = static_here = total_here = 0
    for call in facts.calls:
        if not LOGGER_WORD.search(call.receiver.rsplit(".", 1)[-1]):
            continue
        found = set(CHAIN.findall(KEYWORD.sub(" ", STRING.sub(" ", call.arguments)))) - CONSTANTS
        in_file |= found
        if class_name is not None and call.in_class == class_name:
            in_class |= found
        total += 1
        static += not found
        count += len(found)
        if call.in_except == in_except:
            total_here += 1
            static_here += not found
    return FileHabits(
        frozenset(in_class),
        frozenset(in_file),
        (static + 0.5) / (total + 2),
        (count + 2) / (total + 2),
        (static_here + 0.5) / (total_here + 2),
    )


def candidates(site: LogSite, level: str, facts: FileFacts | None = None) -> list[Candidate]:
    """Every name and chain that could be logged at `site`, with its features."""
    habits = file_habits(facts, site.function.class_name if site.function else None, site.in_except)
    local = set(site.names)
    usages = {usage.text: usage for usage in site.usages}
    parameters = tuple(site.function.parameters) if site.function else ()
    start = site.function.start_line if site.function else 0
    texts = [name for name in site.names if name not in NEVER and not name.startswith("*")]
    texts += [
        text for text in usages if "." in text and text.split(".")[0] in local and text not in texts
    ]
    texts = [text for text in texts if not LOGGER_WORD.search(text)]
    previous_targets = _assigned(site.previous_statement)
    next_words = _words(site.next_statement)
    returned = _words(site.return_value or site.raise_value or "")
    loop = site.loop_variables
    topic = _name_words(site.function.name) if site.function else set()
    lasts = {}
    for text in texts:
        usage = usages.get(text)
        lasts[text] = (
            usage.last_line
            if usage and usage.last_line >= 0
            else (start if text in parameters else site.line - 200)
        )
    order = {text: rank for rank, text in enumerate(sorted(texts, key=lambda t: -lasts[t]))}
    found = []
    for text in texts:
        usage = usages.get(text)
        roles = usage.roles if usage else frozenset()
        root = text.split(".")[0]
        last = lasts[text]
        f = {
            "bias": 1.0,
            f"kind_{site.kind if site.kind in SITE_KINDS else 'other'}": 1.0,
            "param": float(text in parameters),
            "param_entry": float(text in parameters and site.kind == "entry"),
            "param_root": float("." in text and root in parameters and root not in NEVER),
            "exception": float(text == site.exception_name),
            "root_exception": float("." in text and root == site.exception_name),
            "root_loop": float("." in text and root in loop),
            "root_just_assigned": float("." in text and root in previous_targets),
            "root_next": float("." in text and root in next_words),
            "exception_at_exception_level": float(
                text == site.exception_name and level == "exception"
            ),
            "loop": float(text in loop),
            "loop_inner": float(bool(loop) and text == loop[0]),
            "dotted": float("." in text),
            "self_attr": float(root in NEVER and "." in text),
            "deep": float(text.count(".") > 1),
            "previous": float("previous" in roles),
            "just_assigned": float(text in previous_targets),
            "next": float("next" in roles or text in next_words),
            "later": float("later" in roles),
            "outer_header": float("outer_header" in roles),
            "logged_in_class": float(text in habits.in_class),
            "logged_in_file": float(text in habits.in_file),
            "file_static": habits.static_share,
            "file_count": math.log(habits.mean_count),
            "file_static_here": habits.static_share_here,
            "formatted": float("formatted" in roles),
            "exception_reraised": float(text == site.exception_name and site.reraises),
            "returned": float(text in returned),
            "header": float("header" in roles),
            "logged": float("log" in roles),
            "distance": math.log1p(max(site.line - last, 0)) / 5,
            "uses": math.log1p(usage.count if usage else 0) / 3,
            "called": float("called" in roles),
            "receiver": float("receiver" in roles),
            "read": float(bool(roles & {"read", "argument"})),
            "bound": float("bound" in roles),
            "only_root": float(
                bool(roles) and roles <= {"root", "previous", "next", "header", "log", "receiver"}
            ),
            "unused": float(usage is None),
            "capitalised": float(text.split(".")[-1][:1].isupper()),
            "short": float(len(text.split(".")[-1]) <= 1),
            "private": float(text.split(".")[-1].startswith("_")),
            "nearest": float(bool(site.names) and text == site.names[0]),
            "rank": math.log1p(order[text]) / 3,
            "topic": float(bool(_name_words(text.split(".")[-1]) & topic)),
        }
        for word in _name_words(text.split(".")[-1], shortest=2):
            f[f"word:{word}"] = 1.0
        found.append(Candidate(text, f))
    return found


def probability(candidate: Candidate, weights: Mapping[str, float]) -> float:
    """The logistic model's probability for `candidate` under `weights`."""
    z = sum(weights.get(name, 0.0) * value for name, value in candidate.features.items())
    return 1 / (1 + math.exp(-max(min(z, 30), -30)))


def select(scored: list[tuple[float, str]], missing: float, limit: int) -> list[str]:
    """The texts that maximise the expected F1 against the developer's variables, at most `limit`,
    never a chain together with its own root or prefix.

    With p the candidates' probabilities and `missing` the expected number of the developer's
    variables that are no candidate, logging the best k has an expected F1 of about
    2 * (sum of their p) / (k + sum of all p + missing); logging nothing scores 1 exactly when the
    developer logged nothing, with probability prod(1 - p) * exp(-missing)."""
    ranked: list[tuple[float, str]] = []
    for p, text in sorted(scored, key=lambda pair: -pair[0]):
        if not any(text.startswith(c + ".") or c.startswith(text + ".") for _, c in ranked):
            ranked.append((p, text))
    total = sum(p for p, _ in scored) + missing
    best, best_k = math.exp(-missing) * math.prod(1 - p for p, _ in scored), 0
    running = 0.0
    for k, (p, _) in enumerate(ranked[:limit], 1):
        running += p
        value = 2 * running / (k + total)
        if value > best:
            best, best_k = value, k
    return [text for _, text in ranked[:best_k]]


def with_project_evidence(
    p: float, text: str, site: LogSite, neighbours: tuple[Neighbour, ...], habits: ProjectHabits
) -> float:
    """`p` moved by how the project's sites like this one log `text` (itself, or an attribute of
    the same name): the weights are `habits`'."""
    if not neighbours:
        return p
    exact, attribute = value_evidence(text, site, neighbours)
    p = min(max(p, 1e-4), 1 - 1e-4)
    z = math.log(p / (1 - p)) + habits.exact_value_weight * exact
    z += habits.attribute_weight * attribute
    return 1 / (1 + math.exp(-max(min(z, 30), -30)))


def variables_for(
    site: LogSite,
    level: str,
    facts: FileFacts | None = None,
    neighbours: tuple[Neighbour, ...] = (),
    habits: ProjectHabits = HABITS,
) -> VariableChoice:
    """Names worth logging at `site`: all bound at the cursor, none that looks like a secret;
    weighed with how the project logs at sites like it (`neighbours`)."""
    ranker = RANKER
    context = " ".join([site.function.name, *site.function.parameters] if site.function else [])
    typed_text = site.typed.text
    scored, left_out, offered = [], [], []
    for candidate in candidates(site, level, facts):
        text = candidate.text
        if not site.in_scope(text):
            continue
        p = with_project_evidence(
            probability(candidate, ranker.weights), text, site, neighbours, habits
        )
        secret = is_secret(text, context)
        if secret and text not in typed_text:
            left_out.append((p, text))
            continue
        scored.append((p, text))
        if not secret:  # what the model may choose from: never a secret, even one the user typed
            offered.append((p, text))
    chosen = select(scored, ranker.missing, ranker.max_variables)
    exception = site.exception_name if site.exception_name in chosen else None
    names = tuple(text for text in chosen if text != exception)
    # reported: the secrets the ranker would have logged
    secrets = {text for _, text in left_out}
    withheld = [
        text
        for text in select(left_out + scored, ranker.missing, ranker.max_variables)
        if text in secrets
    ]
    why = "the values this code is about" if chosen else ""
    if withheld:
        why += ("; " if why else "") + f"left out {', '.join(withheld)}: looks like a secret"
    offered.sort(key=lambda pair: -pair[0])
    return VariableChoice(
        names,
        exception,
        why,
        tuple(withheld),
        tuple(text for _, text in offered),
        tuple(p for p, _ in offered),
    )


def second_opinion(
    candidates: tuple[str, ...],
    likelihoods: tuple[float, ...],
    by_model: tuple[str, ...],
    exception: str | None = None,
) -> list[tuple[str, dict[str, float]]]:
    """Each candidate with the features `MODEL_WEIGHTS` weigh: the ranker's log-odds, whether the
    model logged it, its place in the ranking, whether it is the handled exception."""
    found = []
    for rank, (text, p) in enumerate(zip(candidates, likelihoods)):
        p = min(max(p, 1e-4), 1 - 1e-4)
        found.append(
            (
                text,
                {
                    "bias": 1.0,
                    "ranker": math.log(p / (1 - p)),
                    "model": float(text in by_model),
                    "rank": math.log1p(rank),
                    "exception": float(text == exception),
                },
            )
        )
    return found


def reconciled(
    candidates: tuple[str, ...],
    likelihoods: tuple[float, ...],
    by_model: tuple[str, ...],
    exception: str | None,
    keep: tuple[str, ...],
    opinion: SecondOpinionWeights,
) -> tuple[str, ...]:
    """What to log once the model has chosen to log `by_model` (at least one of `candidates`): the
    two opinions weighed together (`second_opinion`, with `opinion`'s weights), then the set with
    the best expected F1 (`select`), the model's first, in its order, then at most one more (a
    message the model wrote reads worse with every value appended); `keep` stays whatever the
    weights say. A model that logs no value wrote a message that needs none:
    then nothing is added."""
    if not by_model:
        return tuple(keep)
    scored = [
        (probability(Candidate(text, features), opinion.weights), text)
        for text, features in second_opinion(candidates, likelihoods, by_model, exception)
    ]
    picked = select(scored, opinion.missing, RANKER.max_variables)
    kept = [text for text in by_model if text in picked or text in keep]
    added = [text for text in picked + list(keep) if text not in kept]
    return tuple(
        kept
        + [text for text in added if text in keep]
        + [text for text in added if text not in keep][:1]
    )
