/**
 * Drives a real VS Code (code-server) in headless Chromium the way a user would: opens a Python
 * file, types `logger.` in an except block, waits for logsmith's suggestion, takes screenshots,
 * accepts it and saves the file; then, on an empty line at the top of a function, waits for
 * logsmith's ghost text and accepts it with Tab; then tries the extension's commands.
 *
 * Usage: node drive_code_server.cjs CONFIG.json
 * CONFIG: { url, playwrightCore, chromium, file, screenshotDir, completion: { line, text },
 *           inline?: { line }, commands?: true, workspaceSettings, timeoutMs }
 * With `commands`, it then runs "Show Adoption Report" and "Install Model" from the command
 * palette, points `logsmith.model` (in the `workspaceSettings` file) at a missing file to see the
 * server's warning with its "Install Model" button and press it, and finally points
 * `logsmith.server.path` at nothing to see the error message.
 * Lines are 1-based, as Ctrl+G takes them. Progress goes to stderr; the last stdout line is a JSON
 * result. Exit code 0 when every step worked, 1 otherwise (the result then has `error`).
 */
"use strict";

const fs = require("node:fs");
const path = require("node:path");

const config = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const { chromium } = require(config.playwrightCore);
const timeout = config.timeoutMs ?? 90_000;
const result = { steps: [], screenshots: [] };
const started = Date.now();

function step(name, extra = {}) {
  const entry = { name, atMs: Date.now() - started, ...extra };
  result.steps.push(entry);
  process.stderr.write(`[${(entry.atMs / 1000).toFixed(1)} s] ${name}${Object.keys(extra).length ? " " + JSON.stringify(extra) : ""}\n`);
}

async function screenshot(page, name) {
  const file = path.join(config.screenshotDir, name);
  await page.screenshot({ path: file });
  result.screenshots.push(file);
  step("screenshot", { file });
}

/** The accessible label of logsmith's status bar item, once it says running or failed. */
async function waitForServer(page) {
  const item = page.locator('.statusbar-item [aria-label^="logsmith running"], .statusbar-item[aria-label^="logsmith running"], ' +
    '.statusbar-item [aria-label^="logsmith failed"], .statusbar-item[aria-label^="logsmith failed"]').first();
  await item.waitFor({ state: "attached", timeout });
  const label = await item.getAttribute("aria-label");
  if (label.startsWith("logsmith failed")) {
    const toasts = await page.locator(".notification-toast").allInnerTexts();
    throw new Error(`the extension could not start the server: ${label}; notifications: ${JSON.stringify(toasts)}`);
  }
  return label;
}

async function statusLabel(page) {
  const item = page.locator('.statusbar-item [aria-label^="logsmith"], .statusbar-item[aria-label^="logsmith"]').first();
  return (await item.count()) ? item.getAttribute("aria-label") : null;
}

async function goToLine(page, line) {
  await page.keyboard.press("Control+G");
  await page.locator(".quick-input-widget input").waitFor({ state: "visible", timeout: 10_000 });
  await page.keyboard.type(String(line));
  await page.keyboard.press("Enter");
  await page.locator(".quick-input-widget").waitFor({ state: "hidden", timeout: 10_000 });
}

/** Text of the line the cursor is on, as the editor renders it. */
async function currentLineText(page) {
  return page.evaluate(() => {
    const editor = document.querySelector(".editor-instance .monaco-editor");
    const cursor = editor?.querySelector(".cursors-layer .cursor");
    const lines = [...(editor?.querySelectorAll(".view-lines .view-line") ?? [])];
    if (!cursor || !lines.length) {
      return null;
    }
    const top = cursor.getBoundingClientRect().top;
    const line = lines.find((element) => Math.abs(element.getBoundingClientRect().top - top) < 4);
    return line ? line.textContent.replace(/\u00a0/g, " ") : null;
  });
}

async function completionScenario(page) {
  const { line, text } = config.completion;
  await goToLine(page, line);
  await page.keyboard.press("End");
  await page.keyboard.press("Enter");
  step("on a new line in the except block", { line: line + 1 });
  await page.keyboard.type(text, { delay: 60 });
  step("typed", { text });
  const widget = page.locator(".editor-widget.suggest-widget.visible");
  const rows = widget.locator(".monaco-list-row");
  await rows.first().waitFor({ state: "visible", timeout });
  const labels = await rows.evaluateAll((elements) => elements.map((element) => element.getAttribute("aria-label")));
  const focused = await widget.locator(".monaco-list-row.focused").first().getAttribute("aria-label");
  step("suggestions shown", { count: labels.length, focused });
  result.completion = { rows: labels, focused };
  // Open the details pane (the statement in full and why), let it settle, take the README's picture.
  await page.keyboard.press("Control+Space");
  await page.locator(".suggest-details .docs").first().waitFor({ state: "visible", timeout: 10_000 });
  await page.waitForTimeout(700);
  await screenshot(page, "completion.png");
  await page.keyboard.press("Enter");
  await widget.waitFor({ state: "hidden", timeout: 10_000 });
  await page.waitForTimeout(500);
  result.completion.lineAfterAccept = await currentLineText(page);
  step("accepted with Enter", { line: result.completion.lineAfterAccept });
  await screenshot(page, "completion-accepted.png");
}

