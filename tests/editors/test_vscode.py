"""The VS Code extension, end to end.

1. `editors/vscode/scripts/package-vsix.sh` (what `make vsix` runs) builds, lints, unit-tests and
   packages the extension into `editors/vscode/logsmith.vsix` (any failure fails the test and
   prints npm's output).
2. The `.vsix` is installed into a real VS Code (code-server, Node 24; cached outside the clone by
   `editors/vscode/scripts/setup-code-server.sh`), a subfolder of a project whose `.venv` is this
   repository's venv is opened in headless Chromium driven by Playwright (`tests/editors/vscode/drive_code_server.cjs`),
   `logger.` is typed in an except block, logsmith's suggestion is accepted with Enter, logsmith's
   ghost text at the top of a function is accepted with Tab, and the file on disk and the server's
   audit store show both. The extension finds and starts the real server (`../.venv/bin/logsmith serve`)
   with the real default model. A model setting that points at a missing file gives a warning
   whose "Install Model" button installs the model. A server path that points nowhere, then one
   that points at a program that exits at once, each give the extension's own message with the fix,
   and it is the only logsmith toast (none from vscode-languageclient, such as "write EPIPE").
   Screenshots go to tests/output/vscode/.

Only the start failure: `LOGSMITH_VSCODE_SCENARIO=start-failure` makes the code-server test wait for
the real server, then point `logsmith.server.path` at a program that exits at once, skipping
everything else; `LOGSMITH_VSCODE_RUNS=N` (default 1) does that N times in a row in one session,
each run with a program of its own so the server restarts every time. Each run's outcome is printed
(`-s` shows it). For example:

    LOGSMITH_VSCODE_SCENARIO=start-failure LOGSMITH_VSCODE_RUNS=10 \
        .venv/bin/pytest tests/editors/test_vscode.py -k code_server -s

Every process started here (code-server, its extension host, the language server and its model
worker, Chromium) carries a marker in its environment and is killed at the end, even on failure.
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
import uuid
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
EXTENSION = REPO / "editors" / "vscode"
SETUP_SCRIPT = EXTENSION / "scripts" / "setup-code-server.sh"
PACKAGE_SCRIPT = EXTENSION / "scripts" / "package-vsix.sh"
VSIX = EXTENSION / "logsmith.vsix"  # where `make vsix` puts it; the READMEs name it
HERE = Path(__file__).resolve().parent / "vscode"
DRIVER = HERE / "drive_code_server.cjs"
FIXTURE = HERE / "fixture" / "orders.py"
OUTPUT = REPO / "tests" / "output" / "vscode"
README_SCREENSHOT = EXTENSION / "screenshot.png"
CHROMIUM = "/usr/bin/chromium"
MARKER = "LOGSMITH_VSCODE_TEST_RUN"
SCENARIOS = ("all", "start-failure")
# What the extension must say about a server that exits at once with this line on stderr.
EXITED_MESSAGE = "stopped while starting: logsmith: error: argument COMMAND: invalid choice: 'serve'"
LEVELS = {"debug", "info", "warning", "warn", "error", "exception", "critical", "fatal"}

pytestmark = pytest.mark.editor  # Node, code-server and Chromium; the suggestion test also the real model


def run_step(name: str, command: list[str], *, cwd: Path, env: dict, timeout: float) -> subprocess.CompletedProcess:
    """Run one build step; fail the test with its full output when it fails."""
    started = time.monotonic()
    try:
        done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"{name} took longer than {timeout} s: {' '.join(command)}\n{exc.stdout or ''}\n{exc.stderr or ''}")
    elapsed = time.monotonic() - started
    print(f"{name}: {elapsed:.1f} s")
    if done.returncode != 0:
        pytest.fail(f"{name} failed (exit {done.returncode}): {' '.join(command)}\n"
                    f"--- stdout\n{done.stdout}\n--- stderr\n{done.stderr}")
    return done


@pytest.fixture(scope="module")
def tools() -> dict[str, str]:
    """Node 24, code-server and playwright-core from the cache (installed on the first run only)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (see README, `make setup`)")
    done = run_step("setup-code-server.sh", ["bash", str(SETUP_SCRIPT)], cwd=EXTENSION, env=dict(os.environ), timeout=900)
    found = dict(line.split("=", 1) for line in done.stdout.splitlines() if "=" in line)
    for key in ("NODE", "NODE_BIN_DIR", "CODE_SERVER", "PLAYWRIGHT_CORE"):
        assert key in found and Path(found[key]).exists(), f"setup script did not report {key}: {done.stdout}{done.stderr}"
    return found


