"""Offline by construction (SECURITY.md "Network").

1. Static: no module of logsmith/ imports a network library or calls a connecting function, except
   the allow-listed places below; every subprocess logsmith starts is one of five known commands.
2. Dynamic: the language server (a real LSP session with the real model), batch mode with the
   model and the engine benchmark each run inside a network namespace with no usable interface
   (`unshare --net`: loopback down, no routes, no addresses) and do their whole job; an audit hook
   in every Python process of the run records any socket, name lookup or subprocess, and the only
   ones allowed are the model worker and local `git` commands.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import pytest_asyncio

from logsmith.model.client import ALWAYS_TRY_ENV
from network_probe import NetworkProbe, namespace_works, net_namespace, network_of, offline_command
from trust_server import command_line, descendants, server_pid, start_server, stop_editor

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "logsmith"
MODEL_ID = "gemma-3-270m"
MODEL_BUDGET_MS = 120_000
"""The budget where a test needs the model's statement: these tests are about the network, not speed."""
MODEL_ASKED = ("ran out of time", "no time left", "late", "busy", "still finishing", "gave no usable message", "rejected",
               "turned down")
"""Notes of a suggestion the model was asked for but did not write (too slow on a busy machine, or its text was
not good enough); any other note (model missing, corrupt, crashed) fails the offline tests."""

# Top-level modules that can reach the network. urllib.parse is string handling only.
NETWORK_MODULES = {
    "socket", "ssl", "socketserver", "http", "urllib", "urllib3", "requests", "httpx", "aiohttp", "ftplib",
    "smtplib", "poplib", "imaplib", "nntplib", "telnetlib", "xmlrpc", "websocket", "websockets", "grpc",
    "paramiko", "pycurl", "huggingface_hub", "webbrowser", "distributed", "ray",
}
PURE_SUBMODULES = {"urllib.parse"}
ALLOWED_NETWORK_IMPORTS: dict[str, set[str]] = {
    "logsmith/model/download.py": {"http", "ssl", "urllib"},  # `logsmith model install --url` only
    "logsmith/model/http_transport.py": {"http", "socket", "ssl"},
    "logsmith/batch/cluster/dask_executor.py": {"distributed"},
    "logsmith/batch/cluster/ray_executor.py": {"ray"},
    "logsmith/batch/cluster/outcome.py": {"socket"},  # is the cluster the user named there?
}
"""module file -> network modules it may import, each with its note in SECURITY.md: the URL download
of `logsmith model install --url`, the remote backend's transport, used only when the user sets
`model` to a server URL the trust rule allows (SECURITY.md "A remote inference server"), and the
executors of `logsmith suggest --executor dask|ray`, which talk to the cluster the user names."""

# Attribute calls that open or accept connections, or download.
NETWORK_CALLS = {
    "start_tcp", "start_ws", "open_connection", "create_connection", "start_server", "create_datagram_endpoint",
    "sock_connect", "urlopen", "urlretrieve", "getaddrinfo", "gethostbyname", "from_pretrained", "hf_hub_download",
}
ALLOWED_NETWORK_CALLS = {
    ("logsmith/server/main.py", "start_tcp"): "`logsmith serve --tcp`: listens, on 127.0.0.1 unless a host is given",
    ("logsmith/batch/cluster/outcome.py", "create_connection"): "`--executor dask|ray --address`: is the cluster there?",
}

SUBPROCESS_FUNCTIONS = {
    "subprocess": {"run", "Popen", "call", "check_call", "check_output", "getoutput", "getstatusoutput"},
    "os": {"system", "popen", "execv", "execve", "execl", "execle", "execlp", "execlpe", "execvp", "execvpe",
           "spawnl", "spawnle", "spawnlp", "spawnlpe", "spawnv", "spawnve", "spawnvp", "spawnvpe", "posix_spawn",
           "posix_spawnp", "fork", "forkpty"},
    "asyncio": {"create_subprocess_exec", "create_subprocess_shell"},
}
# (module file, function) -> words its command line must contain (searched in the function, or for the
# model worker in the module that builds its argv).
ALLOWED_SUBPROCESSES = {
    ("logsmith/model/registry.py", "_download"): ("pip", "download", "--only-binary=:all:"),
    ("logsmith/model/client.py", "_Connection.__init__"): ("logsmith.model.worker",),
    ("logsmith/batch/apply.py", "_git_state"): ("git", "rev-parse", "status"),
    ("logsmith/workspace/files.py", "_git_files"): ("git", "ls-files"),
    ("logsmith/batch/formats/diff.py", "_git_top"): ("git", "rev-parse"),
}
GIT_NETWORK_VERBS = {"fetch", "clone", "pull", "push", "ls-remote", "submodule", "remote"}
ALLOWED_DYNAMIC_IMPORTS = {("logsmith/cli.py", "build_parser")}


