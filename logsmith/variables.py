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

# Logistic-regression weights, one per feature of `candidates`: fitted on the dev and train splits of
# eval/corpus (3,248 statements of 35 projects, 30,830 candidates; label = the candidate is a
# variable of the developer's statement) by `python -m eval.fit_variables`, L2 = 10; the held-out
# projects (pika, scrapy, certbot) were not used. MISSING and MAX_VARIABLES were chosen by
# leave-one-project-out: the pair with the best mean variable F1 of the left-out project's
# statements, averaged over the 35 folds (0.569; the weights fitted on the 9 dev projects alone, L2 = 1,
# MISSING = 1.6, scored 0.532 the same way, 0.525 on the 26 projects they had not seen).
FEATURE_WEIGHTS: dict[str, float] = {
    "bias": -0.872,
    "bound": -0.084,
    "called": -1.051,
    "capitalised": -0.268,
    "deep": -0.593,
    "distance": -1.423,
    "dotted": -0.394,
    "exception": 1.481,
    "exception_at_exception_level": -0.275,
    "exception_reraised": -0.785,
    "file_count": 0.023,
    "file_static": 0.206,
    "file_static_here": -0.628,
    "formatted": 0.643,
    "header": 0.41,
    "just_assigned": 1.269,
    "kind_entry": 0.079,
    "kind_except": -0.391,
    "kind_loop": -0.253,
    "kind_other": -0.025,
    "kind_raise": -0.389,
    "kind_return": 0.108,
    "later": 0.174,
    "logged": 0.265,
    "logged_in_class": -0.223,
    "logged_in_file": 1.739,
    "loop": 0.63,
    "loop_inner": 0.85,
    "nearest": 0.324,
    "next": 0.76,
    "only_root": -0.381,
    "outer_header": 0.118,
    "param": 0.139,
    "param_entry": 0.392,
    "param_root": 0.378,
    "previous": 0.004,
    "private": -0.498,
    "rank": -1.619,
    "read": -0.373,
    "receiver": -0.34,
    "returned": 0.236,
    "root_exception": -0.015,
    "root_just_assigned": 0.208,
    "root_loop": 0.699,
    "root_next": 0.111,
    "self_attr": -0.095,
    "short": 0.053,
    "topic": 0.139,
    "unused": -0.165,
    "uses": -0.636
}
# Weights of the words of a candidate's last name part (`path`, `id`, `kwargs`), from the same fit:
# only words that at least 15 candidates of the fit have, and weights of at least 0.05.
NAME_WORDS: dict[str, float] = {
    "access": -0.061, "ack": 0.052, "active": 0.12, "actual": 0.252, "addr": 0.114, "address": 0.384,
    "age": -0.079, "alive": -0.191, "allow": -0.147, "already": -0.059, "api": -0.086, "app": -0.353,
    "arg": -0.123, "argv": 0.066, "arn": 0.692, "asgi": -0.07, "async": -0.174, "at": -0.311,
    "attempts": 0.455, "auto": -0.102, "autogen": -0.078, "backend": -0.082, "base": -0.212, "batch": -0.129,
    "before": -0.071, "bind": 0.077, "body": 0.206, "bucket": 0.099, "buffer": -0.136, "burst": -0.125,
    "by": -0.209, "bytes": -0.126, "cache": 0.076, "cached": -0.085, "call": -0.297, "callback": -0.387,
    "callbacks": -0.086, "candidates": 0.069, "canonical": -0.163, "cert": -0.131, "cfg": -0.128, "channel": -0.156,
    "channels": -0.081, "check": -0.114, "child": -0.133, "children": -0.088, "chord": -0.1, "ck": -0.053,
    "class": -0.082, "client": -0.555, "clients": -0.089, "close": -0.167, "closed": -0.227, "cls": -0.14,
    "cmd": -0.074, "code": 0.292, "col": -0.083, "color": 0.158, "comm": -0.108, "command": 0.197,
    "complete": -0.089, "completed": -0.058, "concurrency": 0.087, "conf": -0.094, "config": -0.265, "conn": -0.25,
    "connected": -0.059, "connection": 0.539, "const": -0.158, "constraints": -0.053, "consumer": -0.272, "consumers": -0.092,
    "container": 0.311, "content": -0.182, "context": -0.155, "controller": -0.118, "coordinator": -0.156, "count": 0.548,
    "counter": -0.118, "cpu": -0.098, "create": -0.074, "credstore": -0.118, "csv": -0.062, "ctx": 0.107,
    "current": -0.07, "data": -0.056, "database": 0.559, "date": -0.06, "deadline": -0.12, "default": -0.168,
    "deferred": 0.143, "delay": 0.094, "delivery": -0.072, "dependents": -0.073, "deps": -0.072, "dest": 0.13,
    "destination": -0.088, "dir": -0.083, "directory": 0.139, "dirs": 0.057, "dirty": -0.065, "disabled": -0.059,
    "dispatcher": -0.125, "done": -0.056, "duration": 0.241, "emitted": -0.135, "end": -0.25, "ended": -0.094,
    "endpoint": 0.147, "entry": -0.085, "env": -0.059, "envelope": -0.144, "environment": -0.181, "epoch": -0.073,
    "err": 0.422, "error": -0.239, "errors": -0.253, "event": -0.065, "events": -0.169, "ex": 0.32,
    "exc": 0.2, "exception": -0.291, "exceptions": -0.084, "exchange": 0.111, "excludes": -0.055, "execution": -0.406,
    "executor": 0.11, "exists": -0.111, "exit": -0.156, "expires": 0.077, "exporter": 0.09, "external": -0.051,
    "extra": 0.143, "factory": -0.104, "failure": -0.16, "fanout": -0.063, "fds": -0.103, "file": 0.107,
    "filename": 0.215, "fingerprint": -0.165, "first": 0.167, "flag": -0.166, "fn": -0.183, "for": -0.155,
    "found": -0.103, "frame": -0.167, "from": 0.069, "fs": -0.201, "full": -0.07, "function": 0.187,
    "future": -0.066, "get": -0.109, "gid": 0.76, "graceful": -0.137, "greenlet": -0.131, "group": 0.522,
    "gt": -0.181, "h2": -0.052, "handle": -0.144, "handler": -0.231, "handlers": -0.09, "handshake": -0.123,
    "hard": 0.136, "has": -0.174, "header": 0.097, "headers": -0.319, "headless": -0.063, "health": -0.062,
    "heartbeat": -0.051, "hook": -0.17, "host": 0.424, "hostname": 0.19, "http": -0.112, "hub": -0.091,
    "huey": -0.093, "id": 1.278, "identifier": 0.085, "idle": -0.266, "ignore": -0.065, "impl": 0.051,
    "in": -0.114, "incoming": -0.051, "incomplete": -0.051, "index": 0.482, "indexes": -0.07, "info": -0.379,
    "init": -0.063, "instance": -0.32, "integration": -0.168, "integrations": -0.152, "interface": 0.05, "interval": 0.081,
    "io": -0.076, "ip": 0.172, "is": -0.651, "job": -0.328, "jobstore": -0.136, "json": -0.179,
    "kernels": -0.063, "key": 0.405, "keys": -0.223, "kombu": -0.078, "kw": -0.156, "kwargs": -0.608,
    "last": -0.128, "leader": 0.065, "length": 0.086, "lifespan": -0.088, "limits": 0.055, "line": 0.341,
    "link": 0.142, "list": -0.158, "listener": -0.086, "listeners": -0.202, "location": 0.41, "lock": -0.283,
    "locustfile": -0.107, "log": 0.19, "logging": -0.092, "logs": -0.141, "loop": -0.354, "main": -0.157,
    "manager": -0.243, "max": 0.543, "member": -0.389, "memory": -0.088, "message": 0.554, "metadata": -0.442,
    "method": 0.233, "metric": -0.066, "metrics": -0.066, "min": 0.072, "minimum": 0.055, "mode": -0.219,
    "model": -0.149, "modify": -0.292, "module": -0.178, "msg": 0.653, "mtls": -0.067, "name": 1.486,
    "names": 0.084, "new": -0.105, "next": 0.083, "nodes": 0.368, "notification": 1.032, "notifications": -0.063,
    "notify": -0.051, "now": -0.234, "num": 0.219, "number": 0.178, "obj": -0.333, "object": -0.082,
    "offset": 0.228, "offsets": -0.062, "on": -0.244, "ops": -0.153, "option": 0.062, "options": -0.669,
    "opts": -0.096, "origin": 0.058, "original": -0.057, "os": 0.185, "output": 0.058, "params": 0.08,
    "parsed": -0.087, "parser": -0.19, "partition": -0.06, "parts": -0.235, "path": 1.057, "paths": 0.195,
    "periodic": -0.075, "pid": 0.341, "ping": -0.077, "pipeline": -0.3, "plugin": -0.057, "plugins": -0.079,
    "policy": -0.152, "poll": -0.056, "pool": -0.116, "port": 0.547, "pre": -0.096, "preferred": 0.071,
    "prefetch": 0.185, "preload": -0.056, "proc": -0.061, "process": -0.298, "processed": -0.067, "processname": 0.225,
    "producer": -0.188, "profile": -0.085, "project": -0.44, "propagate": -0.076, "protocol": 0.145, "provided": -0.052,
    "provider": -0.137, "providers": -0.171, "proxy": 0.121, "python": -0.068, "qos": -0.085, "queue": 0.26,
    "queues": 0.112, "rabbit": -0.085, "raise": -0.053, "read": -0.101, "reader": -0.108, "ready": 0.091,
    "reason": 0.294, "rebalance": 0.21, "receive": -0.102, "received": 0.116, "receiver": 0.083, "records": -0.053,
    "redis": -0.065, "refresh": 0.245, "region": 0.232, "registry": 0.169, "reload": -0.15, "remaining": 0.053,
    "remote": -0.202, "remove": -0.132, "removed": -0.087, "repeat": -0.053, "reply": -0.094, "reqs": -0.074,
    "request": -0.466, "requested": -0.08, "requests": -0.148, "res": -0.06, "reset": 0.205, "resolver": -0.092,
    "resource": -0.094, "response": -0.456, "restart": -0.076, "result": -0.294, "ret": -0.124, "retries": 0.346,
    "retry": 0.165, "rev": 0.28, "routing": -0.087, "run": -0.348, "runner": -0.173, "running": -0.149,
    "sample": -0.135, "sampling": -0.057, "save": -0.151, "schedule": -0.072, "scheduler": -0.305, "scheme": 0.056,
    "scope": 0.272, "script": -0.068, "send": -0.081, "sent": -0.053, "serializer": -0.062, "server": -0.294,
    "servers": -0.054, "service": 0.061, "session": -0.33, "set": -0.102, "settings": 0.052, "setup": -0.073,
    "shape": -0.179, "should": -0.213, "shutdown": -0.153, "sig": -0.077, "size": 0.195, "skip": -0.069,
    "sleep": 0.06, "slot": 0.218, "sock": -0.128, "socket": 0.291, "sockets": -0.188, "soft": 0.214,
    "source": 0.171, "span": -0.151, "spec": -0.062, "spotlight": 0.214, "ssl": -0.286, "start": -0.36,
    "started": -0.258, "startup": -0.144, "state": -0.513, "stats": -0.146, "status": 0.089, "stderr": -0.162,
    "stimulus": -0.284, "stop": -0.179, "stopped": -0.172, "store": -0.125, "str": 0.286, "stream": -0.179,
    "string": 0.082, "subscription": 0.169, "success": -0.187, "table": 0.182, "tag": 0.158, "tags": -0.058,
    "task": 0.26, "tasks": 0.059, "tb": 0.402, "text": 0.227, "thread": 0.063, "threads": -0.061,
    "time": -0.354, "timeout": -0.371, "timer": -0.178, "times": -0.07, "timestamp": -0.297, "tls": -0.065,
    "tmp": 0.134, "tname": 0.934, "to": 0.057, "topic": 0.342, "total": 0.13, "tp": 0.729,
    "trace": -0.051, "transaction": 0.177, "transfer": -0.058, "transport": -0.244, "ts": -0.207, "ttl": -0.149,
    "type": 0.073, "uds": 0.051, "unique": -0.279, "uniques": -0.068, "update": 0.089, "upgrade": -0.094,
    "url": 0.83, "use": -0.26, "user": -0.14, "value": 0.357, "verbose": -0.125, "version": 0.222,
    "versions": 0.08, "wait": 0.083, "wakeup": -0.06, "warning": 0.073, "watched": 0.125, "watcher": -0.17,
    "watchers": -0.06, "web": -0.102, "wheel": -0.109, "workers": -0.139, "writer": -0.094, "ws": -0.259,
    "xid": 0.296,
}
WEIGHTS = {**FEATURE_WEIGHTS, **{f"word:{word}": value for word, value in NAME_WORDS.items()}}
MISSING = 0.4
MAX_VARIABLES = 3
# The second opinion: how the ranker's probability and the model's own choice combine into the
# probability that the developer logs a candidate (`reconciled`). Fitted by `python -m
# eval.fit_second_opinion --limit 600` on the model's answers at the first 600 dev cases of the
# benchmark's order, asked with the ranker above (382 where it logged a value): leave-one-project-out
# mean variable F1 there 0.623, against 0.518 for the model's own choice. MODEL_MISSING plays the
# part of MISSING. (The weights fitted with the earlier, dev-only ranker score 0.609 on the same
# answers, these 0.613: the combination barely depends on which ranker it weighs.)
MODEL_WEIGHTS: dict[str, float] = {"bias": -0.073, "ranker": 0.859, "model": 1.082, "rank": -0.429, "exception": -0.875}
MODEL_MISSING = 0.6


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
