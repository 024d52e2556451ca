"""Finds a language's two modules by its name: the reader in `logsmith.syntax` and the idioms
in `logsmith.idioms` (TypeScript and TSX share JavaScript's)."""

from __future__ import annotations

from types import ModuleType

MODULES = {
    "java": "java",
    "go": "go",
    "javascript": "javascript",
    "typescript": "javascript",
    "tsx": "javascript",
}
"""Language name -> the module name under `logsmith.syntax` and `logsmith.idioms`."""


def supported(language: str | None) -> bool:
    """Whether the shared engine writes statements in `language` (Python has its own path)."""
    return language in MODULES


def reader_for(language: str) -> ModuleType:
    """`logsmith.syntax.<module>`: site, log statements, names read, parse check."""
    from logsmith.syntax import go, java, javascript

    return {"java": java, "go": go, "javascript": javascript}[MODULES[language]]


def idioms_for(language: str) -> ModuleType:
    """`logsmith.idioms.<module>`: logger choice, rendering, the model's opening."""
    from logsmith.idioms import go, java, javascript

    return {"java": java, "go": go, "javascript": javascript}[MODULES[language]]
