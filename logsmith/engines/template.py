"""The deterministic engine: a message from the site's words (function name, exception, loop), no model."""

from __future__ import annotations

import re

from logsmith.plan import Plan
from logsmith.syntax.site import LogSite

IRREGULAR_PAST = {
    "get": "got", "send": "sent", "find": "found", "build": "built", "read": "read", "write": "wrote",
    "run": "ran", "make": "made", "begin": "began", "set": "set", "put": "put", "reset": "reset",
    "bind": "bound", "hold": "held", "keep": "kept", "lose": "lost", "split": "split", "shut": "shut",
    "do": "did", "take": "took", "give": "gave", "seek": "sought", "fetch": "fetched", "feed": "fed",
}
DOUBLED = {"get", "set", "put", "run", "stop", "shut", "split", "begin", "drop", "plan", "ship", "scan", "map", "tag", "log", "skip", "wrap", "strip", "submit", "commit", "emit"}
NOT_VERBS = {"main", "init", "new", "call", "enter", "exit", "str", "repr", "iter", "next", "len", "del"}
# Names that start with one of these are not "verb object" (`on_open`, `from_config`, `is_ready`):
# a message names the function as written instead of "Failed to on open".
NOT_VERB_STARTS = {"on", "from", "to", "as", "is", "has", "by", "with", "for", "in", "at", "of", "if", "when",
                   "after", "before", "should", "can", "needs", "no", "not"}


def words_of(name: str) -> list[str]:
    """`loadConfigFile` / `load_config_file` -> ['load', 'config', 'file']."""
    name = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name.strip("_"))
    return [w.lower() for w in re.split(r"[_\W]+", name) if w]


def gerund(verb: str) -> str:
    if verb.endswith("ie"):
        return verb[:-2] + "ying"
    if verb.endswith("e") and not verb.endswith(("ee", "ye", "oe")) and len(verb) > 2:
        return verb[:-1] + "ing"
    if verb in DOUBLED:
        return verb + verb[-1] + "ing"
    return verb + "ing"


def past(verb: str) -> str:
    if verb in IRREGULAR_PAST:
        return IRREGULAR_PAST[verb]
    if verb.endswith("e"):
        return verb + "d"
    if verb.endswith("y") and len(verb) > 2 and verb[-2] not in "aeiou":
        return verb[:-1] + "ied"
    if verb in DOUBLED:
        return verb + verb[-1] + "ed"
    return verb + "ed"


def _subject(site: LogSite) -> tuple[str | None, str]:
    """(verb, object phrase) from the function's name, e.g. ('load', 'config file')."""
    if site.function is None:
        return None, ""
    name = site.function.name
    if name == "__init__" and site.function.class_name:
        return "initialise", " ".join(words_of(site.function.class_name))
    words = words_of(name)
    if words and words[0] in NOT_VERB_STARTS:
        return None, name.strip("_")
    if not words or words[0] in NOT_VERBS:
        return None, " ".join(words) or name
    return words[0], " ".join(words[1:])


def message(site: LogSite, plan: Plan) -> str:
    """Plain words for the statement at `site`; placeholders are added by `statement.render`."""
    verb, thing = _subject(site)
    phrase = f"{verb} {thing}".strip() if verb else (thing or "operation")
    if site.typed.message:
        text = site.typed.message
    elif site.in_except or site.kind == "except":
        error = site.exception_types[0] if site.exception_types else "error"
        if verb:
            text = f"Failed to {phrase}"
        else:
            text = f"{error} in {phrase}"
    elif site.kind == "raise":
        text = f"Cannot {phrase}" if verb else f"Error in {phrase}"
    elif site.kind == "entry":
        text = f"{gerund(verb)} {thing}".strip() if verb else f"Entering {phrase}"
    elif site.kind == "return":
        text = f"{past(verb)} {thing}".strip() if verb else f"Finished {phrase}"
    elif site.kind == "loop":
        item = site.loop_variables[0] if site.loop_variables else "item"
        text = f"{gerund(verb)} {item.replace('_', ' ')}" if verb else f"Processing {item.replace('_', ' ')}"
    elif site.kind == "finally":
        text = f"Done {gerund(verb)} {thing}".strip() if verb else "Cleaning up"
    else:
        text = f"{gerund(verb)} {thing}".strip() if verb else phrase
    if not site.typed.message:
        text = text[:1].upper() + text[1:] if plan.capitalized else text[:1].lower() + text[1:]
    return text
