/**
 * Runs the logsmith language server for this window through vscode-languageclient: finds the
 * command, starts it with the user's settings, forwards setting changes, restarts it, and turns
 * every way it can fail to start into one message with a fix. Completion, inline completion, code
 * actions and the `logsmith.accept` command come from the client's standard features.
 *
 * Start failures have one reporter: the catch around `client.start()`. A server that exits at once
 * fails the start in whichever way the race between writing `initialize` and seeing the exit goes
 * ("write EPIPE" from the error handler or the rejected start, or a dropped pending request); the
 * catch then waits for the exit and the end of stderr and shows startFailure's message. The
 * client's own error notifications are suppressed until the server has started, and restarts
 * after a crash go through the same start, so the user never sees vscode-languageclient's
 * "couldn't create connection to server" instead.
 */
import type { ChildProcess } from "node:child_process";
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
  type MessageTransports,
  type ServerOptions,
} from "vscode-languageclient/node";
import { findServerCommand, type ServerCommand, type ServerLookup } from "./serverCommand";
import { messageButtons, MESSAGE_ERROR, MESSAGE_WARNING, type MessageAction } from "./serverMessages";
import { SERVER_SETTING_KEYS, serverSettingsFrom, type ServerSettings } from "./serverSettings";
import { classifyStartFailure, errorText, exitText, failureMessage, type ProcessExit, type StartFailure } from "./startFailure";
import { nextStatus, parseStatus, type Phase, type ServerStatus } from "./statusText";

export const CLIENT_ID = "logsmith";
export const STATUS_NOTIFICATION = "logsmith/status";
/** The editor language ids of the files the server reads (it answers nothing for any other). */
export const LANGUAGES = ["python", "java", "go", "javascript", "typescript", "javascriptreact", "typescriptreact"];
const STDERR_LINES_KEPT = 40;
const RESTARTS_ALLOWED = 4;
const RESTART_WINDOW_MS = 3 * 60 * 1000;
/** How long to wait for a dead server's exit code and last stderr lines before explaining why it died. */
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

/** One start of the server process: what it wrote to stderr, how it ended, whether it got going. */
class Attempt {
  readonly stderrTail: string[] = [];
  /** True once `client.start()` resolved: failures from then on are crashes, not start failures. */
  started = false;
  exit: ProcessExit | undefined;
  private stderrClosed: Promise<void> | undefined;
  private exited: Promise<void> | undefined;

  constructor(readonly server: ServerCommand) {}

  /** Keeps the line (the output channel gets it too), up to the last STDERR_LINES_KEPT. */
  keepStderr(line: string): void {
    this.stderrTail.push(line);
    if (this.stderrTail.length > STDERR_LINES_KEPT) {
      this.stderrTail.shift();
    }
  }

  watchStderr(closed: Promise<void>): void {
    this.stderrClosed = closed;
  }

  /** Records the exit code (or signal) of the spawned process. */
  watchProcess(child: ChildProcess): void {
    if (child.exitCode !== null || child.signalCode !== null) {
      this.exit = { code: child.exitCode, signal: child.signalCode };
      this.exited = Promise.resolve();
      return;
    }
    this.exited = new Promise((resolve) => {
      child.once("exit", (code, signal) => {
        this.exit = { code, signal };
        resolve();
      });
      // A process that could not be spawned never exits.
      child.once("error", () => resolve());
    });
  }

