"""Unit tests of the model's prompt: its file prefix, its window and the cache-friendly shape (no model)."""

from __future__ import annotations

import dataclasses

from logsmith.engines import model_engine, prompt
from logsmith.pipeline import facts_of, site_at, style_for
from logsmith.planning.plan import make_plan
from logsmith.settings import Settings
from logsmith.engines.statement import render
from logsmith.syntax.document import ParsedDocument


def long_module(functions: int = 40) -> str:
    """A module of `functions` small functions, each logging once: long enough for a moving window."""
    lines = ["import logging", "", "API_TOKEN = 'sk-live-0123456789'", "logger = logging.getLogger(__name__)", ""]
    for n in range(functions):
        lines += ["", f"def load_part_{n}(path):", "    data = open(path).read()",
                  f'    logger.info("Loaded part {n} from %s", path)', "    return data", ""]
    return "\n".join(lines) + "\n"


def context_at(source: str, line: int) -> tuple[str, str]:
    document = ParsedDocument(source)
    site = site_at(source, line, 4, document=document)
    facts = facts_of(document)
    return model_engine.context_for(document, site, facts), model_engine.file_prefix_for(document, facts)


def test_every_context_starts_with_the_file_prefix_wherever_the_cursor_is():
    source = long_module()
    lines = source.split("\n")
    sites = [n for n, text in enumerate(lines) if text.strip().startswith("data =") and n > prompt.HEAD_LINES]
    contexts = [context_at(source, n) for n in (sites[0], sites[len(sites) // 2], sites[-1])]
    prefixes = {prefix for _, prefix in contexts}
    assert len(prefixes) == 1, "the prefix must not depend on the cursor"
    prefix = prefixes.pop()
    assert all(context.startswith(prefix) for context, _ in contexts)
    assert "import logging" in prefix and "logger = logging.getLogger(__name__)" in prefix
    examples = prefix.split("\n\n")[0]
    assert examples.count("logger.info(\"Loaded part") == prompt.EXAMPLES  # capped


def test_secret_values_are_masked_in_the_prefix_and_the_context():
    source = long_module()
    context, prefix = context_at(source, len(source.split("\n")) - 3)
    assert "sk-live-0123456789" not in prefix and "sk-live-0123456789" not in context
    assert "API_TOKEN = '***'" in prefix


def test_the_window_ends_at_the_cursor_and_moves_in_steps():
    source = long_module()
    lines = source.split("\n")
    line = len(lines) - 3
    context, prefix = context_at(source, line)
    assert context.endswith(lines[line - 1] + "\n")
    assert "# ..." in context  # the lines between the head and the window are left out
    # a cursor a few lines further down keeps the same window start, so the cache keeps the window
    earlier, _ = context_at(source, line - 2)
    assert context.startswith(earlier)


def test_near_the_top_the_window_holds_the_head_itself():
    source = long_module(3)
    lines = source.split("\n")
    for line in [n for n, text in enumerate(lines) if text.strip().startswith("data =")]:
        context, prefix = context_at(source, line)
        assert "# ..." not in context
        # above the head's end the context is the start of the prefix; below it, the prefix starts it
        assert prefix.startswith(context) if line < prompt.HEAD_LINES else context.startswith(prefix)


def test_file_examples_are_distinct_in_file_order_and_stable_when_the_file_changes():
    class Call:
        def __init__(self, text):
            self.text = text

    calls = [Call(f'log.info("step {n % 25}")') for n in range(50)] + [Call('log.info(\n "two lines")')]
    chosen = prompt.file_examples(calls)
    assert len(chosen) == prompt.EXAMPLES and len(set(chosen)) == len(chosen)
    assert all("\n" not in text for text in chosen)
    order = [call.text for call in calls]
    assert sorted(chosen, key=order.index) == list(chosen)
    # a statement the user adds, or one that is not chosen and goes away, leaves the choice alone
    with_new = prompt.file_examples([*calls, Call('log.info("a new one")')])
    assert len(set(with_new) ^ set(chosen)) in (0, 2)  # at most one example swapped
    left_out = next(call for call in calls if call.text not in chosen and "\n" not in call.text)
    assert prompt.file_examples([call for call in calls if call.text != left_out.text]) == chosen


def plan_at(source: str, marker: str = "# here"):
    """The site and plan on the line of `marker`, emptied to its indentation."""
    lines = source.split("\n")
    line = next(n for n, text in enumerate(lines) if marker in text)
    character = len(lines[line]) - len(lines[line].lstrip())
    return site_and_plan("\n".join(lines[:line] + [" " * character] + lines[line + 1:]), line, character)


def site_and_plan(source: str, line: int, character: int):
    document = ParsedDocument(source)
    facts = facts_of(document)
    site = site_at(source, line, character, document=document)
    return site, make_plan(site, facts, style_for(facts, None, Settings()))


SAVE = '''import logging

logger = logging.getLogger(__name__)


def save(path, rows, password):
    try:
        count = write(path, rows, password)
    except OSError as exc:
        # here
        raise
'''


def test_the_model_writes_the_call_and_may_only_log_names_valid_at_the_cursor():
    site, plan = plan_at(SAVE)
    assert prompt.writes_arguments(plan)
    assert prompt.opening(site, plan).endswith(f'logger.{plan.level}("')
    text = prompt.grammar(site, plan)
    arguments = next(line for line in text.split("\n") if line.startswith("arg ::="))
    assert '"exc"' in arguments and '"path"' in arguments
    assert "password" not in text  # looks like a secret: never a choice
    assert text.count('", " arg') == 1 + 2 + 3  # one to three placeholders, each with its argument


def test_with_a_message_value_in_scope_the_model_may_log_it_alone():
    site, plan = plan_at(SAVE.replace("        # here", '        msg = f"cannot save {path}"\n        # here'))
    assert prompt.message_values(plan) == ("msg",)
    assert prompt.opening(site, plan).endswith(f"logger.{plan.level}(")  # no quote yet
    root = prompt.grammar(site, plan).split("\n")[0]
    assert root.startswith('root ::= "\\"" lead') and root.endswith('| ("msg") ")"')
    assert prompt.statement_from("msg)", site, plan) == f"logger.{plan.level}(msg)"
    assert prompt.statement_from('"Could not save %s", path)', site, plan) == f'logger.{plan.level}("Could not save %s", path)'


def test_statements_from_the_call_grammar():
    site, plan = plan_at(SAVE)
    call = f'logger.{plan.level}('
    assert prompt.statement_from('Could not save %s: %s", path, exc)', site, plan) == call + '"Could not save %s: %s", path, exc)'
    assert prompt.statement_from('Could not save"', site, plan) is None  # the call was not closed
    assert prompt.statement_from('Failed")', site, plan) is None  # one bare word says too little
    # a message that ends in a separator and no argument gets the plan's arguments
    assert prompt.statement_from('Could not save: ")', site, plan) == render(plan, "Could not save")
    assert render(plan, "Could not save") != call + '"Could not save")'
    # so does one that ends in a space: the model meant `"Saved " + path`
    assert prompt.statement_from('Could not save ")', site, plan) == render(plan, "Could not save")


def test_a_typed_quote_keeps_the_string_open_and_is_continued():
    typed = '        logger.error("Could not'
    source = SAVE.replace("        # here", typed)
    site, plan = site_and_plan(source, source.split("\n").index(typed), len(typed))
    assert prompt.opening(site, plan).endswith('logger.error("Could not')
    assert "| arg \")\"" not in prompt.grammar(site, plan).split("\n")[0]
    assert prompt.statement_from(' save %s", path, exc)', site, plan) == 'logger.error("Could not save %s", path, exc)'


def test_an_error_in_an_except_block_names_the_exception_the_model_left_out():
    site, plan = plan_at(SAVE)
    plan = dataclasses.replace(plan, level="error")
    assert plan.exception == "exc"
    assert prompt.statement_from('Could not save %s", path)', site, plan) == 'logger.error("Could not save %s: %s", path, exc)'
    assert prompt.statement_from('Could not save %s: %s", path, exc)', site, plan) == 'logger.error("Could not save %s: %s", path, exc)'
    # one word says too little, whatever follows it: the template's message is offered instead
    assert prompt.statement_from('Failed:", exc_info=True)', site, plan) is None
    assert prompt.statement_from('Error: %s", exc)', site, plan) is None
    assert "exc_info=True" in prompt.call_grammar(plan, traceback=True)
    # before the traceback a dangling space goes, the colon stays
    assert prompt.statement_from('Could not save: ", exc_info=True)', site, plan) == 'logger.error("Could not save:", exc_info=True)'
    # `logger.exception` logs the traceback anyway: the grammar does not offer `exc_info=True` there
    assert "exc_info" in prompt.grammar(site, plan)
    assert "exc_info" not in prompt.grammar(site, dataclasses.replace(plan, level="exception"))
    fstring = dataclasses.replace(plan, message_format="fstring")
    assert prompt.statement_from('Could not save {path}")', site, fstring) == 'logger.error(f"Could not save {path}: {exc}")'
    assert prompt.statement_from('Could not save {path}: {exc}")', site, fstring) == 'logger.error(f"Could not save {path}: {exc}")'
    assert prompt.statement_from('Could not save {path}")', site, dataclasses.replace(fstring, level="exception")) == \
        'logger.exception(f"Could not save {path}")'
