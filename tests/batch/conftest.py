"""Fixtures for batch-mode tests: a small sample project (the private LOGSMITH_CACHE the project
indexes go to is tests/conftest.py's)."""

from __future__ import annotations

from pathlib import Path

import pytest

from batch_cli import SAMPLE, write_tree



@pytest.fixture
def sample_project(tmp_path) -> Path:
    """A small project: a module with two sites, a clean module, a syntax error, an excluded vendor/ folder."""
    return write_tree(tmp_path / "sample-project", SAMPLE)
