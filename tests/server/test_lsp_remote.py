"""The real language server over stdio with `model` set to a real llama-server's URL: the server's
model writes the statement, the audit trail names the remote backend, and when llama-server dies
mid-session the template answers with a note, the status says the server is unreachable and how
to fix it, and the model is used again once llama-server is back (on the same port)."""

from __future__ import annotations

import json

import pytest
import pytest_asyncio
from eval.bench.inference_server import llama_server
from lsp_session import start_editor, stop_editor

pytestmark = [pytest.mark.model, pytest.mark.asyncio(loop_scope="module")]

ANSWER_MS = 120_000
SERVICE = '''import logging

logger = logging.getLogger(__name__)


def fetch_prices(client, symbol):
    try:
        return client.get(symbol)
    except ConnectionError as err:
        raise
'''
RAISE_LINE = 9


@pytest.fixture(scope="module")
def inference(default_model_path, tmp_path_factory):
    running = llama_server(default_model_path, tmp_path_factory.mktemp("llama-server")).start()
    yield running
    running.stop()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def remote_editor(inference, tmp_path_factory):
    """The server configured by its editor options (as a workspace could) with the loopback URL."""
    session = await start_editor(
        tmp_path_factory.mktemp("home-remote"), "neovim",
        initialization_options={"logsmith": {"model": inference.url, "latencyBudgetMs": ANSWER_MS}})
    await session.wait_for(lambda: any(getattr(s, "modelState", None) == "ready" for s in session.statuses),
                           60, "the server's model to be ready")
    yield session
    await stop_editor(session)


def source_of(item) -> str:
    """The model (or engine) that wrote an item; a server's model is shown followed by `(remote)`."""
    return item.detail.split(" · ")[1].removesuffix(" (remote)")


async def ask_in_except(editor, name: str):
    """`logger.` typed in the except block of a fresh document; the completion items."""
    uri = editor.open(name, SERVICE)
    editor.edit(uri, (RAISE_LINE, 0), (RAISE_LINE, 0), "        logger.\n")
    return uri, (await editor.complete(uri, RAISE_LINE, len("        logger."))).items


async def test_the_servers_model_writes_and_the_audit_names_the_remote_backend(
    remote_editor, inference, default_model_path
):
    status = await remote_editor.status()
    assert status["backend"] == "llama-server" and status["modelId"] == default_model_path.name
    _uri, items = await ask_in_except(remote_editor, "remote.py")
    by_server = [item for item in items if source_of(item) == default_model_path.name]
    assert by_server, f"no statement by the server's model: {[source_of(i) for i in items]}"
    chosen = by_server[0]
    assert chosen.label.startswith("logger.")
    await remote_editor.accept(chosen.command)
    (row,) = await remote_editor.wait_rows(1, suggestion_id=chosen.command.arguments[0],
                                           event="accepted")
    assert row["model_id"] == default_model_path.name and row["model_sha256"] is None
    detail = json.loads(row["detail"])
    assert detail.pop("route_reason").endswith("; no stronger model set (escalate_to)")
    assert detail == {"backend": "llama-server", "server_model": default_model_path.name,
                      "route": "remote", "language": "python"}
    assert chosen.detail.endswith(" (remote)")
    assert json.loads(row["settings"])["model"] == inference.url


async def test_a_dead_server_gives_the_template_a_note_and_a_status_and_comes_back(
    remote_editor, inference, default_model_path
):
    inference.stop()
    notes: list[str] = []
    failed = None
    for attempt in range(10):  # each failure counts; the breaker opens after a few
        _uri, items = await ask_in_except(remote_editor, f"down{attempt}.py")
        assert items and all(source_of(item) != default_model_path.name for item in items)
        notes += [note for item in items for note in (item.documentation.value
                                                      if item.documentation else "").split("\n")]
        failed = next((s for s in reversed(remote_editor.statuses)
                       if getattr(s, "modelState", None) == "failed"), None)
        if failed:
            break
    assert failed is not None, "the status never said the server was down"
    assert inference.url in failed.modelNote and "unreachable" in failed.modelNote
    assert "start the server, or change the `model` setting" in failed.modelNote
    assert any("connection refused" in note or "unreachable" in note for note in notes), notes
    assert any(inference.url in message and "unreachable" in message
               for message in remote_editor.messages)
    # down: answered at once by the template, with the reason
    _uri, items = await ask_in_except(remote_editor, "still-down.py")
    assert source_of(items[0]) != default_model_path.name

    inference.start()  # same port: the user started the server again
    back = None
    for attempt in range(120):
        _uri, items = await ask_in_except(remote_editor, f"back{attempt}.py")
        back = next((item for item in items if source_of(item) == default_model_path.name), None)
        if back is not None:
            break
        await remote_editor.settle(1.0)
    assert back is not None, "the server's model never wrote again after the server came back"
    latest = remote_editor.statuses[-1]
    assert latest.modelState == "ready" and latest.modelNote is None and latest.backend == "llama-server"
