"use strict";
/**
 * Turns the user's `logsmith.*` VS Code settings into the options the server understands
 * (`initializationOptions` and `workspace/didChangeConfiguration`). Pure: settings are read through
 * a callback that returns undefined for a setting the user did not set.
 *
 * Only settings the user set are sent: the server layers editor options over the project's
 * `[tool.logsmith]`, so sending every default would hide the project's choices. A value of the
 * wrong type is left out and reported, never sent.
 */
Object.defineProperty(exports, "__esModule", { value: true });
exports.SERVER_SETTING_KEYS = exports.STYLES = void 0;
exports.serverSettingsFrom = serverSettingsFrom;
exports.STYLES = ["percent", "fstring", "format"];
/** The VS Code setting names (below `logsmith.`) that are sent to the server. */
exports.SERVER_SETTING_KEYS = [
    "model",
    "useModel",
    "latencyBudgetMs",
    "inline",
    "style",
    "telemetry",
    "storeCode",
];
function describe(value) {
    return JSON.stringify(value) ?? String(value);
}
function serverSettingsFrom(read) {
    const options = {};
    const problems = [];
    const reject = (key, value, expected) => {
        problems.push(`logsmith.${key} must be ${expected}, not ${describe(value)}; the setting is ignored`);
    };
    const model = read("model");
    if (typeof model === "string") {
        if (model.trim() !== "") {
            options.model = model.trim();
        }
    }
    else if (model !== undefined && model !== null) {
        reject("model", model, "a model name or a path to a GGUF file");
    }
    for (const key of ["useModel", "inline", "telemetry", "storeCode"]) {
        const value = read(key);
        if (typeof value === "boolean") {
            options[key] = value;
        }
        else if (value !== undefined) {
            reject(key, value, "true or false");
        }
    }
    const budget = read("latencyBudgetMs");
    if (typeof budget === "number" && Number.isInteger(budget) && budget > 0) {
        options.latencyBudgetMs = budget;
    }
    else if (budget !== undefined) {
        reject("latencyBudgetMs", budget, "a positive whole number of milliseconds");
    }
    const style = read("style");
    if (style === "auto") {
        options.style = null;
    }
    else if (typeof style === "string" && exports.STYLES.includes(style)) {
        options.style = style;
    }
    else if (style !== undefined) {
        reject("style", style, `one of auto, ${exports.STYLES.join(", ")}`);
    }
    return { options, problems };
}
//# sourceMappingURL=serverSettings.js.map