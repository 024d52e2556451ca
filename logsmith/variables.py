"""Which names and attributes a log statement at a site should carry: a small ranker over the
candidates bound at the cursor.

Candidates are the names bound before the cursor in its scope (parameters, loop variables, the
handled exception included) and the attribute chains the function uses up to the cursor or in
the rest of the cursor's block (`self._sock`, `req.url`) whose root is such a name; every one is
valid at the cursor. Each gets a score from simple features (`candidates`) weighted by a logistic
model (`WEIGHTS`); the best ones are logged when they raise the expected F1 against what a developer
would log (`select`), at most `MAX_VARIABLES`, never one that looks like a secret
(`logsmith.policy.is_secret`). Once the model has written a call, `reconciled` weighs its choice
and the ranker's together (`MODEL_WEIGHTS`): the second opinion `logsmith.arguments` applies.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from logsmith.policy import is_secret
from logsmith.syntax.site import LogSite
from logsmith.syntax.style import FileFacts

NEVER = frozenset({"self", "cls", "_", "__class__"})
LOGGER = re.compile(r"(^|[._])_*(log|logger|logging)$", re.IGNORECASE)
STRING = re.compile(r"[rRbBuUfF]{0,2}('''.*?'''|\"\"\".*?\"\"\"|'(?:\\.|[^'\\\n])*'|\"(?:\\.|[^\"\\\n])*\")", re.S)
KEYWORD = re.compile(r"\b\w+\s*=(?!=)")
CONSTANTS = frozenset({"True", "False", "None"})
CHAIN = re.compile(r"(?<![\w.])[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*")
SITE_KINDS = ("entry", "except", "loop", "return", "raise", "other")

# Logistic-regression weights, one per feature of `candidates`: fitted on the development split of
# eval/corpus only (930 statements of 9 projects, 8,701 candidates; label = the candidate is a
# variable of the developer's statement) by `python -m eval.fit_variables`, L2 = 1.0; the held-out
# projects (pika, scrapy, certbot) were not used. MISSING and MAX_VARIABLES were chosen by
# leave-one-project-out on dev: the pair with the best mean variable F1 of the left-out project's
# statements, averaged over the 9 folds (0.551; the rules this replaced scored 0.404 on dev).
FEATURE_WEIGHTS: dict[str, float] = {
    "bias": -0.715,
    "bound": -0.062,
    "called": -1.332,
    "capitalised": -0.688,
    "deep": -1.084,
    "distance": -1.089,
    "dotted": -0.439,
    "exception": 1.06,
    "exception_at_exception_level": 0.033,
    "exception_reraised": -0.883,
    "file_count": 0.016,
    "file_static": -0.134,
    "file_static_here": -1.274,
    "formatted": 0.467,
    "header": 0.487,
    "just_assigned": 1.421,
    "kind_entry": 0.35,
    "kind_except": -0.448,
    "kind_loop": -0.183,
    "kind_other": -0.145,
    "kind_raise": -0.164,
    "kind_return": -0.126,
    "later": 0.233,
    "logged": -0.037,
    "logged_in_class": -0.083,
    "logged_in_file": 1.634,
    "loop": 0.902,
    "loop_inner": 0.601,
    "nearest": 0.383,
    "next": 0.503,
    "only_root": -0.158,
    "outer_header": -0.056,
    "param": 0.28,
    "param_entry": 0.678,
    "param_root": 0.293,
    "previous": -0.156,
    "private": -0.609,
    "rank": -2.023,
    "read": -0.365,
    "receiver": -0.375,
    "returned": 1.394,
    "root_exception": -0.278,
    "root_just_assigned": 1.042,
    "root_loop": 0.963,
    "root_next": 0.254,
    "self_attr": -0.087,
    "short": 0.137,
    "topic": 0.186,
    "unused": -0.102,
    "uses": -0.473
}
# Weights of the words of a candidate's last name part (`path`, `id`, `kwargs`), from the same fit:
# only words that at least 15 dev candidates have, and weights of at least 0.05.
NAME_WORDS: dict[str, float] = {
    "ack": 0.386, "active": 0.121, "addr": 0.614, "address": 0.677, "alive": -0.47, "allow": -0.496,
    "app": -0.484, "arn": 2.472, "body": -0.603, "buffer": -0.573, "build": -0.102, "bytes": -0.661,
    "cache": -0.852, "callback": 0.354, "candidate": -0.568, "cfg": -0.417, "children": -0.19, "class": -0.142,
    "client": -0.774, "close": -0.274, "closed": -0.79, "code": 0.613, "comm": -0.517, "complete": -0.275,
    "config": 0.477, "conn": -0.592, "connect": -0.223, "connection": -0.45, "count": 0.786, "dashboard": -0.241,
    "data": 0.728, "deadline": -0.815, "debug": 0.551, "delay": 0.427, "delivery": -0.277, "dir": 0.211,
    "directory": 0.679, "dirty": -0.403, "dist": -0.903, "editable": -0.303, "enabled": 0.317, "env": -0.176,
    "err": 0.813, "errno": -0.339, "error": 0.558, "errors": -0.534, "event": -0.121, "events": -0.532,
    "exc": 0.489, "exception": -0.434, "exchange": 0.799, "executor": 0.502, "exit": -0.737, "failed": 0.326,
    "fd": 0.586, "file": 0.261, "filename": 0.258, "flag": -0.696, "for": -0.498, "grace": -0.163,
    "h2": -0.212, "handler": -0.44, "header": -0.482, "headers": -0.39, "host": 0.629, "http": -0.136,
    "id": 1.151, "ids": -0.241, "index": 1.459, "info": -0.233, "interval": 0.279, "is": -0.637,
    "job": 0.306, "jobs": -0.454, "jobstore": -0.268, "jobstores": -0.077, "keepalive": -0.181, "key": 0.688,
    "keys": -0.592, "kwargs": -0.579, "last": 0.402, "length": -0.21, "level": 0.434, "lifespan": -0.097,
    "limit": -0.415, "line": 1.005, "link": 0.573, "listener": -0.7, "listeners": -0.584, "local": -0.297,
    "location": 1.076, "lock": -0.326, "loop": -0.619, "max": -0.892, "memory": -0.332, "message": 0.814,
    "metadata": -0.563, "method": 0.954, "min": 0.144, "mode": -0.429, "msg": 0.951, "msgs": 0.248,
    "name": 1.126, "nanny": 0.205, "next": 0.507, "no": 0.517, "now": -0.264, "nr": 0.181,
    "nthreads": -0.241, "num": 0.146, "on": -0.34, "options": -1.224, "original": -0.414, "output": 0.654,
    "parser": -0.812, "path": 1.274, "paths": 0.641, "pending": -0.143, "pid": 0.381, "plugins": -0.402,
    "port": 0.556, "prefix": -0.823, "proc": -0.434, "process": -0.887, "processname": 0.697, "project": -0.46,
    "protocol": -0.164, "proxy": -0.177, "python": -0.264, "queue": 1.135, "read": -0.657, "reason": 0.247,
    "req": -0.188, "request": -0.406, "requests": -0.184, "resp": -0.494, "response": -1.075, "retry": 0.062,
    "rev": 0.753, "run": -0.776, "scheduler": -0.57, "scheme": -0.4, "seconds": 0.248, "sent": -0.104,
    "server": -0.562, "session": -0.397, "set": -0.308, "settings": -0.105, "shutdown": 0.451, "size": 0.194,
    "sock": -0.244, "socket": 1.079, "spec": 0.196, "ssl": -0.326, "start": -0.522, "startup": -0.222,
    "state": -0.867, "status": -0.429, "stderr": -0.814, "stdout": 0.234, "stimulus": -0.546, "stop": -0.462,
    "str": -0.418, "stream": -0.09, "subscriber": -0.33, "subscription": 0.301, "table": 1.281, "target": 0.213,
    "task": 0.819, "tb": 0.904, "temp": -0.423, "time": -0.955, "timeout": -0.551, "times": -0.331,
    "tls": -0.267, "tmp": 0.121, "to": -0.332, "topic": 0.948, "total": 0.554, "ts": -0.498,
    "upgrade": -0.469, "url": 0.755, "use": -0.589, "user": -0.365, "value": 1.429, "version": 0.941,
    "wait": 0.142, "wheel": -0.337, "worker": 0.559, "workers": -0.263, "xid": 1.5,
}
WEIGHTS = {**FEATURE_WEIGHTS, **{f"word:{word}": value for word, value in NAME_WORDS.items()}}
MISSING = 1.6
MAX_VARIABLES = 3
# The second opinion: how the ranker's probability and the model's own choice combine into the
# probability that the developer logs a candidate (`reconciled`). Fitted by `python -m
# eval.fit_second_opinion --limit 600` on the model's answers at the first 600 dev cases of the
# benchmark's order (465 where it logged a value): leave-one-project-out mean variable F1 there 0.641,
# against 0.501 for the model's own choice. MODEL_MISSING plays the part of MISSING. The fit counts
# 92 answers that log a message value alone, which `logsmith.arguments` leaves as they are; without
# them the weights move by less than 0.2 (leave-one-project-out 0.646).
MODEL_WEIGHTS: dict[str, float] = {"bias": -0.018, "ranker": 0.921, "model": 1.041, "rank": -0.307, "exception": -0.547}
MODEL_MISSING = 0.2


@dataclass(frozen=True)
class VariableChoice:
    names: tuple[str, ...]
    exception: str | None
    why: str
    left_out: tuple[str, ...] = ()
    """Secret-looking names that were deliberately not logged."""
    candidates: tuple[str, ...] = ()
    """Every name or chain the model may log here, most likely first; never one that looks like a secret."""
    likelihoods: tuple[float, ...] = ()
    """The ranker's probability that the developer logs each of `candidates`."""


