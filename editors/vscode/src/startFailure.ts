/**
 * The message shown when the language server cannot start, always with a fix, and what kind of
 * failure a failed start was. Pure: the cause comes in as data (what was searched, the error
 * vscode-languageclient gave up with, how the process ended and its last stderr lines).
 *
 * A server that exits at once makes vscode-languageclient fail in whichever way the race between
 * writing `initialize` and noticing the exit goes: "write EPIPE", "Pending response rejected since
 * connection got disposed", "Connection is closed". Those only say the process is gone; the message
 * says why it went (its stderr and exit code) and never quotes them.
 */
import type { ServerCommand, ServerLookup } from "./serverCommand";
import type { MessageAction } from "./serverMessages";

/** How a server process ended: its exit code, or (code null) the signal that killed it. */
export interface ProcessExit {
  code: number | null;
  signal: string | null;
}

export type StartFailure =
  | { kind: "notFound"; lookup: Extract<ServerLookup, { found: undefined }> }
  | { kind: "spawnFailed"; server: ServerCommand; code?: string; reason: string }
  | { kind: "exited"; server: ServerCommand; stderrTail: string[]; exit?: ProcessExit };

/** What the extension knows about a start that failed. */
export interface StartEvidence {
  /** What vscode-languageclient's start() rejected with: an Error, a JSON-RPC ResponseError or a string. */
  error: unknown;
  /** How the process ended, when it did before the extension stopped waiting for it. */
  exit?: ProcessExit;
  /** The server's last stderr lines (read to the end when it exited). */
  stderrTail: string[];
}

export interface FailureMessage {
  /** One paragraph for the notification: what went wrong and how to fix it. */
  text: string;
  /** Buttons, in order. */
  actions: MessageAction[];
}

/** The one way to install logsmith outside its repository: `make install` in a checkout (scripts/install.sh). */
export const INSTALL_COMMAND = "make install";

const INSTALL_FIX =
  `Install it by running \`${INSTALL_COMMAND}\` in a logsmith checkout: it installs logsmith and its model into ` +
  "~/.local/share/logsmith/venv, where the extension finds it. If you install it elsewhere " +
  `(\`${INSTALL_COMMAND} INSTALL_VENV=DIR\`), set \`logsmith.server.path\` to the \`logsmith\` executable it prints.`;