class CallSites(ast.NodeVisitor):
    """Imports, attribute calls and subprocess calls of one module, with their enclosing function."""

    def __init__(self, relative: str):
        self.relative = relative
        self.scope: list[str] = []
        self.imports: list[tuple[str, str]] = []  # (imported module, function)
        self.calls: list[tuple[str, str, ast.Call]] = []  # (attribute or name, function, node)
        self.functions: dict[str, ast.AST] = {}

    @property
    def function(self) -> str:
        return ".".join(self.scope) or "<module>"

    def _scoped(self, node):
        self.scope.append(node.name)
        self.functions[self.function] = node
        self.generic_visit(node)
        self.scope.pop()

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = _scoped

    def visit_Import(self, node):
        for alias in node.names:
            self.imports.append((alias.name, self.function))

    def visit_ImportFrom(self, node):
        if node.level == 0 and node.module:
            for alias in node.names:
                self.imports.append((f"{node.module}.{alias.name}", self.function))

    def visit_Call(self, node):
        func = node.func
        if isinstance(func, ast.Attribute):
            owner = func.value.id if isinstance(func.value, ast.Name) else ""
            self.calls.append((f"{owner}.{func.attr}" if owner else func.attr, self.function, node))
        elif isinstance(func, ast.Name):
            self.calls.append((func.id, self.function, node))
        self.generic_visit(node)


def module_sites() -> dict[str, CallSites]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(REPO).as_posix()
        sites = CallSites(relative)
        sites.visit(ast.parse(path.read_text(encoding="utf-8"), filename=relative))
        found[relative] = sites
    return found


def is_network_module(name: str) -> bool:
    if any(name == pure or name.startswith(pure + ".") for pure in PURE_SUBMODULES):
        return False
    return name.split(".")[0] in NETWORK_MODULES


def strings_in(node: ast.AST) -> set[str]:
    return {n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)}


def test_no_module_can_reach_the_network_except_the_allow_listed_ones():
    sites = module_sites()
    assert len(sites) > 30, "the scan did not find logsmith's modules"
    imports, calls, subprocesses, dynamic = [], [], {}, []
    for relative, module in sites.items():
        for name, function in module.imports:
            if is_network_module(name) and name.split(".")[0] not in ALLOWED_NETWORK_IMPORTS.get(relative, set()):
                imports.append(f"{relative}:{function} imports {name}")
        for name, function, node in module.calls:
            attribute = name.rsplit(".", 1)[-1]
            owner = name.rsplit(".", 1)[0] if "." in name else ""
            if attribute in NETWORK_CALLS and (relative, attribute) not in ALLOWED_NETWORK_CALLS:
                calls.append(f"{relative}:{function} calls {name}")
            if owner in SUBPROCESS_FUNCTIONS and attribute in SUBPROCESS_FUNCTIONS[owner]:
                subprocesses.setdefault((relative, function), []).append(name)
            if name in ("importlib.import_module", "__import__", "import_module"):
                argument = node.args[0] if node.args else None
                if isinstance(argument, ast.Constant):
                    if is_network_module(str(argument.value)):
                        imports.append(f"{relative}:{function} imports {argument.value} dynamically")
                elif (relative, function) not in ALLOWED_DYNAMIC_IMPORTS:
                    dynamic.append(f"{relative}:{function} imports a computed module name")
    assert imports == [], "network libraries imported outside the allow-list"
    assert calls == [], "connecting calls outside the allow-list"
    assert dynamic == [], "dynamic imports outside the allow-list"
    assert set(subprocesses) == set(ALLOWED_SUBPROCESSES), (
        f"subprocess calls changed: {sorted(set(subprocesses) ^ set(ALLOWED_SUBPROCESSES))}; "
        "update SECURITY.md and this allow-list together")
    for (relative, function), words in ALLOWED_SUBPROCESSES.items():
        module = sites[relative]
        text = strings_in(module.functions[function])
        searched = text if words[0] != "logsmith.model.worker" else strings_in(
            ast.parse((REPO / relative).read_text(encoding="utf-8")))
        assert all(any(word in s for s in searched) for word in words), f"{relative}:{function} no longer runs {words}"
        assert not (text & GIT_NETWORK_VERBS), f"{relative}:{function} runs a git command that uses the network"
    # The one dynamic import loads logsmith's own subcommand modules.
    from logsmith.cli import SUBCOMMANDS

    assert all(module.startswith("logsmith.") for module, _ in SUBCOMMANDS.values())


