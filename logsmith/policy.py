"""Choices a careful engineer makes before writing a log line: the level and what never to log
(the variables are chosen in `logsmith.variables`)."""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

from logsmith.style import HouseStyle
from logsmith.syntax.site import LogSite

LEVELS = ("debug", "info", "warning", "error", "exception", "critical")
LEVEL_ALIASES = {"warn": "warning", "fatal": "critical"}
# Name parts that mark a secret. `key` alone is a secret only in a cryptographic context.
SECRET_PARTS = re.compile(
    r"(^|_|\b)(password|passwd|passphrase|passcode|pwd|pw|pass|secret|secrets|token|tokens|apikey|api_key|credential|credentials|"
    r"creds|cred|private_key|privkey|secret_key|access_key|session_key|auth|authorization|cookie|cookies|"
    r"ssn|pin|otp|signature|salt|jwt|bearer)($|_|\b)",
    re.IGNORECASE,
)
SECRET_CAMEL = re.compile(r"(Password|Passwd|Secret|Token|ApiKey|Credential|PrivateKey|AccessKey|Auth)")
# Words that make a `..._key` name a key that must stay secret (`signing_key`, `api_keys`, `sshKey`);
# `primary_key`, `cache_key` or `sort_key` are not secrets.
SECRET_KEY_QUALIFIERS = re.compile(
    r"sign|signing|signature|encrypt|encryption|decrypt|decryption|crypto|cipher|hmac|master|ssh|gpg|pgp|priv|private|"
    r"secret|access|session|api|fernet|aes|rsa|ecdsa|ed25519|jwt|auth|client|license"
)
# A string literal bound to a name, keyword or dict key: `API_KEY = "..."`, `password="..."`, `{"token": "..."}`.
STRING_BINDING = re.compile(
    r"""(?P<name>[A-Za-z_][\w.]*)\s*(?::[^=\n]*)?={1,2}\s*[rRbBuU]?(?P<q>['"])(?P<value>[^'"\\\n]{4,})(?P=q)"""
    r"""|['"](?P<key>[A-Za-z_][\w-]*)['"]\s*:\s*[rRbBuU]?(?P<q2>['"])(?P<value2>[^'"\\\n]{4,})(?P=q2)"""
)
CRYPTO_CONTEXT = re.compile(r"encrypt|decrypt|cipher|crypt|hmac|sign|verify|fernet|rsa|aes|jwt|hash|private|public_key|keypair|nacl", re.IGNORECASE)


