"""Fixtures for batch-mode tests: a private LOGSMITH_CACHE (the project indexes batch mode keeps),
and a small sample project."""

from __future__ import annotations

from pathlib import Path

import pytest

from batch_cli import SAMPLE, write_tree

from logsmith.model import registry


@pytest.fixture(scope="module", autouse=True)
def private_cache(tmp_path_factory) -> Path:
    """Each module's runs, in this process and in the `logsmith suggest` processes it starts, keep
    their project indexes in a cache of their own, never the user's; the installed models and
    packages are shared with it (linked), so the real model is found and not hashed again."""
    real = registry.cache_dir()
    cache = tmp_path_factory.mktemp("logsmith-cache")
    for name in ("models", "packages"):
        if (real / name).is_dir():
            (cache / name).symlink_to(real / name, target_is_directory=True)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(registry.CACHE_ENV, str(cache))
        yield cache


@pytest.fixture
def sample_project(tmp_path) -> Path:
    """A small project: a module with two sites, a clean module, a syntax error, an excluded vendor/ folder."""
    return write_tree(tmp_path / "sample-project", SAMPLE)
