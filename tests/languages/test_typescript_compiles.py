"""Every statement logsmith writes into a TypeScript or JavaScript file passes the real TypeScript
compiler in strict mode (the version the VS Code extension pins, with `@types/node`): each case is
a module that compiles clean without logsmith, marked `§` where a statement is asked for; each
suggestion (with its setup edits) is written in, and every file is checked together. The
JavaScript cases are checked by the same compiler (`--checkJs`), and each is run with the real
Node.js too, calling its statement: the compiler lets some of what throws in JavaScript pass."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

import logsmith
from tests.languages.marked_cases import cursor, written

EXTENSION = Path(__file__).resolve().parents[2] / "editors" / "vscode"
INSTALL = EXTENSION / "scripts" / "install-node-modules.sh"

LOGGER = """\
declare const logger: {
    debug(...values: unknown[]): void;
    info(...values: unknown[]): void;
    warn(...values: unknown[]): void;
    error(...values: unknown[]): void;
};
function load(path: string): string {
    return path;
}
"""

TYPESCRIPT = {
    "a_local_assigned_on_one_path": LOGGER
    + """
export function size(path: string, deep: boolean): number {
    let total: number;
    if (deep) {
        total = load(path).length;
    }
    try {
        return load(path).length;
    } catch (err) {
        §
        throw err;
    }
}
""",
    "a_callback_function": LOGGER
    + """
class Store {
    private logger = console;
    load(path: string, done: (data: string) => void): void {
        this.logger.info("loading", path);
        setTimeout(function () {
            if (!path) {
                §
                return;
            }
            done(path);
        }, 0);
    }
}
export { Store };
""",
    "another_classs_logger": """
class Server {
    private logger = console;
    start(port: number): void {
        this.logger.info("listening on", port);
    }
}
class Client {
    connect(host: string): void {
        if (!host) {
            §
            return;
        }
    }
}
export { Server, Client };
""",
    "a_static_method": """
class Store {
    private logger = console;
    private path = "store.db";
    open(): void {
        this.logger.info("opening", this.path);
    }
    static create(path: string): Store {
        if (!path) {
            §
        }
        return new Store();
    }
}
export { Store };
""",
    "a_static_block": """
class Settings {
    private logger = console;
    static mode = process.env.MODE;
    read(): void {
        this.logger.info("reading");
    }
    static {
        if (!Settings.mode) {
            §
        }
    }
}
export { Settings };
""",
    "a_constructor_before_super": """
class Base {
    constructor(public name: string) {}
}
class Store extends Base {
    private logger = console;
    open(): void {
        this.logger.info("opening", this.name);
    }
    constructor(name: string) {
        §
        super(name);
    }
}
export { Store };
""",
    "an_object_literal_method": """
class Store {
    private logger = console;
    open(): void {
        this.logger.info("opening");
        const handlers = {
            start(name: string): string {
                §
                return name;
            },
        };
        handlers.start("a");
    }
}
export { Store };
""",
    "a_function_inside_a_method": """
class Store {
    private logger = console;
    open(path: string): boolean {
        this.logger.info("opening", path);
        function check(name: string): boolean {
            if (!name) {
                §
                return false;
            }
            return true;
        }
        return check(path);
    }
}
export { Store };
""",
    "a_private_logger_field_and_another_class": """
class Store {
    #logger = console;
    #path = "store.db";
    open(): void {
        this.#logger.info("opening", this.#path);
    }
}
class Cache {
    #size = 0;
    clear(): void {
        if (this.#size === 0) {
            §
        }
    }
}
export { Store, Cache };
""",
    "the_top_of_the_module_above_its_logger": """
export {};
const port = Number(process.env.PORT || "80");
if (port < 1024) {
    §
}
const log = { info: (...values: unknown[]) => {}, warn: (...values: unknown[]) => {} };
export function serve(path: string): void {
    log.info("serving", path);
}
""",
    "a_caught_error_of_unknown_type": LOGGER
    + """
export function first(path: string): string {
    try {
        return load(path);
    } catch (e: any) {
        logger.error("failed to load " + path, e.message);
        throw e;
    }
}
export function second(name: string): string {
    try {
        return load(name);
    } catch (err) {
        §
        throw err;
    }
}
""",
    "a_parameter_named_console": """
export function run(console: string[], path: string): number {
    if (!path) {
        §
        return 0;
    }
    return console.length;
}
""",
}

JAVASCRIPT = {
    "a_static_method_js": """
