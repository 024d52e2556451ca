"""The real server with the real default model, as VS Code and Neovim see it (issue 3, acceptance 1).

One server per client kind for the whole module (the `editor` fixture); each test opens its own file.
"""

from __future__ import annotations

import asyncio
import json
import stat
import subprocess
import sys
import time

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcRequestCancelled
from pytest_lsp.checks import LspSpecificationWarning

from lsp_session import start_editor, stop_editor

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.filterwarnings("error", category=LspSpecificationWarning)]

GEMMA_SHA = "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818"

SERVICE = '''import logging

logger = logging.getLogger(__name__)


def save(record, db):
    """Store one record."""
    try:
        db.insert(record)
    except Exception as exc:
        raise
    return record


def load(path):
    with open(path) as handle:
        return handle.read()


def parse(text):
    try:
        return int(text)
    except ValueError:
        return None
'''
RAISE_LINE = 10        # `        raise` inside `except Exception as exc:`
LOAD_DEF_LINE = 14     # `def load(path):`
PARSE_TRY_LINE = 20    # first statement of parse()
SWALLOW_LINE = 23      # `        return None` inside `except ValueError:`


def source_of(item: types.CompletionItem) -> str:
    return item.detail.split(" · ")[1]


async def type_logger_in_except(editor, name: str):
    uri = editor.open(name, SERVICE)
    editor.edit(uri, (RAISE_LINE, 0), (RAISE_LINE, 0), "        logger.\n")
    return uri, (RAISE_LINE, 15)


async def test_model_loading_is_reported_with_progress(editor):
    reports = [report for reports in editor.client.progress_reports.values() for report in reports]
    assert reports[0].kind == "begin" and reports[0].title == "logsmith"
    assert reports[0].message == "loading model gemma-3-270m"
    assert reports[-1].kind == "end" and reports[-1].message.startswith("model gemma-3-270m ready in")
    assert all(report.kind == "report" for report in reports[1:-1])


async def test_completion_after_logger_dot_in_except(editor):
    uri, (line, column) = await type_logger_in_except(editor, "completion.py")
    result = await editor.complete(uri, line, column)
    assert result.items, "no completion after `logger.` in an except block"
    best = result.items[0]
    assert best.detail.split(" · ")[0] in ("error", "exception")
    assert source_of(best) in ("gemma-3-270m", "template")
    assert "exc" in best.label
    assert best.text_edit.range == types.Range(types.Position(line, 8), types.Position(line, column))
    assert best.text_edit.new_text.startswith("logger.") and best.text_edit.new_text.endswith(")")
    assert best.filter_text.startswith("logger.")
    assert best.command.command == "logsmith.accept" and len(best.command.arguments) == 1
    documentation = best.documentation.value if isinstance(best.documentation, types.MarkupContent) else best.documentation
    assert "re-raises" in documentation
    assert [item.sort_text for item in result.items] == sorted(item.sort_text for item in result.items)
    status = await editor.wait_for(lambda: [s for s in editor.statuses if s.channel == "completion"], what="status")
    assert status[-1].modelId == "gemma-3-270m" and status[-1].latencyMs > 0
    # Nothing is offered where no log statement is being typed, and the model is not asked.
    assert not (await editor.complete(uri, 8, 17)).items  # after `db.insert(record)`


