"""Typed settings with their defaults, merged from pyproject `[tool.logsmith]`,
editor options and the environment."""

from __future__ import annotations

import dataclasses
import os
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path

STYLES = ("percent", "fstring", "format")


class SettingsError(ValueError):
    """A setting has the wrong type or an unknown value; the message says which and why."""


@dataclass(frozen=True)
class Settings:
    """Everything a user can change. Each field documents itself."""

    model: str | None = None
    """A registry name (`logsmith model list`), a path to any GGUF file, or the URL of an inference
    server (`http://host:port`, `https://...`; `llama-server+` or `openai+` before it forces the
    dialect, else it is detected); None: LOGSMITH_MODEL or the default. A server URL from a
    workspace is used only when it is on this machine or the user named it too (LOGSMITH_MODEL,
    `--model`, LOGSMITH_SERVERS); its API key comes from LOGSMITH_API_KEY or
    LOGSMITH_API_KEY_FILE, never from settings (`logsmith.model.server_trust`)."""
    use_model: bool = True
    """False: template engine only, no model is loaded."""
    latency_budget_ms: int = 800
    """Longest time a request may spend in the model before the template answer is used."""
    inline: bool = True
    """Offer inline (ghost-text) completions in the editor."""
    style: str | None = None
    """Force a message style: percent (`%s` lazy), fstring or format; None follows the file."""
    telemetry: bool = True
    """Record suggestions shown / accepted / dismissed in the local audit store."""
    store_code: bool = True
    """Keep the statement text in the audit store; False keeps only metadata."""
    max_file_bytes: int = 1_000_000
    """Files larger than this are served by the template engine only."""
    rules: tuple[str, ...] = ()
    """Batch-mode rules to run; empty means all."""
    exclude: tuple[str, ...] = ()
    """Glob patterns to skip, relative to the project root (batch mode and the project index)."""
    project_index: bool = True
    """Index how the workspace's files log and suggest like them; False: read one file only."""
    escalate_to: str | None = None
    """A stronger model asked where the local model's answer is weak: an inference server's URL
    (under the same trust rule as a `model` URL: on this machine, or named by the user), or a
    registry name or GGUF path (for measuring); None: never asked
    (`logsmith.routing.escalation`)."""
    escalate_percent: int = 20
    """The share, in percent (0 to 100), of the statements the local model writes that are sent to
    `escalate_to`: those it is least sure of."""
    remote_tokens_per_day: int = 200_000
    """The most prompt and answer tokens `escalate_to` may spend a day for this user (editor and
    batch runs together); past it, the local answer is served and says why."""

    def replace(self, **changes) -> Settings:
        return dataclasses.replace(self, **changes)


def _coerce(name: str, value, default):
    kind = {f.name: f.type for f in fields(Settings)}[name]
    if kind == "bool":
        if isinstance(value, bool):
            return value
        raise SettingsError(f"setting '{name}' must be true or false, got {value!r}")
    if name == "escalate_percent":
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 100:
            return value
        raise SettingsError(f"setting '{name}' must be a whole number from 0 to 100, got {value!r}")
    if kind == "int":
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return value
        raise SettingsError(f"setting '{name}' must be a positive integer, got {value!r}")
    if kind == "tuple[str, ...]":
        if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
            return tuple(value)
        raise SettingsError(f"setting '{name}' must be a list of strings, got {value!r}")
    if value is None or isinstance(value, str):
        if name == "style" and value not in (None, *STYLES):
            raise SettingsError(
                f"setting 'style' must be one of {', '.join(STYLES)}, got {value!r}"
            )
        return value
    raise SettingsError(f"setting '{name}' must be a string, got {value!r}")


def merge(base: Settings, options: dict | None) -> tuple[Settings, list[str]]:
    """Apply user `options` (camelCase or snake_case keys) on `base`.

    Returns the new settings and one message per rejected option; a rejected option keeps its
    value from `base`, so a typo never disables the tool.
    """
    if not options:
        return base, []
    if not isinstance(options, dict):
        return base, [
            f"logsmith settings must be an object, got {type(options).__name__}; using defaults"
        ]
    known = {f.name: f for f in fields(Settings)}
    changes, errors = {}, []
    for key, value in options.items():
        name = "".join("_" + c.lower() if c.isupper() else c for c in key).replace("-", "_")
        if name not in known:
            errors.append(f"unknown logsmith setting '{key}' ignored")
            continue
        try:
            changes[name] = _coerce(name, value, getattr(base, name))
        except SettingsError as exc:
            errors.append(f"{exc}; keeping {getattr(base, name)!r}")
    return dataclasses.replace(base, **changes), errors


def from_pyproject(root: Path | None) -> tuple[Settings, list[str]]:
    """Settings from `[tool.logsmith]` in `root/pyproject.toml`, if there is one."""
    if root is None:
        return Settings(), []
    path = Path(root) / "pyproject.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Settings(), []
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        return Settings(), [f"{path}: cannot read [tool.logsmith] ({exc}); using defaults"]
    return merge(Settings(), data.get("tool", {}).get("logsmith", {}))


def from_environment(base: Settings) -> Settings:
    """LOGSMITH_MODEL overrides the model; LOGSMITH_NO_MODEL=1 turns the model off."""
    if os.environ.get("LOGSMITH_MODEL"):
        base = dataclasses.replace(base, model=os.environ["LOGSMITH_MODEL"])
    if os.environ.get("LOGSMITH_NO_MODEL") == "1":
        base = dataclasses.replace(base, use_model=False)
    return base
