"""Choices a careful engineer makes before writing a log line: the level, the variables, what never to log."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from logsmith.style import HouseStyle
from logsmith.syntax.site import LogSite

LEVELS = ("debug", "info", "warning", "error", "exception", "critical")
LEVEL_ALIASES = {"warn": "warning", "fatal": "critical"}
# Name parts that mark a secret. `key` alone is a secret only in a cryptographic context.
SECRET_PARTS = re.compile(
    r"(^|_|\b)(password|passwd|passphrase|pwd|pass|secret|secrets|token|tokens|apikey|api_key|credential|credentials|"
    r"creds|cred|private_key|privkey|secret_key|access_key|session_key|auth|authorization|cookie|cookies|"
    r"ssn|pin|otp|signature|salt|jwt|bearer)($|_|\b)",
    re.IGNORECASE,
)
SECRET_CAMEL = re.compile(r"(Password|Passwd|Secret|Token|ApiKey|Credential|PrivateKey|AccessKey|Auth)")
CRYPTO_CONTEXT = re.compile(r"encrypt|decrypt|cipher|crypt|hmac|sign|verify|fernet|rsa|aes|jwt|hash|private|public_key|keypair|nacl", re.IGNORECASE)


def is_secret(name: str, context: str = "") -> bool:
    """True when `name` (a name or dotted attribute) looks like it holds a secret.

    `context` is text around the site (function name and parameters); it decides whether a bare
    `key` is a cryptographic key (secret) or a dictionary key (not).
    """
    for part in name.split("."):
        if SECRET_PARTS.search(part) or SECRET_CAMEL.search(part):
            return True
        if re.fullmatch(r"_?(key|keys|k)", part, re.IGNORECASE) and CRYPTO_CONTEXT.search(context):
            return True
    return False


def normalise_level(level: str) -> str:
    level = level.lower()
    return LEVEL_ALIASES.get(level, level)


@dataclass(frozen=True)
class LevelChoice:
    level: str
    why: str


def level_for(site: LogSite, style: HouseStyle, framework: str = "logging") -> LevelChoice:
    """The level for a statement at `site`, following what was typed, the site, and the file's habits."""
    prefix = site.typed.level_prefix
    if prefix:
        for level in (*LEVELS, "warn", "fatal"):
            if level.startswith(prefix.lower()):
                return LevelChoice(normalise_level(level), f"you typed `{prefix}`")
    habits = style.levels
    except_habits = Counter({k: v for k, v in style.except_levels.items() if k in LEVELS})
    quiet = "debug" if habits.get("debug", 0) > habits.get("info", 0) else "info"
    if site.kind == "except" or site.in_except:
        exception_ok = framework in ("logging", "loguru", "structlog")
        if site.reraises:
            if except_habits:
                level = except_habits.most_common(1)[0][0]
                return LevelChoice(level, f"the handler re-raises; this file logs handled errors at {level}")
            return LevelChoice("error", "the handler re-raises, so the caller decides; logged as an error with context")
        if except_habits:
            level = except_habits.most_common(1)[0][0]
            return LevelChoice(level, f"the handler recovers; this file logs handled errors at {level}")
        if site.recovers in ("continue", "pass"):
            return LevelChoice("warning", "the handler swallows the exception and carries on")
        if exception_ok and style.uses_exception_method:
            return LevelChoice("exception", "the handler recovers; the traceback is kept with logger.exception")
        return LevelChoice("error" if site.recovers != "return" else "warning", f"the handler recovers ({site.recovers or 'falls through'})")
    if site.kind == "raise":
        return LevelChoice("error", "an exception is raised next")
    if site.kind == "entry":
        return LevelChoice(quiet, f"entry of {site.function.name if site.function else 'the function'}; this file's routine level is {quiet}")
    if site.kind in ("loop", "finally"):
        return LevelChoice("debug", f"inside a {site.kind}: per-iteration detail")
    if site.kind == "return":
        return LevelChoice(quiet, "before the function returns")
    return LevelChoice(quiet, "routine event; this file's usual level")


def _simple(expression: str | None) -> str | None:
    if expression and re.fullmatch(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)?", expression):
        return expression
    return None


@dataclass(frozen=True)
class VariableChoice:
    names: tuple[str, ...]
    exception: str | None
    why: str
    left_out: tuple[str, ...] = ()
    """Secret-looking names that were deliberately not logged."""


def variables_for(site: LogSite, level: str, limit: int = 2) -> VariableChoice:
    """Names worth logging at `site`: all bound at the cursor, none that looks like a secret."""
    context = " ".join([site.function.name, *site.function.parameters] if site.function else [])
    candidates: list[str] = []
    why = ""
    if site.kind == "entry" and site.function:
        candidates = [p for p in site.function.parameters if p not in ("self", "cls")]
        why = "the function's parameters"
    elif site.kind == "return":
        value = _simple(site.return_value)
        candidates = [value] if value and value not in ("None", "True", "False", "self") else []
        why = "the value returned"
    elif site.kind == "loop" and site.loop_variables:
        candidates = list(site.loop_variables)
        why = "the loop variable"
    elif site.kind == "raise" and site.raise_value:
        candidates = [n for n in re.findall(r"\b[a-z_]\w*\b", site.raise_value.split("(", 1)[-1]) if n in site.names]
        why = "what the raised error mentions"
    elif site.in_except and site.loop_variables:
        candidates = [site.loop_variables[0]]
        why = "the item being processed"
    elif site.kind == "other" and site.previous_statement:
        target = site.previous_statement.split("=", 1)[0].strip() if "=" in site.previous_statement else ""
        if re.fullmatch(r"[A-Za-z_]\w*", target or ""):
            candidates = [target]
            why = "the value just computed"
    typed_text = site.typed.text
    kept, left_out = [], []
    for name in candidates:
        if not name or not site.in_scope(name) or name in kept:
            continue
        if name.startswith("*"):
            continue
        if is_secret(name, context) and name not in typed_text:
            left_out.append(name)
            continue
        kept.append(name)
    kept = kept[:limit]
    exception = None
    if site.in_except and site.exception_name and level != "exception":
        exception = site.exception_name
    if left_out:
        why += ("; " if why else "") + f"left out {', '.join(left_out)}: looks like a secret"
    return VariableChoice(tuple(kept), exception, why, tuple(left_out))
