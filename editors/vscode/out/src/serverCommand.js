"use strict";
var __createBinding = (this && this.__createBinding) || (Object.create ? (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    var desc = Object.getOwnPropertyDescriptor(m, k);
    if (!desc || ("get" in desc ? !m.__esModule : desc.writable || desc.configurable)) {
      desc = { enumerable: true, get: function() { return m[k]; } };
    }
    Object.defineProperty(o, k2, desc);
}) : (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    o[k2] = m[k];
}));
var __setModuleDefault = (this && this.__setModuleDefault) || (Object.create ? (function(o, v) {
    Object.defineProperty(o, "default", { enumerable: true, value: v });
}) : function(o, v) {
    o["default"] = v;
});
var __importStar = (this && this.__importStar) || (function () {
    var ownKeys = function(o) {
        ownKeys = Object.getOwnPropertyNames || function (o) {
            var ar = [];
            for (var k in o) if (Object.prototype.hasOwnProperty.call(o, k)) ar[ar.length] = k;
            return ar;
        };
        return ownKeys(o);
    };
    return function (mod) {
        if (mod && mod.__esModule) return mod;
        var result = {};
        if (mod != null) for (var k = ownKeys(mod), i = 0; i < k.length; i++) if (k[i] !== "default") __createBinding(result, mod, k[i]);
        __setModuleDefault(result, mod);
        return result;
    };
})();
Object.defineProperty(exports, "__esModule", { value: true });
exports.SERVE_ARGS = void 0;
exports.expandPath = expandPath;
exports.virtualEnvironmentCandidates = virtualEnvironmentCandidates;
exports.pathCandidates = pathCandidates;
exports.findServerCommand = findServerCommand;
exports.withSubcommand = withSubcommand;
/**
 * Finds the command that starts the logsmith language server. Pure: the file system and the
 * environment come in as arguments, so every rule here is unit-tested without VS Code.
 *
 * Order: the `logsmith.server.path` setting, then `logsmith.server.python` (run as
 * `python -m logsmith.cli serve`), then `logsmith` in a workspace virtual environment (`.venv`,
 * then `venv`), then `logsmith` on PATH. An explicit setting that does not point at an executable
 * is reported as such instead of silently falling back to something else.
 */
const path = __importStar(require("node:path"));
exports.SERVE_ARGS = ["serve"];
const VENV_NAMES = [".venv", "venv"];
/** Expands `~` and `${workspaceFolder}`; a relative result is taken from the first workspace folder. */
function expandPath(value, workspaceFolder, home, platform) {
    const paths = platform === "win32" ? path.win32 : path.posix;
    let expanded = value.trim();
    if (workspaceFolder !== undefined) {
        expanded = expanded.split("${workspaceFolder}").join(workspaceFolder);
    }
    if (expanded === "~") {
        expanded = home;
    }
    else if (expanded.startsWith("~/") || expanded.startsWith("~\\")) {
        expanded = paths.join(home, expanded.slice(2));
    }
    if (!paths.isAbsolute(expanded) && workspaceFolder !== undefined) {
        expanded = paths.join(workspaceFolder, expanded);
    }
    return expanded;
}
function executableNames(platform) {
    return platform === "win32" ? ["logsmith.exe", "logsmith.cmd"] : ["logsmith"];
}
/** `<folder>/<venv>/bin/logsmith` (or `Scripts\logsmith.exe` on Windows) for each folder, in order. */
function virtualEnvironmentCandidates(workspaceFolders, platform) {
    const paths = platform === "win32" ? path.win32 : path.posix;
    const binDir = platform === "win32" ? "Scripts" : "bin";
    const candidates = [];
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
function pathCandidates(envPath, platform) {
    const paths = platform === "win32" ? path.win32 : path.posix;
    const separator = platform === "win32" ? ";" : ":";
    const candidates = [];
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
function findServerCommand(input) {
    const firstFolder = input.workspaceFolders[0];
    if (input.serverPath.trim() !== "") {
        const resolved = expandPath(input.serverPath, firstFolder, input.home, input.platform);
        if (input.isExecutable(resolved)) {
            return { found: { command: resolved, args: [...exports.SERVE_ARGS], origin: "logsmith.server.path" } };
        }
        return { found: undefined, searched: [resolved], badSetting: { name: "logsmith.server.path", value: input.serverPath, resolved } };
    }
    if (input.python.trim() !== "") {
        const resolved = expandPath(input.python, firstFolder, input.home, input.platform);
        if (input.isExecutable(resolved)) {
            return { found: { command: resolved, args: ["-m", "logsmith.cli", ...exports.SERVE_ARGS], origin: "logsmith.server.python" } };
        }
        return { found: undefined, searched: [resolved], badSetting: { name: "logsmith.server.python", value: input.python, resolved } };
    }
    const searched = [];
    const inWorkspace = input.workspaceTrusted ? virtualEnvironmentCandidates(input.workspaceFolders, input.platform) : [];
    for (const candidate of inWorkspace) {
        searched.push(candidate);
        if (input.isExecutable(candidate)) {
            const venv = path.basename(path.dirname(path.dirname(candidate)));
            return { found: { command: candidate, args: [...exports.SERVE_ARGS], origin: `workspace ${venv}` } };
        }
    }
    for (const candidate of pathCandidates(input.envPath, input.platform)) {
        searched.push(candidate);
        if (input.isExecutable(candidate)) {
            return { found: { command: candidate, args: [...exports.SERVE_ARGS], origin: "PATH" } };
        }
    }
    return { found: undefined, searched };
}
/** The same program with other arguments, e.g. `model install` instead of `serve`. */
function withSubcommand(server, subcommand) {
    const prefix = server.args.slice(0, server.args.length - exports.SERVE_ARGS.length);
    return { command: server.command, args: [...prefix, ...subcommand], origin: server.origin };
}
//# sourceMappingURL=serverCommand.js.map