"""Shared fixtures: the real default model (installed by `make setup`) and a private LOGSMITH_HOME."""

from __future__ import annotations

import pytest

from logsmith.model import registry
from logsmith.settings import Settings


@pytest.fixture(scope="session")
def default_model_path():
    """Absolute path of the installed default GGUF. `make test` installs it; a missing model fails loudly."""
    try:
        return registry.resolve(Settings()).path
    except registry.ModelError as exc:
        pytest.fail(f"the default model is not installed: {exc}")


@pytest.fixture(scope="session")
def model_settings(default_model_path):
    """Settings that use the real default model, loaded and ready, with a budget generous enough
    for a busy CI machine."""
    from logsmith.engines import model_engine

    settings = Settings(model=str(default_model_path), latency_budget_ms=10_000)
    worker = model_engine.preload(settings, timeout=120)
    assert worker.state == "ready", f"the default model did not load: {worker.last_error}"
    return settings


@pytest.fixture(autouse=True)
def private_home(tmp_path_factory, monkeypatch):
    """Each test writes its audit store under its own LOGSMITH_HOME, never the user's."""
    home = tmp_path_factory.mktemp("logsmith-home")
    monkeypatch.setenv("LOGSMITH_HOME", str(home))
    return home