export function commandLine(server: ServerCommand): string {
  return [server.command, ...server.args].map((part) => (/[\s"'$\\]/.test(part) ? JSON.stringify(part) : part)).join(" ");
}

/** The last stderr line that says something, without Python's traceback framing. */
export function lastError(stderrTail: string[]): string | undefined {
  for (let index = stderrTail.length - 1; index >= 0; index--) {
    const line = stderrTail[index].trim();
    if (line !== "" && !line.startsWith("File ") && !line.startsWith("^") && line !== "Traceback (most recent call last):") {
      return line;
    }
  }
  return undefined;
}

/** The text of whatever vscode-languageclient rejected or reported with. */
export function errorText(error: unknown): string {
  if (error instanceof Error) {
    return error.message;
  }
  if (typeof error === "object" && error !== null && typeof (error as { message?: unknown }).message === "string") {
    return (error as { message: string }).message;
  }
  return String(error);
}

function errorCode(error: unknown): string | number | undefined {
  const code = typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === "string" || typeof code === "number" ? code : undefined;
}

/** Errors of the operating system that mean the program could not be run at all. */
const SPAWN_CODES = ["ENOENT", "EACCES", "EPERM", "ENOTDIR", "ENOEXEC"];

/**
 * Whether the error says the program could not be run, and the OS error code when it names one.
 * vscode-languageclient rejects a failed spawn with a string ("Launching server using command X
 * failed. Error: spawn X EACCES"), Node with an error whose code is set and whose syscall is spawn.
 */
export function spawnFailure(error: unknown): { code?: string } | undefined {
  const code = errorCode(error);
  const syscall = typeof error === "object" && error !== null ? (error as { syscall?: unknown }).syscall : undefined;
  if (typeof code === "string" && SPAWN_CODES.includes(code) && typeof syscall === "string" && syscall.startsWith("spawn")) {
    return { code };
  }
  const text = errorText(error);
  const named = new RegExp(`\\bspawn\\b.*\\b(${SPAWN_CODES.join("|")})\\b`).exec(text);
  if (named !== null) {
    return { code: named[1] };
  }
  return /^Launching server using command .* failed\b/.test(text) ? {} : undefined;
}

/** Codes of a connection that broke: JSON-RPC's write failed, read failed, pending request dropped, connection inactive; Node's. */
const LOST_CONNECTION_CODES = new Set<string | number>([-32099, -32098, -32097, -32096, "EPIPE", "ECONNRESET", "ERR_STREAM_DESTROYED", "ERR_STREAM_WRITE_AFTER_END"]);
const LOST_CONNECTION_TEXT =
  /\bEPIPE\b|\bECONNRESET\b|connection got disposed|Connection is (?:closed|disposed)|exited before the connection could be established|stream (?:was )?destroyed|write after end/i;

/**
 * Whether the error only says the connection to the server broke (the process exited, or is
 * exiting), which is a consequence to explain, not a cause to quote.
 */
export function isLostConnection(error: unknown): boolean {
  const code = errorCode(error);
  return (code !== undefined && LOST_CONNECTION_CODES.has(code)) || LOST_CONNECTION_TEXT.test(errorText(error));
}

/**
 * What kind of failure a failed start was. A program that could not be run is `spawnFailed`;
 * anything else is `exited`, explained by the server's own stderr and exit code. The client's
 * error is quoted only when it is a cause of its own (e.g. the server answered `initialize` with
 * an error) and the server said nothing: a broken connection ("write EPIPE" and the like) never is.
 */
export function classifyStartFailure(server: ServerCommand, evidence: StartEvidence): StartFailure {
  const spawn = evidence.exit === undefined ? spawnFailure(evidence.error) : undefined;
  if (spawn !== undefined) {
    const text = errorText(evidence.error);
    const reason = /failed\. (?:Error: )?(.+)$/.exec(text)?.[1] ?? text;
    return { kind: "spawnFailed", server, code: spawn.code, reason };
  }
  const quoteClient = lastError(evidence.stderrTail) === undefined && !isLostConnection(evidence.error) && errorText(evidence.error).trim() !== "";
  const stderrTail = quoteClient ? [...evidence.stderrTail, errorText(evidence.error)] : evidence.stderrTail;
  return evidence.exit === undefined ? { kind: "exited", server, stderrTail } : { kind: "exited", server, stderrTail, exit: evidence.exit };
}

/** "exit code 2", "killed by SIGKILL", or undefined when not known. */
export function exitText(exit: ProcessExit | undefined): string | undefined {
  if (exit === undefined) {
    return undefined;
  }
  if (exit.code !== null) {
    return `exit code ${exit.code}`;
  }
  return exit.signal !== null ? `killed by ${exit.signal}` : undefined;
}

export function failureMessage(failure: StartFailure): FailureMessage {
  switch (failure.kind) {
    case "notFound": {
      const bad = failure.lookup.badSetting;
      if (bad) {
        return {
          text:
            `logsmith: ${bad.name} is "${bad.value}", but ${bad.resolved} is not an executable file. ` +
            `Fix the setting, or clear it to let the extension find logsmith by itself.`,
          actions: ["Open Settings", "Show Output"],
        };
      }
      return {
        text:
          "logsmith: the language server was not found (looked for .venv/bin/logsmith in the workspace and the folders above it, " +
          `logsmith on PATH, and the default install location). ${INSTALL_FIX}`,
        actions: ["Open Settings", "Show Output"],
      };
    }
    case "spawnFailed": {
      const why = failure.code === "EACCES" ? "it is not executable" : failure.reason;
      return {
        text: `logsmith: cannot run ${failure.server.command} (${why}). ${INSTALL_FIX}`,
        actions: ["Open Settings", "Show Output"],
      };
    }
    case "exited": {
      const error = lastError(failure.stderrTail);
      const status = exitText(failure.exit);
      const said = (error ? `: ${error.replace(/\.$/, "")}` : "") + (status ? ` (${status})` : "");
      let fix = `Run \`${commandLine(failure.server)}\` in a terminal to see the full error; "Show Output" has the server's log.`;
      if (error && /invalid choice: 'serve'|No module named 'logsmith/.test(error)) {
        fix = `This logsmith has no language server: upgrade it (\`${INSTALL_COMMAND}\` in a current logsmith checkout) or point logsmith.server.path at a newer one.`;
      } else if (error && /model/i.test(error) && /not installed|not found|no such file/i.test(error)) {
        return {
          text: `logsmith: the language server stopped while starting${said}. Install the model with "logsmith: Install Model", or set logsmith.model.`,
          actions: ["Install Model", "Open Settings", "Show Output"],
        };
      }
      return {
        text: `logsmith: the language server (${failure.server.origin}) stopped while starting${said}. ${fix}`,
        actions: ["Show Output", "Open Settings"],
      };
    }
  }
}