@dataclass(frozen=True)
class Candidate:
    text: str
    features: dict[str, float]


def _words(text: str) -> set[str]:
    return set(re.findall(r"[A-Za-z_][\w.]*", text or ""))


def _name_words(name: str, shortest: int = 3) -> set[str]:
    """`loadConfigFile` / `load_config_file` -> {'load', 'config', 'file'} (words of `shortest` letters or more)."""
    return {w.lower() for w in re.split(r"[_\W]+", re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)) if len(w) >= shortest}


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


def file_habits(facts: FileFacts | None, class_name: str | None, in_except: bool = False) -> FileHabits:
    """The habits of the file's log calls (string literals, keyword names and constants skipped)."""
    if facts is None:
        return FileHabits()
    in_class, in_file = set(), set()
    static = total = count = static_here = total_here = 0
    for call in facts.calls:
        if not LOGGER.search(call.receiver.rsplit(".", 1)[-1]):
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
    return FileHabits(frozenset(in_class), frozenset(in_file), (static + 0.5) / (total + 2), (count + 2) / (total + 2),
                      (static_here + 0.5) / (total_here + 2))


def candidates(site: LogSite, level: str, facts: FileFacts | None = None) -> list[Candidate]:
    """Every name and chain that could be logged at `site`, with its features."""
    habits = file_habits(facts, site.function.class_name if site.function else None, site.in_except)
    local = set(site.names)
    usages = {usage.text: usage for usage in site.usages}
    parameters = tuple(site.function.parameters) if site.function else ()
    start = site.function.start_line if site.function else 0
    texts = [name for name in site.names if name not in NEVER and not name.startswith("*")]
    texts += [text for text in usages if "." in text and text.split(".")[0] in local and text not in texts]
    texts = [text for text in texts if not LOGGER.search(text)]
    previous_targets = _assigned(site.previous_statement)
    next_words = _words(site.next_statement)
    returned = _words(site.return_value or site.raise_value or "")
    loop = site.loop_variables
    topic = _name_words(site.function.name) if site.function else set()
    lasts = {}
    for text in texts:
        usage = usages.get(text)
        lasts[text] = usage.last_line if usage and usage.last_line >= 0 else (start if text in parameters else site.line - 200)
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
            "exception_at_exception_level": float(text == site.exception_name and level == "exception"),
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
            "only_root": float(bool(roles) and roles <= {"root", "previous", "next", "header", "log", "receiver"}),
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


