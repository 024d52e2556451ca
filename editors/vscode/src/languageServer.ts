/**
 * Runs the logsmith language server for this window through vscode-languageclient: finds the
 * command, starts it with the user's settings, forwards setting changes, restarts it, and turns
 * every way it can fail to start into one message with a fix. Completion, inline completion, code
 * actions and the `logsmith.accept` command come from the client's standard features.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as vscode from "vscode";
import {
  CloseAction,
  DidChangeConfigurationNotification,
  ErrorAction,
  LanguageClient,
  ShowMessageNotification,
  State,
  type CloseHandlerResult,
  type ErrorHandlerResult,
  type LanguageClientOptions,
  type ServerOptions,
} from "vscode-languageclient/node";
import { findServerCommand, type ServerCommand, type ServerLookup } from "./serverCommand";
import { messageButtons, MESSAGE_ERROR, MESSAGE_WARNING, type MessageAction } from "./serverMessages";
import { SERVER_SETTING_KEYS, serverSettingsFrom, type ServerSettings } from "./serverSettings";
import { failureMessage, lastError, type StartFailure } from "./startFailure";
import { nextStatus, parseStatus, type Phase, type ServerStatus } from "./statusText";

export const CLIENT_ID = "logsmith";
export const STATUS_NOTIFICATION = "logsmith/status";
const STDERR_LINES_KEPT = 40;
const RESTARTS_ALLOWED = 4;
const RESTART_WINDOW_MS = 3 * 60 * 1000;
/** How long to wait for a dead server's last stderr lines before explaining why it died. */
const STDERR_DRAIN_MS = 2000;

export interface ServerState {
  phase: Phase;
  status: ServerStatus;
  /** Why it failed, in a few words, when phase is "failed". */
  detail?: string;
}

