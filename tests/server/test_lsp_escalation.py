"""The real language server over stdio with the embedded Gemma as `model` and a real llama-server as
`escalateTo` at 100 % (every statement the local model writes is escalated): the first completion is
the local model's, incomplete (the stronger model is asked in the background, its answer time not
known yet); a later request at the same place gets the stronger model's statement, shown as remote,
and the audit trail records route `remote` and why. With llama-server killed, the local statement
is served with a note saying why the stronger model's is not."""

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
TYPED = "        logger."
ATTEMPTS = 240
"""Requests, a second apart, before the stronger model's answer must have arrived."""


@pytest.fixture(scope="module")
def stronger(default_model_path, tmp_path_factory):
    running = llama_server(default_model_path, tmp_path_factory.mktemp("llama-server")).start()
    yield running
    running.stop()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def escalating_editor(stronger, default_model_path, tmp_path_factory):
    options = {"model": str(default_model_path), "latencyBudgetMs": ANSWER_MS,
               "escalateTo": stronger.url, "escalatePercent": 100}
    session = await start_editor(tmp_path_factory.mktemp("home-escalate"), "neovim",
                                 initialization_options={"logsmith": options})
    await session.model_ready()
    yield session
    await stop_editor(session)


def documentation(item) -> str:
    return item.documentation.value if item.documentation else ""


async def typed_in_except(editor, name: str, function: str = "fetch_prices") -> str:
    """`logger.` typed in the except block of a new document (the stronger model's answers are
    kept by the prompt: another function name is another prompt)."""
    uri = editor.open(name, SERVICE.replace("fetch_prices", function))
    editor.edit(uri, (RAISE_LINE, 0), (RAISE_LINE, 0), TYPED + "\n")
    return uri


async def test_local_first_then_the_stronger_models_statement_with_its_route_in_the_audit(
    escalating_editor,
):
    uri = await typed_in_except(escalating_editor, "escalated.py")
    first = await escalating_editor.complete(uri, RAISE_LINE, len(TYPED))
    assert first.items and first.is_incomplete, [i.detail for i in first.items]
    assert "(remote)" not in first.items[0].detail
    assert "asked in the background" in documentation(first.items[0])
    remote = None
    for _attempt in range(ATTEMPTS):
        await escalating_editor.settle(1.0)
        answer = await escalating_editor.complete(uri, RAISE_LINE, len(TYPED))
        remote = next((item for item in answer.items if item.detail.endswith("(remote)")), None)
        if remote is not None:
            break
    assert remote is not None, "the stronger model's statement was never served"
    assert answer.items[0] is remote and remote.label.startswith("logger.")
    assert "the stronger model answered in the background" in documentation(remote)
    await escalating_editor.accept(remote.command)
    (row,) = await escalating_editor.wait_rows(1, suggestion_id=remote.command.arguments[0],
                                               event="accepted")
    detail = json.loads(row["detail"])
    assert detail["route"] == "remote" and detail["backend"] == "embedded"
    assert detail["route_reason"].startswith("local confidence ")
    assert detail["route_reason"].endswith("the stronger model answered in the background")


async def test_with_the_stronger_server_killed_the_local_statement_says_why(
    escalating_editor, stronger
):
    stronger.stop()
    uri = await typed_in_except(escalating_editor, "killed.py", "fetch_quotes")
    kept = None
    for _attempt in range(ATTEMPTS):
        answer = await escalating_editor.complete(uri, RAISE_LINE, len(TYPED))
        assert answer.items and not any(i.detail.endswith("(remote)") for i in answer.items)
        kept = next((item for item in answer.items
                     if "Note: stronger model: " in documentation(item)), None)
        if kept is not None:
            break
        await escalating_editor.settle(0.5)
    assert kept is not None, "no note said why the stronger model's statement was not served"
    assert not answer.is_incomplete
    assert "local answer kept" in documentation(answer.items[0])