def probability(candidate: Candidate, weights: dict[str, float] | None = None) -> float:
    weights = WEIGHTS if weights is None else weights
    z = sum(weights.get(name, 0.0) * value for name, value in candidate.features.items())
    return 1 / (1 + math.exp(-max(min(z, 30), -30)))


def select(scored: list[tuple[float, str]], missing: float = MISSING, limit: int = MAX_VARIABLES) -> list[str]:
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


def variables_for(site: LogSite, level: str, facts: FileFacts | None = None, limit: int = MAX_VARIABLES) -> VariableChoice:
    """Names worth logging at `site`: all bound at the cursor, none that looks like a secret."""
    context = " ".join([site.function.name, *site.function.parameters] if site.function else [])
    typed_text = site.typed.text
    scored, left_out, offered = [], [], []
    for candidate in candidates(site, level, facts):
        text = candidate.text
        if not site.in_scope(text):
            continue
        p = probability(candidate)
        secret = is_secret(text, context)
        if secret and text not in typed_text:
            left_out.append((p, text))
            continue
        scored.append((p, text))
        if not secret:  # what the model may choose from: never a secret, even one the user typed
            offered.append((p, text))
    chosen = select(scored, limit=limit)
    exception = site.exception_name if site.exception_name in chosen else None
    names = tuple(text for text in chosen if text != exception)
    # reported: the secrets the ranker would have logged
    secrets = {text for _, text in left_out}
    left_out = [text for text in select(left_out + scored, limit=limit) if text in secrets]
    why = "the values this code is about" if chosen else ""
    if left_out:
        why += ("; " if why else "") + f"left out {', '.join(left_out)}: looks like a secret"
    offered.sort(key=lambda pair: -pair[0])
    return VariableChoice(names, exception, why, tuple(left_out), tuple(text for _, text in offered),
                          tuple(p for p, _ in offered))


