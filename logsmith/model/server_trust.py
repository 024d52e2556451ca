"""Which servers the user allows logsmith to send code to, and the API key sent to them.

A workspace (its `pyproject.toml`, the editor options it carries) may be hostile, so a server URL
counts only when the user stands behind it:
- a server on this machine (loopback: `localhost`, `127.0.0.0/8`, `::1`) may be named anywhere;
- any other server must also be named by the user: in `LOGSMITH_MODEL`, on the command line
  (`logsmith suggest --model URL`), or in `LOGSMITH_SERVERS` (origins `scheme://host:port`,
  separated by commas or blanks). A workspace naming another server gets a clear error and the
  template engine, never a silent redirect of the user's code.

The API key comes from `LOGSMITH_API_KEY`, else from the file named by `LOGSMITH_API_KEY_FILE`,
never from a workspace. It is sent (as `Authorization: Bearer`) only to a server the user named
as above, not to one that is allowed only because it is loopback: another user of a shared machine
could listen on a local port.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from logsmith.model import endpoint
from logsmith.model.endpoint import Endpoint, EndpointError
from logsmith.model.registry import MODEL_ENV, ModelError

SERVERS_ENV = "LOGSMITH_SERVERS"
API_KEY_ENV = "LOGSMITH_API_KEY"
API_KEY_FILE_ENV = "LOGSMITH_API_KEY_FILE"
MAX_KEY_BYTES = 16_384


class ServerNotAllowed(ModelError):
    """A server named only by the workspace, which the user has not allowed."""


def _origins(text: str) -> set[str]:
    found = set()
    for item in re.split(r"[,\s]+", text.strip()):
        if not item:
            continue
        try:
            found.add(endpoint.parse(item).origin)
        except EndpointError:
            continue  # a typo in the allow list allows nothing
    return found


def user_origins() -> set[str]:
    """The servers the user named: LOGSMITH_MODEL (when a URL) and LOGSMITH_SERVERS."""
    allowed = _origins(os.environ.get(SERVERS_ENV, ""))
    model = os.environ.get(MODEL_ENV, "")
    if endpoint.names_server(model):
        allowed |= _origins(model)
    return allowed


def allow_from_command_line(value: str) -> None:
    """The user named `value` on the command line: allow its server in this process and in the
    processes it starts (they inherit LOGSMITH_SERVERS)."""
    try:
        origin = endpoint.parse(value).origin
    except EndpointError:
        return  # not a server, or a URL whose error the model's resolution reports
    current = os.environ.get(SERVERS_ENV, "")
    if origin not in _origins(current):
        os.environ[SERVERS_ENV] = f"{current},{origin}" if current else origin


def named_by_user(server: Endpoint) -> bool:
    return server.origin in user_origins()


def check(server: Endpoint) -> None:
    """Raise ServerNotAllowed unless `server` is loopback or named by the user."""
    if server.loopback or named_by_user(server):
        return
    raise ServerNotAllowed(
        f"the server {server.origin} is named only by the workspace or editor settings; logsmith "
        f"sends code only to a server on this machine or one you allow: set {SERVERS_ENV}="
        f"{server.origin} (or {MODEL_ENV}) in your environment to use it"
    )


def api_key(server: Endpoint) -> str | None:
    """The key for `server`, or None (no key configured, or a server the user did not name).
    ModelError when LOGSMITH_API_KEY_FILE cannot be read."""
    if not named_by_user(server):
        return None
    key = os.environ.get(API_KEY_ENV, "").strip()
    if key:
        return key
    file_name = os.environ.get(API_KEY_FILE_ENV, "").strip()
    if not file_name:
        return None
    path = Path(file_name).expanduser()
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_KEY_BYTES + 1)
    except OSError as exc:
        raise ModelError(f"cannot read the API key from {API_KEY_FILE_ENV}={path}: {exc}") from None
    if len(data) > MAX_KEY_BYTES:
        raise ModelError(f"{API_KEY_FILE_ENV}={path} is too large to be an API key")
    try:
        key = data.decode("utf-8").strip()
    except UnicodeDecodeError:
        raise ModelError(f"{API_KEY_FILE_ENV}={path} is not UTF-8 text") from None
    if not key or any(c in key for c in "\r\n"):
        raise ModelError(f"{API_KEY_FILE_ENV}={path} must hold the key on one line")
    return key
