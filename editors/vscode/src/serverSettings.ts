/**
 * Turns the user's `logsmith.*` VS Code settings into the options the server understands
 * (`initializationOptions` and `workspace/didChangeConfiguration`). Pure: settings are read through
 * a callback that returns undefined for a setting the user did not set.
 *
 * Only settings the user set are sent: the server layers editor options over the project's
 * `[tool.logsmith]`, so sending every default would hide the project's choices. A value of the
 * wrong type is left out and reported, never sent.
 */

/** The options of `logsmith serve`, named as the server names them (camelCase). */
export interface ServerSettings {
  model: string | null;
  useModel: boolean;
  latencyBudgetMs: number;
  inline: boolean;
  style: string | null;
  telemetry: boolean;
  storeCode: boolean;
  projectIndex: boolean;
  escalateTo: string | null;
  escalatePercent: number;
  remoteTokensPerDay: number;
}

export const STYLES = ["percent", "fstring", "format"] as const;

/** The VS Code setting names (below `logsmith.`) that are sent to the server. */
export const SERVER_SETTING_KEYS: readonly (keyof ServerSettings)[] = [
  "model",
  "useModel",
  "latencyBudgetMs",
  "inline",
  "style",
  "telemetry",
  "storeCode",
  "projectIndex",
  "escalateTo",
  "escalatePercent",
  "remoteTokensPerDay",
];

export interface SettingsResult {
  options: Partial<ServerSettings>;
  /** One sentence per ignored value, naming the setting. */
  problems: string[];
}

type Reader = (key: keyof ServerSettings) => unknown;

function describe(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

export function serverSettingsFrom(read: Reader): SettingsResult {
  const options: Partial<ServerSettings> = {};
  const problems: string[] = [];
  const reject = (key: keyof ServerSettings, value: unknown, expected: string) => {
    problems.push(`logsmith.${key} must be ${expected}, not ${describe(value)}; the setting is ignored`);
  };

  const model = read("model");
  if (typeof model === "string") {
    if (model.trim() !== "") {
      options.model = model.trim();
    }
  } else if (model !== undefined && model !== null) {
    reject("model", model, "a model name or a path to a GGUF file");
  }

  for (const key of ["useModel", "inline", "telemetry", "storeCode", "projectIndex"] as const) {
    const value = read(key);
    if (typeof value === "boolean") {
      options[key] = value;
    } else if (value !== undefined) {
      reject(key, value, "true or false");
    }
  }

  const budget = read("latencyBudgetMs");
  if (typeof budget === "number" && Number.isInteger(budget) && budget > 0) {
    options.latencyBudgetMs = budget;
  } else if (budget !== undefined) {
    reject("latencyBudgetMs", budget, "a positive whole number of milliseconds");
  }

  const style = read("style");
  if (style === "auto") {
    options.style = null;
  } else if (typeof style === "string" && (STYLES as readonly string[]).includes(style)) {
    options.style = style;
  } else if (style !== undefined) {
    reject("style", style, `one of auto, ${STYLES.join(", ")}`);
  }

  const escalateTo = read("escalateTo");
  if (typeof escalateTo === "string") {
    if (escalateTo.trim() !== "") {
      options.escalateTo = escalateTo.trim();
    }
  } else if (escalateTo !== undefined && escalateTo !== null) {
    reject("escalateTo", escalateTo, "an inference server's URL");
  }

  const percent = read("escalatePercent");
  if (typeof percent === "number" && Number.isInteger(percent) && percent >= 0 && percent <= 100) {
    options.escalatePercent = percent;
  } else if (percent !== undefined) {
    reject("escalatePercent", percent, "a whole number from 0 to 100");
  }

  const tokens = read("remoteTokensPerDay");
  if (typeof tokens === "number" && Number.isInteger(tokens) && tokens > 0) {
    options.remoteTokensPerDay = tokens;
  } else if (tokens !== undefined) {
    reject("remoteTokensPerDay", tokens, "a positive whole number of tokens");
  }

  return { options, problems };
}