async def test_completion_on_the_word_log_adds_the_missing_logger(editor):
    uri = editor.open("nologger.py", "import os\n\n\ndef remove(path):\n    \n    os.remove(path)\n")
    line, column = editor.type(uri, 4, 4, "log")
    items = (await editor.complete(uri, line, column)).items
    assert items
    best = items[0]
    assert best.text_edit.range == types.Range(types.Position(4, 4), types.Position(4, 7))
    assert best.text_edit.new_text.startswith("logger.") and "path" in best.text_edit.new_text
    assert best.filter_text.startswith("log")
    (setup,) = best.additional_text_edits
    assert "import logging" in setup.new_text and "logger = logging.getLogger(__name__)" in setup.new_text
    assert setup.range.end.line < 4
    # ghost text cannot carry the setup: accepting an inline item makes the server apply it
    uri = editor.open("nologger_inline.py", "import os\n\n\ndef remove(path):\n    \n    os.remove(path)\n")
    item = (await editor.inline(uri, 4, 4, invoked=True)).items[0]
    editor.edit(uri, (4, 4), (4, 4), item.insert_text)  # the editor inserts the ghost text, then runs the command
    assert (await editor.accept(item.command))["recorded"] is True
    applied = await editor.wait_for(lambda: [e for e in editor.applied_edits if uri in (e.edit.changes or {})],
                                    what="workspace/applyEdit")
    (edit,) = applied[0].edit.changes[uri]
    assert edit.new_text == setup.new_text and edit.range == setup.range


async def test_inline_completion_at_top_of_function(editor):
    uri = editor.open("inline.py", SERVICE)
    line, column = editor.type(uri, LOAD_DEF_LINE, len("def load(path):"), "\n    ")
    line, column = LOAD_DEF_LINE + 1, 4
    result = await editor.inline(uri, line, column)
    assert result is not None and len(result.items) == 1
    item = result.items[0]
    assert item.insert_text.startswith("logger.") and "path" in item.insert_text
    assert item.range == types.Range(types.Position(line, 4), types.Position(line, 4))
    assert item.command.command == "logsmith.accept"
    # automatic inline requests stay quiet where no statement fits: inside an expression statement's line
    assert await editor.inline(uri, LOAD_DEF_LINE + 2, 8) is None
    # but an explicit request (Invoked) answers on an empty line anywhere in a function body
    editor.type(uri, LOAD_DEF_LINE + 2, len("    with open(path) as handle:"), "\n        ")
    invoked = await editor.inline(uri, LOAD_DEF_LINE + 3, 8, invoked=True)
    assert invoked is not None and invoked.items[0].insert_text.startswith("logger.")


async def test_code_actions_insert_statements(editor):
    uri = editor.open("actions.py", SERVICE)
    actions = await editor.code_actions(uri, SWALLOW_LINE, 10)
    titles = [action.title for action in actions]
    assert titles == ["Log this exception", "Add log statement here", "Add entry log to this function"]
    expected = {"Log this exception": (SWALLOW_LINE, "        logger."),
                "Add log statement here": (SWALLOW_LINE, "        logger."),
                "Add entry log to this function": (PARSE_TRY_LINE, "    logger.")}
    for action in actions:
        resolved = await editor.client.code_action_resolve_async(action)
        if resolved.edit.document_changes:  # VS Code takes versioned edits
            (change,) = resolved.edit.document_changes
            assert change.text_document.uri == uri and change.text_document.version == editor.versions[uri]
            edits = change.edits
        else:  # Neovim's capabilities ask for the plain `changes` map
            edits = resolved.edit.changes[uri]
        main = edits[-1]
        line, prefix = expected[action.title]
        assert main.range == types.Range(types.Position(line, 0), types.Position(line, 0))
        assert main.new_text.startswith(prefix) and main.new_text.endswith(")\n")
        compile(main.new_text.strip(), "statement", "exec")  # a complete statement
        assert resolved.command.command == "logsmith.accept"
        answer = await editor.accept(resolved.command)
        assert answer["recorded"] is True
    accepted = editor.rows(event="accepted", channel="code_action")
    assert len([row for row in accepted if row["path"].endswith("actions.py")]) == 3


