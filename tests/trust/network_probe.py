"""Proof that a process tree stayed offline: a network namespace with no interfaces, plus a record of
every network or subprocess call the Python processes in it attempted.

`NetworkProbe(folder)` writes a `sitecustomize.py` into `folder`. Any Python process started with
`probe.environment(...)` (PYTHONPATH points at the folder; the model worker inherits it) installs a
`sys.addaudithook` hook at start-up and appends one JSON line per event to the probe's log:
sockets of any family but AF_UNIX (the event loop's own socketpair is not network), connect, bind,
send, name resolution, urllib / http.client / ftplib / smtplib connections, and every subprocess
started, and one line when the hook is installed (so a silent log proves silence, not absence).
`offline_command(argv)` prefixes a command with `unshare --net`, which gives it a network
namespace whose only interface, loopback, is down: even 127.0.0.1 is unreachable inside.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

LOG_ENV = "LOGSMITH_TRUST_NETLOG"

SITECUSTOMIZE = '''"""Installed by tests/trust/network_probe.py: records network and subprocess calls of this process."""
import json as _json
import os as _os
import sys as _sys

_LOG = _os.environ.get("%(env)s")
_AF_UNIX = 1
_ADDRESS_EVENTS = {"socket.connect", "socket.bind", "socket.sendto", "socket.sendmsg"}
_NAME_EVENTS = {
    "socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyname_ex", "socket.gethostbyaddr",
    "socket.getnameinfo", "urllib.Request", "http.client.connect", "ftplib.connect", "smtplib.connect",
    "poplib.connect", "imaplib.open", "nntplib.connect", "telnetlib.Telnet.open",
}
_SUBPROCESS_EVENTS = {"subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn"}


def _family(value):
    return int(getattr(value, "family", value))


def _record(event, detail):
    line = (_json.dumps({"pid": _os.getpid(), "event": event, "detail": detail}) + "\\n").encode()
    handle = _os.open(_LOG, _os.O_WRONLY | _os.O_APPEND | _os.O_CREAT, 0o600)
    try:
        _os.write(handle, line)
    finally:
        _os.close(handle)


def _hook(event, args):
    try:
        if event == "socket.__new__":
            if _family(args[1]) != _AF_UNIX:
                _record(event, repr(args[1:]))
        elif event in _ADDRESS_EVENTS:
            if _family(args[0]) != _AF_UNIX:
                _record(event, repr(args[1:]))
        elif event in _NAME_EVENTS:
            _record(event, repr(args)[:300])
        elif event == "subprocess.Popen":
            _record(event, [str(part) for part in (args[1] if isinstance(args[1], (list, tuple)) else [args[1]])])
        elif event in _SUBPROCESS_EVENTS:
            _record(event, repr(args)[:300])
    except Exception:  # never disturb the process being watched
        pass


if _LOG:
    _sys.addaudithook(_hook)
    try:  # proof that this process was watched
        with open("/proc/self/cmdline", "rb") as _cmdline:
            _record("probe.installed", [part.decode(errors="replace") for part in _cmdline.read().split(b"\\0") if part])
    except OSError:
        pass
'''


class NetworkProbe:
    """A sitecustomize folder and the log its hook writes."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / "sitecustomize.py").write_text(SITECUSTOMIZE % {"env": LOG_ENV}, encoding="utf-8")
        self.log = self.folder / "events.jsonl"

    def environment(self, base: dict | None = None, **extra: str) -> dict:
        """`base` (default: this process's environment) with the hook installed for child Pythons."""
        env = dict(os.environ if base is None else base)
        env.pop("LOGSMITH_MODEL", None)
        env.pop("LOGSMITH_NO_MODEL", None)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(self.folder), env.get("PYTHONPATH")) if p)
        env[LOG_ENV] = str(self.log)
        env.update(extra)
        return env

    def events(self) -> list[dict]:
        if not self.log.exists():
            return []
        return [json.loads(line) for line in self.log.read_text(encoding="utf-8").splitlines() if line.strip()]

    def network_events(self) -> list[dict]:
        return [e for e in self.events() if not e["event"].startswith(("subprocess.", "os.", "probe."))]

    def watched(self) -> list[list[str]]:
        """Command lines of the processes that ran with the hook installed."""
        return [e["detail"] for e in self.events() if e["event"] == "probe.installed"]

    def commands(self) -> list[list[str]]:
        return [e["detail"] for e in self.events() if e["event"] == "subprocess.Popen"]


def offline_command(argv: list[str]) -> list[str]:
    """`argv` in a new network namespace with no usable interface (root: `unshare --net`; otherwise a
    user namespace maps the caller to root first)."""
    prefix = ["unshare", "--net"] if os.geteuid() == 0 else ["unshare", "--map-root-user", "--net"]
    return [*prefix, *argv]


def namespace_works() -> str | None:
    """None when `offline_command` can run here, else why not."""
    try:
        done = subprocess.run(offline_command(["cat", "/proc/net/dev"]), capture_output=True, text=True, timeout=30)
    except OSError as exc:
        return f"cannot run unshare: {exc}"
    if done.returncode != 0:
        return f"unshare --net failed: {done.stderr.strip()}"
    interfaces = [line.split(":")[0].strip() for line in done.stdout.splitlines()[2:] if ":" in line]
    if interfaces != ["lo"]:
        return f"the namespace has interfaces {interfaces}, expected only lo"
    return None


def net_namespace(pid: int) -> str:
    return os.readlink(f"/proc/{pid}/ns/net")


def network_of(pid: int) -> dict:
    """What the network namespace of `pid` offers: its interfaces, IPv4 routes and IPv6 addresses."""
    proc = Path(f"/proc/{pid}/net")
    interfaces = [line.split(":")[0].strip() for line in (proc / "dev").read_text().splitlines()[2:] if ":" in line]
    routes = [line for line in (proc / "route").read_text().splitlines()[1:] if line.strip()]
    addresses = [line for line in (proc / "if_inet6").read_text().splitlines() if line.strip()]
    return {"namespace": net_namespace(pid), "interfaces": interfaces, "routes": routes, "ipv6_addresses": addresses}
