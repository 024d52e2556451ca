"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
/** Unit tests: the status bar's text for each server state and each `logsmith/status` notification. */
const strict_1 = __importDefault(require("node:assert/strict"));
const node_test_1 = require("node:test");
const statusText_1 = require("../src/statusText");
const notification = {
    channel: "completion",
    latencyMs: 212.4,
    source: "gemma-3-270m",
    modelId: "gemma-3-270m",
    modelState: "ready",
    workerPid: 4242,
    notes: [],
};
(0, node_test_1.describe)("parseStatus", () => {
    (0, node_test_1.it)("keeps the fields the status bar shows", () => {
        strict_1.default.deepEqual((0, statusText_1.parseStatus)(notification), { modelId: "gemma-3-270m", modelState: "ready", latencyMs: 212.4, source: "gemma-3-270m" });
    });
    (0, node_test_1.it)("drops fields of the wrong type and survives junk", () => {
        strict_1.default.deepEqual((0, statusText_1.parseStatus)({ modelId: 5, latencyMs: "fast", modelState: null }), {
            modelId: undefined,
            modelState: undefined,
            latencyMs: undefined,
            source: undefined,
        });
        strict_1.default.deepEqual((0, statusText_1.parseStatus)(null), {});
        strict_1.default.deepEqual((0, statusText_1.parseStatus)("text"), {});
        strict_1.default.equal((0, statusText_1.parseStatus)({ latencyMs: -1 }).latencyMs, undefined);
    });
});
(0, node_test_1.describe)("statusView", () => {
    (0, node_test_1.it)("shows the model and the last latency while running", () => {
        const view = (0, statusText_1.statusView)("running", (0, statusText_1.parseStatus)(notification));
        strict_1.default.equal(view.text, "$(sparkle) gemma-3-270m · 212 ms");
        strict_1.default.match(view.tooltip, /last suggestion: 212 ms, written by gemma-3-270m/);
        strict_1.default.equal(view.ariaLabel, "logsmith running: model gemma-3-270m, last suggestion 212 ms");
    });
    (0, node_test_1.it)("says only that it runs before the first suggestion", () => {
        const view = (0, statusText_1.statusView)("running", {});
        strict_1.default.equal(view.text, "$(sparkle) logsmith");
        strict_1.default.equal(view.ariaLabel, "logsmith running");
    });
    (0, node_test_1.it)("says templates when the model is off", () => {
        const view = (0, statusText_1.statusView)("running", { modelState: "off", latencyMs: 3, source: "template" });
        strict_1.default.equal(view.text, "$(sparkle) templates · 3 ms");
        strict_1.default.match(view.tooltip, /useModel is off/);
    });
    (0, node_test_1.it)("warns and tells how to fix a missing model", () => {
        const view = (0, statusText_1.statusView)("running", { modelId: "gemma-3-270m", modelState: "missing", latencyMs: 4, source: "template" });
        strict_1.default.equal(view.text, "$(warning) gemma-3-270m · 4 ms");
        strict_1.default.match(view.tooltip, /not installed.*Install Model/);
        strict_1.default.equal((0, statusText_1.modelProblem)({ modelState: "ready" }), undefined);
        strict_1.default.match((0, statusText_1.modelProblem)({ modelState: "failed" }) ?? "", /the model failed to load/);
    });
    (0, node_test_1.it)("shows failure and its reason", () => {
        const view = (0, statusText_1.statusView)("failed", {}, "not found");
        strict_1.default.equal(view.text, "$(error) logsmith");
        strict_1.default.match(view.tooltip, /could not start: not found/);
        strict_1.default.equal(view.ariaLabel, "logsmith failed: not found");
    });
    (0, node_test_1.it)("formats latencies in ms below a second, seconds above", () => {
        strict_1.default.equal((0, statusText_1.formatLatency)(0.4), "0 ms");
        strict_1.default.equal((0, statusText_1.formatLatency)(999.4), "999 ms");
        strict_1.default.equal((0, statusText_1.formatLatency)(1530), "1.5 s");
    });
});
//# sourceMappingURL=statusText.test.js.map