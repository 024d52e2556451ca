/**
 * Entry point: wires the language server, the status bar item and the commands together, and
 * reacts to setting and workspace-trust changes. No logic of its own beyond the wiring.
 */
import * as vscode from "vscode";
import { showAdoptionReport } from "./adoptionReport";
import { LogsmithServer, lookUpServer } from "./languageServer";
import { installModel } from "./modelInstall";
import type { ServerCommand } from "./serverCommand";
import { modelToInstall } from "./serverMessages";
import { failureMessage } from "./startFailure";
import { createStatusBarItem, MENU_COMMAND } from "./statusBar";

let server: LogsmithServer | undefined;

/** The logsmith program for one-off commands (report, model install), or undefined after telling the user why not. */
function logsmithProgram(): ServerCommand | undefined {
  const lookup = lookUpServer();
  if (lookup.found === undefined) {
    void vscode.window.showErrorMessage(failureMessage({ kind: "notFound", lookup }).text);
    return undefined;
  }
  return lookup.found;
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel("logsmith", { log: true });
  const logsmith = new LogsmithServer(output);
  server = logsmith;
  context.subscriptions.push(output, logsmith, createStatusBarItem(logsmith));

  const menu: { label: string; command: string }[] = [
    { label: "$(debug-restart) Restart Server", command: "logsmith.restartServer" },
    { label: "$(graph) Show Adoption Report", command: "logsmith.showReport" },
    { label: "$(cloud-download) Install Model", command: "logsmith.installModel" },
    { label: "$(output) Show Server Output", command: "logsmith.showOutput" },
  ];
  context.subscriptions.push(
    vscode.commands.registerCommand("logsmith.restartServer", () => logsmith.restart()),
    vscode.commands.registerCommand("logsmith.showOutput", () => output.show()),
    vscode.commands.registerCommand("logsmith.showReport", async () => {
      const program = logsmithProgram();
      if (program !== undefined) {
        await showAdoptionReport(program, output);
      }
    }),
    // From a button on a server message the model named there; from the palette the configured one.
    vscode.commands.registerCommand("logsmith.installModel", async (model?: unknown) => {
      const program = logsmithProgram();
      if (program !== undefined) {
        const name = typeof model === "string" ? model : modelToInstall(vscode.workspace.getConfiguration("logsmith").get("model"));
        await installModel(program, () => logsmith.restart(), name);
      }
    }),
    vscode.commands.registerCommand(MENU_COMMAND, async () => {
      const choice = await vscode.window.showQuickPick(menu, { placeHolder: "logsmith" });
      if (choice !== undefined) {
        await vscode.commands.executeCommand(choice.command);
      }
    }),
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      const effect = LogsmithServer.affects(event);
      if (effect === "restart") {
        await logsmith.restart();
      } else if (effect === "settings") {
        await logsmith.sendSettings();
      }
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(async () => {
      await logsmith.restart();
    }),
    vscode.workspace.onDidChangeWorkspaceFolders(async () => {
      if (logsmith.current.phase === "failed") {
        await logsmith.restart();
      }
    }),
  );
  await logsmith.start();
}

export async function deactivate(): Promise<void> {
  const running = server;
  server = undefined;
  if (running !== undefined) {
    await running.stop();
  }
}
