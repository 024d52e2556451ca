"""The server's settings, layered: defaults < pyproject `[tool.logsmith]` of the workspace root <
the editor's options (initializationOptions, workspace/didChangeConfiguration section `logsmith`) <
the environment (LOGSMITH_MODEL, LOGSMITH_NO_MODEL). A wrong option keeps the value below it and
produces a message for the user."""

from __future__ import annotations

from pathlib import Path

from logsmith.settings import Settings, from_environment, from_pyproject, merge

SECTION = "logsmith"


def editor_options(value) -> tuple[dict, list[str]]:
    """The logsmith options inside what an editor sent:
    `{"logsmith": {...}}` or the options themselves."""
    if value is None:
        return {}, []
    if not isinstance(value, dict):
        return {}, [
            f"logsmith settings must be an object, got {type(value).__name__}; using defaults"
        ]
    if SECTION in value:
        inner = value[SECTION]
        if inner is None:
            return {}, []
        if not isinstance(inner, dict):
            return {}, [
                f"the '{SECTION}' settings must be an object, got {type(inner).__name__}; "
                "using defaults"
            ]
        return inner, []
    return value, []


class ServerSettings:
    """The settings in force: defaults, the project's, the editor's options and the environment."""

    def __init__(self):
        self.project = Settings()
        self.options: dict = {}
        self.current = from_environment(Settings())

    def use_project(self, root: Path | None) -> list[str]:
        """Read `[tool.logsmith]` from the workspace root's pyproject.toml."""
        self.project, errors = from_pyproject(root)
        errors += self._recompute()
        return errors

    def use_options(self, value) -> list[str]:
        """Replace the editor's options (the whole `logsmith` section);
        returns messages for the user."""
        self.options, errors = editor_options(value)
        return errors + self._recompute()

    def _recompute(self) -> list[str]:
        merged, errors = merge(self.project, self.options)
        self.current = from_environment(merged)
        return errors
