/**
 * What the status bar item says. Pure: turns the client's state and the server's last
 * `logsmith/status` notification into text and a tooltip.
 */

/**
 * The fields of a `logsmith/status` notification that the status bar shows. The server sends one
 * after each answer: `{channel, latencyMs, source, modelId, modelState, workerPid, notes}`.
 */
export interface ServerStatus {
  /** The configured model's id; undefined when there is none (templates only). */
  modelId?: string;
  /** off (templates only by choice), missing, loading, ready or failed. */
  modelState?: string;
  /** Milliseconds the last answer took. */
  latencyMs?: number;
  /** What wrote the last suggestion: "template" or a model id. */
  source?: string;
}

export type Phase = "starting" | "running" | "stopped" | "failed";

export interface StatusView {
  text: string;
  tooltip: string;
  /** What a screen reader says; starts with "logsmith" and the phase, so UI tests can find the item. */
  ariaLabel: string;
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? value : undefined;
}

function milliseconds(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/** Reads a notification's params; fields of the wrong type are dropped, unknown fields ignored. */
export function parseStatus(params: unknown): ServerStatus {
  if (typeof params !== "object" || params === null) {
    return {};
  }
  const record = params as Record<string, unknown>;
  return {
    modelId: text(record.modelId),
    modelState: text(record.modelState),
    latencyMs: milliseconds(record.latencyMs),
    source: text(record.source),
  };
}

/** A sentence about the model when it is not simply ready, else undefined. */
export function modelProblem(status: ServerStatus): string | undefined {
  const model = status.modelId ?? "the model";
  switch (status.modelState) {
    case "missing":
      return `${model} is not installed: suggestions come from templates only. Run "logsmith: Install Model".`;
    case "failed":
      return `${model} failed to load: suggestions come from templates only. "Show Server Output" says why.`;
    case "loading":
      return `${model} is loading; templates answer meanwhile.`;
    default:
      return undefined;
  }
}

export function formatLatency(ms: number): string {
  if (ms < 1000) {
    return `${Math.round(ms)} ms`;
  }
  return `${(ms / 1000).toFixed(1)} s`;
}

export function statusView(phase: Phase, status: ServerStatus, detail?: string): StatusView {
  const menu = "Click for logsmith commands.";
  switch (phase) {
    case "starting":
      return { text: "$(loading~spin) logsmith", tooltip: `logsmith: starting the language server. ${menu}`, ariaLabel: "logsmith starting" };
    case "stopped":
      return { text: "$(circle-slash) logsmith", tooltip: `logsmith: the language server is stopped. ${menu}`, ariaLabel: "logsmith stopped" };
    case "failed":
      return {
        text: "$(error) logsmith",
        tooltip: `logsmith: the language server could not start${detail ? `: ${detail}` : ""}. ${menu}`,
        ariaLabel: `logsmith failed${detail ? `: ${detail}` : ""}`,
      };
    case "running": {
      if (status.modelState === undefined) {
        return { text: "$(sparkle) logsmith", tooltip: `logsmith: running; the model and latency show after the first suggestion. ${menu}`, ariaLabel: "logsmith running" };
      }
      const model = status.modelState === "off" || status.modelId === undefined ? "templates" : status.modelId;
      const problem = modelProblem(status);
      const icon = problem === undefined ? "$(sparkle)" : status.modelState === "loading" ? "$(loading~spin)" : "$(warning)";
      const latency = status.latencyMs !== undefined ? formatLatency(status.latencyMs) : undefined;
      const lines = [`logsmith: ${status.modelState === "off" ? "templates only (logsmith.useModel is off)" : `model ${model} (${status.modelState})`}`];
      if (latency !== undefined) {
        lines.push(`last suggestion: ${latency}${status.source ? `, written by ${status.source}` : ""}`);
      }
      if (problem !== undefined) {
        lines.push(problem);
      }
      lines.push(menu);
      return {
        text: `${icon} ${model}${latency !== undefined ? ` · ${latency}` : ""}`,
        tooltip: lines.join("\n"),
        ariaLabel: `logsmith running: model ${model}${latency !== undefined ? `, last suggestion ${latency}` : ""}`,
      };
    }
  }
}
