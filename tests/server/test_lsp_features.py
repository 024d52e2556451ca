"""The real server as VS Code and Neovim see it.

One server per client kind and engine for the whole module (the `served` fixture): with the real
default model (`model` tier), and with the template engine only (fast tier), for every test whose
assertions hold whoever writes the statement; a test that needs the model takes only the model's
servers (MODEL_ONLY). Each test opens its own file.
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

from lsp_session import server_kinds, start_editor, stop_editor

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.filterwarnings("error", category=LspSpecificationWarning)]

GEMMA_SHA = "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818"
MODEL_ID = {"model": "gemma-3-270m", "template": None}
"""The model a server of each engine names in its status and audit rows."""
MODEL_ONLY = pytest.mark.parametrize("served", server_kinds("model"), indirect=True)
"""For a test about the model itself: only the servers with the real model."""
ANY_CLIENT = pytest.mark.parametrize("served", [*server_kinds("model"), *server_kinds("template", clients=("neovim",))],
                                     indirect=True)
"""For a test whose exchange does not depend on the client's capabilities: the model's servers, and
one template-only server (the fast tier's time goes to what differs between the clients)."""

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


def without_backend(detail: dict) -> dict:
    """An event's detail without what every event of a configured model carries: its backend, the
    server's model, the route and why; those must name the embedded backend (and a route that is not
    remote) when they are there."""
    assert detail.pop("language", "python") == "python"  # every event names the document's language
    backend = {key: detail.pop(key) for key in ("backend", "server_model", "route") if key in detail}
    assert backend == {} or (backend["backend"], backend["server_model"]) == ("embedded", None)
    assert backend == {} or backend["route"] in ("local", "template", "neighbour")
    assert backend == {} or detail.pop("route_reason")  # why the route: with every route
    return detail


def source_of(item: types.CompletionItem) -> str:
    return item.detail.split(" · ")[1]


async def type_logger_in_except(editor, name: str):
    uri = editor.open(name, SERVICE)
    editor.edit(uri, (RAISE_LINE, 0), (RAISE_LINE, 0), "        logger.\n")
    return uri, (RAISE_LINE, 15)


@MODEL_ONLY
async def test_model_loading_is_reported_with_progress(served):
    reports = [report for token, reports in served.client.progress_reports.items()
               if token.startswith("logsmith-model") for report in reports]
    assert reports[0].kind == "begin" and reports[0].title == "logsmith"
    assert reports[0].message == "loading model gemma-3-270m"
    assert reports[-1].kind == "end" and reports[-1].message.startswith("model gemma-3-270m ready in")
    assert all(report.kind == "report" for report in reports[1:-1])


async def test_completion_after_logger_dot_in_except(served):
    uri, (line, column) = await type_logger_in_except(served, "completion.py")
    result = await served.complete(uri, line, column)
    assert result.items, "no completion after `logger.` in an except block"
    best = result.items[0]
    assert best.detail.split(" · ")[0] in ("error", "exception")
    assert source_of(best) in ({"gemma-3-270m", "template"} if served.engine == "model" else {"template"})
    assert "exc" in best.label
    assert best.text_edit.range == types.Range(types.Position(line, 8), types.Position(line, column))
    assert best.text_edit.new_text.startswith("logger.") and best.text_edit.new_text.endswith(")")
    assert best.filter_text.startswith("logger.")
    assert best.command.command == "logsmith.accept" and len(best.command.arguments) == 1
    documentation = best.documentation.value if isinstance(best.documentation, types.MarkupContent) else best.documentation
    assert "re-raises" in documentation
    assert [item.sort_text for item in result.items] == sorted(item.sort_text for item in result.items)
    status = await served.wait_for(lambda: [s for s in served.statuses if s.channel == "completion"], what="status")
    assert status[-1].modelId == MODEL_ID[served.engine] and status[-1].latencyMs > 0
    # Nothing is offered where no log statement is being typed, and the model is not asked.
    assert not (await served.complete(uri, 8, 17)).items  # after `db.insert(record)`


async def test_completion_on_the_word_log_adds_the_missing_logger(served):
    uri = served.open("nologger.py", "import os\n\n\ndef remove(path):\n    \n    os.remove(path)\n")
    line, column = served.type(uri, 4, 4, "log")
    items = (await served.complete(uri, line, column)).items
    assert items
    best = items[0]
    assert best.text_edit.range == types.Range(types.Position(4, 4), types.Position(4, 7))
    assert best.text_edit.new_text.startswith("logger.") and "path" in best.text_edit.new_text
    assert best.filter_text.startswith("log")
    setup = best.additional_text_edits  # `import logging` before `import os`, as isort orders them; the logger after
    assert [(e.new_text, e.range.start.line) for e in setup] == [
        ("import logging\n", 0), ("\nlogger = logging.getLogger(__name__)\n", 1)]
    assert all(e.range.start == e.range.end for e in setup)
    # ghost text cannot carry the setup: accepting an inline item makes the server apply it
    uri = served.open("nologger_inline.py", "import os\n\n\ndef remove(path):\n    \n    os.remove(path)\n")
    item = (await served.inline(uri, 4, 4, invoked=True)).items[0]
    served.edit(uri, (4, 4), (4, 4), item.insert_text)  # the served inserts the ghost text, then runs the command
    assert (await served.accept(item.command))["recorded"] is True
    applied = await served.wait_for(lambda: [e for e in served.applied_edits if uri in (e.edit.changes or {})],
                                    what="workspace/applyEdit")
    edits = applied[0].edit.changes[uri]
    assert [(e.new_text, e.range) for e in edits] == [(e.new_text, e.range) for e in setup]


async def test_inline_completion_at_top_of_function(served):
    uri = served.open("inline.py", SERVICE)
    line, column = served.type(uri, LOAD_DEF_LINE, len("def load(path):"), "\n    ")
    line, column = LOAD_DEF_LINE + 1, 4
    result = await served.inline(uri, line, column)
    assert result is not None and len(result.items) == 1
    item = result.items[0]
    assert item.insert_text.startswith("logger.") and "path" in item.insert_text
    assert item.range == types.Range(types.Position(line, 4), types.Position(line, 4))
    assert item.command.command == "logsmith.accept"
    # automatic inline requests stay quiet where no statement fits: inside an expression statement's line
    assert await served.inline(uri, LOAD_DEF_LINE + 2, 8) is None
    # but an explicit request (Invoked) answers on an empty line anywhere in a function body
    served.type(uri, LOAD_DEF_LINE + 2, len("    with open(path) as handle:"), "\n        ")
    invoked = await served.inline(uri, LOAD_DEF_LINE + 3, 8, invoked=True)
    assert invoked is not None and invoked.items[0].insert_text.startswith("logger.")


async def test_code_actions_insert_statements(served):
    uri = served.open("actions.py", SERVICE)
    actions = await served.code_actions(uri, SWALLOW_LINE, 10)
    titles = [action.title for action in actions]
    assert titles == ["Log this exception", "Add log statement here", "Add entry log to this function"]
    expected = {"Log this exception": (SWALLOW_LINE, "        logger."),
                "Add log statement here": (SWALLOW_LINE, "        logger."),
                "Add entry log to this function": (PARSE_TRY_LINE, "    logger.")}
    for action in actions:
        resolved = await served.client.code_action_resolve_async(action)
        if resolved.edit.document_changes:  # VS Code takes versioned edits
            (change,) = resolved.edit.document_changes
            assert change.text_document.uri == uri and change.text_document.version == served.versions[uri]
            edits = change.edits
        else:  # Neovim's capabilities ask for the plain `changes` map
            edits = resolved.edit.changes[uri]
        main = edits[-1]
        line, prefix = expected[action.title]
        assert main.range == types.Range(types.Position(line, 0), types.Position(line, 0))
        assert main.new_text.startswith(prefix) and main.new_text.endswith(")\n")
        compile(main.new_text.strip(), "statement", "exec")  # a complete statement
        assert resolved.command.command == "logsmith.accept"
        answer = await served.accept(resolved.command)
        assert answer["recorded"] is True
    accepted = served.rows(event="accepted", channel="code_action")
    assert len([row for row in accepted if row["path"].endswith("actions.py")]) == 3


@ANY_CLIENT
async def test_accept_command_writes_the_audit_row(served):
    uri, (line, column) = await type_logger_in_except(served, "accept.py")
    item = (await served.complete(uri, line, column)).items[0]
    suggestion_id = item.command.arguments[0]
    shown = await served.wait_rows(1, suggestion_id=suggestion_id, event="shown")
    answer = await served.accept(item.command)
    assert answer == {"recorded": True, "id": suggestion_id}
    (row,) = served.rows(suggestion_id=suggestion_id, event="accepted")
    assert row["statement"] == item.label
    assert row["path"].endswith("accept.py")
    assert row["channel"] == "completion" and row["rank"] == 0
    assert row["level"] == item.detail.split(" · ")[0] and row["source"] == source_of(item)
    assert row["model_id"] == MODEL_ID[served.engine]
    assert row["model_sha256"] == (GEMMA_SHA if served.engine == "model" else None)
    assert row["site_kind"] == "except" and row["latency_ms"] == shown[0]["latency_ms"] > 0
    assert json.loads(row["settings"])["use_model"] is (served.engine == "model")
    assert stat.S_IMODE(served.store.stat().st_mode) == 0o600
    assert row["prev_hash"] == served.rows()[row["seq"] - 2]["row_hash"]
    verify = subprocess.run([sys.executable, "-m", "logsmith.cli", "audit", "--store", str(served.store), "verify"],
                            capture_output=True, text=True, timeout=60)
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert (await served.accept(types.Command(title="x", command="logsmith.accept", arguments=["no-such-id"])))["recorded"] is False


def long_service(functions: int = 30) -> tuple[str, int]:
    """A module of `functions` small functions, then `logger.` typed in an except block. With the
    default 30 its model context near its end is long (about 1,700 tokens: seconds of prompt
    evaluation on 2 cores, more than the 800 ms budget). Returns the text and the line of `logger.`."""
    lines = ["import json", "import logging", "", "logger = logging.getLogger(__name__)", ""]
    for n in range(functions):
        lines += ["", f"def load_table_{n}(path):", "    with open(path, encoding='utf-8') as handle:",
                  "        rows = json.load(handle)", f'    logger.debug("Loaded %d rows of table {n} from %s", len(rows), path)',
                  "    return rows", ""]
    lines += ["", "def save_index(index, path):", "    try:", "        with open(path, 'w', encoding='utf-8') as handle:",
              "            json.dump(index, handle)", "    except OSError as exc:", "        logger.", "        raise"]
    return "\n".join(lines) + "\n", len(lines) - 2


LONG_FUNCTIONS = 2000
"""A file of about 400 KB: reading it takes the server a few hundred milliseconds, far longer than a
message takes to arrive, so a request on it is still being worked on when a message sent right
behind it comes (whichever engine answers: a template answer on a short file can come back in a
few milliseconds). It does not help a newer request supersede an older one: while a suggestion
thread parses, the server reads no message (tree-sitter holds the GIL), so the older one is done
before the newer is read; only the model, in its own process, keeps a request in flight."""


@MODEL_ONLY  # with templates only the older request is answered before the newer is read (LONG_FUNCTIONS)
async def test_newer_request_supersedes_older(served):
    uri, (line, column) = await type_logger_in_except(served, "supersede.py")
    finished = {}

    async def ask(name, coroutine):
        result = await coroutine
        finished[name] = time.perf_counter()
        return result

    first = asyncio.ensure_future(ask("first", served.complete(uri, line, column)))
    await asyncio.sleep(0.02)
    line, column = served.type(uri, line, column, "e")
    second_sent = time.perf_counter()
    second = asyncio.ensure_future(ask("second", served.complete(uri, line, column)))
    older, newer = await asyncio.gather(first, second)
    # Superseded work answers nothing; only an older request already answered may hold items.
    assert not older.items or finished["first"] <= second_sent
    assert newer.items and newer.items[0].text_edit.range.end.character == column
    assert finished["first"] < finished["second"]
    # the superseded request offered nothing, so it left no rows
    path = str(served.home / "src" / "supersede.py")
    shown = await served.wait_rows(len(newer.items), event="shown", path=path)
    shown_ids = {row["suggestion_id"] for row in shown}
    expected = {item.command.arguments[0] for item in newer.items}
    assert shown_ids == expected if not older.items else expected <= shown_ids

    # inline requests too (Neovim never cancels them): the older answers empty
    served.type(uri, LOAD_DEF_LINE + 1, len("def load(path):"), "\n    ")
    older_inline = asyncio.ensure_future(ask("older inline", served.inline(uri, LOAD_DEF_LINE + 2, 4)))
    await asyncio.sleep(0.02)
    newer_sent = time.perf_counter()
    newer_inline = await served.inline(uri, LOAD_DEF_LINE + 2, 4)
    assert await older_inline is None or finished["older inline"] <= newer_sent
    assert newer_inline is not None and newer_inline.items


@ANY_CLIENT
async def test_cancel_request_is_honoured(served):
    text, line = long_service(LONG_FUNCTIONS)
    uri, column = served.open("cancel.py", text), 15
    params = types.CompletionParams(types.TextDocumentIdentifier(uri), types.Position(line, column))
    pending = asyncio.wrap_future(served.client.protocol.send_request(types.TEXT_DOCUMENT_COMPLETION, params,
                                                                      msg_id="cancel-me"))
    # Sent right behind the request, which is still reading the long file.
    served.client.protocol.notify(types.CANCEL_REQUEST, types.CancelParams(id="cancel-me"))
    with pytest.raises(JsonRpcRequestCancelled):
        await asyncio.wait_for(pending, 10)
    await served.settle()
    assert served.rows(path=str(served.home / "src" / "cancel.py")) == []  # nothing was offered
    assert (await served.complete(uri, line, column)).items  # the server carries on


@ANY_CLIENT
async def test_settings_changes(served):
    uri, (line, column) = await type_logger_in_except(served, "settings.py")
    try:
        served.configure({"useModel": False})
        await served.settle()
        items = (await served.complete(uri, line, column)).items
        assert items and {source_of(item) for item in items} == {"template"}

        served.configure({"latencyBudgetMs": "fast", "inline": "yes"})
        warnings = await served.wait_for(lambda: [m for m in served.messages if "logsmith settings" in m], what="warning")
        assert any("latency_budget_ms" in m for m in warnings) and any("'inline'" in m for m in warnings)
        assert (await served.complete(uri, line, column)).items  # defaults kept, still serving

        served.configure({"telemetry": False})
        await served.settle()
        item = (await served.complete(uri, line, column)).items[0]
        assert (await served.accept(item.command))["recorded"] is False
        await served.settle()
        assert served.rows(suggestion_id=item.command.arguments[0]) == []  # neither shown nor accepted

        served.configure({"storeCode": False})
        await served.settle()
        item = (await served.complete(uri, line, column)).items[0]
        assert (await served.accept(item.command))["recorded"] is True
        (row,) = served.rows(suggestion_id=item.command.arguments[0], event="accepted")
        assert row["statement"] is None and json.loads(row["settings"])["store_code"] is False

        served.configure({"inline": False})
        await served.settle()
        served.type(uri, LOAD_DEF_LINE + 1, len("def load(path):"), "\n    ")
        assert await served.inline(uri, LOAD_DEF_LINE + 2, 4) is None

        # a client that is asked (workspace/configuration) rather than pushing the settings
        served.client.set_configuration({"logsmith": {"useModel": False}})
        served.configure(None)
        await served.settle()
        items = (await served.complete(uri, line, column)).items
        assert {source_of(item) for item in items} == {"template"}
    finally:
        served.client.set_configuration({})
        served.configure({})
        await served.settle()
    items = (await served.complete(uri, line, column)).items
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


@ANY_CLIENT
async def test_did_show_and_partial_accept(served):
    """Copilot's notifications. Kept last in the module: after the first didShowCompletion the server
    trusts the client to report display, so inline items are recorded as shown only when it says so."""
    uri = served.open("signals.py", SERVICE)
    served.type(uri, LOAD_DEF_LINE, len("def load(path):"), "\n    ")
    first = (await served.inline(uri, LOAD_DEF_LINE + 1, 4)).items[0]
    first_id = first.command.arguments[0]
    await served.wait_rows(1, suggestion_id=first_id, event="shown")  # before any didShow: shown when sent
    served.client.protocol.notify("textDocument/didShowCompletion", {"item": {"insertText": first.insert_text,
                                                                             "command": {"command": "logsmith.accept",
                                                                                         "arguments": [first_id]}}})
    second = (await served.inline(uri, LOAD_DEF_LINE + 1, 4)).items[0]
    second_id = second.command.arguments[0]
    (dismissed,) = await served.wait_rows(1, suggestion_id=first_id, event="dismissed")
    assert without_backend(json.loads(dismissed["detail"])) == {"reason": "next_request"}
    assert len(served.rows(suggestion_id=first_id, event="shown")) == 1  # didShow did not count it twice
    await served.settle()
    assert served.rows(suggestion_id=second_id) == []  # not displayed yet, as far as the client said
    served.client.protocol.notify("textDocument/didShowCompletion",
                                  {"item": {"command": {"command": "logsmith.accept", "arguments": [second_id]}}})
    await served.wait_rows(1, suggestion_id=second_id, event="shown")
    served.client.protocol.notify("textDocument/didPartiallyAcceptCompletion",
                                  {"item": {"command": {"command": "logsmith.accept", "arguments": [second_id]}},
                                   "acceptedLength": 7})
    (partial,) = await served.wait_rows(1, suggestion_id=second_id, event="partially_accepted")
    assert without_backend(json.loads(partial["detail"])) == {"accepted_chars": 7}
    assert partial["statement"] == second.insert_text
    # notifications about suggestions the server never made are ignored without harm
    served.client.protocol.notify("textDocument/didShowCompletion", {"item": {"insertText": "x"}})
    served.client.protocol.notify("textDocument/didPartiallyAcceptCompletion", {"suggestionId": "nope"})
    assert (await served.inline(uri, LOAD_DEF_LINE + 1, 4)).items


@MODEL_ONLY
async def test_a_cold_site_is_answered_without_waiting_and_the_model_reads_it_meanwhile(served):
    # an earlier test may have switched models: this one needs the model loaded
    await served.wait_for(lambda: served.statuses and served.statuses[-1].modelState == "ready", 120, "the model")
    # about the model alone: without the project index, whose neighbours here would be the file's
    # own thirty debug statements outside any handler
    served.configure({"projectIndex": False})
    await served.settle()
    try:
        await cold_site_answered_then_read(served)
    finally:
        served.configure({})
        await served.settle()


async def cold_site_answered_then_read(served):
    text, line = long_service()
    uri = served.open("cold_site.py", text)
    first = await served.complete(uri, line, 15)
    assert first.items and source_of(first.items[0]) == "template"
    status = await served.wait_for(lambda: [s for s in served.statuses if s.channel == "completion"], what="status")
    assert first.is_incomplete is True, status[-1].notes  # the served asks again on the next keystroke
    assert any("no time left for the model" in note and "reads it meanwhile" in note for note in status[-1].notes), status[-1].notes
    # The server goes on reading the file's context after answering: a later request gets the model
    # (it writes the statement, or its answer is read and turned down on quality: a one-word message).
    answers = []
    for _ in range(30):
        await asyncio.sleep(1.0)
        later = await served.complete(uri, line, 15)
        items = later.items
        notes = [s for s in served.statuses if s.channel == "completion"][-1].notes
        answers.append((source_of(items[0]), notes))
        if source_of(items[0]) == "gemma-3-270m" or any("gave no usable message" in note for note in notes):
            break
    assert not any("no time left" in note or "ran out of time" in note for note in answers[-1][1]), answers
    assert later.is_incomplete is False
    assert items[0].detail.split(" · ")[0] in ("error", "exception") and "logger." in items[0].label
