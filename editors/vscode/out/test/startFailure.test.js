"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
/** Unit tests: every start failure produces a message that says what happened and how to fix it. */
const strict_1 = __importDefault(require("node:assert/strict"));
const node_test_1 = require("node:test");
const startFailure_1 = require("../src/startFailure");
const server = { command: "/w/.venv/bin/logsmith", args: ["serve"], origin: "workspace .venv" };
(0, node_test_1.describe)("failureMessage", () => {
    (0, node_test_1.it)("tells how to install the server when none was found", () => {
        const message = (0, startFailure_1.failureMessage)({ kind: "notFound", lookup: { found: undefined, searched: ["/w/.venv/bin/logsmith", "/usr/bin/logsmith"] } });
        strict_1.default.match(message.text, /was not found/);
        strict_1.default.match(message.text, /pip install/);
        strict_1.default.match(message.text, /logsmith\.server\.path/);
        strict_1.default.deepEqual(message.actions, ["Open Settings", "Show Output"]);
    });
    (0, node_test_1.it)("names a setting that points nowhere", () => {
        const message = (0, startFailure_1.failureMessage)({
            kind: "notFound",
            lookup: { found: undefined, searched: ["/opt/x"], badSetting: { name: "logsmith.server.path", value: "~/x", resolved: "/opt/x" } },
        });
        strict_1.default.match(message.text, /logsmith\.server\.path is "~\/x", but \/opt\/x is not an executable file/);
    });
    (0, node_test_1.it)("explains a file that cannot be executed", () => {
        const message = (0, startFailure_1.failureMessage)({ kind: "spawnFailed", server, code: "EACCES", reason: "spawn EACCES" });
        strict_1.default.match(message.text, /cannot run \/w\/\.venv\/bin\/logsmith \(it is not executable\)/);
    });
    (0, node_test_1.it)("quotes the server's own last error and suggests an upgrade when serve does not exist", () => {
        const message = (0, startFailure_1.failureMessage)({
            kind: "exited",
            server,
            stderrTail: ["usage: logsmith [-h] COMMAND", "logsmith: error: argument COMMAND: invalid choice: 'serve' (choose from 'suggest')", ""],
        });
        strict_1.default.match(message.text, /stopped while starting: logsmith: error: argument COMMAND: invalid choice: 'serve'/);
        strict_1.default.match(message.text, /upgrade it/);
    });
    (0, node_test_1.it)("offers to install the model when the model is missing", () => {
        const message = (0, startFailure_1.failureMessage)({ kind: "exited", server, stderrTail: ["RuntimeError: model gemma-3-270m is not installed"] });
        strict_1.default.equal(message.actions[0], "Install Model");
    });
    (0, node_test_1.it)("points at a terminal run otherwise", () => {
        const message = (0, startFailure_1.failureMessage)({ kind: "exited", server, stderrTail: [] });
        strict_1.default.match(message.text, /Run `\/w\/\.venv\/bin\/logsmith serve` in a terminal/);
    });
});
(0, node_test_1.describe)("lastError", () => {
    (0, node_test_1.it)("skips traceback framing", () => {
        const tail = ["Traceback (most recent call last):", '  File "x.py", line 1, in <module>', "ImportError: no pygls", "   ^^^^", ""];
        strict_1.default.equal((0, startFailure_1.lastError)(tail), "ImportError: no pygls");
        strict_1.default.equal((0, startFailure_1.lastError)(["", "  "]), undefined);
    });
});
(0, node_test_1.describe)("commandLine", () => {
    (0, node_test_1.it)("quotes parts with spaces", () => {
        strict_1.default.equal((0, startFailure_1.commandLine)({ command: "/My Tools/logsmith", args: ["serve"], origin: "PATH" }), '"/My Tools/logsmith" serve');
    });
});
//# sourceMappingURL=startFailure.test.js.map