async def test_accept_command_writes_the_audit_row(editor):
    uri, (line, column) = await type_logger_in_except(editor, "accept.py")
    item = (await editor.complete(uri, line, column)).items[0]
    suggestion_id = item.command.arguments[0]
    shown = await editor.wait_rows(1, suggestion_id=suggestion_id, event="shown")
    answer = await editor.accept(item.command)
    assert answer == {"recorded": True, "id": suggestion_id}
    (row,) = editor.rows(suggestion_id=suggestion_id, event="accepted")
    assert row["statement"] == item.label
    assert row["path"].endswith("accept.py")
    assert row["channel"] == "completion" and row["rank"] == 0
    assert row["level"] == item.detail.split(" · ")[0] and row["source"] == source_of(item)
    assert row["model_id"] == "gemma-3-270m" and row["model_sha256"] == GEMMA_SHA
    assert row["site_kind"] == "except" and row["latency_ms"] == shown[0]["latency_ms"] > 0
    assert json.loads(row["settings"])["use_model"] is True
    assert stat.S_IMODE(editor.store.stat().st_mode) == 0o600
    assert row["prev_hash"] == editor.rows()[row["seq"] - 2]["row_hash"]
    verify = subprocess.run([sys.executable, "-m", "logsmith.cli", "audit", "--store", str(editor.store), "verify"],
                            capture_output=True, text=True, timeout=60)
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert (await editor.accept(types.Command(title="x", command="logsmith.accept", arguments=["no-such-id"])))["recorded"] is False


async def test_newer_request_supersedes_older(editor):
    uri, (line, column) = await type_logger_in_except(editor, "supersede.py")
    finished = {}

    async def ask(name, coroutine):
        result = await coroutine
        finished[name] = time.perf_counter()
        return result

    first = asyncio.ensure_future(ask("first", editor.complete(uri, line, column)))
    await asyncio.sleep(0.02)
    line, column = editor.type(uri, line, column, "e")
    second_sent = time.perf_counter()
    second = asyncio.ensure_future(ask("second", editor.complete(uri, line, column)))
    older, newer = await asyncio.gather(first, second)
    # Superseded work answers nothing; only an older request already answered may hold items.
    assert not older.items or finished["first"] <= second_sent
    assert newer.items and newer.items[0].text_edit.range.end.character == column
    assert finished["first"] < finished["second"]
    # the superseded request offered nothing, so it left no rows
    path = str(editor.home / "src" / "supersede.py")
    shown = await editor.wait_rows(len(newer.items), event="shown", path=path)
    shown_ids = {row["suggestion_id"] for row in shown}
    expected = {item.command.arguments[0] for item in newer.items}
    assert shown_ids == expected if not older.items else expected <= shown_ids

    # inline requests too (Neovim never cancels them): the older answers empty
    editor.type(uri, LOAD_DEF_LINE + 1, len("def load(path):"), "\n    ")
    older_inline = asyncio.ensure_future(ask("older inline", editor.inline(uri, LOAD_DEF_LINE + 2, 4)))
    await asyncio.sleep(0.02)
    newer_sent = time.perf_counter()
    newer_inline = await editor.inline(uri, LOAD_DEF_LINE + 2, 4)
    assert await older_inline is None or finished["older inline"] <= newer_sent
    assert newer_inline is not None and newer_inline.items


async def test_cancel_request_is_honoured(editor):
    uri, (line, column) = await type_logger_in_except(editor, "cancel.py")
    params = types.CompletionParams(types.TextDocumentIdentifier(uri), types.Position(line, column))
    pending = asyncio.wrap_future(editor.client.protocol.send_request(types.TEXT_DOCUMENT_COMPLETION, params,
                                                                      msg_id="cancel-me"))
    # Sent right behind the request: a template answer can take only a few milliseconds.
    editor.client.protocol.notify(types.CANCEL_REQUEST, types.CancelParams(id="cancel-me"))
    with pytest.raises(JsonRpcRequestCancelled):
        await asyncio.wait_for(pending, 10)
    await editor.settle()
    assert editor.rows(path=str(editor.home / "src" / "cancel.py")) == []  # nothing was offered
    assert (await editor.complete(uri, line, column)).items  # the server carries on


