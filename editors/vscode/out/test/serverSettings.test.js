"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
/** Unit tests: which VS Code settings reach the server, and how bad values are reported. */
const strict_1 = __importDefault(require("node:assert/strict"));
const node_test_1 = require("node:test");
const serverSettings_1 = require("../src/serverSettings");
function from(values) {
    return (0, serverSettings_1.serverSettingsFrom)((key) => values[key]);
}
(0, node_test_1.describe)("serverSettingsFrom", () => {
    (0, node_test_1.it)("sends nothing when the user set nothing, so the project's pyproject settings stay in force", () => {
        strict_1.default.deepEqual(from({}), { options: {}, problems: [] });
    });
    (0, node_test_1.it)("passes the settings the user set, under the server's names", () => {
        const result = from({ model: " qwen2.5-coder-0.5b ", useModel: false, latencyBudgetMs: 300, inline: false, style: "fstring", telemetry: false, storeCode: false });
        strict_1.default.deepEqual(result.options, {
            model: "qwen2.5-coder-0.5b",
            useModel: false,
            latencyBudgetMs: 300,
            inline: false,
            style: "fstring",
            telemetry: false,
            storeCode: false,
        });
        strict_1.default.deepEqual(result.problems, []);
    });
    (0, node_test_1.it)("maps style auto to null (follow the file) and an empty model to no option", () => {
        strict_1.default.deepEqual(from({ style: "auto", model: "" }).options, { style: null });
    });
    (0, node_test_1.it)("leaves out and reports values of the wrong type", () => {
        const result = from({ latencyBudgetMs: -5, inline: "yes", style: "loud", model: 3 });
        strict_1.default.deepEqual(result.options, {});
        strict_1.default.equal(result.problems.length, 4);
        strict_1.default.match(result.problems.join("\n"), /logsmith\.latencyBudgetMs must be a positive whole number of milliseconds, not -5/);
        strict_1.default.match(result.problems.join("\n"), /logsmith\.inline must be true or false, not "yes"/);
        strict_1.default.match(result.problems.join("\n"), /logsmith\.style must be one of auto, percent, fstring, format, not "loud"/);
        strict_1.default.match(result.problems.join("\n"), /logsmith\.model must be a model name/);
    });
    (0, node_test_1.it)("rejects a fractional latency budget", () => {
        strict_1.default.deepEqual(from({ latencyBudgetMs: 12.5 }).options, {});
    });
});
//# sourceMappingURL=serverSettings.test.js.map