@pytest.fixture(scope="module")
def node_env(tools) -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{tools['NODE_BIN_DIR']}{os.pathsep}{env.get('PATH', '')}"
    env["npm_config_update_notifier"] = "false"
    return env


@pytest.fixture(scope="module")
def vsix(node_env) -> Path:
    """The extension built, linted, unit-tested and packaged the way `make vsix` does; returns the .vsix."""
    OUTPUT.mkdir(parents=True, exist_ok=True)
    VSIX.unlink(missing_ok=True)
    done = run_step("package-vsix.sh", ["bash", str(PACKAGE_SCRIPT), str(VSIX)], cwd=REPO, env=node_env, timeout=1200)
    assert "# fail 0" in done.stdout or "ℹ fail 0" in done.stdout, done.stdout
    assert done.stdout.strip().splitlines()[-1] == str(VSIX), done.stdout
    return VSIX


def test_extension_builds_lints_passes_unit_tests_and_packages(vsix):
    with zipfile.ZipFile(vsix) as archive:
        names = set(archive.namelist())
        manifest = json.loads(archive.read("extension/package.json"))
        bundle = archive.read("extension/dist/extension.js")
    assert "extension/dist/extension.js" in names and "extension/readme.md" in names
    assert not any("node_modules" in name or name.startswith("extension/src/") for name in names), sorted(names)
    assert b"logsmith/status" in bundle and b"textDocument/inlineCompletion" in bundle  # the client is bundled in
    commands = {command["command"] for command in manifest["contributes"]["commands"]}
    assert {"logsmith.restartServer", "logsmith.showReport", "logsmith.installModel"} <= commands
    settings = set(manifest["contributes"]["configuration"]["properties"])
    assert {f"logsmith.{name}" for name in ("model", "useModel", "latencyBudgetMs", "inline", "style", "telemetry", "storeCode")} <= settings
    assert {"logsmith.server.path", "logsmith.server.python"} <= settings


# ---------------------------------------------------------------------------------------------
# The real VS Code


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def marked_pids(marker_value: str) -> list[int]:
    """Processes whose environment carries this run's marker (all descendants inherit it)."""
    needle = f"{MARKER}={marker_value}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if needle in (entry / "environ").read_bytes().split(b"\0"):
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def stop_everything(processes: list[subprocess.Popen], marker_value: str) -> list[int]:
    """Terminate the process groups we started, then anything else with our marker; returns survivors."""
    for process in processes:
        if process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and marked_pids(marker_value):
        time.sleep(0.2)
    for pid in marked_pids(marker_value):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    for process in processes:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
    time.sleep(0.2)
    return marked_pids(marker_value)