def second_opinion(candidates: tuple[str, ...], likelihoods: tuple[float, ...], by_model: tuple[str, ...],
                   exception: str | None = None) -> list[tuple[str, dict[str, float]]]:
    """Each candidate with the features `MODEL_WEIGHTS` weigh: the ranker's log-odds, whether the
    model logged it, its place in the ranking, whether it is the handled exception."""
    found = []
    for rank, (text, p) in enumerate(zip(candidates, likelihoods)):
        p = min(max(p, 1e-4), 1 - 1e-4)
        found.append((text, {"bias": 1.0, "ranker": math.log(p / (1 - p)), "model": float(text in by_model),
                             "rank": math.log1p(rank), "exception": float(text == exception)}))
    return found


def reconciled(candidates: tuple[str, ...], likelihoods: tuple[float, ...], by_model: tuple[str, ...],
               exception: str | None = None, keep: tuple[str, ...] = (), *,
               weights: dict[str, float] | None = None, missing: float | None = None) -> tuple[str, ...]:
    """What to log once the model has chosen to log `by_model` (at least one of `candidates`): the two
    opinions weighed together (`second_opinion`), then the set with the best expected F1 (`select`),
    the model's first, in its order, then at most one more (a message the model wrote reads worse
    with every value appended); `keep` stays whatever the weights say. A model that logs no value
    wrote a message that needs none: then nothing is added."""
    if not by_model:
        return tuple(keep)
    scored = [(probability(Candidate(text, features), MODEL_WEIGHTS if weights is None else weights), text)
              for text, features in second_opinion(candidates, likelihoods, by_model, exception)]
    picked = select(scored, missing=MODEL_MISSING if missing is None else missing, limit=MAX_VARIABLES)
    kept = [text for text in by_model if text in picked or text in keep]
    added = [text for text in picked + list(keep) if text not in kept]
    return tuple(kept + [text for text in added if text in keep] + [text for text in added if text not in keep][:1])
