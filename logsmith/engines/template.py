"""The deterministic engine: a message from the site's words (function name, exception, loop),
no model.

A function name is read as "verb object" (`load_config` -> "Loading config", "Failed to load
config") only when its first word is a verb of the lists below (`cleanup` is "clean up", and so
are `clean_up` and `cleanUp`). Any other name is not guessed at: the message names the function as
written ("OSError in low_stock", "Entering quantity") or, where no verb is needed, reads its words
as a noun phrase ("Low stock"; "Setup time" for `setup_time`, where the one-word phrasal verb is a
noun before an attribute word).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from logsmith.planning.plan import Plan
from logsmith.syntax.site import FunctionInfo, LogSite
from logsmith.vocabulary import identifier_words

# Verbs that programmers start function names with, in their base form. A name whose first word is
# not here (`low_stock`, `quantity`, `setvals`, `f`) is never conjugated.
VERB_LIST = """
    abort accept access acquire activate adapt add adjust advance allocate analyse analyze annotate
    append apply approve archive assert assign attach attempt authenticate authorise authorize await
    bind block boot bootstrap broadcast build bump calculate call cancel capture catch change check
    choose clean clear clone close collect combine commit compact compare compile complete compress
    compute configure confirm connect construct consume continue convert copy count create daemonise
    daemonize decide declare decode decompress decrypt delete deliver deploy dequeue deregister
    describe deserialise deserialize destroy detach detect disable discard disconnect discover
    dispatch display dispose do download drain drop dump emit enable encode encrypt end enqueue
    ensure evaluate evict execute expand expire export extend extract fail fetch fill filter
    finalise finalize find finish fire fix flush fold follow fork format forward free freeze gather
    generate get grant handle hash hide import increment index initialise initialize insert inspect
    install invalidate invoke join keep kill launch list listen load lock log maintain make manage
    map mark match measure merge migrate monitor mount move normalise normalize notify obtain open
    optimise optimize pack parse patch pause perform ping place poll pop populate post preload
    prepare print process produce prune publish pull purge push put query queue raise read reap
    rebuild receive reconfigure reconnect record recover redirect reduce refresh register
    reinitialise reinitialize reject release reload remove rename render renew reopen repair replace
    replay reply report request requeue reschedule reset resize resolve respond restart restore
    resume retrieve retry return reveal revert revoke rewrite rotate route run sanitise sanitize
    save scale scan schedule search seek select send serialise serialize serve set shift show shrink
    shut sign signal skip sleep sort spawn split start stash stop store stream strip submit
    subscribe swap switch sync tag terminate throttle toggle touch trace track transfer transform
    translate traverse trigger trim truncate unbind unlink unload unlock unmount unpack unregister
    unsubscribe unwrap unzip update upgrade upload upsert use validate verify visit wait wake walk
    warn watch wrap write yield zip