# ----------------------------------------------------------------------------- running offline

SERVICE = '''import logging

logger = logging.getLogger(__name__)


def fetch_prices(session, url, retries):
    """Download the price list."""
    for attempt in range(retries):
        try:
            return session.get(url).json()
        except ConnectionError as err:
            raise
    return None
'''
TYPING_LINE = 11  # `            raise`: `logger.` goes on a new line above it


@pytest.fixture(scope="module")
def offline_ready():
    problem = namespace_works()
    if problem:
        pytest.fail(f"cannot create a network namespace without interfaces here: {problem}")


def probe_in(tmp_path_factory, name: str) -> NetworkProbe:
    return NetworkProbe(tmp_path_factory.mktemp(f"probe-{name}"))


def assert_stayed_offline(probe: NetworkProbe, allowed_programs: set[str]) -> list[list[str]]:
    """The model worker was watched too; no network event at all; every subprocess is one of
    `allowed_programs`. Returns the subprocess command lines."""
    watched = probe.watched()
    assert any("logsmith.model.worker" in command for command in watched), f"the worker was not watched: {watched}"
    assert probe.network_events() == [], f"network calls were attempted: {probe.network_events()}"
    commands = probe.commands()
    for command in commands:
        program = "logsmith.model.worker" if "logsmith.model.worker" in command else Path(command[0]).name
        assert program in allowed_programs, f"unexpected subprocess {command}"
        if program == "git":
            assert not set(command) & GIT_NETWORK_VERBS, command
    return commands


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def offline_server(offline_ready, tmp_path_factory, default_model_path):
    probe = probe_in(tmp_path_factory, "server")
    home = tmp_path_factory.mktemp("offline-home")
    # This test is about the network, not speed: the model is always tried, with all the time it needs.
    editor = await start_server(home, probe, offline=True, options={"latencyBudgetMs": MODEL_BUDGET_MS},
                                env={ALWAYS_TRY_ENV: "1"})
    await editor.model_ready()
    yield editor, probe
    await stop_editor(editor)


@pytest.mark.model
@pytest.mark.asyncio(loop_scope="module")
async def test_the_language_server_works_fully_without_a_network(offline_server):
    editor, probe = offline_server
    pid = server_pid(editor)
    namespace = network_of(pid)
    assert namespace["namespace"] != net_namespace(os.getpid()), "the server shares the test's network namespace"
    assert namespace["interfaces"] == ["lo"] and namespace["routes"] == [] and namespace["ipv6_addresses"] == []
    workers = [p for p in descendants(pid) if "logsmith.model.worker" in command_line(p)]
    assert workers and all(net_namespace(p) == namespace["namespace"] for p in workers)

    uri = editor.open("prices.py", SERVICE)
    editor.edit(uri, (TYPING_LINE, 0), (TYPING_LINE, 0), "            logger.\n")
    items = (await editor.complete(uri, TYPING_LINE, 19)).items
    assert items, "no completion after `logger.` in an except block"
    assert all(item.label.startswith(("logger.error(", "logger.exception(")) for item in items), [i.label for i in items]
    written = [item for item in items if item.detail.endswith(f" · {MODEL_ID}")]
    if not written:  # the model may turn a message down on quality; typing on gives it a second chance
        line, column = editor.type(uri, TYPING_LINE, 19, "error(\"Could not")
        items = (await editor.complete(uri, line, column)).items
        written = [item for item in items if item.detail.endswith(f" · {MODEL_ID}")]
    assert written, f"no item written by the model offline: {[(i.label, i.documentation) for i in items]}"
    assert (await editor.accept(written[0].command))["recorded"] is True
    rows = await editor.wait_rows(1, event="accepted")
    assert rows[0]["model_sha256"] == "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818"

    # git lists the workspace's files for the project index (`ls-files`: local only)
    commands = assert_stayed_offline(probe, {"logsmith.model.worker", "git"})
    assert any("logsmith.model.worker" in command for command in commands)


