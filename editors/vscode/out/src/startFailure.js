"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.commandLine = commandLine;
exports.lastError = lastError;
exports.failureMessage = failureMessage;
const INSTALL_FIX = "Install logsmith into the workspace's virtual environment (`python3 -m venv .venv && .venv/bin/pip install /path/to/logsmith`) " +
    "or set `logsmith.server.path` to its `logsmith` executable.";
function commandLine(server) {
    return [server.command, ...server.args].map((part) => (/[\s"'$\\]/.test(part) ? JSON.stringify(part) : part)).join(" ");
}
/** The last stderr line that says something, without Python's traceback framing. */
function lastError(stderrTail) {
    for (let index = stderrTail.length - 1; index >= 0; index--) {
        const line = stderrTail[index].trim();
        if (line !== "" && !line.startsWith("File ") && !line.startsWith("^") && line !== "Traceback (most recent call last):") {
            return line;
        }
    }
    return undefined;
}
function failureMessage(failure) {
    switch (failure.kind) {
        case "notFound": {
            const bad = failure.lookup.badSetting;
            if (bad) {
                return {
                    text: `logsmith: ${bad.name} is "${bad.value}", but ${bad.resolved} is not an executable file. ` +
                        `Fix the setting, or clear it to use the workspace .venv or PATH.`,
                    actions: ["Open Settings", "Show Output"],
                };
            }
            return {
                text: `logsmith: the language server was not found (looked for a workspace .venv/bin/logsmith and logsmith on PATH). ${INSTALL_FIX}`,
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
                fix = `This logsmith has no language server: upgrade it (\`pip install -U /path/to/logsmith\`) or point logsmith.server.path at a newer one.`;
            }
            else if (error && /model/i.test(error) && /not installed|not found|no such file/i.test(error)) {
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
//# sourceMappingURL=startFailure.js.map