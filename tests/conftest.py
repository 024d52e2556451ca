"""Shared fixtures: the real default model (installed by `make setup`) and a private LOGSMITH_HOME;
and the two test tiers.

Tiers: a test that needs the real model (it loads it, or starts a server, a batch run or an eval
run that does) carries the `model` marker, one that drives a real editor the `editor` marker (both
declared in pyproject.toml); `make test-fast` runs `pytest -m "not model and not editor"`, `make
test` everything. The markers are set three ways:
- a file that needs the model or an editor throughout says so with a module-level `pytestmark`;
- `pytest_collection_modifyitems` below adds `model` to every test that uses, directly or through
  another fixture, one of MODEL_FIXTURES: the fixtures that find or load the real model
  (`default_model_path`, `model_settings` here) and tests/server/conftest.py's `editor` (a real
  server with the model loaded). So a test that asks for the model through a fixture never lands
  in the fast tier, whatever its file says (tests/model and tests/eval rely on this);
- a test parametrized over the engine (tests/server's `served`, `start_served`) gets the model
  by its parameter, which carries the marker (`lsp_session.server_kinds`).
"""

from __future__ import annotations

import pytest

from logsmith.model import registry
from logsmith.model.client import ALWAYS_TRY_ENV
from logsmith.settings import Settings

MODEL_FIXTURES = frozenset({"default_model_path", "model_settings", "editor"})
"""Fixtures that find or load the real default model: a test using any of them is a `model` test."""

MODEL_ANSWER_BUDGET_MS = 120_000
"""The latency budget of tests that need the model's answer: they are about what it writes, not how fast;
this only ends a request on a machine so busy that nothing would pass anyway."""


@pytest.fixture(scope="session", autouse=True)
def private_index_cache(tmp_path_factory):
    """The tests, and the servers and `logsmith suggest` processes they start, keep their project
    indexes in a cache of their own, never the user's; the installed models, their packages and
    verification records are shared with it (linked), so the real model is found and not hashed
    again. A test that needs an empty cache sets LOGSMITH_CACHE itself."""
    real = registry.cache_dir()
    cache = tmp_path_factory.mktemp("logsmith-cache")
    for name in ("models", "packages", "verified"):
        if (real / name).is_dir():
            (cache / name).symlink_to(real / name, target_is_directory=True)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(registry.CACHE_ENV, str(cache))
        yield cache


def pytest_collection_modifyitems(config, items):
    """Mark `model` every test whose fixtures (the whole closure, so also through other fixtures such
    as a module's server) include one of MODEL_FIXTURES."""
    for item in items:
        if MODEL_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.model)


@pytest.fixture(scope="session")
def default_model_path():
    """Absolute path of the installed default GGUF. `make test` installs it; a missing model fails loudly."""
    try:
        return registry.resolve(Settings()).path
    except registry.ModelError as exc:
        pytest.fail(f"the default model is not installed: {exc}")


@pytest.fixture(scope="session")
def model_settings(default_model_path):
    """Settings that use the real default model, loaded and ready, for tests that need its answer:
    a budget of MODEL_ANSWER_BUDGET_MS, and (see `model_always_tries`) the model is never declined
    as too slow ahead of time, whatever a busy machine makes the worker expect of its speed."""
    from logsmith.engines import model_engine

    settings = Settings(model=str(default_model_path), latency_budget_ms=MODEL_ANSWER_BUDGET_MS)
    worker = model_engine.preload(settings, timeout=120)
    assert worker.state == "ready", f"the default model did not load: {worker.last_error}"
    return settings


@pytest.fixture(autouse=True)
def model_always_tries(request, monkeypatch):
    """In every test that uses `model_settings`, the worker starts each completion however long it
    expects it to take (ALWAYS_TRY_ENV); the budget still ends it."""
    if "model_settings" in request.fixturenames:
        monkeypatch.setenv(ALWAYS_TRY_ENV, "1")


@pytest.fixture(autouse=True)
def private_home(tmp_path_factory, monkeypatch):
    """Each test writes its audit store under its own LOGSMITH_HOME, never the user's."""
    home = tmp_path_factory.mktemp("logsmith-home")
    monkeypatch.setenv("LOGSMITH_HOME", str(home))
    return home
