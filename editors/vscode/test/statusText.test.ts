/** Unit tests: the status bar's text for each server state and each `logsmith/status` notification. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatLatency, modelProblem, nextStatus, parseStatus, statusView } from "../src/statusText";

const notification = {
  channel: "completion",
  latencyMs: 212.4,
  source: "gemma-3-270m",
  modelId: "gemma-3-270m",
  modelState: "ready",
  modelNote: null,
  workerPid: 4242,
  notes: [],
};

describe("parseStatus", () => {
  it("keeps the fields the status bar shows", () => {
    assert.deepEqual(parseStatus(notification), {
      modelId: "gemma-3-270m",
      modelState: "ready",
      modelNote: undefined,
      latencyMs: 212.4,
      source: "gemma-3-270m",
      channel: "completion",
      notes: [],
      index: undefined,
    });
  });

  it("drops fields of the wrong type and survives junk", () => {
    assert.deepEqual(parseStatus({ modelId: 5, latencyMs: "fast", modelState: null, notes: ["kept", 3, ""] }), {
      modelId: undefined,
      modelState: undefined,
      modelNote: undefined,
      latencyMs: undefined,
      source: undefined,
      channel: undefined,
      notes: ["kept"],
      index: undefined,
    });
    assert.deepEqual(parseStatus(null), {});
    assert.deepEqual(parseStatus("text"), {});
    assert.equal(parseStatus({ latencyMs: -1 }).latencyMs, undefined);
  });
});

describe("statusView", () => {
  it("shows the model that wrote the last suggestion and its latency", () => {
    const view = statusView("running", parseStatus(notification));
    assert.equal(view.text, "$(sparkle) gemma-3-270m · 212 ms");
    assert.match(view.tooltip, /last suggestion: written by the model gemma-3-270m in 212 ms \(completion\)/);
    assert.equal(view.ariaLabel, "logsmith running: last suggestion from gemma-3-270m in 212 ms, model gemma-3-270m ready");
  });

  it("says template, not the model, when the template wrote the last suggestion", () => {
    const notes = ["no time left for the model: the template answered; the server reads the context meanwhile"];
    const view = statusView("running", parseStatus({ ...notification, source: "template", latencyMs: 9.2, notes }));
    assert.equal(view.text, "$(sparkle) template · 9 ms");
    assert.match(view.tooltip, /^logsmith: model gemma-3-270m \(ready\)$/m);
    assert.match(view.tooltip, /written by the template engine in 9 ms \(completion\)\n {2}no time left for the model/);
    assert.equal(view.ariaLabel, "logsmith running: last suggestion from template in 9 ms, model gemma-3-270m ready");
  });

  it("keeps naming the last suggestion's source when only the model's state changes", () => {
    const answered = nextStatus({}, parseStatus({ ...notification, source: "template", latencyMs: 9 }));
    // a model notification (an older server also repeats the last latency without its source)
    const loaded = nextStatus(answered, parseStatus({ channel: "model", modelId: "gemma-3-270m", modelState: "failed", latencyMs: 507 }));
    assert.deepEqual({ source: loaded.source, latencyMs: loaded.latencyMs, modelState: loaded.modelState }, { source: "template", latencyMs: 9, modelState: "failed" });
    assert.equal(statusView("running", loaded).text, "$(warning) template · 9 ms");
    const next = nextStatus(loaded, parseStatus({ ...notification, latencyMs: 210 }));
    assert.equal(statusView("running", next).text, "$(sparkle) gemma-3-270m · 210 ms");
  });

  it("states the project index, and keeps the last suggestion's source when only the index changes", () => {
    const answered = nextStatus({}, parseStatus({ ...notification, source: "template", latencyMs: 9 }));
    const building = nextStatus(answered, parseStatus({
      channel: "index", modelId: "gemma-3-270m", modelState: "ready",
      index: { state: "building", done: 50, total: 200, text: "project index indexing log statements, 50/200 files" },
    }));
    assert.equal(statusView("running", building).text, "$(sparkle) template · 9 ms");
    assert.match(statusView("running", building).tooltip, /^project index indexing log statements, 50\/200 files$/m);
    const ready = nextStatus(building, parseStatus({
      channel: "index", modelId: "gemma-3-270m", modelState: "ready",
      index: { state: "ready", statements: 6, files: 3, skipped: {}, text: "project index ready, 6 log statements in 3 files" },
    }));
    // an answer from a server that sends no index keeps the index last stated
    const next = nextStatus(ready, parseStatus({ ...notification, latencyMs: 210 }));
    assert.equal(next.index, "project index ready, 6 log statements in 3 files");
    assert.match(statusView("running", next).tooltip, /^project index ready, 6 log statements in 3 files$/m);
    assert.equal(parseStatus({ index: "not an object" }).index, undefined);
  });

  it("warns about a missing model before the first suggestion", () => {
    // the server cannot name a model it could not resolve: modelId is null
    const status = nextStatus({}, parseStatus({ channel: "model", modelId: null, modelState: "missing", workerPid: null }));
    const view = statusView("running", status);
    assert.equal(view.text, "$(warning) logsmith");
    assert.match(view.tooltip, /^logsmith: model missing$/m);
    assert.match(view.tooltip, /the model is not installed.*Install Model/);
    assert.equal(view.ariaLabel, "logsmith running, model missing");
  });

  it("says only that it runs before the first suggestion", () => {
    const view = statusView("running", {});
    assert.equal(view.text, "$(sparkle) logsmith");
    assert.equal(view.ariaLabel, "logsmith running");
  });

  it("says template when the model is off", () => {
    const view = statusView("running", { modelState: "off", latencyMs: 3, source: "template" });
    assert.equal(view.text, "$(sparkle) template · 3 ms");
    assert.match(view.tooltip, /useModel is off/);
    assert.equal(view.ariaLabel, "logsmith running: last suggestion from template in 3 ms");
  });

  it("warns and tells how to fix a missing model", () => {
    const view = statusView("running", { modelId: "gemma-3-270m", modelState: "missing", latencyMs: 4, source: "template" });
    assert.equal(view.text, "$(warning) template · 4 ms");
    assert.match(view.tooltip, /not installed.*Install Model/);
    assert.equal(modelProblem({ modelState: "ready" }), undefined);
    assert.match(modelProblem({ modelState: "failed" }) ?? "", /the model failed to load/);
  });

  it("says why an inference server cannot serve, and the fix", () => {
    const note = "the llama-server server at http://10.0.0.5:8080 is unreachable (connection refused); start the server, or change the `model` setting";
    const status = nextStatus({ source: "template", latencyMs: 5 }, parseStatus({ channel: "model", modelState: "failed", modelNote: note }));
    assert.equal(status.source, "template");
    assert.equal(modelProblem(status), `${note}. Suggestions come from templates only.`);
    assert.match(statusView("running", status).tooltip, /http:\/\/10\.0\.0\.5:8080 is unreachable.*start the server/);
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
