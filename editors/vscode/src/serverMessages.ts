/**
 * The buttons on the messages the server shows (`window/showMessage`), and which model "Install
 * Model" installs. Pure, so both are unit-tested without VS Code.
 *
 * The server names the fix for a missing or broken model as the command that installs it
 * (`logsmith model install NAME`); such a message gets an "Install Model" button that runs that
 * command for that model.
 */

export type MessageAction = "Install Model" | "Open Settings" | "Show Output";

export interface MessageButtons {
  actions: MessageAction[];
  /** The model "Install Model" installs; undefined: the default model. */
  model?: string;
}

/** LSP's MessageType values the extension tells apart. */
export const MESSAGE_ERROR = 1;
export const MESSAGE_WARNING = 2;

const INSTALL_COMMAND = /`logsmith model install(?:\s+([A-Za-z0-9][A-Za-z0-9._-]*))?`/;

/** The buttons for a server message of LSP MessageType `type` (1 error, 2 warning, 3 info, 4 log). */
export function messageButtons(message: string, type: number): MessageButtons {
  const install = INSTALL_COMMAND.exec(message);
  if (install !== null) {
    // A model file set by path that is not there: the setting is the first thing to fix.
    const settingFirst = /point the `model` setting/.test(message);
    return { actions: settingFirst ? ["Open Settings", "Install Model"] : ["Install Model", "Open Settings"], model: install[1] };
  }
  if (message.startsWith("logsmith settings:")) {
    return { actions: ["Open Settings"] };
  }
  return { actions: type === MESSAGE_ERROR ? ["Show Output"] : [] };
}

/**
 * The model "logsmith: Install Model" installs for the `logsmith.model` setting: the registry name
 * it holds, or undefined (the default model) when it is empty or a path to a GGUF file.
 */
export function modelToInstall(setting: unknown): string | undefined {
  if (typeof setting !== "string") {
    return undefined;
  }
  const value = setting.trim();
  if (value === "" || /[\\/]/.test(value) || value.startsWith("~") || value.toLowerCase().endsWith(".gguf")) {
    return undefined;
  }
  return value;
}
