"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
/** Unit tests: where the extension looks for the logsmith server, and in which order. */
const strict_1 = __importDefault(require("node:assert/strict"));
const node_test_1 = require("node:test");
const serverCommand_1 = require("../src/serverCommand");
function lookup(overrides, executables) {
    const input = {
        serverPath: "",
        python: "",
        workspaceFolders: ["/work/project"],
        workspaceTrusted: true,
        envPath: "/usr/local/bin:/usr/bin",
        platform: "linux",
        home: "/home/ada",
        isExecutable: (file) => executables.includes(file),
        ...overrides,
    };
    return (0, serverCommand_1.findServerCommand)(input);
}
(0, node_test_1.describe)("findServerCommand", () => {
    (0, node_test_1.it)("prefers the workspace .venv over PATH", () => {
        const result = lookup({}, ["/work/project/.venv/bin/logsmith", "/usr/bin/logsmith"]);
        strict_1.default.deepEqual(result.found, { command: "/work/project/.venv/bin/logsmith", args: ["serve"], origin: "workspace .venv" });
    });
    (0, node_test_1.it)("falls back to venv/, then to PATH in PATH order", () => {
        strict_1.default.equal(lookup({}, ["/work/project/venv/bin/logsmith", "/usr/bin/logsmith"]).found?.command, "/work/project/venv/bin/logsmith");
        const onPath = lookup({}, ["/usr/local/bin/logsmith", "/usr/bin/logsmith"]).found;
        strict_1.default.deepEqual(onPath, { command: "/usr/local/bin/logsmith", args: ["serve"], origin: "PATH" });
    });
    (0, node_test_1.it)("looks in every workspace folder, first folder first", () => {
        const result = lookup({ workspaceFolders: ["/a", "/b"] }, ["/b/.venv/bin/logsmith"]);
        strict_1.default.equal(result.found?.command, "/b/.venv/bin/logsmith");
    });
    (0, node_test_1.it)("does not run anything from an untrusted workspace", () => {
        const result = lookup({ workspaceTrusted: false }, ["/work/project/.venv/bin/logsmith", "/usr/bin/logsmith"]);
        strict_1.default.equal(result.found?.command, "/usr/bin/logsmith");
        const none = lookup({ workspaceTrusted: false }, ["/work/project/.venv/bin/logsmith"]);
        strict_1.default.equal(none.found, undefined);
        strict_1.default.ok(!("found" in none && none.found) && none.searched.every((file) => !file.startsWith("/work/project")));
    });
    (0, node_test_1.it)("uses logsmith.server.path first and expands ~ and ${workspaceFolder}", () => {
        const home = lookup({ serverPath: "~/bin/logsmith" }, ["/home/ada/bin/logsmith", "/usr/bin/logsmith"]);
        strict_1.default.deepEqual(home.found, { command: "/home/ada/bin/logsmith", args: ["serve"], origin: "logsmith.server.path" });
        const folder = lookup({ serverPath: "${workspaceFolder}/tools/logsmith" }, ["/work/project/tools/logsmith"]);
        strict_1.default.equal(folder.found?.command, "/work/project/tools/logsmith");
        const relative = lookup({ serverPath: "env/bin/logsmith" }, ["/work/project/env/bin/logsmith"]);
        strict_1.default.equal(relative.found?.command, "/work/project/env/bin/logsmith");
    });
    (0, node_test_1.it)("reports a setting that points nowhere instead of falling back", () => {
        const result = lookup({ serverPath: "/opt/missing/logsmith" }, ["/usr/bin/logsmith"]);
        strict_1.default.equal(result.found, undefined);
        if (result.found === undefined) {
            strict_1.default.deepEqual(result.badSetting, { name: "logsmith.server.path", value: "/opt/missing/logsmith", resolved: "/opt/missing/logsmith" });
            strict_1.default.deepEqual(result.searched, ["/opt/missing/logsmith"]);
        }
    });
    (0, node_test_1.it)("runs a configured interpreter as python -m logsmith.cli serve", () => {
        const result = lookup({ python: "/usr/bin/python3" }, ["/usr/bin/python3", "/work/project/.venv/bin/logsmith"]);
        strict_1.default.deepEqual(result.found, { command: "/usr/bin/python3", args: ["-m", "logsmith.cli", "serve"], origin: "logsmith.server.python" });
    });
    (0, node_test_1.it)("lists everything it searched when nothing is found", () => {
        const result = lookup({ envPath: "/usr/bin::" }, []);
        strict_1.default.equal(result.found, undefined);
        if (result.found === undefined) {
            strict_1.default.deepEqual(result.searched, [
                "/work/project/.venv/bin/logsmith",
                "/work/project/venv/bin/logsmith",
                "/usr/bin/logsmith",
            ]);
            strict_1.default.equal(result.badSetting, undefined);
        }
    });
    (0, node_test_1.it)("knows Windows virtual environments and PATH", () => {
        const result = lookup({ platform: "win32", workspaceFolders: ["C:\\src\\app"], envPath: "C:\\Python\\Scripts;C:\\tools", home: "C:\\Users\\ada" }, ["C:\\src\\app\\.venv\\Scripts\\logsmith.exe"]);
        strict_1.default.equal(result.found?.command, "C:\\src\\app\\.venv\\Scripts\\logsmith.exe");
        strict_1.default.deepEqual((0, serverCommand_1.pathCandidates)("C:\\a;C:\\b", "win32"), ["C:\\a\\logsmith.exe", "C:\\a\\logsmith.cmd", "C:\\b\\logsmith.exe", "C:\\b\\logsmith.cmd"]);
    });
});
(0, node_test_1.describe)("expandPath", () => {
    (0, node_test_1.it)("keeps absolute paths and expands a lone ~", () => {
        strict_1.default.equal((0, serverCommand_1.expandPath)("/usr/bin/logsmith", "/w", "/home/ada", "linux"), "/usr/bin/logsmith");
        strict_1.default.equal((0, serverCommand_1.expandPath)("~", "/w", "/home/ada", "linux"), "/home/ada");
        strict_1.default.equal((0, serverCommand_1.expandPath)("  ./x  ", "/w", "/home/ada", "linux"), "/w/x");
    });
});
(0, node_test_1.describe)("withSubcommand", () => {
    (0, node_test_1.it)("swaps serve for another subcommand and keeps the interpreter prefix", () => {
        const direct = (0, serverCommand_1.withSubcommand)({ command: "/v/bin/logsmith", args: ["serve"], origin: "PATH" }, ["model", "install"]);
        strict_1.default.deepEqual(direct.args, ["model", "install"]);
        const viaPython = (0, serverCommand_1.withSubcommand)({ command: "/usr/bin/python3", args: ["-m", "logsmith.cli", "serve"], origin: "x" }, ["report"]);
        strict_1.default.deepEqual(viaPython.args, ["-m", "logsmith.cli", "report"]);
    });
});
//# sourceMappingURL=serverCommand.test.js.map