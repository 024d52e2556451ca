/** Unit tests: every start failure produces a message that says what happened and how to fix it. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { classifyStartFailure, commandLine, exitText, failureMessage, isLostConnection, lastError, spawnFailure } from "../src/startFailure";

const server = { command: "/w/.venv/bin/logsmith", args: ["serve"], origin: "workspace .venv" };

describe("failureMessage", () => {
  it("tells how to install the server when none was found", () => {
    const message = failureMessage({ kind: "notFound", lookup: { found: undefined, searched: ["/w/.venv/bin/logsmith", "/usr/bin/logsmith"] } });
    assert.match(message.text, /was not found/);
    assert.match(message.text, /in the workspace and the folders above it/);
    assert.match(message.text, /`make install` in a logsmith checkout/);
    assert.match(message.text, /~\/\.local\/share\/logsmith\/venv/);
    assert.doesNotMatch(message.text, /pip install/);
    assert.match(message.text, /logsmith\.server\.path/);
    assert.deepEqual(message.actions, ["Open Settings", "Show Output"]);
  });

  it("names a setting that points nowhere", () => {
    const message = failureMessage({
      kind: "notFound",
      lookup: { found: undefined, searched: ["/opt/x"], badSetting: { name: "logsmith.server.path", value: "~/x", resolved: "/opt/x" } },
    });
    assert.match(message.text, /logsmith\.server\.path is "~\/x", but \/opt\/x is not an executable file/);
  });

  it("explains a file that cannot be executed", () => {
    const message = failureMessage({ kind: "spawnFailed", server, code: "EACCES", reason: "spawn EACCES" });
    assert.match(message.text, /cannot run \/w\/\.venv\/bin\/logsmith \(it is not executable\)/);
    assert.match(message.text, /`make install`/);
  });

  it("quotes the server's own last error and suggests an upgrade when serve does not exist", () => {
    const message = failureMessage({
      kind: "exited",
      server,
      stderrTail: ["usage: logsmith [-h] COMMAND", "logsmith: error: argument COMMAND: invalid choice: 'serve' (choose from 'suggest')", ""],
    });
    assert.match(message.text, /stopped while starting: logsmith: error: argument COMMAND: invalid choice: 'serve'/);
    assert.match(message.text, /upgrade it \(`make install` in a current logsmith checkout\)/);
  });

  it("offers to install the model when the model is missing", () => {
    const message = failureMessage({ kind: "exited", server, stderrTail: ["RuntimeError: model gemma-3-270m is not installed"] });
    assert.equal(message.actions[0], "Install Model");
  });

  it("points at a terminal run otherwise", () => {
    const message = failureMessage({ kind: "exited", server, stderrTail: [] });
    assert.match(message.text, /Run `\/w\/\.venv\/bin\/logsmith serve` in a terminal/);
  });
});

describe("lastError", () => {
  it("skips traceback framing", () => {
    const tail = ["Traceback (most recent call last):", '  File "x.py", line 1, in <module>', "ImportError: no pygls", "   ^^^^", ""];
    assert.equal(lastError(tail), "ImportError: no pygls");
    assert.equal(lastError(["", "  "]), undefined);
  });
});

describe("commandLine", () => {
  it("quotes parts with spaces", () => {
    assert.equal(commandLine({ command: "/My Tools/logsmith", args: ["serve"], origin: "PATH" }), '"/My Tools/logsmith" serve');
  });
});

// What vscode-languageclient rejects start() with when the server is gone, in the shapes it uses.
const writeEpipe = { code: -32099, message: "write EPIPE" }; // ResponseError(MessageWriteError)
const pendingRejected = { code: -32097, message: "Pending response rejected since connection got disposed" };
const nodeEpipe = Object.assign(new Error("write EPIPE"), { code: "EPIPE", syscall: "write" });
const connectionClosed = Object.assign(new Error("Connection is closed."), { code: 1 });
const writeAfterDestroy = { code: -32099, message: "Cannot call write after a stream was destroyed" }; // the exit seen first
const exitedEarly = new Error("Server process exited before the connection could be established (code: 2, signal: null).");
const oldServerStderr = ["usage: logsmith [-h] COMMAND", "logsmith: error: argument COMMAND: invalid choice: 'serve' (choose from 'suggest')"];

describe("classifyStartFailure", () => {
  for (const [name, error] of [
    ["write EPIPE (the start rejected)", writeEpipe],
    ["write EPIPE (the error handler's Node error)", nodeEpipe],
    ["a write after the exit was seen", writeAfterDestroy],
    ["a pending request dropped", pendingRejected],
    ["a closed connection", connectionClosed],
    ["an exit before connecting", exitedEarly],
  ] as const) {
    it(`explains ${name} with the server's stderr and exit code, not the client's error`, () => {
      const failure = classifyStartFailure(server, { error, exit: { code: 2, signal: null }, stderrTail: oldServerStderr });
      assert.deepEqual(failure, { kind: "exited", server, stderrTail: oldServerStderr, exit: { code: 2, signal: null } });
      const text = failureMessage(failure).text;
      assert.match(text, /stopped while starting: logsmith: error: argument COMMAND: invalid choice: 'serve' \(choose from 'suggest'\) \(exit code 2\)\. /);
      assert.match(text, /upgrade it/);
      assert.doesNotMatch(text, /EPIPE|Pending response|Connection is closed|exited before|destroyed/);
    });
  }

  it("does not quote a broken connection even when nothing else is known", () => {
    for (const error of [writeEpipe, nodeEpipe, pendingRejected, connectionClosed, "write EPIPE"]) {
      const failure = classifyStartFailure(server, { error, stderrTail: [] });
      assert.deepEqual(failure, { kind: "exited", server, stderrTail: [] });
      const text = failureMessage(failure).text;
      assert.match(text, /\(workspace \.venv\) stopped while starting\. Run `\/w\/\.venv\/bin\/logsmith serve` in a terminal/);
      assert.doesNotMatch(text, /EPIPE|Pending|Connection/);
    }
  });

  it("gives the exit code or the signal when the server said nothing", () => {
    const silent = classifyStartFailure(server, { error: writeEpipe, exit: { code: 0, signal: null }, stderrTail: [""] });
    assert.match(failureMessage(silent).text, /stopped while starting \(exit code 0\)\. Run /);
    const killed = classifyStartFailure(server, { error: pendingRejected, exit: { code: null, signal: "SIGKILL" }, stderrTail: [] });
    assert.match(failureMessage(killed).text, /stopped while starting \(killed by SIGKILL\)\. /);
  });

  it("quotes the client's error when it is a cause of its own and the server said nothing", () => {
    const error = new Error("Unsupported position encoding (utf-8) received from server logsmith");
    const failure = classifyStartFailure(server, { error, stderrTail: [] });
    assert.deepEqual(failure, { kind: "exited", server, stderrTail: [error.message] });
    assert.match(failureMessage(failure).text, /stopped while starting: Unsupported position encoding \(utf-8\) received from server logsmith\. /);
  });

  it("prefers the server's own last error to the client's", () => {
    const failure = classifyStartFailure(server, {
      error: { code: -32603, message: "Request initialize failed with message: boom" },
      exit: { code: 1, signal: null },
      stderrTail: ["RuntimeError: model gemma-3-270m is not installed."],
    });
    const message = failureMessage(failure);
    assert.match(message.text, /stopped while starting: RuntimeError: model gemma-3-270m is not installed \(exit code 1\)\. Install the model/);
    assert.equal(message.actions[0], "Install Model");
  });

  it("tells a program that cannot be run apart", () => {
    const notExecutable = classifyStartFailure(server, {
      error: "Launching server using command /w/.venv/bin/logsmith failed. Error: spawn /w/.venv/bin/logsmith EACCES",
      stderrTail: [],
    });
    assert.deepEqual(notExecutable, { kind: "spawnFailed", server, code: "EACCES", reason: "spawn /w/.venv/bin/logsmith EACCES" });
    assert.match(failureMessage(notExecutable).text, /cannot run \/w\/\.venv\/bin\/logsmith \(it is not executable\)/);

    const missing = Object.assign(new Error("spawn /w/.venv/bin/logsmith ENOENT"), { code: "ENOENT", syscall: "spawn /w/.venv/bin/logsmith" });
    assert.deepEqual(classifyStartFailure(server, { error: missing, stderrTail: [] }), {
      kind: "spawnFailed",
      server,
      code: "ENOENT",
      reason: "spawn /w/.venv/bin/logsmith ENOENT",
    });

    const unnamed = classifyStartFailure(server, { error: "Launching server using command /w/.venv/bin/logsmith failed.", stderrTail: [] });
    assert.equal(unnamed.kind, "spawnFailed");
  });

  it("treats a process that ran and exited as exited, whatever the error says", () => {
    const failure = classifyStartFailure(server, { error: "spawn x ENOENT", exit: { code: 127, signal: null }, stderrTail: ["sh: 1: x: not found"] });
    assert.equal(failure.kind, "exited");
  });
});

describe("isLostConnection", () => {
  it("recognises the ways a dead server breaks the connection", () => {
    for (const error of [writeEpipe, nodeEpipe, writeAfterDestroy, pendingRejected, connectionClosed, exitedEarly, "write EPIPE", { message: "Connection is disposed." }]) {
      assert.equal(isLostConnection(error), true, JSON.stringify(error));
    }
    for (const error of [new Error("Unsupported position encoding"), { code: -32603, message: "internal error" }, "spawn x EACCES"]) {
      assert.equal(isLostConnection(error), false, JSON.stringify(error));
    }
  });
});

describe("spawnFailure", () => {
  it("reads the OS error code from an error or from the client's string", () => {
    assert.deepEqual(spawnFailure(Object.assign(new Error("spawn x EACCES"), { code: "EACCES", syscall: "spawn x" })), { code: "EACCES" });
    assert.deepEqual(spawnFailure("Launching server using command x failed. Error: spawn x ENOENT"), { code: "ENOENT" });
    assert.equal(spawnFailure(nodeEpipe), undefined);
    assert.equal(spawnFailure(writeEpipe), undefined);
  });
});

describe("exitText", () => {
  it("says how the process ended", () => {
    assert.equal(exitText({ code: 2, signal: null }), "exit code 2");
    assert.equal(exitText({ code: null, signal: "SIGTERM" }), "killed by SIGTERM");
    assert.equal(exitText({ code: null, signal: null }), undefined);
    assert.equal(exitText(undefined), undefined);
  });
});