def wait_until_serving(port: int, process: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"code-server exited with {process.returncode}:\n{log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"code-server did not answer on port {port} within {timeout} s:\n{log.read_text(errors='replace')}")


def line_number_of(text: str, needle: str) -> int:
    """1-based number of the first line containing `needle`."""
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in the fixture")


def accepted_rows(store: Path, timeout: float = 15) -> list[dict]:
    """The accepted rows of the audit store, waiting a little for the server's writer thread."""
    deadline = time.monotonic() + timeout
    rows: list[dict] = []
    while time.monotonic() < deadline:
        if store.exists():
            try:
                with sqlite3.connect(f"{store.as_uri()}?mode=ro", uri=True) as db:
                    db.row_factory = sqlite3.Row
                    rows = [dict(row) for row in db.execute("SELECT * FROM events WHERE event = 'accepted' ORDER BY seq")]
            except sqlite3.Error:
                rows = []
            if len({row["channel"] for row in rows}) >= 2:
                return rows
        time.sleep(0.3)
    return rows


def selected_scenario() -> tuple[str, int]:
    """The scenario (LOGSMITH_VSCODE_SCENARIO) and how many start-failure runs (LOGSMITH_VSCODE_RUNS)."""
    scenario = os.environ.get("LOGSMITH_VSCODE_SCENARIO", "").strip() or "all"
    if scenario not in SCENARIOS:
        pytest.fail(f"LOGSMITH_VSCODE_SCENARIO={scenario!r}: expected one of {', '.join(SCENARIOS)}")
    runs = os.environ.get("LOGSMITH_VSCODE_RUNS", "").strip() or "1"
    if not runs.isdigit() or int(runs) < 1:
        pytest.fail(f"LOGSMITH_VSCODE_RUNS={runs!r}: expected a whole number from 1")
    return scenario, int(runs)


def start_failure_problems(run: dict) -> list[str]:
    """What is wrong with one start-failure run: the extension's message missing or not quoting the
    server's error, or another logsmith toast (vscode-languageclient's own) shown with it."""
    problems = []
    notification = run.get("notification") or ""
    if EXITED_MESSAGE not in notification:
        problems.append(f"the extension's message is missing or does not quote the server: {notification!r}")
    if "upgrade it" not in notification:
        problems.append("the message does not name the fix (upgrade)")
    others = [toast for toast in run.get("toasts", []) if toast != notification
              and any(word in toast.lower() for word in ("logsmith", "epipe", "connection"))]
    if others:
        problems.append(f"other toasts shown with it: {others!r}")
    for word in ("EPIPE", "couldn't create connection", "Pending response"):
        if word in notification:
            problems.append(f"the message shows the client's error {word!r}")
    if not (run.get("status") or "").startswith("logsmith failed"):
        problems.append(f"status bar: {run.get('status')!r}")
    return problems


def check_start_failures(runs: list[dict], expected: int) -> None:
    """Prints one line per start-failure run, then fails when any run went wrong."""
    assert len(runs) == expected, runs
    failed = []
    for run in runs:
        problems = start_failure_problems(run)
        shown = run.get("shownAfterMs")
        print(f"start failure run {run['run']}: {'ok' if not problems else 'FAILED'}"
              f"{f' (message after {shown} ms)' if shown is not None else ''}; toasts: {json.dumps(run.get('toasts'))}")
        if problems:
            failed.append({"run": run["run"], "problems": problems})
    assert not failed, json.dumps(failed, indent=2)


def logger_call(statement: str) -> ast.Call:
    """The `logger.<level>(...)` call a line holds; fails when the line is not one."""
    tree = ast.parse(statement.strip())
    assert len(tree.body) == 1 and isinstance(tree.body[0], ast.Expr), statement
    call = tree.body[0].value
    assert isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute), statement
    assert isinstance(call.func.value, ast.Name) and call.func.value.id == "logger", statement
    assert call.func.attr in LEVELS, statement
    return call


USER_SETTINGS = {
    "workbench.startupEditor": "none",
    "workbench.tips.enabled": False,
    "workbench.enableExperiments": False,
    "workbench.secondarySideBar.defaultVisibility": "hidden",
    "chat.disableAIFeatures": True,
    "telemetry.telemetryLevel": "off",
    "update.mode": "none",
    "extensions.autoCheckUpdates": False,
    "extensions.autoUpdate": False,
    "extensions.ignoreRecommendations": True,
    "security.workspace.trust.enabled": False,
    "editor.minimap.enabled": False,
    "editor.wordBasedSuggestions": "off",
    "editor.fontSize": 15,
    "files.exclude": {"**/.venv": True},
    "files.watcherExclude": {"**/.venv/**": True},
    "search.exclude": {"**/.venv": True},
    "search.followSymlinks": False,
    "logsmith.latencyBudgetMs": 10000,
}
"""The user settings of every test VS Code: quiet, no word-based suggestions (only logsmith's items
in the suggest widget), a latency budget a busy machine can meet."""


