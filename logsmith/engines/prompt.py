"""The model's prompt and output grammar for a planned statement:
pure functions of the site and plan.

The prompt has two parts. The file's prefix (a few of its log statements as comments, then its
first lines: imports, logger) does not depend on the cursor, so it is evaluated as soon as the file
is opened. Then a window of lines before the cursor whose start only moves in steps, and the planned
call opened up to its message: `logger.error("`. The changing part sits at the very end, so while
the user types, the model's KV cache keeps everything before it. The grammar lets the model write
only the rest of one call on the planned logger and level: a message, placeholders where it wants
them and one argument per placeholder, each a name valid at the cursor.
"""

from __future__ import annotations

import re
import zlib

from logsmith.engines.statement import render, with_safe_formats
from logsmith.idioms.literals import escaped
from logsmith.planning.plan import Plan
from logsmith.syntax.document import ParsedDocument
from logsmith.syntax.site import LogSite

HEAD_LINES = 12
# Lines before the cursor. Each costs about 13 tokens of prompt, paid whenever the window moves; the
# window must be read while the user pauses, so it is short (lines far from the cursor add little
# to the message: measured on dev cases, eval/README.md).
WINDOW_LINES = 48
WINDOW_STEP = 16
EXAMPLES = 10
MESSAGE_CHARS = 72


def window_start(site: LogSite) -> int:
    """First line of the context window: WINDOW_LINES back,
    aligned to WINDOW_STEP so it rarely moves."""
    earliest = max(0, site.line - WINDOW_LINES)
    return earliest - earliest % WINDOW_STEP


def file_examples(calls) -> tuple[str, ...]:
    """Up to EXAMPLES distinct one-line log statements of the file, in file order. They do not
    depend on the cursor: they teach the model the file's vocabulary and tone for a few tokens each,
    wherever the user works. Chosen by a checksum of their text, a spread over the file that stays
    the same when a statement is added or removed elsewhere
    (so the prompt's start stays in the KV cache)."""
    usable = list(dict.fromkeys(c.text for c in calls if "\n" not in c.text and len(c.text) < 160))
    if len(usable) <= EXAMPLES:
        return tuple(usable)
    chosen = set(sorted(usable, key=lambda text: zlib.crc32(text.encode("utf-8")))[:EXAMPLES])
    return tuple(text for text in usable if text in chosen)


def _examples_block(examples: tuple[str, ...]) -> str:
    if not examples:
        return ""
    return "# Log statements of this file:\n" + "".join(f"#     {e}\n" for e in examples) + "\n"


def file_prefix(document: ParsedDocument, examples: tuple[str, ...] = ()) -> str:
    """The start of every prompt in this file: the examples,
    then the file's first HEAD_LINES lines."""
    head = [document.line(n) for n in range(min(HEAD_LINES, document.line_count))]
    return _examples_block(examples) + "".join(line + "\n" for line in head)


def context(document: ParsedDocument, site: LogSite, examples: tuple[str, ...] = ()) -> str:
    """Everything before the cursor's line that the model sees; stable while the cursor line
    changes. It always starts with `file_prefix(document, examples)`."""
    start = window_start(site)
    if start < HEAD_LINES:  # the window reaches the top of the file: it holds the head itself
        return _examples_block(examples) + "".join(
            document.line(n) + "\n" for n in range(site.line)
        )
    body = "".join(document.line(n) + "\n" for n in range(start, site.line))
    return file_prefix(document, examples) + ("\n# ...\n\n" if start > HEAD_LINES else "") + body


ARGUMENT_CHOICES = 12
PLACEHOLDERS_AT_MOST = 3
PLACEHOLDERS = re.compile(r"%[srd]|\{[^}]*\}")
SEPARATORS = " :,;-=("
MESSAGE_VALUE = re.compile(r"(^|_)(msg|message)$", re.IGNORECASE)
PLACEHOLDER = {"percent": '"%s" | "%r" | "%d"', "brace": '"{}"'}


def writes_arguments(plan: Plan) -> bool:
    """Whether the model writes the whole call, placeholders and arguments included
    (`call_grammar`), rather than only the message's words with the plan's arguments added after it
    (`words_grammar`)."""
    return plan.message_format in ("percent", "brace", "fstring") and bool(plan.candidates)


