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
exports.activate = activate;
exports.deactivate = deactivate;
/**
 * Entry point: wires the language server, the status bar item and the commands together, and
 * reacts to setting and workspace-trust changes. No logic of its own beyond the wiring.
 */
const vscode = __importStar(require("vscode"));
const adoptionReport_1 = require("./adoptionReport");
const languageServer_1 = require("./languageServer");
const modelInstall_1 = require("./modelInstall");
const startFailure_1 = require("./startFailure");
const statusBar_1 = require("./statusBar");
let server;
/** The logsmith program for one-off commands (report, model install), or undefined after telling the user why not. */
function logsmithProgram() {
    const lookup = (0, languageServer_1.lookUpServer)();
    if (lookup.found === undefined) {
        void vscode.window.showErrorMessage((0, startFailure_1.failureMessage)({ kind: "notFound", lookup }).text);
        return undefined;
    }
    return lookup.found;
}
async function activate(context) {
    const output = vscode.window.createOutputChannel("logsmith", { log: true });
    const logsmith = new languageServer_1.LogsmithServer(output);
    server = logsmith;
    context.subscriptions.push(output, logsmith, (0, statusBar_1.createStatusBarItem)(logsmith));
    const menu = [
        { label: "$(debug-restart) Restart Server", command: "logsmith.restartServer" },
        { label: "$(graph) Show Adoption Report", command: "logsmith.showReport" },
        { label: "$(cloud-download) Install Model", command: "logsmith.installModel" },
        { label: "$(output) Show Server Output", command: "logsmith.showOutput" },
    ];
    context.subscriptions.push(vscode.commands.registerCommand("logsmith.restartServer", () => logsmith.restart()), vscode.commands.registerCommand("logsmith.showOutput", () => output.show()), vscode.commands.registerCommand("logsmith.showReport", async () => {
        const program = logsmithProgram();
        if (program !== undefined) {
            await (0, adoptionReport_1.showAdoptionReport)(program, output);
        }
    }), vscode.commands.registerCommand("logsmith.installModel", async () => {
        const program = logsmithProgram();
        if (program !== undefined) {
            await (0, modelInstall_1.installModel)(program, () => logsmith.restart());
        }
    }), vscode.commands.registerCommand(statusBar_1.MENU_COMMAND, async () => {
        const choice = await vscode.window.showQuickPick(menu, { placeHolder: "logsmith" });
        if (choice !== undefined) {
            await vscode.commands.executeCommand(choice.command);
        }
    }), vscode.workspace.onDidChangeConfiguration(async (event) => {
        const effect = languageServer_1.LogsmithServer.affects(event);
        if (effect === "restart") {
            await logsmith.restart();
        }
        else if (effect === "settings") {
            await logsmith.sendSettings();
        }
    }), vscode.workspace.onDidGrantWorkspaceTrust(async () => {
        await logsmith.restart();
    }), vscode.workspace.onDidChangeWorkspaceFolders(async () => {
        if (logsmith.current.phase === "failed") {
            await logsmith.restart();
        }
    }));
    await logsmith.start();
}
async function deactivate() {
    const running = server;
    server = undefined;
    if (running !== undefined) {
        await running.stop();
    }
}
//# sourceMappingURL=extension.js.map