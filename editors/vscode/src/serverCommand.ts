/**
 * Finds the command that starts the logsmith language server. Pure: the file system and the
 * environment come in as arguments, so every rule here is unit-tested without VS Code.
 *
 * Order: the `logsmith.server.path` setting, then `logsmith.server.python` (run as
 * `python -m logsmith.cli serve`), then `logsmith` in a workspace virtual environment (`.venv`,
 * then `venv`), then `logsmith` on PATH. An explicit setting that does not point at an executable
 * is reported as such instead of silently falling back to something else.
 */
import * as path from "node:path";

export interface ServerCommand {
  command: string;
  args: string[];
  /** Where the command came from, for messages: "logsmith.server.path", "workspace .venv", "PATH". */
  origin: string;
}

export interface LookupInput {
  /** Value of `logsmith.server.path` ("" when unset). */
  serverPath: string;
  /** Value of `logsmith.server.python` ("" when unset). */
  python: string;
  /** File-system paths of the open workspace folders, first one first. */
  workspaceFolders: string[];
  /** False in an untrusted workspace: nothing from inside the workspace is run. */
  workspaceTrusted: boolean;
  /** The PATH environment variable. */
  envPath: string;
  platform: NodeJS.Platform;
  home: string;
  isExecutable: (file: string) => boolean;
}

export type ServerLookup =
  | { found: ServerCommand }
  | {
      found: undefined;
      /** The files that were looked at, in order. */
      searched: string[];
      /** Set when a setting points at something unusable. */
      badSetting?: { name: string; value: string; resolved: string };
    };

export const SERVE_ARGS = ["serve"];
const VENV_NAMES = [".venv", "venv"];

/** Expands `~` and `${workspaceFolder}`; a relative result is taken from the first workspace folder. */
export function expandPath(value: string, workspaceFolder: string | undefined, home: string, platform: NodeJS.Platform): string {
  const paths = platform === "win32" ? path.win32 : path.posix;
  let expanded = value.trim();
  if (workspaceFolder !== undefined) {
    expanded = expanded.split("${workspaceFolder}").join(workspaceFolder);
  }
  if (expanded === "~") {
    expanded = home;
  } else if (expanded.startsWith("~/") || expanded.startsWith("~\\")) {
    expanded = paths.join(home, expanded.slice(2));
  }
  if (!paths.isAbsolute(expanded) && workspaceFolder !== undefined) {
    expanded = paths.join(workspaceFolder, expanded);
  }
  return expanded;
}

function executableNames(platform: NodeJS.Platform): string[] {
  return platform === "win32" ? ["logsmith.exe", "logsmith.cmd"] : ["logsmith"];
}

/** `<folder>/<venv>/bin/logsmith` (or `Scripts\logsmith.exe` on Windows) for each folder, in order. */
export function virtualEnvironmentCandidates(workspaceFolders: string[], platform: NodeJS.Platform): string[] {
  const paths = platform === "win32" ? path.win32 : path.posix;
  const binDir = platform === "win32" ? "Scripts" : "bin";
  const candidates: string[] = [];
  for (const folder of workspaceFolders) {
    for (const venv of VENV_NAMES) {
      for (const name of executableNames(platform)) {
        candidates.push(paths.join(folder, venv, binDir, name));
      }
    }
  }
  return candidates;
}

/** `logsmith` in each PATH entry, in order; empty entries are skipped. */
export function pathCandidates(envPath: string, platform: NodeJS.Platform): string[] {
  const paths = platform === "win32" ? path.win32 : path.posix;
  const separator = platform === "win32" ? ";" : ":";
  const candidates: string[] = [];
  for (const directory of envPath.split(separator)) {
    if (directory.trim() === "") {
      continue;
    }
    for (const name of executableNames(platform)) {
      candidates.push(paths.join(directory, name));
    }
  }
  return candidates;
}

export function findServerCommand(input: LookupInput): ServerLookup {
  const firstFolder = input.workspaceFolders[0];
  if (input.serverPath.trim() !== "") {
    const resolved = expandPath(input.serverPath, firstFolder, input.home, input.platform);
    if (input.isExecutable(resolved)) {
      return { found: { command: resolved, args: [...SERVE_ARGS], origin: "logsmith.server.path" } };
    }
    return { found: undefined, searched: [resolved], badSetting: { name: "logsmith.server.path", value: input.serverPath, resolved } };
  }
  if (input.python.trim() !== "") {
    const resolved = expandPath(input.python, firstFolder, input.home, input.platform);
    if (input.isExecutable(resolved)) {
      return { found: { command: resolved, args: ["-m", "logsmith.cli", ...SERVE_ARGS], origin: "logsmith.server.python" } };
    }
    return { found: undefined, searched: [resolved], badSetting: { name: "logsmith.server.python", value: input.python, resolved } };
  }
  const searched: string[] = [];
  const inWorkspace = input.workspaceTrusted ? virtualEnvironmentCandidates(input.workspaceFolders, input.platform) : [];
  for (const candidate of inWorkspace) {
    searched.push(candidate);
    if (input.isExecutable(candidate)) {
      const venv = path.basename(path.dirname(path.dirname(candidate)));
      return { found: { command: candidate, args: [...SERVE_ARGS], origin: `workspace ${venv}` } };
    }
  }
  for (const candidate of pathCandidates(input.envPath, input.platform)) {
    searched.push(candidate);
    if (input.isExecutable(candidate)) {
      return { found: { command: candidate, args: [...SERVE_ARGS], origin: "PATH" } };
    }
  }
  return { found: undefined, searched };
}

/** The same program with other arguments, e.g. `model install` instead of `serve`. */
export function withSubcommand(server: ServerCommand, subcommand: string[]): ServerCommand {
  const prefix = server.args.slice(0, server.args.length - SERVE_ARGS.length);
  return { command: server.command, args: [...prefix, ...subcommand], origin: server.origin };
}