def code_server_session(vsix: Path, tools: dict, node_env: dict, tmp_path: Path, workspace: Path, driver: dict,
                        settings: dict | None = None) -> dict:
    """Installs the .vsix into a fresh code-server, opens `workspace` in it and plays the driver's
    scenario (`driver`: the driver's config without url, tools and screenshot folder); returns the
    driver's result. The user settings are USER_SETTINGS with `settings` on top; LOGSMITH_HOME is
    tmp_path/logsmith-home; no `logsmith` is on PATH, so the server is the one in a .venv above the
    workspace. Every process started is stopped, and the test fails if one survives."""
    logsmith_home = tmp_path / "logsmith-home"
    user_data = tmp_path / "user-data"
    extensions = tmp_path / "extensions"
    (user_data / "User").mkdir(parents=True)
    (user_data / "User" / "settings.json").write_text(json.dumps({**USER_SETTINGS, **(settings or {})}, indent=2),
                                                      encoding="utf-8")

    marker_value = uuid.uuid4().hex
    env = dict(node_env)
    env.update({
        MARKER: marker_value,
        "LOGSMITH_HOME": str(logsmith_home),
        "XDG_CONFIG_HOME": str(tmp_path / "xdg-config"),
        "XDG_DATA_HOME": str(tmp_path / "xdg-data"),
    })
    env.pop("VIRTUAL_ENV", None)
    # No `logsmith` on PATH (XDG_DATA_HOME above has no default install either): the server can only
    # be the one in the .venv above the workspace.
    env["PATH"] = os.pathsep.join(folder for folder in env["PATH"].split(os.pathsep)
                                  if folder and not os.access(os.path.join(folder, "logsmith"), os.X_OK))
    code_server = tools["CODE_SERVER"]
    common = ["--user-data-dir", str(user_data), "--extensions-dir", str(extensions), "--config", str(tmp_path / "code-server.yaml")]

    installed = run_step("code-server --install-extension",
                         [code_server, *common, "--install-extension", str(vsix)], cwd=tmp_path, env=env, timeout=120)
    assert "successfully installed" in installed.stdout, installed.stdout + installed.stderr
    assert list(extensions.glob("logsmith.logsmith-*/package.json")), sorted(p.name for p in extensions.iterdir())

    port = free_port()
    server_log = OUTPUT / "code-server.log"
    driver_log = OUTPUT / "driver.log"
    for stale in OUTPUT.glob("*.png"):
        stale.unlink()
    processes: list[subprocess.Popen] = []
    survivors: list[int] = []
    try:
        with open(server_log, "w") as log_file:
            processes.append(subprocess.Popen(
                [code_server, *common, "--bind-addr", f"127.0.0.1:{port}", "--auth", "none", "--disable-telemetry",
                 "--disable-update-check", "--disable-workspace-trust", "--disable-getting-started-override",
                 str(workspace)],
                cwd=tmp_path, env=env, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True))
        wait_until_serving(port, processes[0], server_log)

        config = tmp_path / "driver.json"
        config.write_text(json.dumps({
            "url": f"http://127.0.0.1:{port}/?folder={workspace}",
            "playwrightCore": tools["PLAYWRIGHT_CORE"],
            "chromium": CHROMIUM,
            "screenshotDir": str(OUTPUT),
            "workspaceSettings": str(workspace / ".vscode" / "settings.json"),
            "timeoutMs": 120_000,
            **driver,
        }))
        started = time.monotonic()
        with open(driver_log, "w") as log_file:
            process = subprocess.Popen([tools["NODE"], str(DRIVER), str(config)], cwd=tmp_path, env=env,
                                       stdout=subprocess.PIPE, stderr=log_file, text=True, start_new_session=True)
            processes.append(process)
            try:
                stdout, _ = process.communicate(timeout=420)
            except subprocess.TimeoutExpired:
                pytest.fail(f"the Playwright driver took more than 420 s:\n{driver_log.read_text(errors='replace')}")
        print(f"code-server session: {time.monotonic() - started:.1f} s")
        result = json.loads(stdout.strip().splitlines()[-1]) if stdout.strip() else {"error": "no output"}
        print(driver_log.read_text(errors="replace"))
        if result.get("error") or process.returncode != 0:
            pytest.fail(f"VS Code session failed: {json.dumps(result, indent=2)}\n--- driver\n"
                        f"{driver_log.read_text(errors='replace')}\n--- code-server (last 80 lines)\n"
                        + "\n".join(server_log.read_text(errors="replace").splitlines()[-80:]))
    finally:
        survivors = stop_everything(processes, marker_value)
    assert not survivors, f"processes left running after the test: {survivors}"
    return result


