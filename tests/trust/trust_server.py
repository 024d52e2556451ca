"""The real `logsmith serve` for the trust tests: over stdio, optionally inside a network namespace
with no interfaces, with the network probe's hook installed; plus the process facts a reviewer asks
about (process ids, memory from /proc).

The LSP driving itself is `tests/server/lsp_session.Editor` (open, type, complete, audit rows).
"""

from __future__ import annotations

import sys
from pathlib import Path

from lsprotocol import types
from pytest_lsp import client_capabilities
from pytest_lsp.client import make_test_lsp_client

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "server"))

from lsp_session import CLIENTS, Editor, stop_editor  # noqa: E402

from network_probe import NetworkProbe, offline_command  # noqa: E402

SERVE = [sys.executable, "-m", "logsmith.cli", "serve", "--log-level", "INFO"]


async def start_server(home: Path, probe: NetworkProbe, *, offline: bool, options: dict | None = None,
                       client: str = "neovim", env: dict | None = None) -> Editor:
    """A server session with the probe's hook; inside `unshare --net` when `offline`; `env` adds
    variables to its environment."""
    lsp_client = make_test_lsp_client()
    command = offline_command(SERVE) if offline else SERVE
    await lsp_client.start_io(*command, env=probe.environment(LOGSMITH_HOME=str(home), **(env or {})))
    editor = Editor(lsp_client, home, client)
    (home / "src").mkdir(parents=True, exist_ok=True)
    await lsp_client.initialize_session(types.InitializeParams(
        capabilities=client_capabilities(CLIENTS[client]),
        root_uri=(home / "src").as_uri(),
        initialization_options={"logsmith": options} if options else None,
    ))
    return editor


def server_pid(editor: Editor) -> int:
    """The server process (pygls keeps the subprocess it started; `unshare` execs the server in place)."""
    return editor.client._server.pid


def descendants(pid: int) -> list[int]:
    """Every process below `pid` (the model worker and anything it started), from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    found, queue = [], [pid]
    while queue:
        for child in children.get(queue.pop(), []):
            found.append(child)
            queue.append(child)
    return found


def memory_kib(pid: int) -> dict[str, int]:
    """VmRSS (now) and VmHWM (peak resident set) of one process, in KiB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0])
    return values


def command_line(pid: int) -> list[str]:
    return [part for part in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0") if part]


__all__ = ["Editor", "SERVE", "command_line", "descendants", "memory_kib", "server_pid", "start_server", "stop_editor"]
