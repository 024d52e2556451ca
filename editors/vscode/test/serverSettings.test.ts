/** Unit tests: which VS Code settings reach the server, and how bad values are reported. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { serverSettingsFrom, type ServerSettings } from "../src/serverSettings";

function from(values: Partial<Record<keyof ServerSettings, unknown>>) {
  return serverSettingsFrom((key) => values[key]);
}

describe("serverSettingsFrom", () => {
  it("sends nothing when the user set nothing, so the project's pyproject settings stay in force", () => {
    assert.deepEqual(from({}), { options: {}, problems: [] });
  });

  it("passes the settings the user set, under the server's names", () => {
    const result = from({ model: " qwen2.5-coder-0.5b ", useModel: false, latencyBudgetMs: 300, inline: false, style: "fstring", telemetry: false, storeCode: false, projectIndex: false });
    assert.deepEqual(result.options, {
      model: "qwen2.5-coder-0.5b",
      useModel: false,
      latencyBudgetMs: 300,
      inline: false,
      style: "fstring",
      telemetry: false,
      storeCode: false,
      projectIndex: false,
    });
    assert.deepEqual(result.problems, []);
  });

  it("maps style auto to null (follow the file) and an empty model to no option", () => {
    assert.deepEqual(from({ style: "auto", model: "" }).options, { style: null });
  });

  it("leaves out and reports values of the wrong type", () => {
    const result = from({ latencyBudgetMs: -5, inline: "yes", style: "loud", model: 3 });
    assert.deepEqual(result.options, {});
    assert.equal(result.problems.length, 4);
    assert.match(result.problems.join("\n"), /logsmith\.latencyBudgetMs must be a positive whole number of milliseconds, not -5/);
    assert.match(result.problems.join("\n"), /logsmith\.inline must be true or false, not "yes"/);
    assert.match(result.problems.join("\n"), /logsmith\.style must be one of auto, percent, fstring, format, not "loud"/);
    assert.match(result.problems.join("\n"), /logsmith\.model must be a model name/);
  });

  it("passes the escalation settings and rejects a share above 100", () => {
    assert.deepEqual(from({ escalateTo: " http://127.0.0.1:8080 ", escalatePercent: 35, remoteTokensPerDay: 5000 }).options, {
      escalateTo: "http://127.0.0.1:8080",
      escalatePercent: 35,
      remoteTokensPerDay: 5000,
    });
    const result = from({ escalatePercent: 120 });
    assert.deepEqual(result.options, {});
    assert.match(result.problems.join("\n"), /logsmith\.escalatePercent must be a whole number from 0 to 100, not 120/);
  });

  it("rejects a fractional latency budget", () => {
    assert.deepEqual(from({ latencyBudgetMs: 12.5 }).options, {});
  });
});
