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
exports.installModel = installModel;
/**
 * The "Install Model" command: runs `logsmith model install` as a task in a terminal, so the user
 * sees the download and verification, then restarts the server once the model is in place.
 */
const vscode = __importStar(require("vscode"));
const serverCommand_1 = require("./serverCommand");
async function installModel(logsmith, onInstalled) {
    const command = (0, serverCommand_1.withSubcommand)(logsmith, ["model", "install"]);
    const task = new vscode.Task({ type: "logsmith", task: "model install" }, vscode.TaskScope.Workspace, "model install", "logsmith", new vscode.ProcessExecution(command.command, command.args));
    task.presentationOptions = { reveal: vscode.TaskRevealKind.Always, panel: vscode.TaskPanelKind.Dedicated, clear: true };
    const execution = await vscode.tasks.executeTask(task);
    const ended = vscode.tasks.onDidEndTaskProcess(async (event) => {
        if (event.execution !== execution) {
            return;
        }
        ended.dispose();
        if (event.exitCode === 0) {
            void vscode.window.showInformationMessage("logsmith: the model is installed; restarting the language server.");
            await onInstalled();
        }
        else {
            void vscode.window.showErrorMessage(`logsmith: \`model install\` failed (exit code ${event.exitCode ?? "unknown"}); the terminal shows why.`);
        }
    });
}
//# sourceMappingURL=modelInstall.js.map