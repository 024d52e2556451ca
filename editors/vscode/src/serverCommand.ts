/**
 * Finds the command that starts the logsmith language server. Pure: the file system and the
 * environment come in as arguments, so every rule here is unit-tested without VS Code.
 *
 * Order: the `logsmith.server.path` setting, then `logsmith.server.python` (run as
 * `python -m logsmith.cli serve`), then `logsmith` in a virtual environment (`.venv`, then `venv`)
 * in a workspace folder or the nearest folder above one, then `logsmith` on PATH, then the
 * location `make install` uses by default. An explicit setting that does not point at an
 * executable is reported as such instead of silently falling back to something else.
 */
import * as path from "node:path";

export interface ServerCommand {
  command: string;
  args: string[];
  /**
   * Where the command came from, for messages: "logsmith.server.path", "logsmith.server.python",
   * "workspace .venv", ".venv in /parent/folder", "PATH" or "default install".
   */
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
  /** The XDG_DATA_HOME environment variable ("" when unset): where `make install` puts its venv. */
  xdgDataHome?: string;
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

/**
 * The folders to look for a virtual environment in: the workspace folders themselves, then the
 * folders above them, nearest first (all folders one level up, then two levels up, ...), each once.
 */
export function searchFolders(workspaceFolders: string[], platform: NodeJS.Platform): string[] {
  const paths = platform === "win32" ? path.win32 : path.posix;
  const chains = workspaceFolders.map((folder) => {
    const chain: string[] = [];
    let current = paths.resolve(folder);
    for (;;) {
      chain.push(current);
      const parent = paths.dirname(current);
      if (parent === current) {
        return chain;
      }
      current = parent;
    }
  });
  const folders: string[] = [];
  const longest = Math.max(0, ...chains.map((chain) => chain.length));
  for (let depth = 0; depth < longest; depth++) {
    for (const chain of chains) {
      const folder = chain[depth];
      if (folder !== undefined && !folders.includes(folder)) {
        folders.push(folder);
      }
    }
  }
  return folders;
}

function venvExecutables(folder: string, platform: NodeJS.Platform): string[] {
  const paths = platform === "win32" ? path.win32 : path.posix;
  const binDir = platform === "win32" ? "Scripts" : "bin";
  const candidates: string[] = [];
  for (const venv of VENV_NAMES) {
    for (const name of executableNames(platform)) {
      candidates.push(paths.join(folder, venv, binDir, name));
    }
  }
  return candidates;
}

/**
 * `<folder>/<venv>/bin/logsmith` (or `Scripts\logsmith.exe` on Windows) in each workspace folder
 * and each folder above them, nearest first (see `searchFolders`).
 */
export function virtualEnvironmentCandidates(workspaceFolders: string[], platform: NodeJS.Platform): string[] {
  return searchFolders(workspaceFolders, platform).flatMap((folder) => venvExecutables(folder, platform));
}

/**
 * Where `make install` (scripts/install.sh) puts logsmith when not told otherwise:
 * `$XDG_DATA_HOME/logsmith/venv/bin/logsmith`, else `~/.local/share/logsmith/venv/bin/logsmith`.
 * The installer is for Linux and macOS; on Windows there is no default location.
 */
export function defaultInstallCandidate(home: string, xdgDataHome: string | undefined, platform: NodeJS.Platform): string | undefined {
  if (platform === "win32") {
    return undefined;
  }
  const dataHome = xdgDataHome !== undefined && path.posix.isAbsolute(xdgDataHome.trim()) ? xdgDataHome.trim() : path.posix.join(home, ".local", "share");
  return path.posix.join(dataHome, "logsmith", "venv", "bin", "logsmith");
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
  const paths = input.platform === "win32" ? path.win32 : path.posix;
  const workspaceFolders = input.workspaceFolders.map((folder) => paths.resolve(folder));
  for (const candidate of inWorkspace) {
    searched.push(candidate);
    if (input.isExecutable(candidate)) {
      const venvDir = paths.dirname(paths.dirname(candidate));
      const folder = paths.dirname(venvDir);
      const venv = paths.basename(venvDir);
      const origin = workspaceFolders.includes(folder) ? `workspace ${venv}` : `${venv} in ${folder}`;
      return { found: { command: candidate, args: [...SERVE_ARGS], origin } };
    }
  }
  for (const candidate of pathCandidates(input.envPath, input.platform)) {
    searched.push(candidate);
    if (input.isExecutable(candidate)) {
      return { found: { command: candidate, args: [...SERVE_ARGS], origin: "PATH" } };
    }
  }
  const installed = defaultInstallCandidate(input.home, input.xdgDataHome, input.platform);
  if (installed !== undefined && !searched.includes(installed)) {
    searched.push(installed);
    if (input.isExecutable(installed)) {
      return { found: { command: installed, args: [...SERVE_ARGS], origin: "default install" } };
    }
  }
  return { found: undefined, searched };
}

/** The same program with other arguments, e.g. `model install` instead of `serve`. */
export function withSubcommand(server: ServerCommand, subcommand: string[]): ServerCommand {
  const prefix = server.args.slice(0, server.args.length - SERVE_ARGS.length);
  return { command: server.command, args: [...prefix, ...subcommand], origin: server.origin };
}