function isExecutableFile(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Settings below `logsmith.` that the user set somewhere (user, workspace or folder). */
function readUserSetting(key: keyof ServerSettings): unknown {
  const inspected = vscode.workspace.getConfiguration("logsmith").inspect(key);
  if (inspected === undefined) {
    return undefined;
  }
  return inspected.workspaceFolderValue ?? inspected.workspaceValue ?? inspected.globalValue;
}

/** Where the server is, from the settings and the workspace, right now. */
export function lookUpServer(): ServerLookup {
  const config = vscode.workspace.getConfiguration("logsmith");
  return findServerCommand({
    serverPath: config.get<string>("server.path") ?? "",
    python: config.get<string>("server.python") ?? "",
    workspaceFolders: (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === "file").map((f) => f.uri.fsPath),
    workspaceTrusted: vscode.workspace.isTrusted,
    envPath: process.env.PATH ?? "",
    xdgDataHome: process.env.XDG_DATA_HOME ?? "",
    platform: process.platform,
    home: os.homedir(),
    isExecutable: isExecutableFile,
  });
}

export class LogsmithServer implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private state: ServerState = { phase: "stopped", status: {} };
  private stderrTail: string[] = [];
  private stderrClosed: Promise<void> = Promise.resolve();
  private initializationError: string | undefined;
  private reachedRunning = false;
  private failureShown = false;
  private restarts: number[] = [];
  private reportedSettingProblems = new Set<string>();
  private readonly stateEmitter = new vscode.EventEmitter<ServerState>();
  readonly onDidChangeState = this.stateEmitter.event;

  constructor(private readonly output: vscode.LogOutputChannel) {}

  get current(): ServerState {
    return this.state;
  }

  private setState(state: ServerState): void {
    this.state = state;
    this.stateEmitter.fire(state);
  }

  private settings(): Partial<ServerSettings> {
    const { options, problems } = serverSettingsFrom(readUserSetting);
    for (const problem of problems) {
      this.output.warn(problem);
      if (!this.reportedSettingProblems.has(problem)) {
        this.reportedSettingProblems.add(problem);
        void vscode.window.showWarningMessage(problem);
      }
    }
    return options;
  }

  async start(): Promise<boolean> {
    if (this.client !== undefined) {
      return this.state.phase === "running";
    }
    this.failureShown = false;
    this.reachedRunning = false;
    this.stderrTail = [];
    this.initializationError = undefined;
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
    const serverOptions: ServerOptions = {
      command: server.command,
      args: server.args,
      options: { cwd: folder?.uri.fsPath, env: { ...process.env } },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [
        { scheme: "file", language: "python" },
        { scheme: "untitled", language: "python" },
      ],
      outputChannel: this.output,
      initializationOptions: this.settings(),
      stdioOptions: {
        stdout: (input) => input.on("data", (chunk: Buffer) => this.output.info(chunk.toString())),
        stderr: (input) => this.collectStderr(input),
      },
      errorHandler: {
        error: (error, _message, count): ErrorHandlerResult => {
          this.output.error(`connection error: ${error.message}`);
          return { action: (count ?? 0) <= 3 ? ErrorAction.Continue : ErrorAction.Shutdown, handled: true };
        },
        closed: (): CloseHandlerResult => this.onClosed(server),
      },
      initializationFailedHandler: (error: unknown) => {
        // Explained once start() rejects, when the server's own last words have arrived.
        this.initializationError = error instanceof Error ? error.message : String(error);
        this.output.error(`initialization failed: ${this.initializationError}`);
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
            return params.items.map((item, index): unknown => (item.section === CLIENT_ID ? this.settings() : answers[index]));
          },
        },
      },
    };

    const client = new LanguageClient(CLIENT_ID, "logsmith", serverOptions, clientOptions);
    this.client = client;
    // The server's messages, with a button that fixes what they report (e.g. "Install Model").
    client.onNotification(ShowMessageNotification.type, (params) => this.showServerMessage(params.message, params.type));
    client.onNotification(STATUS_NOTIFICATION, (params: unknown) => {
      this.setState({ phase: "running", status: nextStatus(this.state.status, parseStatus(params)) });
    });
    client.onDidChangeState((event) => {
      if (event.newState === State.Running) {
        this.reachedRunning = true;
        this.setState({ phase: "running", status: this.state.status });
      } else if (event.newState === State.Stopped && this.state.phase !== "failed") {
        this.setState({ phase: "stopped", status: this.state.status });
      }
    });
    try {
      await client.start();
      return true;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.output.error(`the language server did not start: ${reason}`);
      const code = (error as NodeJS.ErrnoException | undefined)?.code;
      if (code === "ENOENT" || code === "EACCES") {
        this.fail({ kind: "spawnFailed", server, code, reason }, reason);
      } else {
        await this.failWithServerOutput(server, this.initializationError ?? reason);
      }
      await this.disposeClient();
      return false;
    }
  }

  /** Shows a `window/showMessage` from the server with the buttons that fix what it says. */
  private showServerMessage(message: string, type: number): void {
    const buttons = messageButtons(message, type);
    const show =
      type === MESSAGE_ERROR ? vscode.window.showErrorMessage : type === MESSAGE_WARNING ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
    const settings = buttons.actions.includes("Install Model") ? "logsmith.model" : "logsmith";
    void show(message, ...buttons.actions).then((choice) => this.runAction(choice, settings, buttons.model));
  }

  /** Does what a button on a logsmith message says; `settings` is the settings search "Open Settings" opens. */
  private runAction(choice: MessageAction | undefined, settings: string, model?: string): void {
    if (choice === "Open Settings") {
      void vscode.commands.executeCommand("workbench.action.openSettings", settings);
    } else if (choice === "Show Output") {
      this.output.show();
    } else if (choice === "Install Model") {
      void vscode.commands.executeCommand("logsmith.installModel", model);
    }
  }

  /** Explains a server that died while starting, quoting its stderr once that has been read to the end. */
  private async failWithServerOutput(server: ServerCommand, clientReason?: string): Promise<void> {
    await Promise.race([this.stderrClosed, new Promise((resolve) => setTimeout(resolve, STDERR_DRAIN_MS))]);
    const said = lastError(this.stderrTail) !== undefined || clientReason === undefined ? this.stderrTail : [clientReason];
    this.fail({ kind: "exited", server, stderrTail: said }, "stopped while starting");
  }

  /** Copies the server's stderr into the output channel and keeps its last lines for error messages. */
  private collectStderr(input: NodeJS.ReadableStream): void {
    let pending = "";
    const keep = (line: string) => {
      this.output.error(line);
      this.stderrTail.push(line);
      if (this.stderrTail.length > STDERR_LINES_KEPT) {
        this.stderrTail.shift();
      }
    };
    input.on("data", (chunk: Buffer | string) => {
      const lines = (pending + chunk.toString()).split(/\r?\n/);
      pending = lines.pop() ?? "";
      lines.forEach(keep);
    });
    this.stderrClosed = new Promise((resolve) => {
      const closed = () => {
        if (pending !== "") {
          keep(pending);
          pending = "";
        }
        resolve();
      };
      input.on("end", closed);
      input.on("close", closed);
      input.on("error", closed);
    });
  }

  private onClosed(server: ServerCommand): CloseHandlerResult {
    if (!this.reachedRunning) {
      void this.failWithServerOutput(server);
      return { action: CloseAction.DoNotRestart, handled: true };
    }
    const now = Date.now();
    this.restarts = this.restarts.filter((time) => now - time < RESTART_WINDOW_MS);
    if (this.restarts.length < RESTARTS_ALLOWED) {
      this.restarts.push(now);
      this.output.warn(`the language server stopped; restarting (${this.restarts.length} of ${RESTARTS_ALLOWED})`);
      return { action: CloseAction.Restart, handled: true };
    }
    this.fail({ kind: "exited", server, stderrTail: this.stderrTail }, `stopped ${RESTARTS_ALLOWED + 1} times in 3 minutes`);
    return { action: CloseAction.DoNotRestart, handled: true };
  }

  private fail(failure: StartFailure, detail: string): void {
    this.setState({ phase: "failed", status: {}, detail });
    if (this.failureShown) {
      return;
    }
    this.failureShown = true;
    const message = failureMessage(failure);
    this.output.error(message.text);
    void vscode.window.showErrorMessage(message.text, ...message.actions).then((choice) => this.runAction(choice, "logsmith.server"));
  }

  /** Sends changed settings to the running server. */
  async sendSettings(): Promise<void> {
    if (this.client === undefined || this.state.phase !== "running") {
      return;
    }
    await this.client.sendNotification(DidChangeConfigurationNotification.type, { settings: { [CLIENT_ID]: this.settings() } });
  }

  /** Whether a configuration change needs a new server process (its command changed) or only new options. */
  static affects(event: vscode.ConfigurationChangeEvent): "restart" | "settings" | "none" {
    if (event.affectsConfiguration("logsmith.server")) {
      return "restart";
    }
    return SERVER_SETTING_KEYS.some((key) => event.affectsConfiguration(`logsmith.${key}`)) ? "settings" : "none";
  }

  async restart(): Promise<boolean> {
    this.restarts = [];
    await this.stop();
    return this.start();
  }

  async stop(): Promise<void> {
    await this.disposeClient();
    this.setState({ phase: "stopped", status: {} });
  }

  private async disposeClient(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client === undefined) {
      return;
    }
    try {
      if (client.needsStop()) {
        await client.stop(2000);
      }
    } catch (error) {
      this.output.warn(`stopping the language server: ${error instanceof Error ? error.message : String(error)}`);
    }
    try {
      await client.dispose();
    } catch {
      // already stopped
    }
  }

  dispose(): void {
    void this.disposeClient();
    this.stateEmitter.dispose();
  }
}