async function inlineScenario(page) {
  const { line } = config.inline;
  await goToLine(page, line);
  await page.keyboard.press("End");
  await page.keyboard.press("Enter");
  step("on a new line for ghost text", { line: line + 1 });
  // Inline completion is asked for on typing; a space typed and deleted is the smallest edit.
  await page.keyboard.type(" ");
  await page.keyboard.press("Backspace");
  const ghost = page.locator(".monaco-editor .ghost-text-decoration, .monaco-editor .ghost-text").first();
  try {
    await ghost.waitFor({ state: "visible", timeout: 15_000 });
  } catch {
    // Explicitly asking is what Alt+\ does; some VS Code versions wait for it after a cursor jump.
    await page.keyboard.press("Alt+Backslash");
    await ghost.waitFor({ state: "visible", timeout });
  }
  const ghostText = (await page.locator(".monaco-editor .ghost-text-decoration, .monaco-editor .ghost-text").allInnerTexts()).join("");
  step("ghost text shown", { ghostText });
  result.inline = { ghostText: ghostText.replace(/\u00a0/g, " ") };
  await page.waitForTimeout(300);
  await screenshot(page, "inline.png");
  await page.keyboard.press("Tab");
  await ghost.waitFor({ state: "hidden", timeout: 10_000 });
  result.inline.lineAfterAccept = await currentLineText(page);
  step("accepted with Tab", { line: result.inline.lineAfterAccept });
}

async function runCommand(page, title) {
  await page.keyboard.press("Control+Shift+P");
  const input = page.locator(".quick-input-widget input");
  await input.waitFor({ state: "visible", timeout: 10_000 });
  await page.keyboard.type(title, { delay: 10 });
  await page.locator(".quick-input-widget .monaco-list-row", { hasText: title }).first().waitFor({ timeout: 10_000 });
  await page.keyboard.press("Enter");
  step("command run", { title });
}

/** "logsmith: Show Adoption Report" opens a webview with the report of what was just accepted. */
async function reportScenario(page) {
  await runCommand(page, "logsmith: Show Adoption Report");
  await page.locator('.tab[aria-label*="logsmith adoption report"]').first().waitFor({ timeout });
  const body = page.frameLocator("iframe.webview").frameLocator("#active-frame").locator("body");
  await body.waitFor({ state: "attached", timeout: 30_000 });
  await page.waitForTimeout(500);
  result.report = { text: (await body.innerText()).slice(0, 4000) };
  step("report shown", { characters: result.report.text.length });
  await screenshot(page, "report.png");
  await page.keyboard.press("Control+W");
}

/** "logsmith: Install Model" runs `logsmith model install` in a terminal, then restarts the server. */
async function installModelScenario(page) {
  await runCommand(page, "logsmith: Install Model");
  const done = page.locator(".notification-toast", { hasText: "the model is installed and the language server restarted" }).first();
  await done.waitFor({ timeout });
  result.installModel = { notification: await done.innerText() };
  step("model install finished", result.installModel);
  await screenshot(page, "install-model.png");
  result.installModel.statusAfterRestart = await waitForServer(page);
  step("server running again", { status: result.installModel.statusAfterRestart });
}

/**
 * A model that is not there: the server warns (the status bar item too), and the warning has an
 * "Install Model" button that installs the model the message names and restarts the server.
 */
async function missingModelScenario(page) {
  // The "Install Model" command's own toast is cleared, so the one waited for below is new.
  await runCommand(page, "Notifications: Clear All Notifications");
  await page.locator(".notification-toast", { hasText: "the model is installed" }).first().waitFor({ state: "detached", timeout: 10_000 });
  fs.mkdirSync(path.dirname(config.workspaceSettings), { recursive: true });
  const missing = path.join(path.dirname(config.workspaceSettings), "no-such-model.gguf");
  fs.writeFileSync(config.workspaceSettings, JSON.stringify({ "logsmith.model": missing }, null, 2));
  step("logsmith.model set to a missing file");
  const toast = page.locator(".notification-toast", { hasText: "no-such-model.gguf" }).first();
  await toast.waitFor({ timeout });
  const warned = page.locator('.statusbar-item [aria-label*="model missing"], .statusbar-item[aria-label*="model missing"]').first();
  await warned.waitFor({ state: "attached", timeout: 30_000 });
  result.missingModel = {
    notification: await toast.innerText(),
    buttons: await toast.locator(".monaco-button").allInnerTexts(),
    status: await warned.getAttribute("aria-label"),
  };
  step("missing model shown", result.missingModel);
  await screenshot(page, "model-missing.png");
  await toast.locator(".monaco-button", { hasText: "Install Model" }).first().click();
  const done = page.locator(".notification-toast", { hasText: "the model is installed" }).first();
  await done.waitFor({ timeout });
  result.missingModel.installed = await done.innerText();
  step("model installed from the warning", { notification: result.missingModel.installed });
  await runCommand(page, "Notifications: Clear All Notifications");
}