def is_secret(name: str, context: str = "") -> bool:
    """True when `name` (a name or dotted attribute) looks like it holds a secret.

    `context` is text around the site (function name and parameters); it decides whether a bare
    `key` is a cryptographic key (secret) or a dictionary key (not).
    """
    for part in name.split("."):
        words = [w for w in re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", part).lower().split("_") if w]
        if SECRET_PARTS.search(part) or SECRET_PARTS.search("_".join(words)) or SECRET_CAMEL.search(part):
            return True
        if len(words) > 1 and words[-1] in ("key", "keys") and any(SECRET_KEY_QUALIFIERS.fullmatch(w) for w in words[:-1]):
            return True
        if re.fullmatch(r"_?(key|keys|k)", part, re.IGNORECASE) and CRYPTO_CONTEXT.search(context):
            return True
    return False


def secret_values(source: str) -> frozenset[str]:
    """String literals that `source` binds to secret-looking names (`API_KEY = "sk-..."`,
    `connect(password="...")`, `{"token": "..."}`): text no statement may ever contain."""
    found = set()
    for match in STRING_BINDING.finditer(source):
        name, value = (match["name"], match["value"]) if match["name"] else (match["key"], match["value2"])
        if value.strip() and is_secret(name):
            found.add(value)
    return frozenset(found)


def normalise_level(level: str) -> str:
    level = level.lower()
    return LEVEL_ALIASES.get(level, level)


@dataclass(frozen=True)
class LevelChoice:
    level: str
    why: str


# How often developers chose each level (debug, info, warning, error, exception, critical) at each
# kind of site: counted on the development split of eval/corpus (930 statements from 9 projects) by
# `python -m eval.fit_levels`. The held-out projects were not used. Keys are "kind/how the handler
# ends" or just "kind"; "except" counts every handler, for endings that have no key of their own.
SITE_LEVELS = {
    "else": (10, 18, 9, 7, 0, 3),
    "entry": (21, 32, 3, 6, 3, 1),
    "except": (68, 24, 68, 46, 73, 15),
    "except/pass": (25, 4, 25, 16, 24, 4),
    "except/reraise": (1, 5, 4, 10, 19, 3),
    "except/return": (18, 7, 16, 5, 5, 5),
    "except/value": (22, 6, 20, 13, 24, 3),
    "loop": (25, 28, 17, 7, 1, 2),
    "other": (131, 132, 49, 19, 2, 2),
    "raise": (2, 2, 0, 8, 0, 1),
    "return": (48, 20, 19, 5, 0, 0),
    "finally": (2, 1, 0, 0, 0, 0),
}
# Weights of the file's own habits against the site prior (chosen by leave-one-project-out on dev).
SAME_CONTEXT_WEIGHT = 1.5
FILE_WEIGHT = 0.5
NEARBY_WEIGHT = 1.0


def site_key(site: LogSite) -> str:
    """The row of SITE_LEVELS that describes `site`."""
    kind = "except" if site.in_except and site.kind not in ("raise", "return") else site.kind
    if kind == "except":
        ending = "reraise" if site.reraises else (site.recovers or "pass")
        if f"except/{ending}" in SITE_LEVELS:
            return f"except/{ending}"
    return kind if kind in SITE_LEVELS else "other"


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


def level_evidence(site: LogSite, style: HouseStyle, framework: str = "logging", nearby: Counter | None = None) -> LevelEvidence:
    """The evidence at `site`; `nearby` are the levels logged in the same function near the cursor."""
    allowed = tuple(lvl for lvl in LEVELS if lvl != "exception" or (site.in_except and framework != "structlog") or style.levels.get("exception"))
    same = style.except_levels if site.in_except else style.levels - style.except_levels
    return LevelEvidence(site_key(site), same, style.levels, nearby or Counter(), allowed, site.in_except)


def likeliest_level(evidence: LevelEvidence, priors: dict[str, tuple[int, ...]] = SITE_LEVELS) -> str:
    """The allowed level that best fits both how developers log at this kind of site (`priors`)
    and the file's habits."""
    prior = priors.get(evidence.key, priors["other"])

    def habit(counts: Counter, level: str) -> float:
        return math.log((counts.get(level, 0) + 0.5) / (sum(counts.values()) + 3))

    def score(level: str) -> float:
        index = LEVELS.index(level)
        value = math.log((prior[index] + 1) / (sum(prior) + len(LEVELS)))
        value += SAME_CONTEXT_WEIGHT * habit(evidence.same, level)
        value += FILE_WEIGHT * habit(evidence.file, level)
        value += NEARBY_WEIGHT * habit(evidence.nearby, level)
        # In a handler, ties go to the more severe level: a user reading it expects attention.
        return value + (0.001 * index if evidence.in_except else 0.0)

    return max(evidence.allowed, key=score)


def level_for(site: LogSite, style: HouseStyle, framework: str = "logging", nearby: Counter | None = None) -> LevelChoice:
    """The level for a statement at `site`: what was typed, else the likeliest level for this kind of
    site and this file's habits (same context, whole file, same function)."""
    prefix = site.typed.level_prefix
    if prefix:
        for level in (*LEVELS, "warn", "fatal"):
            if level.startswith(prefix.lower()):
                return LevelChoice(normalise_level(level), f"you typed `{prefix}`")
    evidence = level_evidence(site, style, framework, nearby)
    level = likeliest_level(evidence)
    return LevelChoice(level, _level_reason(level, evidence, style))


# Where a site is, for the level's explanation, by SITE_LEVELS key.
SITE_PLACES = {
    "except/reraise": "in a handler that re-raises", "except/pass": "in a handler that swallows the error",
    "except/return": "in a handler that returns a fallback", "except/value": "in a handler that recovers",
    "except": "in an exception handler", "entry": "at the start of a function", "return": "just before a return",
    "raise": "just before a raise", "loop": "inside a loop", "else": "in an else branch",
    "finally": "in a finally block", "other": "in ordinary code",
}


def _times(count: int) -> str:
    return "once" if count == 1 else f"{count} times"


def _level_reason(level: str, evidence: LevelEvidence, style: HouseStyle) -> str:
    """Why `level` was chosen, saying only what the evidence holds: the level developers use most at
    this kind of site, and the counts the choice read, named after where they were counted (this
    file's log statements, or the project's when the file has none)."""
    place = SITE_PLACES.get(evidence.key, SITE_PLACES["other"])
    without_habits = LevelEvidence(evidence.key, Counter(), Counter(), Counter(), evidence.allowed, evidence.in_except)
    usual_allowed = likeliest_level(without_habits)
    usual = likeliest_level(LevelEvidence(evidence.key, Counter(), Counter(), Counter(), LEVELS, evidence.in_except))
    owner = {"file": "this file uses", "project": "this project's files use"}.get(style.source)
    habit = ""
    if owner and evidence.same.get(level):
        context = "in handlers" if evidence.in_except else "outside handlers"
        habit = f"{owner} {level} {_times(evidence.same[level])} {context}"
    elif owner and evidence.file.get(level):
        habit = f"{owner} {level} {_times(evidence.file[level])}"
    elif evidence.nearby.get(level):
        habit = f"the log statements near here use {level} {_times(evidence.nearby[level])}"
    common = f"developers most often log at {usual} {place}"
    if usual not in evidence.allowed:
        common += f", which is not offered here, then at {usual_allowed}"
    if level == usual_allowed:
        return f"{common}; {habit}" if habit else common
    # the file's (or project's) habits outweighed the usual level
    return f"{common}, but {habit or f'the levels logged here favour {level}'}"
