/**
 * The status bar item: what wrote the last suggestion (the template or the model) and its latency
 * while the server runs, an error sign when it could not start; a click opens the logsmith menu.
 */
import * as vscode from "vscode";
import type { LogsmithServer, ServerState } from "./languageServer";
import { statusView } from "./statusText";

export const MENU_COMMAND = "logsmith.showMenu";

export function createStatusBarItem(server: LogsmithServer): vscode.Disposable {
  const item = vscode.window.createStatusBarItem("logsmith.status", vscode.StatusBarAlignment.Right, 100);
  item.name = "logsmith";
  item.command = MENU_COMMAND;
  const render = (state: ServerState) => {
    const view = statusView(state.phase, state.status, state.detail);
    item.text = view.text;
    item.tooltip = view.tooltip;
    item.accessibilityInformation = { label: view.ariaLabel };
    item.backgroundColor = state.phase === "failed" ? new vscode.ThemeColor("statusBarItem.errorBackground") : undefined;
    item.show();
  };
  render(server.current);
  const subscription = server.onDidChangeState(render);
  return vscode.Disposable.from(item, subscription);
}