async def test_settings_changes(editor):
    uri, (line, column) = await type_logger_in_except(editor, "settings.py")
    try:
        editor.configure({"useModel": False})
        await editor.settle()
        items = (await editor.complete(uri, line, column)).items
        assert items and {source_of(item) for item in items} == {"template"}

        editor.configure({"latencyBudgetMs": "fast", "inline": "yes"})
        warnings = await editor.wait_for(lambda: [m for m in editor.messages if "logsmith settings" in m], what="warning")
        assert any("latency_budget_ms" in m for m in warnings) and any("'inline'" in m for m in warnings)
        assert (await editor.complete(uri, line, column)).items  # defaults kept, still serving

        editor.configure({"telemetry": False})
        await editor.settle()
        item = (await editor.complete(uri, line, column)).items[0]
        assert (await editor.accept(item.command))["recorded"] is False
        await editor.settle()
        assert editor.rows(suggestion_id=item.command.arguments[0]) == []  # neither shown nor accepted

        editor.configure({"storeCode": False})
        await editor.settle()
        item = (await editor.complete(uri, line, column)).items[0]
        assert (await editor.accept(item.command))["recorded"] is True
        (row,) = editor.rows(suggestion_id=item.command.arguments[0], event="accepted")
        assert row["statement"] is None and json.loads(row["settings"])["store_code"] is False

        editor.configure({"inline": False})
        await editor.settle()
        editor.type(uri, LOAD_DEF_LINE + 1, len("def load(path):"), "\n    ")
        assert await editor.inline(uri, LOAD_DEF_LINE + 2, 4) is None

        # a client that is asked (workspace/configuration) rather than pushing the settings
        editor.client.set_configuration({"logsmith": {"useModel": False}})
        editor.configure(None)
        await editor.settle()
        items = (await editor.complete(uri, line, column)).items
        assert {source_of(item) for item in items} == {"template"}
    finally:
        editor.client.set_configuration({})
        editor.configure({})
        await editor.settle()
    items = (await editor.complete(uri, line, column)).items
    assert items


@pytest.mark.parametrize("client", ["vscode", "neovim"])
async def test_missing_model_keeps_templates(tmp_path, client):
    session = await start_editor(tmp_path, client, env={"LOGSMITH_MODEL": str(tmp_path / "no-such-model.gguf")},
                                 initialization_options={"logsmith": {"inline": "yes", "latencyBudgetMs": 500}})
    try:
        message = await session.wait_for(lambda: [m for m in session.messages if "logsmith model install" in m],
                                         what="the missing model message")
        assert "no-such-model.gguf" in message[0] and "templates" in message[0]
        # invalid initializationOptions: a visible message, the rest of the options still applied
        assert any("setting 'inline' must be true or false" in m for m in session.messages)
        uri, (line, column) = await type_logger_in_except(session, "missing.py")
        items = (await session.complete(uri, line, column)).items
        assert items and {source_of(item) for item in items} == {"template"}
        assert "not found" in (items[0].documentation.value if isinstance(items[0].documentation, types.MarkupContent)
                               else items[0].documentation)
    finally:
        await stop_editor(session)


