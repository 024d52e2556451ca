/** Unit tests: every start failure produces a message that says what happened and how to fix it. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { commandLine, failureMessage, lastError } from "../src/startFailure";

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
