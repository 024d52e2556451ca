/**
 * What the status bar item says. Pure: turns the client's state and the server's `logsmith/status`
 * notifications into text and a tooltip. The text names what served the last suggestion ("template
 * · 9 ms" or "gemma-3-270m · 210 ms"), not merely the model that is configured.
 */

/**
 * The fields of a `logsmith/status` notification that the status bar shows. The server sends one
 * after each answer, `{channel, latencyMs, source, modelId, modelState, modelNote, workerPid, notes, index}`,
 * one with `channel: "model"` when the model's state changes and one with `channel: "index"` when
 * the project index's does (`index.text` says it in a sentence).
 */
export interface ServerStatus {
  /** The configured model's id; undefined when there is none (templates only). */
  modelId?: string;
  /** off (templates only by choice), missing, loading, ready or failed. */
  modelState?: string;
  /** Why a failed model cannot serve and what fixes it (e.g. an inference server that is unreachable). */
  modelNote?: string;
  /** Milliseconds the last answer took. */
  latencyMs?: number;
  /** What wrote the last suggestion: "template" or a model id. */
  source?: string;
  /** What asked for the last suggestion: "completion", "inline", a code action; "model" for a model-state change. */
  channel?: string;
  /** The server's notes on the last suggestion (why the template answered, what was changed). */
  notes?: string[];
  /** The project index in a sentence: building, ready with its counts, off or failed, and why. */
  index?: string;
}

export type Phase = "starting" | "running" | "stopped" | "failed";

export interface StatusView {
  text: string;
  tooltip: string;
  /** What a screen reader says; starts with "logsmith" and the phase, so UI tests can find the item. */
  ariaLabel: string;
}

/** The channel of a notification that reports only a change of the model's state, not an answer. */
export const MODEL_CHANNEL = "model";
/** The channel of a notification that reports only a change of the project index's state. */
export const INDEX_CHANNEL = "index";
const NOTES_SHOWN = 2;

function text(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? value : undefined;
}

function milliseconds(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : undefined;
}

function indexText(value: unknown): string | undefined {
  return typeof value === "object" && value !== null ? text((value as Record<string, unknown>).text) : undefined;
}

function texts(value: unknown): string[] | undefined {
  return Array.isArray(value) ? value.filter((item): item is string => text(item) !== undefined) : undefined;
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
    modelNote: text(record.modelNote),
    latencyMs: milliseconds(record.latencyMs),
    source: text(record.source),
    channel: text(record.channel),
    notes: texts(record.notes),
    index: indexText(record.index),
  };
}

/**
 * The status after a notification. An answer replaces what was known; a model or index state change
 * updates the model and the index and keeps the last answer's source, latency and notes, so the
 * status bar goes on naming what served the suggestion on screen.
 */
export function nextStatus(previous: ServerStatus, received: ServerStatus): ServerStatus {
  if (received.channel !== MODEL_CHANNEL && received.channel !== INDEX_CHANNEL) {
    return { ...received, index: received.index ?? previous.index };
  }
  return {
    ...previous,
    modelId: received.modelId,
    modelState: received.modelState,
    modelNote: received.modelNote,
    index: received.index ?? previous.index,
  };
}

/** A sentence about the model when it is not simply ready, else undefined. */
export function modelProblem(status: ServerStatus): string | undefined {
  const model = status.modelId ?? "the model";
  switch (status.modelState) {
    case "missing":
      return `${model} is not installed: suggestions come from templates only. Run "logsmith: Install Model".`;
    case "failed":
      return status.modelNote !== undefined
        ? `${status.modelNote}. Suggestions come from templates only.`
        : `${model} failed to load: suggestions come from templates only. "Show Server Output" says why.`;
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

function modelLine(status: ServerStatus): string {
  if (status.modelState === "off") {
    return "logsmith: templates only (logsmith.useModel is off)";
  }
  if (status.modelState === undefined) {
    return "logsmith: running";
  }
  return status.modelId !== undefined ? `logsmith: model ${status.modelId} (${status.modelState})` : `logsmith: model ${status.modelState}`;
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
      const problem = modelProblem(status);
      const icon = problem === undefined ? "$(sparkle)" : status.modelState === "loading" ? "$(loading~spin)" : "$(warning)";
      const source = status.source; // what served the last suggestion: "template" or a model id
      const latency = status.latencyMs !== undefined ? formatLatency(status.latencyMs) : undefined;
      const lines = [modelLine(status)];
      let label: string;
      let spoken: string;
      if (source !== undefined) {
        const took = latency !== undefined ? ` · ${latency}` : "";
        label = `${source}${took}`;
        const writer = source === "template" ? "the template engine" : `the model ${source}`;
        lines.push(`last suggestion: written by ${writer}${latency !== undefined ? ` in ${latency}` : ""}${status.channel ? ` (${status.channel})` : ""}`);
        for (const note of (status.notes ?? []).slice(0, NOTES_SHOWN)) {
          lines.push(`  ${note}`);
        }
        spoken = `logsmith running: last suggestion from ${source}${latency !== undefined ? ` in ${latency}` : ""}`;
      } else {
        label = "logsmith";
        lines.push("the last suggestion's source and latency show after the first suggestion");
        spoken = "logsmith running";
      }
      if (status.modelState !== undefined && status.modelState !== "off") {
        spoken += status.modelId !== undefined ? `, model ${status.modelId} ${status.modelState}` : `, model ${status.modelState}`;
      }
      if (problem !== undefined) {
        lines.push(problem);
      }
      if (status.index !== undefined) {
        lines.push(status.index);
      }
      lines.push(menu);
      return { text: `${icon} ${label}`, tooltip: lines.join("\n"), ariaLabel: spoken };
    }
  }
}
