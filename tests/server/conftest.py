"""Fixtures for the end-to-end tests: real `logsmith serve` processes over stdio, one per module and
client kind (and engine), so the model loads once per module.

- `editor`: the server with the real default model loaded, for a test that needs nothing else.
  Every test using it is a `model` test (tests/conftest.py marks it so).
- `served`: the same, parametrized over the engine too: the server with the real model (those
  parameters carry the `model` marker) and the server with the template engine only
  (`LOGSMITH_NO_MODEL=1`, the fast tier). For tests of the protocol whose assertions hold whoever
  writes the statement; a test that needs the model's answer takes only the model's parameters
  (`@pytest.mark.parametrize("served", server_kinds("model"), indirect=True)`).
"""

from __future__ import annotations

import pytest_asyncio
from lsp_session import CLIENTS, server_kinds, start_editor, start_served, stop_editor


@pytest_asyncio.fixture(scope="module", loop_scope="module", params=sorted(CLIENTS))
async def editor(request, tmp_path_factory, default_model_path):
    """One real server per module and client kind, with the default model loaded."""
    home = tmp_path_factory.mktemp(f"home-{request.param}")
    session = await start_editor(home, request.param)
    await session.model_ready()
    yield session
    await stop_editor(session)


@pytest_asyncio.fixture(scope="module", loop_scope="module", params=server_kinds("model", "template"))
async def served(request, tmp_path_factory):
    """One real server per module, client kind and engine: the real model, or templates only."""
    client, engine = request.param
    session = await start_served(request, tmp_path_factory.mktemp(f"home-{client}-{engine}"), client, engine)
    yield session
    await stop_editor(session)