async def test_did_show_and_partial_accept(editor):
    """Copilot's notifications. Kept last in the module: after the first didShowCompletion the server
    trusts the client to report display, so inline items are recorded as shown only when it says so."""
    uri = editor.open("signals.py", SERVICE)
    editor.type(uri, LOAD_DEF_LINE, len("def load(path):"), "\n    ")
    first = (await editor.inline(uri, LOAD_DEF_LINE + 1, 4)).items[0]
    first_id = first.command.arguments[0]
    await editor.wait_rows(1, suggestion_id=first_id, event="shown")  # before any didShow: shown when sent
    editor.client.protocol.notify("textDocument/didShowCompletion", {"item": {"insertText": first.insert_text,
                                                                             "command": {"command": "logsmith.accept",
                                                                                         "arguments": [first_id]}}})
    second = (await editor.inline(uri, LOAD_DEF_LINE + 1, 4)).items[0]
    second_id = second.command.arguments[0]
    (dismissed,) = await editor.wait_rows(1, suggestion_id=first_id, event="dismissed")
    assert json.loads(dismissed["detail"]) == {"reason": "next_request"}
    assert len(editor.rows(suggestion_id=first_id, event="shown")) == 1  # didShow did not count it twice
    await editor.settle()
    assert editor.rows(suggestion_id=second_id) == []  # not displayed yet, as far as the client said
    editor.client.protocol.notify("textDocument/didShowCompletion",
                                  {"item": {"command": {"command": "logsmith.accept", "arguments": [second_id]}}})
    await editor.wait_rows(1, suggestion_id=second_id, event="shown")
    editor.client.protocol.notify("textDocument/didPartiallyAcceptCompletion",
                                  {"item": {"command": {"command": "logsmith.accept", "arguments": [second_id]}},
                                   "acceptedLength": 7})
    (partial,) = await editor.wait_rows(1, suggestion_id=second_id, event="partially_accepted")
    assert json.loads(partial["detail"]) == {"accepted_chars": 7}
    assert partial["statement"] == second.insert_text
    # notifications about suggestions the server never made are ignored without harm
    editor.client.protocol.notify("textDocument/didShowCompletion", {"item": {"insertText": "x"}})
    editor.client.protocol.notify("textDocument/didPartiallyAcceptCompletion", {"suggestionId": "nope"})
    assert (await editor.inline(uri, LOAD_DEF_LINE + 1, 4)).items


def long_service(functions: int = 30) -> tuple[str, int]:
    """A module whose model context near its end is long (about 1,700 tokens: seconds of prompt
    evaluation on 2 cores, more than the 800 ms budget), with `logger.` typed in its last except
    block. Returns the text and the line of `logger.`."""
    lines = ["import json", "import logging", "", "logger = logging.getLogger(__name__)", ""]
    for n in range(functions):
        lines += ["", f"def load_table_{n}(path):", "    with open(path, encoding='utf-8') as handle:",
                  "        rows = json.load(handle)", f'    logger.debug("Loaded %d rows of table {n} from %s", len(rows), path)',
                  "    return rows", ""]
    lines += ["", "def save_index(index, path):", "    try:", "        with open(path, 'w', encoding='utf-8') as handle:",
              "            json.dump(index, handle)", "    except OSError as exc:", "        logger.", "        raise"]
    return "\n".join(lines) + "\n", len(lines) - 2


async def test_a_cold_site_is_answered_without_waiting_and_the_model_reads_it_meanwhile(editor):
    # an earlier test may have switched models: this one needs the model loaded
    await editor.wait_for(lambda: editor.statuses and editor.statuses[-1].modelState == "ready", 120, "the model")
    text, line = long_service()
    uri = editor.open("cold_site.py", text)
    first = await editor.complete(uri, line, 15)
    assert first.items and source_of(first.items[0]) == "template"
    status = await editor.wait_for(lambda: [s for s in editor.statuses if s.channel == "completion"], what="status")
    assert first.is_incomplete is True, status[-1].notes  # the editor asks again on the next keystroke
    assert any("no time left for the model" in note and "reads it meanwhile" in note for note in status[-1].notes), status[-1].notes
    # The server goes on reading the file's context after answering: a later request gets the model
    # (it writes the statement, or its answer is read and turned down on quality: a one-word message).
    answers = []
    for _ in range(30):
        await asyncio.sleep(1.0)
        later = await editor.complete(uri, line, 15)
        items = later.items
        notes = [s for s in editor.statuses if s.channel == "completion"][-1].notes
        answers.append((source_of(items[0]), notes))
        if source_of(items[0]) == "gemma-3-270m" or any("gave no usable message" in note for note in notes):
            break
    assert not any("no time left" in note or "ran out of time" in note for note in answers[-1][1]), answers
    assert later.is_incomplete is False
    assert items[0].detail.split(" · ")[0] in ("error", "exception") and "logger." in items[0].label