def project_with_venv(tmp_path: Path) -> tuple[Path, Path]:
    """(project, workspace): a workspace folder inside a project whose .venv (one level up) is this
    repository's venv, so the extension has to look above the opened folder to find the server."""
    venv = Path(sys.prefix)
    assert (venv / "bin" / "logsmith").exists(), f"run the tests with the project's venv: {venv}/bin/logsmith is missing"
    project = tmp_path / "shop"
    workspace = project / "orders"
    workspace.mkdir(parents=True)
    (project / ".venv").symlink_to(venv, target_is_directory=True)
    return project, workspace


@pytest.mark.model  # the extension starts `logsmith serve` with the real default model
def test_logsmith_suggestion_in_code_server(vsix, tools, node_env, tmp_path):
    scenario, start_failure_runs = selected_scenario()
    # A workspace like a user's: a subfolder of a project whose .venv (one level up) holds logsmith,
    # so the extension has to look above the opened folder to find the server.
    _, workspace = project_with_venv(tmp_path)
    source = FIXTURE.read_text(encoding="utf-8")
    (workspace / FIXTURE.name).write_text(source, encoding="utf-8")
    except_line = line_number_of(source, "except OSError as error:")
    function_line = line_number_of(source, "def save_order(")
    logsmith_home = tmp_path / "logsmith-home"

    result = code_server_session(vsix, tools, node_env, tmp_path, workspace, {
        "file": FIXTURE.name,
        "completion": {"line": except_line, "text": "logger."},
        # The accepted completion adds one line above the function.
        "inline": {"line": function_line + 1},
        "commands": True,
        "scenario": scenario,
        "startFailureRuns": start_failure_runs,
    })

    if scenario == "start-failure":
        check_start_failures(result["exitedServer"], start_failure_runs)
        return

    # The suggestion was shown in the suggest widget, and the screenshot of it exists.
    assert result["completion"]["rows"], result
    assert any("logger." in (label or "") for label in result["completion"]["rows"]), result["completion"]
    assert (OUTPUT / "completion.png").stat().st_size > 10_000
    assert (OUTPUT / "inline.png").stat().st_size > 10_000
    assert result["inline"]["ghostText"].strip(), result["inline"]

    # The saved file holds both accepted statements, each a real logger call, and still parses.
    saved = (workspace / FIXTURE.name).read_text(encoding="utf-8")
    ast.parse(saved)
    lines = saved.splitlines()
    completion_statement = lines[except_line]  # the line after `except ...:` (except_line is 1-based)
    assert completion_statement.startswith(" " * 8 + "logger."), saved
    logger_call(completion_statement)
    inline_statement = lines[function_line + 1]  # the `def` moved down one line; the statement follows it
    assert inline_statement.startswith(" " * 4 + "logger."), saved
    logger_call(inline_statement)
    assert saved.count("\n") == source.count("\n") + 2, saved

    # The server recorded both acceptances in the audit store under the LOGSMITH_HOME VS Code passed on.
    rows = accepted_rows(logsmith_home / "telemetry.sqlite3")
    by_channel = {row["channel"]: row for row in rows}
    assert {"completion", "inline"} <= set(by_channel), rows
    assert by_channel["completion"]["statement"].strip() == completion_statement.strip()
    assert by_channel["inline"]["statement"].strip() == inline_statement.strip()
    for row in by_channel.values():
        assert row["path"].endswith(FIXTURE.name), row
        assert row["model_id"], row  # the real model was configured and loaded, not templates only
    # The status bar names what wrote the last suggestion (the template or the model) and its latency.
    assert result["statusAfter"].startswith("logsmith running: last suggestion from "), result["statusAfter"]
    assert result["statusAfter"].endswith("model gemma-3-270m ready"), result["statusAfter"]

    # The commands: the adoption report counts the two acceptances; installing the model (already
    # there) restarts the server; a server path that points nowhere gives an error with the fix.
    assert "accept" in result["report"]["text"].lower(), result["report"]
    assert result["installModel"]["statusAfterRestart"].startswith("logsmith running"), result["installModel"]
    # A model file that is not there: the server's warning has an "Install Model" button, which
    # installs the model the message names; the status bar item says the model is missing.
    missing = result["missingModel"]
    assert "no-such-model.gguf" in missing["notification"] and "logsmith model install" in missing["notification"], missing
    assert "Install Model" in missing["buttons"] and "Open Settings" in missing["buttons"], missing
    assert missing["status"].startswith("logsmith running") and "model missing" in missing["status"], missing
    assert "the model is installed" in missing["installed"], missing
    assert "/nonexistent/bin/logsmith is not an executable file" in result["brokenServer"]["notification"], result["brokenServer"]
    assert result["brokenServer"]["status"].startswith("logsmith failed"), result["brokenServer"]
    check_start_failures(result["exitedServer"], 1)

    if os.environ.get("LOGSMITH_UPDATE_SCREENSHOTS") == "1" or not README_SCREENSHOT.exists():
        shutil.copyfile(OUTPUT / "completion.png", README_SCREENSHOT)


