/**
 * The "Show Adoption Report" command: runs `logsmith report --html FILE` into a temporary folder
 * and shows the page in a webview (scripts off: the report is self-contained HTML with charts).
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import * as vscode from "vscode";
import { withSubcommand, type ServerCommand } from "./serverCommand";
import { commandLine } from "./startFailure";

const REPORT_TIMEOUT_MS = 60_000;

function run(server: ServerCommand, cwd: string | undefined): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(server.command, server.args, { cwd, env: process.env, timeout: REPORT_TIMEOUT_MS, maxBuffer: 4 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : 1;
      resolve({ code, stdout, stderr: stderr || (error?.message ?? "") });
    });
  });
}

export async function showAdoptionReport(logsmith: ServerCommand, output: vscode.LogOutputChannel): Promise<void> {
  const folder = await fs.mkdtemp(path.join(os.tmpdir(), "logsmith-report-"));
  const page = path.join(folder, "report.html");
  const command = withSubcommand(logsmith, ["report", "--html", page]);
  output.info(`running ${commandLine(command)}`);
  try {
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: "logsmith: building the adoption report" },
      () => run(command, vscode.workspace.workspaceFolders?.[0]?.uri.fsPath),
    );
    if (result.stdout.trim() !== "") {
      output.info(result.stdout.trimEnd());
    }
    if (result.code !== 0) {
      const reason = result.stderr.trim().split(/\r?\n/).pop() ?? `exit code ${result.code}`;
      output.error(result.stderr.trimEnd());
      void vscode.window.showErrorMessage(
        `logsmith: the adoption report failed: ${reason}. The report reads the audit store the language server writes; ` +
          `accept a few suggestions first, and check that logsmith.telemetry is on.`,
      );
      return;
    }
    const html = await fs.readFile(page, "utf8");
    const panel = vscode.window.createWebviewPanel("logsmith.report", "logsmith adoption report", vscode.ViewColumn.Active, {
      enableScripts: false,
    });
    panel.webview.html = html;
  } finally {
    await fs.rm(folder, { recursive: true, force: true });
  }
}
