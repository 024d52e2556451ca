/**
 * The message shown when the language server cannot start, always with a fix. Pure: the cause
 * comes in as data (what was searched, the spawn error, the exit code and the last stderr lines).
 */
import type { ServerCommand, ServerLookup } from "./serverCommand";
import type { MessageAction } from "./serverMessages";

export type StartFailure =
  | { kind: "notFound"; lookup: Extract<ServerLookup, { found: undefined }> }
  | { kind: "spawnFailed"; server: ServerCommand; code?: string; reason: string }
  | { kind: "exited"; server: ServerCommand; stderrTail: string[] };

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
      const said = error ? `: ${error}` : "";
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