BATCH_PROJECT = {
    "pyproject.toml": '[project]\nname = "shop"\n',
    "shop/orders.py": (
        "import json\n\n\n"
        "def load_order(path):\n"
        "    try:\n"
        "        with open(path) as handle:\n"
        "            return json.load(handle)\n"
        "    except json.JSONDecodeError:\n"
        "        return None\n\n\n"
        "def total(order):\n"
        "    try:\n"
        "        return sum(line['price'] * line['quantity'] for line in order['lines'])\n"
        "    except KeyError:\n"
        "        return 0\n"
    ),
}


@pytest.mark.model
def test_batch_mode_with_the_model_works_fully_without_a_network(offline_ready, tmp_path, tmp_path_factory, default_model_path):
    project = tmp_path / "shop"
    for name, text in BATCH_PROJECT.items():
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_text(text, encoding="utf-8")
    probe = probe_in(tmp_path_factory, "batch")
    done = subprocess.run(offline_command([sys.executable, "-m", "logsmith.cli", "suggest", str(project), "--diff",
                                           "--budget-ms", str(MODEL_BUDGET_MS)]),
                          cwd=project, env=probe.environment(LOGSMITH_HOME=str(tmp_path / "home"), **{ALWAYS_TRY_ENV: "1"}),
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    added = [line for line in done.stdout.splitlines() if line.startswith("+ ") or line.startswith("+\t")
             or (line.startswith("+") and not line.startswith("+++"))]
    assert any("logger." in line for line in added), done.stdout
    assert f"by source: {MODEL_ID}" in done.stderr, done.stderr  # the model wrote statements
    commands = assert_stayed_offline(probe, {"logsmith.model.worker", "git"})
    assert any("logsmith.model.worker" in command for command in commands)


@pytest.mark.model
def test_the_benchmark_runner_works_fully_without_a_network(offline_ready, tmp_path, tmp_path_factory, default_model_path):
    from eval.bench import engine as bench_engine
    from eval.corpus import build as corpus
    from eval.corpus import sources

    # The corpus sources are fetched once, with the network (as `make eval` does); the run itself is offline.
    cases = bench_engine.ordered_cases(corpus.cases_for_split(corpus.load_cases(), corpus.load_projects(), "dev"))[:2]
    for case in cases:
        sources.project_tree(case.project, case.version)
    probe = probe_in(tmp_path_factory, "eval")
    out = tmp_path / "report"
    done = subprocess.run(offline_command([sys.executable, "-m", "eval.bench.engine", "--split", "dev", "--limit", "2",
                                           "--no-baseline", "--out", str(out), "--fresh"]),
                          cwd=REPO, env=probe.environment(LOGSMITH_HOME=str(tmp_path / "home")),
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "logsmith's model loaded in" in done.stderr, done.stderr
    rows = [json.loads(line) for line in (out / "engine-cases.jsonl").read_text().splitlines()]
    assert [row["case"]["id"] for row in rows] == [case.id for case in cases]
    for row in rows:
        for engine, result in row["results"].items():
            assert result["error"] is None, (engine, result["error"])
            assert result["statement"], (engine, result)
            if engine.startswith("logsmith_") and result["source"] != MODEL_ID:
                # the model was asked and was only too slow or turned down; it was not missing, broken or unreachable
                # (a note naming the project's statement that was adapted is about the index, not the model)
                about_model = [note for note in result["notes"] if not note.startswith("adapted from ")]
                assert all(any(word in note for word in MODEL_ASKED) for note in about_model), result["notes"]
    report = json.loads((out / "engine.json").read_text())
    assert report["n"] == 2 and report["run"]["model_sha256"].startswith("a5fd3b62")
    # git lists each project's files for its index (`ls-files`: local only)
    commands = assert_stayed_offline(probe, {"logsmith.model.worker", "git"})
    assert any("logsmith.model.worker" in command for command in commands)
