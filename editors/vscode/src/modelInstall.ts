/**
 * The "Install Model" command: runs `logsmith model install [NAME]` as a task in a terminal, so the
 * user sees the download and verification, then restarts the server once the model is in place.
 */
import * as vscode from "vscode";
import { withSubcommand, type ServerCommand } from "./serverCommand";

/** Installs `model` (a registry name; undefined: the default model), then calls `onInstalled`. */
export async function installModel(logsmith: ServerCommand, onInstalled: () => Promise<boolean>, model?: string): Promise<void> {
  const command = withSubcommand(logsmith, model === undefined ? ["model", "install"] : ["model", "install", model]);
  const task = new vscode.Task(
    { type: "logsmith", task: "model install" },
    vscode.TaskScope.Workspace,
    "model install",
    "logsmith",
    new vscode.ProcessExecution(command.command, command.args),
  );
  task.presentationOptions = { reveal: vscode.TaskRevealKind.Always, panel: vscode.TaskPanelKind.Dedicated, clear: true };
  const execution = await vscode.tasks.executeTask(task);
  const ended = vscode.tasks.onDidEndTaskProcess(async (event) => {
    if (event.execution !== execution) {
      return;
    }
    ended.dispose();
    if (event.exitCode === 0) {
      const running = await onInstalled();
      void vscode.window.showInformationMessage(
        running ? "logsmith: the model is installed and the language server restarted with it." : "logsmith: the model is installed.",
      );
    } else {
      void vscode.window.showErrorMessage(
        `logsmith: \`model install\` failed (exit code ${event.exitCode ?? "unknown"}); the terminal shows why.`,
      );
    }
  });
}