/** A wrong `logsmith.server.path` restarts the server and ends in an error that names the fix. */
async function brokenServerScenario(page) {
  fs.mkdirSync(path.dirname(config.workspaceSettings), { recursive: true });
  fs.writeFileSync(config.workspaceSettings, JSON.stringify({ "logsmith.server.path": "/nonexistent/bin/logsmith" }, null, 2));
  step("logsmith.server.path set to a missing file");
  const toast = page.locator(".notification-toast", { hasText: "logsmith.server.path" }).first();
  await toast.waitFor({ timeout });
  const failed = page.locator('.statusbar-item [aria-label^="logsmith failed"], .statusbar-item[aria-label^="logsmith failed"]').first();
  await failed.waitFor({ state: "attached", timeout: 30_000 });
  result.brokenServer = { notification: await toast.innerText(), status: await failed.getAttribute("aria-label") };
  step("error shown", result.brokenServer);
  await screenshot(page, "server-not-found.png");

  // A server that exits at once: the message quotes its last error line. VS Code shows at most three
  // toasts and error toasts stay; cleared first, the extension's message cannot queue behind the first
  // scenario's toast and vscode-languageclient's own "couldn't create connection" toast.
  await runCommand(page, "Notifications: Clear All Notifications");
  const script = path.join(path.dirname(config.workspaceSettings), "old-logsmith");
  fs.writeFileSync(script, "#!/bin/sh\necho \"logsmith: error: argument COMMAND: invalid choice: 'serve'\" >&2\nexit 2\n", { mode: 0o755 });
  fs.writeFileSync(config.workspaceSettings, JSON.stringify({ "logsmith.server.path": script }, null, 2));
  step("logsmith.server.path set to a program that exits at once");
  const exited = page.locator(".notification-toast", { hasText: "stopped while starting" }).first();
  await exited.waitFor({ timeout });
  result.exitedServer = { notification: await exited.innerText() };
  step("error shown", result.exitedServer);
  await screenshot(page, "server-exited.png");
}

async function main() {
  fs.mkdirSync(config.screenshotDir, { recursive: true });
  const browser = await chromium.launch({
    executablePath: config.chromium,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  let page;
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
    page = await context.newPage();
    page.on("pageerror", (error) => process.stderr.write(`page error: ${error.message}\n`));
    await page.goto(config.url, { waitUntil: "domcontentloaded", timeout });
    await page.locator(".monaco-workbench").waitFor({ state: "visible", timeout });
    step("workbench loaded");

    await page.keyboard.press("Control+P");
    await page.locator(".quick-input-widget input").waitFor({ state: "visible", timeout: 20_000 });
    await page.keyboard.type(config.file, { delay: 20 });
    await page.locator(".quick-input-widget .monaco-list-row", { hasText: config.file }).first().waitFor({ timeout: 30_000 });
    await page.keyboard.press("Enter");
    await page.locator(`.tab[aria-label*="${config.file}"]`).first().waitFor({ timeout: 30_000 });
    await page.locator(".editor-instance .monaco-editor .view-lines").first().waitFor({ timeout: 30_000 });
    step("file opened", { file: config.file });

    result.statusBefore = await waitForServer(page);
    step("server running", { status: result.statusBefore });
    // The server reports loading its model as window progress; suggestions asked meanwhile come
    // from templates. Wait for the model, so the suggestions come from the real one.
    await page.waitForTimeout(1000);
    await page.locator(".statusbar-item", { hasText: /logsmith: loading/ }).first().waitFor({ state: "detached", timeout });
    step("model loaded");

    await completionScenario(page);
    if (config.inline) {
      await inlineScenario(page);
    }

    await page.keyboard.press("Control+S");
    await page.locator(".tab.dirty").first().waitFor({ state: "detached", timeout: 10_000 });
    step("saved");
    await page.waitForTimeout(300);
    result.statusAfter = await statusLabel(page);
    step("status bar", { status: result.statusAfter });
    await screenshot(page, "after.png");

    if (config.commands) {
      await reportScenario(page);
      await installModelScenario(page);
      await missingModelScenario(page);
      await brokenServerScenario(page);
    }
  } catch (error) {
    result.error = String(error && error.stack ? error.stack : error);
    if (page) {
      try {
        result.statusOnError = await statusLabel(page);
        result.notifications = await page.locator(".notification-toast").allInnerTexts();
        await screenshot(page, "failure.png");
      } catch (inner) {
        process.stderr.write(`could not take the failure screenshot: ${inner}\n`);
      }
    }
  } finally {
    await browser.close();
  }
  process.stdout.write(JSON.stringify(result) + "\n");
  return result.error ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    process.stdout.write(JSON.stringify({ ...result, error: String(error && error.stack ? error.stack : error) }) + "\n");
    process.exit(1);
  },
);
