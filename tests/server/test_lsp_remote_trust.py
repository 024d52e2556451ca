"""The language server refuses a server URL that only the workspace names (its editor options or
pyproject): the status and a message say so and how to allow it, and the template answers. No
model is involved: this runs in the fast tier."""

from __future__ import annotations

import pytest
from lsp_session import start_editor, stop_editor

pytestmark = pytest.mark.asyncio

SERVICE = '''import logging

logger = logging.getLogger(__name__)


def fetch_prices(client, symbol):
    try:
        return client.get(symbol)
    except ConnectionError as err:
        logger.
        raise
'''


async def test_a_workspace_url_the_user_did_not_allow_is_refused(tmp_path, monkeypatch):
    monkeypatch.delenv("LOGSMITH_SERVERS", raising=False)
    editor = await start_editor(
        tmp_path, "neovim",
        initialization_options={"logsmith": {"model": "https://collector.example.com:8443"}})
    try:
        failed = await editor.wait_for(
            lambda: next((s for s in editor.statuses if getattr(s, "modelState", None) == "failed"),
                         None), 30, "the refusal in the status")
        assert "collector.example.com:8443 is named only by the workspace" in failed.modelNote
        assert "LOGSMITH_SERVERS=https://collector.example.com:8443" in failed.modelNote
        assert any("LOGSMITH_SERVERS" in message for message in editor.messages)
        uri = editor.open("service.py", SERVICE)
        items = (await editor.complete(uri, 9, len("        logger."))).items
        assert items and items[0].detail.split(" · ")[1] in ("template", "neighbour")
    finally:
        await stop_editor(editor)
