"""The real server never offers a statement that would break the program: no value unbound in the
handler the cursor is in, nothing on a line that cannot run, and no module logger added that reads
a module the file never bound. With the real model (`model` tier)
and with the template engine only (fast tier): the `served` fixture."""

from __future__ import annotations

import ast

import pytest
from lsp_session import server_kinds

# The statements do not depend on the client's capabilities: one template-only server is enough.
pytestmark = [pytest.mark.asyncio(loop_scope="module"),
              pytest.mark.parametrize("served", [*server_kinds("model"), *server_kinds("template", clients=("neovim",))],
                                      indirect=True)]

SOURCE = '''import logging

logger = logging.getLogger(__name__)


def parse_threshold(raw, default=5):
    try:
        value = int(raw)
    except (TypeError, ValueError) as exc:
        {blank8}
        value = default
    return max(value, 0)


def place_orders(client, plan):
    placed = {}
    for sku, quantity in plan.items():
        try:
            order_id = client.place_order(sku, quantity)
        except LookupError:
            {blank12}
            continue
        placed[sku] = order_id
    return placed


def finish(job):
    return job.result
    {blank4}
    job.close()
'''.replace("{blank4}", " " * 4).replace("{blank8}", " " * 8).replace("{blank12}", " " * 12)
HANDLER_LINES = {9: ("value", 8), 20: ("order_id", 12)}   # blank first lines of the two handlers, and the name unbound there
DEAD_LINE = 28                                 # the blank line after `return job.result`


def logged_values(statement: str) -> set[str]:
    call = ast.parse(statement.strip()).body[0].value
    return {node.id for argument in call.args[1:] for node in ast.walk(argument) if isinstance(node, ast.Name)} | {
        node.id for part in call.args[:1] for node in ast.walk(part) if isinstance(node, ast.Name)}


async def test_no_suggestion_names_a_value_the_handler_cannot_see(served):
    uri = served.open("safety.py", SOURCE)
    for line, (unbound, indent) in HANDLER_LINES.items():
        for _ in range(2):  # the first answer is the template's, then the model has read the window
            inline = await served.inline(uri, line, indent, invoked=True)
            items = inline.items if inline is not None and not isinstance(inline, list) else (inline or [])
            assert items, f"no inline suggestion at line {line}"
            for item in items:
                text = item.insert_text if isinstance(item.insert_text, str) else item.insert_text.value
                assert unbound not in logged_values(text), text
            line_after, column = served.type(uri, line, indent, "logger.")
            completion = await served.complete(uri, line_after, column)
            for item in completion.items:
                statement = "logger." + item.label.split("logger.", 1)[-1] if "logger." in item.label else item.label
                edit = item.text_edit.new_text if item.text_edit is not None else statement
                assert unbound not in logged_values(edit.strip()), edit
            served.edit(uri, (line, indent), (line, column), "")
    served.close(uri)


async def test_nothing_is_offered_on_a_line_that_cannot_run(served):
    uri = served.open("dead.py", SOURCE)
    inline = await served.inline(uri, DEAD_LINE, 4, invoked=True)
    items = [] if inline is None else (inline if isinstance(inline, list) else inline.items)
    assert items == []
    line, column = served.type(uri, DEAD_LINE, 4, "logger.")
    completion = await served.complete(uri, line, column)
    assert completion is None or not completion.items
    actions = await served.code_actions(uri, DEAD_LINE, 4)
    assert not [a for a in actions or [] if "log" in a.title.lower() and "here" in a.title.lower()]
    served.close(uri)


# `from logging import Handler` imports from logging but binds no name `logging`.
SINK = (
    "from logging import Handler\n"
    "\n"
    "\n"
    "class Sink(Handler):\n"
    "    def emit(self, record):\n"
    "        try:\n"
    "            self.stream.write(record.msg)\n"
    "        except OSError:\n"
    "            \n"
    "            raise\n"
)


async def test_the_logger_a_suggestion_adds_runs_in_a_file_that_imports_from_logging(served):
    uri = served.open("sink.py", SINK)
    line, column = served.type(uri, 8, 12, "log")
    completion = await served.complete(uri, line, column)
    assert completion.items
    best = completion.items[0]
    assert best.additional_text_edits
    for edit in sorted([best.text_edit, *best.additional_text_edits], key=lambda e: e.range.start.line, reverse=True):
        served.edit(uri, (edit.range.start.line, edit.range.start.character),
                    (edit.range.end.line, edit.range.end.character), edit.new_text)
    written = "\n".join(served.texts[uri])
    assert "import logging\n" in written
    exec(compile(written, "sink.py", "exec"), {"__name__": "sink"})  # the module runs: its logger is bound
    served.close(uri)