def message_values(plan: Plan) -> tuple[str, ...]:
    """Candidates named like a ready message (`msg`, `log_msg`, `error_message`): developers often
    log such a value alone. On the development corpus a `msg` in scope was logged alone 45 times and
    put in a message 37 times, so the model decides;
    other names are logged alone too rarely to offer."""
    return tuple(
        name
        for name in plan.candidates[:ARGUMENT_CHOICES]
        if MESSAGE_VALUE.search(name.split(".")[-1])
    )


def _string_start(plan: Plan) -> str:
    """How the message string opens: `"`, or `f"` for an f-string."""
    return ("f" if plan.message_format == "fstring" else "") + plan.quote


def _gbnf_quote_and_banned(plan: Plan) -> tuple[str, str]:
    """The closing quote as GBNF string content, and the characters a message may not contain
    (the quote, backslash, placeholder characters, newline) as GBNF character-class content."""
    if plan.quote == '"':
        return '\\"', '"\\\\%{}\\n'
    return "'", "'\\\\%{}\\n"


def _string_opened(site: LogSite, plan: Plan) -> bool:
    """Whether the opening ends inside the message string. When the model writes the arguments, the
    user typed no quote and a message value is in scope, it ends at `(`:
    the model may log that alone."""
    return site.typed.quote is not None or not writes_arguments(plan) or not message_values(plan)


def opening(site: LogSite, plan: Plan) -> str:
    """The start of the planned call, up to and including what the user typed of the message."""
    call = f"{site.indent}{plan.logger}.{plan.level}("
    if not _string_opened(site, plan):
        return call
    return f"{call}{_string_start(plan)}{site.typed.message or ''}"


def grammar(site: LogSite, plan: Plan) -> str:
    """GBNF for what the model writes after `opening(site, plan)`."""
    if not writes_arguments(plan):
        return words_grammar(plan)
    return call_grammar(
        plan,
        string_opened=_string_opened(site, plan),
        traceback=site.in_except and plan.framework == "logging" and plan.level != "exception",
    )


def words_grammar(plan: Plan) -> str:
    """Message words (no quote, backslash, placeholder or newline), then the closing quote."""
    return message_words_grammar(*_gbnf_quote_and_banned(plan))


def message_words_grammar(quote: str, banned: str) -> str:
    """GBNF: a message (a first character that is not a space, then up to `MESSAGE_CHARS` more;
    none of `banned`, GBNF character-class content), then `quote` (GBNF string content)."""
    return (
        f'root ::= word rest{{0,{MESSAGE_CHARS}}} "{quote}"\n'
        f"word ::= [^ {banned}]\n"
        f"rest ::= [^{banned}]\n"
    )


def _literal(text: str) -> str:
    return '"' + escaped(text) + '"'


def call_grammar(plan: Plan, string_opened: bool = True, traceback: bool = False) -> str:
    """The rest of the call: the message, where placeholders may stand anywhere, the closing quote,
    one argument per placeholder, `)`. Each argument is a name or chain valid at the cursor
    (`plan.candidates`); in an f-string they stand in braces inside the message. Unless the string
    is already open, the call may instead log a message value alone (`message_values`):
    `log.info(msg)`. With `traceback` (stdlib logging in an except block, below the `exception`
    level, which logs the traceback anyway) the call may end with `exc_info=True`. The model
    chooses what to log and where; it can only choose what exists."""
    quote, banned = _gbnf_quote_and_banned(plan)
    lines = [
        f"lead ::= ([^ {banned}] seg)?",
        f"seg ::= [^{banned}]*",
        f"arg ::= {' | '.join(_literal(name) for name in plan.candidates[:ARGUMENT_CHOICES])}",
    ]
    if plan.message_format == "fstring":
        message = f'lead ("{{" arg "}}" seg)* "{quote}"' + (" info" if traceback else "") + ' ")"'
    else:  # n placeholders then n arguments, nested so that the alternatives share their start
        tail = ""
        for count in range(PLACEHOLDERS_AT_MOST, -1, -1):
            closing = f'"{quote}"' + ' ", " arg' * count + (" info" if traceback else "") + ' ")"'
            tail = f"{closing} | ph seg ({tail})" if tail else closing
        message = f"lead ({tail})"
        lines.append(f"ph ::= {PLACEHOLDER[plan.message_format]}")
    if traceback:
        lines.append('info ::= (", exc_info=True")?')
    if string_opened:
        root = message
    else:
        alone = " | ".join(_literal(name) for name in message_values(plan))
        root = f'{_literal(_string_start(plan))} {message} | ({alone}) ")"'
    return "\n".join([f"root ::= {root}", *lines]) + "\n"


