/** Unit tests: the buttons on the server's messages, and which model "Install Model" installs. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { messageButtons, modelToInstall } from "../src/serverMessages";

describe("messageButtons", () => {
  it("offers to install the model the server says is missing", () => {
    const missing =
      "logsmith: model 'qwen2.5-coder-0.5b' is not installed; run `logsmith model install qwen2.5-coder-0.5b`. " +
      "Until then suggestions come from templates only.";
    assert.deepEqual(messageButtons(missing, 2), { actions: ["Install Model", "Open Settings"], model: "qwen2.5-coder-0.5b" });
    const corrupt = "logsmith: model 'gemma-3-270m' at /c/m.gguf is corrupt (sha256 ab…, expected cd…); run `logsmith model install gemma-3-270m`.";
    assert.deepEqual(messageButtons(corrupt, 1), { actions: ["Install Model", "Open Settings"], model: "gemma-3-270m" });
  });

  it("puts the setting first when a model file set by path is missing", () => {
    const message =
      "logsmith: model file not found at /m/x.gguf; point the `model` setting or LOGSMITH_MODEL at a valid GGUF file, " +
      "or run `logsmith model install gemma-3-270m`. Until then suggestions come from templates only.";
    assert.deepEqual(messageButtons(message, 2), { actions: ["Open Settings", "Install Model"], model: "gemma-3-270m" });
  });

  it("installs the default model when the command names none", () => {
    assert.deepEqual(messageButtons("logsmith: no model; run `logsmith model install`.", 2), { actions: ["Install Model", "Open Settings"], model: undefined });
  });

  it("opens the settings for a settings problem and the output for other errors", () => {
    assert.deepEqual(messageButtons("logsmith settings: latency_budget_ms must be a number", 2).actions, ["Open Settings"]);
    assert.deepEqual(messageButtons("logsmith: the audit store is locked", 1).actions, ["Show Output"]);
    assert.deepEqual(messageButtons("logsmith: loaded", 3).actions, []);
  });
});

describe("modelToInstall", () => {
  it("installs the configured registry model, else the default", () => {
    assert.equal(modelToInstall("qwen2.5-coder-0.5b"), "qwen2.5-coder-0.5b");
    assert.equal(modelToInstall("  gemma-3-270m "), "gemma-3-270m");
    assert.equal(modelToInstall(""), undefined);
    assert.equal(modelToInstall(undefined), undefined);
    assert.equal(modelToInstall("/models/my.gguf"), undefined);
    assert.equal(modelToInstall("~/m.gguf"), undefined);
    assert.equal(modelToInstall("local.GGUF"), undefined);
  });
});
