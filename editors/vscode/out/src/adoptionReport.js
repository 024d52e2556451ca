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
exports.showAdoptionReport = showAdoptionReport;
/**
 * The "Show Adoption Report" command: runs `logsmith report --html FILE` into a temporary folder
 * and shows the page in a webview (scripts off: the report is self-contained HTML with charts).
 */
const node_child_process_1 = require("node:child_process");
const fs = __importStar(require("node:fs/promises"));
const os = __importStar(require("node:os"));
const path = __importStar(require("node:path"));
const vscode = __importStar(require("vscode"));
const serverCommand_1 = require("./serverCommand");
const startFailure_1 = require("./startFailure");
const REPORT_TIMEOUT_MS = 60_000;
function run(server, cwd) {
    return new Promise((resolve) => {
        (0, node_child_process_1.execFile)(server.command, server.args, { cwd, env: process.env, timeout: REPORT_TIMEOUT_MS, maxBuffer: 4 * 1024 * 1024 }, (error, stdout, stderr) => {
            const code = error === null ? 0 : typeof error.code === "number" ? error.code : 1;
            resolve({ code, stdout, stderr: stderr || (error?.message ?? "") });
        });
    });
}
async function showAdoptionReport(logsmith, output) {
    const folder = await fs.mkdtemp(path.join(os.tmpdir(), "logsmith-report-"));
    const page = path.join(folder, "report.html");
    const command = (0, serverCommand_1.withSubcommand)(logsmith, ["report", "--html", page]);
    output.info(`running ${(0, startFailure_1.commandLine)(command)}`);
    try {
        const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: "logsmith: building the adoption report" }, () => run(command, vscode.workspace.workspaceFolders?.[0]?.uri.fsPath));
        if (result.stdout.trim() !== "") {
            output.info(result.stdout.trimEnd());
        }
        if (result.code !== 0) {
            const reason = result.stderr.trim().split(/\r?\n/).pop() ?? `exit code ${result.code}`;
            output.error(result.stderr.trimEnd());
            void vscode.window.showErrorMessage(`logsmith: the adoption report failed: ${reason}. The report reads the audit store the language server writes; ` +
                `accept a few suggestions first, and check that logsmith.telemetry is on.`);
            return;
        }
        const html = await fs.readFile(page, "utf8");
        const panel = vscode.window.createWebviewPanel("logsmith.report", "logsmith adoption report", vscode.ViewColumn.Active, {
            enableScripts: false,
        });
        panel.webview.html = html;
    }
    finally {
        await fs.rm(folder, { recursive: true, force: true });
    }
}
//# sourceMappingURL=adoptionReport.js.map