  /** Resolves when the process has exited and its stderr has been read to the end, or after `ms`. */
  async settled(ms: number): Promise<void> {
    const both = Promise.all([this.stderrClosed ?? Promise.resolve(), this.exited ?? Promise.resolve()]);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([both, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
    clearTimeout(timer);
  }
}

/**
 * vscode-languageclient's LanguageClient, telling the extension which process it spawned and
 * showing none of its own error notifications while `quiet()` (the server is starting): the
 * extension explains those failures itself. Its errors still go to the output channel.
 */
class LogsmithClient extends LanguageClient {
  constructor(
    serverOptions: ServerOptions,
    clientOptions: LanguageClientOptions,
    private readonly hooks: { quiet: () => boolean; spawned: (child: ChildProcess) => void },
  ) {
    super(CLIENT_ID, "logsmith", serverOptions, clientOptions);
  }

  override error(message: string, data?: unknown, showNotification: boolean | "force" = true): void {
    // `hooks` is unset while the base constructor runs.
    const quiet = this.hooks?.quiet() ?? true;
    super.error(message, data, quiet ? false : showNotification);
  }

  protected override async createMessageTransports(encoding: string): Promise<MessageTransports> {
    const transports = await super.createMessageTransports(encoding);
    // Only microtasks ran since the spawn, so the process's exit event cannot have been missed.
    const child = this.serverProcess;
    if (child !== undefined) {
      this.hooks.spawned(child);
    }
    return transports;
  }
}

export class LogsmithServer implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private state: ServerState = { phase: "stopped", status: {} };
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
    const lookup = lookUpServer();
    if (lookup.found === undefined) {
      this.output.error(`language server not found; looked at: ${lookup.searched.join(", ") || "(nothing)"}`);
      this.fail({ kind: "notFound", lookup }, "not found");
      return false;
    }
    const server = lookup.found;
    this.output.info(`starting ${[server.command, ...server.args].join(" ")} (from ${server.origin})`);
    this.setState({ phase: "starting", status: {} });
    const attempt = new Attempt(server);

    const folder = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === "file");
    const serverOptions: ServerOptions = {
      command: server.command,
      args: server.args,
      options: { cwd: folder?.uri.fsPath, env: { ...process.env } },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: LANGUAGES.flatMap((language) => [
        { scheme: "file", language },
        { scheme: "untitled", language },
      ]),
      outputChannel: this.output,
      initializationOptions: this.settings(),
      stdioOptions: {
        stdout: (input) => input.on("data", (chunk: Buffer) => this.output.info(chunk.toString())),
        stderr: (input) => this.collectStderr(input, attempt),
      },
      errorHandler: {
        // Reading or writing failed, e.g. "write EPIPE" when `initialize` goes to a process that
        // already exited. While starting, the rejected start() explains it; later it is logged.
        error: (error, _message, count): ErrorHandlerResult => {
          this.output.error(`connection error: ${error.message}`);
          return { action: (count ?? 0) <= 3 ? ErrorAction.Continue : ErrorAction.Shutdown, handled: true };
        },
        closed: (): CloseHandlerResult => this.onClosed(client, attempt),
      },
      initializationFailedHandler: (error: unknown) => {
        // Explained once start() rejects, when the process's exit code and last words have arrived.
        this.output.error(`initialization failed: ${errorText(error)}`);
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

    const client: LanguageClient = new LogsmithClient(serverOptions, clientOptions, {
      quiet: () => !attempt.started || this.client !== client,
      spawned: (child) => attempt.watchProcess(child),
    });
    this.client = client;
    // The server's messages, with a button that fixes what they report (e.g. "Install Model").
    client.onNotification(ShowMessageNotification.type, (params) => this.showServerMessage(params.message, params.type));
    client.onNotification(STATUS_NOTIFICATION, (params: unknown) => {
      this.setState({ phase: "running", status: nextStatus(this.state.status, parseStatus(params)) });
    });
    client.onDidChangeState((event) => {
      if (this.client !== client) {
        return;
      }
      if (event.newState === State.Running) {
        this.setState({ phase: "running", status: this.state.status });
      } else if (event.newState === State.Stopped && this.state.phase !== "failed") {
        this.setState({ phase: "stopped", status: this.state.status });
      }
    });
    try {
      await client.start();
      if (!client.isRunning()) {
        // The connection closed between the answer to `initialize` and the end of start().
        throw new Error("Connection is closed.");
      }
      attempt.started = true;
      return true;
    } catch (error) {
      this.output.error(`the language server did not start: ${errorText(error)}`);
      // However the race went, wait for the exit and the end of stderr: they say why.
      await attempt.settled(STDERR_DRAIN_MS);
      if (this.client === client) {
        const failure = classifyStartFailure(server, { error, exit: attempt.exit, stderrTail: attempt.stderrTail });
        const status = failure.kind === "exited" ? exitText(failure.exit) : undefined;
        this.fail(failure, failure.kind === "spawnFailed" ? `cannot run ${server.command}` : `stopped while starting${status ? ` (${status})` : ""}`);
      }
      // Superseded (stopped or restarted meanwhile): the newer start reports for itself.
      await this.disposeClient(client);
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

  /** Copies the server's stderr into the output channel and keeps its last lines for error messages. */
  private collectStderr(input: NodeJS.ReadableStream, attempt: Attempt): void {
    let pending = "";
    const keep = (line: string) => {
      this.output.error(line);
      attempt.keepStderr(line);
    };
    input.on("data", (chunk: Buffer | string) => {
      const lines = (pending + chunk.toString()).split(/\r?\n/);
      pending = lines.pop() ?? "";
      lines.forEach(keep);
    });
    attempt.watchStderr(
      new Promise((resolve) => {
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
      }),
    );
  }

  /**
   * The connection closed. While starting, start()'s rejection explains it. After a start, the
   * server crashed: it is restarted through start() (so a failing restart gets the same message),
   * up to RESTARTS_ALLOWED times in RESTART_WINDOW_MS, then reported.
   */
  private onClosed(client: LanguageClient, attempt: Attempt): CloseHandlerResult {
    if (!attempt.started || this.client !== client) {
      return { action: CloseAction.DoNotRestart, handled: true, message: "the connection to the language server closed while starting" };
    }
    const now = Date.now();
    this.restarts = this.restarts.filter((time) => now - time < RESTART_WINDOW_MS);
    if (this.restarts.length < RESTARTS_ALLOWED) {
      this.restarts.push(now);
      this.output.warn(`the language server stopped; restarting (${this.restarts.length} of ${RESTARTS_ALLOWED})`);
      // After the client has finished handling the close (it runs on once this handler returns).
      setTimeout(() => void this.restartAfterCrash(client), 0);
      // DoNotRestart: this client is done; the extension starts a new one.
      return { action: CloseAction.DoNotRestart, handled: true, message: "the connection to the language server closed" };
    }
    void attempt.settled(STDERR_DRAIN_MS).then(() => {
      if (this.client === client) {
        this.fail({ kind: "exited", server: attempt.server, stderrTail: attempt.stderrTail, exit: attempt.exit }, `stopped ${RESTARTS_ALLOWED + 1} times in 3 minutes`);
      }
    });
    return { action: CloseAction.DoNotRestart, handled: true, message: "the language server stopped too often; not restarting it" };
  }

  private async restartAfterCrash(client: LanguageClient): Promise<void> {
    if (this.client !== client) {
      return; // already restarted or stopped by someone else
    }
    await this.disposeClient(client);
    await this.start();
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

  /** Stops and disposes `client` (default: the current one); the current one is then forgotten. */
  private async disposeClient(client: LanguageClient | undefined = this.client): Promise<void> {
    if (client === undefined) {
      return;
    }
    if (this.client === client) {
      this.client = undefined;
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