"""
VERBS = frozenset(VERB_LIST.split())
# Names written as one word for a verb and its particle, or shortened.
PHRASAL = {
    "cleanup": "clean up",
    "setup": "set up",
    "shutdown": "shut down",
    "startup": "start up",
    "teardown": "tear down",
    "login": "log in",
    "logout": "log out",
    "signin": "sign in",
    "signout": "sign out",
    "signup": "sign up",
    "backup": "back up",
    "lookup": "look up",
    "rollback": "roll back",
    "rollover": "roll over",
    "checkout": "check out",
    "warmup": "warm up",
    "init": "initialise",
    "recv": "receive",
    "exec": "execute",
    "calc": "calculate",
    "mkdir": "make directory",
    "rmdir": "remove directory",
    "rm": "remove",
}
# Words a name may start with before its verb that do not change what it does:
# `_do_read`, `safe_close`. (`maybe_restart` and `try_connect` may not restart or connect: those
# are named as written.)
VERB_PREFIXES = {"do", "safe", "safely", "async"}
# Words that are verbs but, before one of ATTRIBUTES, start a noun phrase:
# `log_level`, `process_id`.
NOUN_TOO = {
    "log",
    "process",
    "run",
    "cache",
    "record",
    "report",
    "request",
    "signal",
    "queue",
    "stream",
    "filter",
    "format",
    "list",
    "map",
    "trace",
    "index",
    "count",
    "sort",
    "display",
    "match",
    "build",
}
ATTRIBUTES = {
    "id",
    "ids",
    "size",
    "count",
    "name",
    "names",
    "level",
    "type",
    "time",
    "timeout",
    "interval",
    "dir",
    "path",
    "key",
    "keys",
    "value",
    "values",
    "number",
    "num",
    "limit",
    "url",
    "length",
    "file",
    "handler",
}
IRREGULAR_PAST = {
    "get": "got",
    "send": "sent",
    "find": "found",
    "build": "built",
    "read": "read",
    "write": "wrote",
    "run": "ran",
    "make": "made",
    "begin": "began",
    "set": "set",
    "put": "put",
    "reset": "reset",
    "bind": "bound",
    "hold": "held",
    "keep": "kept",
    "lose": "lost",
    "split": "split",
    "shut": "shut",
    "do": "did",
    "take": "took",
    "give": "gave",
    "seek": "sought",
    "fetch": "fetched",
    "feed": "fed",
    "sleep": "slept",
    "rebuild": "rebuilt",
    "rewrite": "rewrote",
    "unbind": "unbound",
    "choose": "chose",
    "freeze": "froze",
    "hide": "hid",
    "catch": "caught",
    "shrink": "shrank",
    "tear": "tore",
    "wake": "woke",
    "broadcast": "broadcast",
    "cast": "cast",
    "cut": "cut",
    "quit": "quit",
    "spin": "spun",
    "throw": "threw",
}
DOUBLED = {
    "get",
    "set",
    "put",
    "run",
    "stop",
    "shut",
    "split",
    "begin",
    "drop",
    "plan",
    "ship",
    "scan",
    "map",
    "tag",
    "log",
    "skip",
    "wrap",
    "unwrap",
    "strip",
    "submit",
    "commit",
    "emit",
    "trim",
    "swap",
    "zip",
    "unzip",
    "pop",
    "cut",
    "spin",
    "flag",
    "grab",
    "step",
    "snap",
    "trap",
    "bootstrap",
    "format",
    "reset",
    "transfer",
}
# Names that start with one of these are not "verb object" (`on_open`, `from_config`,
# `is_ready`), nor a noun phrase to write as words ("Is ready" would claim something): a message
# names them as written.
NOT_VERB_STARTS = {
    "on",
    "from",
    "to",
    "as",
    "is",
    "has",
    "by",
    "with",
    "for",
    "in",
    "at",
    "of",
    "if",
    "when",
    "after",
    "before",
    "should",
    "can",
    "needs",
    "no",
    "not",
    "main",
    "new",
    "enter",
    "exit",
    "maybe",
    "try",
}
PROPERTY_DECORATORS = re.compile(r"(^|\.)(property|cached_property|getter)$|\.setter$|\.deleter$")


def gerund(verb: str) -> str:
    """`load` -> `loading`, `clean up` -> `cleaning up`."""
    head, _, rest = verb.partition(" ")
    if head.endswith("ie"):
        form = head[:-2] + "ying"
    elif head.endswith("e") and not head.endswith(("ee", "ye", "oe")) and len(head) > 2:
        form = head[:-1] + "ing"
    elif head in DOUBLED:
        form = head + head[-1] + "ing"
    else:
        form = head + "ing"
    return f"{form} {rest}".strip()


def past(verb: str) -> str:
    """`load` -> `loaded`, `shut down` -> `shut down`."""
    head, _, rest = verb.partition(" ")
    if head in IRREGULAR_PAST:
        form = IRREGULAR_PAST[head]
    elif head.endswith("e"):
        form = head + "d"
    elif head.endswith("y") and len(head) > 2 and head[-2] not in "aeiou":
        form = head[:-1] + "ied"
    elif head in DOUBLED:
        form = head + head[-1] + "ed"
    else:
        form = head + "ed"
    return f"{form} {rest}".strip()


def _verb(word: str) -> str | None:
    """The verb `word` stands for (`cleanup` -> `clean up`), or None when it is not a known verb."""
    if word in PHRASAL:
        return PHRASAL[word]
    return word if word in VERBS else None


def _phrasal(words: list[str]) -> list[str]:
    """`words` with a verb and its particle written apart (`tear_down`, `tearDown`, `look_up`)
    joined into the one word of the phrasal table."""
    if len(words) > 1 and words[0] + words[1] in PHRASAL:
        return [words[0] + words[1], *words[2:]]
    return words


def base(verb: str) -> str:
    return verb


@dataclass(frozen=True)
class Subject:
    """What the function at a site does, read from its name.

    `verbs` are the verbs it starts with (`get_or_create_user` -> get, create) and `thing` the words
    after them ("user"); with no verb, `name` is the function as written and `noun` its words when
    they read as a noun phrase ("low stock"), else None."""

    verbs: tuple[str, ...] = ()
    joiner: str = ""
    thing: str = ""
    name: str = ""
    noun: str | None = None

    def phrase(self, form) -> str:
        """The verbs put in one form (`gerund`, `past` or the base form) with their object. A verb
        after "and" or "or" inside the object takes the form too: `dequeue_job_and_maintain_ttl` ->
        "Dequeuing job and maintaining ttl" (not a verb that is also a noun: "Getting size and
        count")."""
        verbs = f" {self.joiner} ".join(form(v) for v in self.verbs)
        words = self.thing.split()
        for i in range(1, len(words)):
            later = _verb(words[i]) if words[i] not in NOUN_TOO else None
            if words[i - 1] in ("and", "or") and later is not None:
                words[i] = form(later)
        return " ".join([verbs, *words])


def _run_together(word: str) -> bool:
    """`setvals`, `getattr`, `loadcfg`: a verb and more letters in one word,
    not a word to write out."""
    return any(word.startswith(v) and len(word) > len(v) + 1 for v in VERBS if len(v) > 2)


def _is_property(function: FunctionInfo) -> bool:
    return any(
        PROPERTY_DECORATORS.search(d.lstrip("@").split("(")[0].strip()) for d in function.decorators
    )


def subject_of(site: LogSite) -> Subject | None:
    """The function's name read as verbs and an object, or as a name; None outside a function."""
    if site.function is None:
        return None
    name = site.function.name
    if name == "__init__" and site.function.class_name:
        return Subject(("initialise",), thing=" ".join(identifier_words(site.function.class_name)))
    if name.startswith("__") and name.endswith("__"):
        return Subject(name=name)
    words = identifier_words(name)
    label = name.strip("_") or name
    if not words:
        return Subject(name=label)
    if words[0] in VERB_PREFIXES and len(words) > 1 and _verb(_phrasal(words[1:])[0]):
        words = words[1:]
    # `log_level`, `setup_time`, `shutdown_timeout`: a noun before an attribute word
    # (but `set_up_time` is written as a verb)
    noun_like = (
        (words[0] in NOUN_TOO or " " in PHRASAL.get(words[0], ""))
        and len(words) > 1
        and words[-1] in ATTRIBUTES
    )
    words = _phrasal(words)
    first = _verb(words[0])
    if first is None or noun_like or _is_property(site.function):
        readable = words[0] not in NOT_VERB_STARTS and (
            len(words) > 1 or (len(words[0]) > 3 and not _run_together(words[0]))
        )
        # `real_add_job`, `emergency_dump_state`: a verb inside the name,
        # so its words are no noun phrase
        readable = readable and not any(w in VERBS and w not in NOUN_TOO for w in words[1:-1])
        return Subject(
            name=label, noun=" ".join(words) if readable and words[0].isalpha() else None
        )
    verbs, rest, joiner = [first], words[1:], ""
    # `get_or_create_user`: both verbs take the form ("Getting or creating user")
    while len(rest) >= 2 and rest[0] in ("or", "and") and (verb := _verb(rest[1])):
        joiner = rest[0]
        verbs.append(verb)
        rest = rest[2:]
    return Subject(tuple(verbs), joiner, " ".join(rest))


def _error_name(site: LogSite) -> str:
    """The class the handler catches, by its own name (`requests.ConnectionError` ->
    `ConnectionError`), or "Error" when it catches several or names them otherwise
    (`socket.error`, `self.errors`)."""
    if len(site.exception_types) != 1:
        return "Error"
    name = site.exception_types[0].rsplit(".", 1)[-1]
    plural = name.endswith("s") and not name.endswith("ss")  # `Errors`: a tuple of classes
    return name if re.fullmatch(r"[A-Z]\w*[a-z]\w*", name) and not plural else "Error"


def message(site: LogSite, plan: Plan) -> str:
    """Plain words for the statement at `site`; placeholders are added by `statement.render`.

    With a verb: except "Failed to load config", raise "Cannot load config", entry and other
    "Loading config", return "Loaded config", loop "Loading <item>", finally "Done loading config".
    Without one, the function is named: except "OSError in quantity", raise "Error in quantity",
    entry "Entering quantity", return and finally "Finished quantity", loop "Processing <item>",
    other its words ("Low stock") or "In quantity"."""
    if site.typed.message:
        return site.typed.message
    subject = subject_of(site)
    acting = subject if subject is not None and subject.verbs else None  # a subject with a verb
    where = subject.name if subject else ""
    item = (site.loop_variables[0] if site.loop_variables else "item").replace("_", " ")
    error = _error_name(site)
    if site.in_except or site.kind == "except":
        if acting is not None:
            text = f"Failed to {acting.phrase(base)}"
        else:
            text = f"{error} in {where}" if where else f"Caught {error}"
    elif site.kind == "raise":
        text = (
            f"Cannot {acting.phrase(base)}"
            if acting is not None
            else (f"Error in {where}" if where else "Error")
        )
    elif site.kind == "entry":
        text = acting.phrase(gerund) if acting is not None else f"Entering {where}"
    elif site.kind == "return":
        text = acting.phrase(past) if acting is not None else f"Finished {where}"
    elif site.kind == "loop":
        text = f"{gerund(acting.verbs[0])} {item}" if acting is not None else f"Processing {item}"
    elif site.kind == "finally":
        text = (
            f"Done {acting.phrase(gerund)}"
            if acting is not None
            else (f"Finished {where}" if where else "Done")
        )
    elif acting is not None:
        text = acting.phrase(gerund)
    elif subject is not None:
        text = subject.noun or f"In {where}"
    else:
        text = (
            " ".join(identifier_words(plan.variables[0].split(".")[-1])) if plan.variables else ""
        ) or "Checkpoint"
    # a class name keeps its case: "OSError in ...", never "oSError"
    if text.startswith(error) and error != "Error":
        return text
    return text[:1].upper() + text[1:] if plan.capitalized else text[:1].lower() + text[1:]
