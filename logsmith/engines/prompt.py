"""The model's prompt and output grammar for a planned statement: pure functions of the site and plan.

The prompt is the file's head (imports, logger) plus a window of lines before the cursor whose start
only moves in steps, then the planned call opened up to its message: `logger.error("`. The changing
part sits at the very end, so while the user types, the model's KV cache keeps everything before it.
The grammar lets the model write only the message's words and the closing quote; the arguments are
added from the plan, so placeholders and arguments always agree.
"""

from __future__ import annotations

from logsmith.plan import Plan
from logsmith.syntax.document import ParsedDocument
from logsmith.syntax.site import LogSite

HEAD_LINES = 12
# More lines before the cursor give the model more of the file's own messages to echo: on 60 dev
# cases ROUGE-L of the message went 0.20 (64 lines), 0.24 (128 lines); anchoring the window at the
# enclosing function's start lost 0.07. The cost is a longer cold prompt, paid once per window.
WINDOW_LINES = 128
WINDOW_STEP = 32
EXAMPLES = 10
MESSAGE_CHARS = 72


def window_start(site: LogSite) -> int:
    """First line of the context window: WINDOW_LINES back, aligned to WINDOW_STEP so it rarely moves."""
    earliest = max(0, site.line - WINDOW_LINES)
    return earliest - earliest % WINDOW_STEP


def context(document: ParsedDocument, site: LogSite, examples: tuple[str, ...] = ()) -> str:
    """Everything before the cursor's line that the model sees; stable while the cursor line changes.

    `examples` are log statements of the file outside the window: they teach the model the file's
    vocabulary and tone for a few tokens each."""
    start = window_start(site)
    head = [document.line(n) for n in range(min(HEAD_LINES, start))]
    parts = []
    if head:
        parts.append("\n".join(head).rstrip() + "\n")
    if examples:
        parts.append("\n# Log statements elsewhere in this file:\n" + "".join(f"#     {e}\n" for e in examples))
    if head and start > HEAD_LINES:
        parts.append("\n# ...\n\n")
    body = [document.line(n) for n in range(start, site.line)]
    if body:
        parts.append("\n".join(body) + "\n")
    return "".join(parts)


def opening(site: LogSite, plan: Plan) -> str:
    """The start of the planned call, up to and including what the user typed of the message."""
    prefix = "f" if plan.message_format == "fstring" else ""
    return f"{site.indent}{plan.logger}.{plan.level}({prefix}{plan.quote}{site.typed.message or ''}"


def examples_for(site: LogSite, calls) -> tuple[str, ...]:
    """Up to EXAMPLES single-line log statements outside the window, nearest to it first, in file order."""
    start = window_start(site)
    outside = [c for c in calls if (c.line < start or c.line > site.line) and "\n" not in c.text and len(c.text) < 160]
    nearest = sorted(outside, key=lambda c: abs(c.line - start))[:EXAMPLES]
    return tuple(c.text for c in sorted(nearest, key=lambda c: c.line))


def grammar(plan: Plan) -> str:
    """GBNF: message words (no quote, backslash, placeholder or newline), then the closing quote."""
    quote = '\\"' if plan.quote == '"' else "'"
    banned = '"\\\\%{}\\n' if plan.quote == '"' else "'\\\\%{}\\n"
    return (
        f'root ::= word rest{{0,{MESSAGE_CHARS}}} "{quote}"\n'
        f"word ::= [^ {banned}]\n"
        f"rest ::= [^{banned}]\n"
    )


def message_from(completion: str, site: LogSite, plan: Plan) -> str | None:
    """The message the model wrote, or None when it did not close the string."""
    if not completion.endswith(plan.quote):
        return None
    words = (site.typed.message or "") + completion[: -len(plan.quote)]
    words = words.strip().rstrip(" :,;-=(")
    # One bare word ("Error", "backlog") says less than the template's message: not worth offering.
    if len(words) < 3 or (len(words.split()) < 2 and not site.typed.message):
        return None
    return words