GO_FIXTURE = """package orders

import (
\t"log/slog"
\t"os"
)

func LoadOrder(path string) ([]byte, error) {
\tslog.Debug("loading order", "path", path)
\tdata, err := os.ReadFile(path)
\tif err != nil {
\t\treturn nil, err
\t}
\treturn data, nil
}
"""


def test_logsmith_suggestion_in_a_go_file_in_code_server(vsix, tools, node_env, tmp_path):
    """A Go file in the real VS Code: the extension starts the server for it (activation on the
    `go` language), `slog.` typed in the `if err != nil` block brings logsmith's statement into the
    suggest widget, Enter puts it in, and the saved file still parses as Go; the audit store names
    the language. Templates only (`logsmith.useModel: false`): the point is the language."""
    from logsmith.idioms.registry import reader_for
    from logsmith.syntax.document import ParsedDocument

    _, workspace = project_with_venv(tmp_path)
    (workspace / "orders.go").write_text(GO_FIXTURE, encoding="utf-8")
    error_line = line_number_of(GO_FIXTURE, "if err != nil {")
    result = code_server_session(vsix, tools, node_env, tmp_path, workspace, {
        "file": "orders.go",
        "completion": {"line": error_line, "text": "slog."},
    }, settings={"logsmith.useModel": False})

    assert any((label or "").startswith("slog.Error(") for label in result["completion"]["rows"]), result["completion"]
    saved = (workspace / "orders.go").read_text(encoding="utf-8")
    lines = saved.split("\n")
    statement = lines[error_line]  # the new line after `if err != nil {` (error_line is 1-based)
    assert statement.strip().startswith("slog.Error(") and "err" in statement, saved
    assert lines[error_line + 1] == "\t\treturn nil, err", saved
    assert not ParsedDocument(saved, "go").has_error, saved
    before = ParsedDocument(GO_FIXTURE.replace("\t\treturn nil, err\n", "\t\t\n\t\treturn nil, err\n"), "go")
    assert reader_for("go").statement_problems(before, error_line, statement.strip()) == [], statement

    rows = accepted_rows(tmp_path / "logsmith-home" / "telemetry.sqlite3", timeout=5)
    assert [row["channel"] for row in rows] == ["completion"], rows
    assert rows[0]["statement"].strip() == statement.strip()
    assert json.loads(rows[0]["detail"])["language"] == "go", rows[0]
