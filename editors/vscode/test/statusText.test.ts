/** Unit tests: the status bar's text for each server state and each `logsmith/status` notification. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatLatency, modelProblem, parseStatus, statusView } from "../src/statusText";

const notification = {
  channel: "completion",
  latencyMs: 212.4,
  source: "gemma-3-270m",
  modelId: "gemma-3-270m",
  modelState: "ready",
  workerPid: 4242,
  notes: [],
};

describe("parseStatus", () => {
  it("keeps the fields the status bar shows", () => {
    assert.deepEqual(parseStatus(notification), { modelId: "gemma-3-270m", modelState: "ready", latencyMs: 212.4, source: "gemma-3-270m" });
  });

  it("drops fields of the wrong type and survives junk", () => {
    assert.deepEqual(parseStatus({ modelId: 5, latencyMs: "fast", modelState: null }), {
      modelId: undefined,
      modelState: undefined,
      latencyMs: undefined,
      source: undefined,
    });
    assert.deepEqual(parseStatus(null), {});
    assert.deepEqual(parseStatus("text"), {});
    assert.equal(parseStatus({ latencyMs: -1 }).latencyMs, undefined);
  });
});

describe("statusView", () => {
  it("shows the model and the last latency while running", () => {
    const view = statusView("running", parseStatus(notification));
    assert.equal(view.text, "$(sparkle) gemma-3-270m · 212 ms");
    assert.match(view.tooltip, /last suggestion: 212 ms, written by gemma-3-270m/);
    assert.equal(view.ariaLabel, "logsmith running: model gemma-3-270m, last suggestion 212 ms");
  });

  it("says only that it runs before the first suggestion", () => {
    const view = statusView("running", {});
    assert.equal(view.text, "$(sparkle) logsmith");
    assert.equal(view.ariaLabel, "logsmith running");
  });

  it("says templates when the model is off", () => {
    const view = statusView("running", { modelState: "off", latencyMs: 3, source: "template" });
    assert.equal(view.text, "$(sparkle) templates · 3 ms");
    assert.match(view.tooltip, /useModel is off/);
  });

  it("warns and tells how to fix a missing model", () => {
    const view = statusView("running", { modelId: "gemma-3-270m", modelState: "missing", latencyMs: 4, source: "template" });
    assert.equal(view.text, "$(warning) gemma-3-270m · 4 ms");
    assert.match(view.tooltip, /not installed.*Install Model/);
    assert.equal(modelProblem({ modelState: "ready" }), undefined);
    assert.match(modelProblem({ modelState: "failed" }) ?? "", /the model failed to load/);
  });

  it("shows failure and its reason", () => {
    const view = statusView("failed", {}, "not found");
    assert.equal(view.text, "$(error) logsmith");
    assert.match(view.tooltip, /could not start: not found/);
    assert.equal(view.ariaLabel, "logsmith failed: not found");
  });

  it("formats latencies in ms below a second, seconds above", () => {
    assert.equal(formatLatency(0.4), "0 ms");
    assert.equal(formatLatency(999.4), "999 ms");
    assert.equal(formatLatency(1530), "1.5 s");
  });
});
