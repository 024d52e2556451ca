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
exports.LogsmithServer = exports.STATUS_NOTIFICATION = exports.CLIENT_ID = void 0;
exports.lookUpServer = lookUpServer;
/**
 * Runs the logsmith language server for this window through vscode-languageclient: finds the
 * command, starts it with the user's settings, forwards setting changes, restarts it, and turns
 * every way it can fail to start into one message with a fix. Completion, inline completion, code
 * actions and the `logsmith.accept` command come from the client's standard features.
 */
const fs = __importStar(require("node:fs"));
const os = __importStar(require("node:os"));
const vscode = __importStar(require("vscode"));
const node_1 = require("vscode-languageclient/node");
const serverCommand_1 = require("./serverCommand");
const serverSettings_1 = require("./serverSettings");
const startFailure_1 = require("./startFailure");
const statusText_1 = require("./statusText");
exports.CLIENT_ID = "logsmith";
exports.STATUS_NOTIFICATION = "logsmith/status";
const STDERR_LINES_KEPT = 40;
const RESTARTS_ALLOWED = 4;
const RESTART_WINDOW_MS = 3 * 60 * 1000;
function isExecutableFile(file) {
    try {
        fs.accessSync(file, fs.constants.X_OK);
        return fs.statSync(file).isFile();
    }
    catch {
        return false;
    }
}
/** Settings below `logsmith.` that the user set somewhere (user, workspace or folder). */
function readUserSetting(key) {
    const inspected = vscode.workspace.getConfiguration("logsmith").inspect(key);
    if (inspected === undefined) {
        return undefined;
    }
    return inspected.workspaceFolderValue ?? inspected.workspaceValue ?? inspected.globalValue;
}
/** Where the server is, from the settings and the workspace, right now. */
function lookUpServer() {
    const config = vscode.workspace.getConfiguration("logsmith");
    return (0, serverCommand_1.findServerCommand)({
        serverPath: config.get("server.path") ?? "",
        python: config.get("server.python") ?? "",
        workspaceFolders: (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === "file").map((f) => f.uri.fsPath),
        workspaceTrusted: vscode.workspace.isTrusted,
        envPath: process.env.PATH ?? "",
        platform: process.platform,
        home: os.homedir(),
        isExecutable: isExecutableFile,
    });
}
class LogsmithServer {
    output;
    client;
    state = { phase: "stopped", status: {} };
    stderrTail = [];
    reachedRunning = false;
    failureShown = false;
    restarts = [];
    reportedSettingProblems = new Set();
    stateEmitter = new vscode.EventEmitter();
    onDidChangeState = this.stateEmitter.event;
    constructor(output) {
        this.output = output;
    }
    get current() {
        return this.state;
    }
    setState(state) {
        this.state = state;
        this.stateEmitter.fire(state);
    }
    settings() {
        const { options, problems } = (0, serverSettings_1.serverSettingsFrom)(readUserSetting);
        for (const problem of problems) {
            this.output.warn(problem);
            if (!this.reportedSettingProblems.has(problem)) {
                this.reportedSettingProblems.add(problem);
                void vscode.window.showWarningMessage(problem);
            }
        }
        return options;
    }
    async start() {
        if (this.client !== undefined) {
            return this.state.phase === "running";
        }
        this.failureShown = false;
        this.reachedRunning = false;
        this.stderrTail = [];
        const lookup = lookUpServer();
        if (lookup.found === undefined) {
            this.output.error(`language server not found; looked at: ${lookup.searched.join(", ") || "(nothing)"}`);
            this.fail({ kind: "notFound", lookup }, "not found");
            return false;
        }
        const server = lookup.found;
        this.output.info(`starting ${[server.command, ...server.args].join(" ")} (from ${server.origin})`);
        this.setState({ phase: "starting", status: {} });
        const folder = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === "file");
        const serverOptions = {
            command: server.command,
            args: server.args,
            options: { cwd: folder?.uri.fsPath, env: { ...process.env } },
        };
        const clientOptions = {
            documentSelector: [
                { scheme: "file", language: "python" },
                { scheme: "untitled", language: "python" },
            ],
            outputChannel: this.output,
            initializationOptions: this.settings(),
            stdioOptions: {
                stdout: (input) => input.on("data", (chunk) => this.output.info(chunk.toString())),
                stderr: (input) => this.collectStderr(input),
            },
            errorHandler: {
                error: (error, _message, count) => {
                    this.output.error(`connection error: ${error.message}`);
                    return { action: (count ?? 0) <= 3 ? node_1.ErrorAction.Continue : node_1.ErrorAction.Shutdown, handled: true };
                },
                closed: () => this.onClosed(server),
            },
            initializationFailedHandler: (error) => {
                const reason = error instanceof Error ? error.message : String(error);
                this.output.error(`initialization failed: ${reason}`);
                this.fail({ kind: "exited", server, stderrTail: [...this.stderrTail, reason] }, reason);
                return false;
            },
            middleware: {
                workspace: {
                    // The server may pull its section; answer with the same options it got at start.
                    configuration: async (params, token, next) => {
                        const answers = await next(params, token);
                        if (!Array.isArray(answers)) {
                            return answers;
                        }
                        return params.items.map((item, index) => (item.section === exports.CLIENT_ID ? this.settings() : answers[index]));
                    },
                },
            },
        };
        const client = new node_1.LanguageClient(exports.CLIENT_ID, "logsmith", serverOptions, clientOptions);
        this.client = client;
        client.onNotification(exports.STATUS_NOTIFICATION, (params) => {
            this.setState({ phase: "running", status: (0, statusText_1.parseStatus)(params) });
        });
        client.onDidChangeState((event) => {
            if (event.newState === node_1.State.Running) {
                this.reachedRunning = true;
                this.setState({ phase: "running", status: this.state.status });
            }
            else if (event.newState === node_1.State.Stopped && this.state.phase !== "failed") {
                this.setState({ phase: "stopped", status: this.state.status });
            }
        });
        try {
            await client.start();
            return true;
        }
        catch (error) {
            const failure = this.spawnFailure(server, error);
            this.output.error(`the language server did not start: ${failure.kind === "spawnFailed" ? failure.reason : String(error)}`);
            this.fail(failure, failure.kind === "spawnFailed" ? failure.reason : "stopped while starting");
            await this.disposeClient();
            return false;
        }
    }
    spawnFailure(server, error) {
        const code = error?.code;
        if (code === "ENOENT" || code === "EACCES") {
            return { kind: "spawnFailed", server, code, reason: error.message };
        }
        return { kind: "exited", server, stderrTail: this.stderrTail };
    }
    collectStderr(input) {
        let pending = "";
        input.on("data", (chunk) => {
            pending += chunk.toString();
            const lines = pending.split(/\r?\n/);
            pending = lines.pop() ?? "";
            for (const line of lines) {
                this.output.error(line);
                this.stderrTail.push(line);
            }
            if (this.stderrTail.length > STDERR_LINES_KEPT) {
                this.stderrTail.splice(0, this.stderrTail.length - STDERR_LINES_KEPT);
            }
        });
    }
    onClosed(server) {
        if (!this.reachedRunning) {
            this.fail({ kind: "exited", server, stderrTail: this.stderrTail }, "stopped while starting");
            return { action: node_1.CloseAction.DoNotRestart, handled: true };
        }
        const now = Date.now();
        this.restarts = this.restarts.filter((time) => now - time < RESTART_WINDOW_MS);
        if (this.restarts.length < RESTARTS_ALLOWED) {
            this.restarts.push(now);
            this.output.warn(`the language server stopped; restarting (${this.restarts.length} of ${RESTARTS_ALLOWED})`);
            return { action: node_1.CloseAction.Restart, handled: true };
        }
        this.fail({ kind: "exited", server, stderrTail: this.stderrTail }, `stopped ${RESTARTS_ALLOWED + 1} times in 3 minutes`);
        return { action: node_1.CloseAction.DoNotRestart, handled: true };
    }
    fail(failure, detail) {
        this.setState({ phase: "failed", status: {}, detail });
        if (this.failureShown) {
            return;
        }
        this.failureShown = true;
        const message = (0, startFailure_1.failureMessage)(failure);
        this.output.error(message.text);
        void vscode.window.showErrorMessage(message.text, ...message.actions).then((choice) => {
            if (choice === "Open Settings") {
                void vscode.commands.executeCommand("workbench.action.openSettings", "logsmith.server");
            }
            else if (choice === "Show Output") {
                this.output.show();
            }
            else if (choice === "Install Model") {
                void vscode.commands.executeCommand("logsmith.installModel");
            }
        });
    }
    /** Sends changed settings to the running server. */
    async sendSettings() {
        if (this.client === undefined || this.state.phase !== "running") {
            return;
        }
        await this.client.sendNotification(node_1.DidChangeConfigurationNotification.type, { settings: { [exports.CLIENT_ID]: this.settings() } });
    }
    /** Whether a configuration change needs a new server process (its command changed) or only new options. */
    static affects(event) {
        if (event.affectsConfiguration("logsmith.server")) {
            return "restart";
        }
        return serverSettings_1.SERVER_SETTING_KEYS.some((key) => event.affectsConfiguration(`logsmith.${key}`)) ? "settings" : "none";
    }
    async restart() {
        this.restarts = [];
        await this.stop();
        return this.start();
    }
    async stop() {
        await this.disposeClient();
        this.setState({ phase: "stopped", status: {} });
    }
    async disposeClient() {
        const client = this.client;
        this.client = undefined;
        if (client === undefined) {
            return;
        }
        try {
            if (client.needsStop()) {
                await client.stop(2000);
            }
        }
        catch (error) {
            this.output.warn(`stopping the language server: ${error instanceof Error ? error.message : String(error)}`);
        }
        try {
            await client.dispose();
        }
        catch {
            // already stopped
        }
    }
    dispose() {
        void this.disposeClient();
        this.stateEmitter.dispose();
    }
}
exports.LogsmithServer = LogsmithServer;
//# sourceMappingURL=languageServer.js.map