def statement_for(completion: str, site: LogSite, plan: Plan) -> str | None:
    """The statement a completion under `grammar(site, plan)` makes, or None when it makes none."""
    if writes_arguments(plan):
        written = statement_from(completion, site, plan)
        return None if written is None else with_safe_formats(written, site)
    message = message_from(completion, site, plan)
    return None if message is None else render(plan, message)


def statement_from(completion: str, site: LogSite, plan: Plan) -> str | None:
    """The whole statement from a completion under `call_grammar`, or None when it did not end the
    call or says too little: fewer than three letters of message, or one word, whatever values
    follow (on the development split the template's message matched the developer's better than a
    one-word one such as "Error: %s"). A message that ends in a separator or a space and no
    argument ("Invalid URL: ", "Job ") is one the model meant to continue by other means (`+ url`,
    `.format(...)`): it gets the plan's arguments, or, when it logs the traceback, just loses the
    trailing space."""
    if not completion.endswith(")"):
        return None
    call = f"{plan.logger}.{plan.level}("
    if _string_opened(site, plan):
        completion = f"{_string_start(plan)}{site.typed.message or ''}{completion}"
    elif not completion.lstrip("f").startswith(plan.quote):
        return call + completion  # one value logged alone
    message = completion[completion.index(plan.quote) + 1 : completion.rindex(plan.quote)]
    if _says_too_little(PLACEHOLDERS.sub(" ", message).strip(), site):
        return None
    meant_more = message.rstrip(SEPARATORS)
    bare = not PLACEHOLDERS.search(message)
    if bare and meant_more != message and len(meant_more) >= len(site.typed.message or ""):
        if "exc_info=" not in completion:
            return render(plan, meant_more)
        # "Exception information:" before the traceback keeps its colon
        start = completion.index(plan.quote) + 1
        completion = completion[:start] + message.rstrip() + completion[start + len(message) :]
    if (
        plan.exception
        and plan.level != "exception"
        and not _names_exception(completion, message, plan, plan.exception)
    ):
        completion = _naming(completion, message, plan, plan.exception)
    return call + completion


def _names_exception(completion: str, message: str, plan: Plan, exception: str) -> bool:
    """Whether the call's rest logs the handled exception: as an argument, in an f-string's braces,
    or as the traceback (`exc_info=True`)."""
    if "exc_info=" in completion:
        return True
    if plan.message_format == "fstring":
        logged = " ".join(re.findall(r"\{([^}]*)\}", message))
    else:
        logged = completion[completion.rindex(plan.quote) :]
    return re.search(rf"\b{re.escape(exception)}\b", logged) is not None


def _naming(completion: str, message: str, plan: Plan, exception: str) -> str:
    """The call's rest with the handled exception added at the end of its message and arguments:
    an error logged in an except block says what the error was
    (`logger.exception` shows it anyway)."""
    start = completion.index(plan.quote) + 1
    end = start + len(message)
    text = message.rstrip().rstrip(SEPARATORS)
    if plan.message_format == "fstring":
        return completion[:start] + text + ": {" + exception + "}" + completion[end:]
    slot = "{}" if plan.message_format == "brace" else "%s"
    return completion[:start] + text + ": " + slot + completion[end:-1] + ", " + exception + ")"


def message_from(completion: str, site: LogSite, plan: Plan) -> str | None:
    """The message the model wrote, or None when it did not close the string."""
    if not completion.endswith(plan.quote):
        return None
    words = (site.typed.message or "") + completion[: -len(plan.quote)]
    words = words.strip().rstrip(SEPARATORS)
    return None if _says_too_little(words, site) else words


def _says_too_little(words: str, site: LogSite) -> bool:
    """Fewer than three letters, or one word ("Error", "backlog") the user did not type: less than
    the template's message says."""
    return len(words) < 3 or (len(words.split()) < 2 and not site.typed.message)
