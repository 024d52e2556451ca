"""Fixtures for the end-to-end tests: one real server per module and client kind, so the model loads once."""

from __future__ import annotations

import pytest_asyncio
from lsp_session import CLIENTS, start_editor, stop_editor


@pytest_asyncio.fixture(scope="module", loop_scope="module", params=sorted(CLIENTS))
async def editor(request, tmp_path_factory, default_model_path):
    """One real server per module and client kind, with the default model loaded."""
    home = tmp_path_factory.mktemp(f"home-{request.param}")
    session = await start_editor(home, request.param)
    await session.model_ready()
    yield session
    await stop_editor(session)