class Store {
    constructor() {
        this.logger = console;
        this.path = "store.db";
    }
    open() {
        this.logger.info("opening", this.path);
    }
    static create(path) {
        if (!path) {
            §
        }
        return new Store();
    }
}
Store.create("");
module.exports = {};
""",
    "an_object_literal_method_js": """
class Store {
    constructor() {
        this.logger = console;
    }
    open() {
        this.logger.info("opening");
        const handlers = {
            start(name) {
                §
                return name;
            },
        };
        return handlers.start("a");
    }
}
new Store().open();
module.exports = {};
""",
    "a_function_inside_a_method_js": """
class Store {
    constructor() {
        this.logger = console;
    }
    open(path) {
        this.logger.info("opening", path);
        const check = function (name) {
            if (!name) {
                §
                return false;
            }
            return true;
        };
        return check(path);
    }
}
new Store().open("");
module.exports = {};
""",
    "the_top_of_the_module_above_its_logger_js": """
const port = Number(process.env.PORT || "80");
if (port < 1024) {
    §
}
const log = console;
log.info("serving");
module.exports = {};
""",
}


@pytest.fixture(scope="module")
def tsc() -> str:
    """The TypeScript compiler that the extension's package-lock.json pins, installed once."""
    done = subprocess.run(
        ["bash", str(INSTALL)], capture_output=True, text=True, timeout=900, check=False
    )
    assert done.returncode == 0, done.stderr
    found = re.search(r"^TSC=(.+)$", done.stdout, re.MULTILINE)
    assert found and Path(found.group(1)).exists(), done.stdout + done.stderr
    return found.group(1)


def _compile_all(tsc: str, folder: Path, sources: dict[str, str]) -> str:
    """tsc's errors over `sources` (name -> text; names ending `_js` are JavaScript)."""
    paths = []
    for name, source in sources.items():
        path = (
            folder / "checked" / (f"{name}.js" if re.search(r"_js(_\d+)?$", name) else f"{name}.ts")
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source)
        paths.append(str(path))
    done = subprocess.run(
        [
            # JavaScript's parameters have no types: `any` is what Node gives them
            tsc,
            "--strict",
            "--noImplicitAny",
            "false",
            "--noEmit",
            "--allowJs",
            "--checkJs",
            "--target",
            "es2022",
            "--module",
            "commonjs",
            "--types",
            "node",
            "--typeRoots",
            str(EXTENSION / "node_modules" / "@types"),
            *paths,
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    return "" if done.returncode == 0 else done.stdout + done.stderr


def _written(settings, folder: Path) -> tuple[dict[str, str], dict[str, str]]:
    files, statements = written(TYPESCRIPT, settings, folder, "typescript", ".ts")
    more_files, more_statements = written(JAVASCRIPT, settings, folder, "javascript", ".js")
    return {**files, **more_files}, {**statements, **more_statements}


def test_the_cases_compile_before_a_statement_is_written(tsc, tmp_path):
    cases = {**TYPESCRIPT, **JAVASCRIPT}
    assert _compile_all(tsc, tmp_path, {n: cursor(m)[0] for n, m in cases.items()}) == ""


def test_every_template_statement_compiles(tsc, tmp_path):
    files, statements = _written(logsmith.Settings(use_model=False), tmp_path)
    assert _compile_all(tsc, tmp_path, files) == "", statements


@pytest.mark.model
def test_every_statement_with_the_model_compiles(tsc, model_settings, tmp_path):
    files, statements = _written(model_settings, tmp_path)
    assert _compile_all(tsc, tmp_path, files) == "", statements


def _node_failures(folder: Path, sources: dict[str, str]) -> dict[str, str]:
    """name -> what Node printed, for each JavaScript file that does not run to its end."""
    node = shutil.which("node")
    assert node, "Node.js is needed: the machine's image has Node 20"
    failed = {}
    for name, source in sources.items():
        path = folder / "ran" / f"{name}.js"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source)
        done = subprocess.run([node, str(path)], capture_output=True, text=True, timeout=60)
        if done.returncode != 0:
            failed[name] = done.stderr
    return failed


def test_the_javascript_cases_run_before_a_statement_is_written(tmp_path):
    assert _node_failures(tmp_path, {n: cursor(m)[0] for n, m in JAVASCRIPT.items()}) == {}


def test_every_javascript_statement_runs(tmp_path):
    files, statements = written(
        JAVASCRIPT, logsmith.Settings(use_model=False), tmp_path, "javascript", ".js"
    )
    assert _node_failures(tmp_path, files) == {}, statements
