/** Unit tests: where the extension looks for the logsmith server, and in which order. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  defaultInstallCandidate,
  expandPath,
  findServerCommand,
  pathCandidates,
  searchFolders,
  withSubcommand,
  type LookupInput,
} from "../src/serverCommand";

function lookup(overrides: Partial<LookupInput>, executables: string[]) {
  const input: LookupInput = {
    serverPath: "",
    python: "",
    workspaceFolders: ["/work/project"],
    workspaceTrusted: true,
    envPath: "/usr/local/bin:/usr/bin",
    platform: "linux",
    home: "/home/ada",
    isExecutable: (file) => executables.includes(file),
    ...overrides,
  };
  return findServerCommand(input);
}

describe("findServerCommand", () => {
  it("prefers the workspace .venv over PATH", () => {
    const result = lookup({}, ["/work/project/.venv/bin/logsmith", "/usr/bin/logsmith"]);
    assert.deepEqual(result.found, { command: "/work/project/.venv/bin/logsmith", args: ["serve"], origin: "workspace .venv" });
  });

  it("falls back to venv/, then to PATH in PATH order", () => {
    assert.equal(lookup({}, ["/work/project/venv/bin/logsmith", "/usr/bin/logsmith"]).found?.command, "/work/project/venv/bin/logsmith");
    const onPath = lookup({}, ["/usr/local/bin/logsmith", "/usr/bin/logsmith"]).found;
    assert.deepEqual(onPath, { command: "/usr/local/bin/logsmith", args: ["serve"], origin: "PATH" });
  });

  it("looks in every workspace folder, first folder first", () => {
    const result = lookup({ workspaceFolders: ["/a", "/b"] }, ["/b/.venv/bin/logsmith"]);
    assert.equal(result.found?.command, "/b/.venv/bin/logsmith");
  });

  it("finds the .venv of a folder above the workspace, nearest first", () => {
    // e.g. examples/inventory opened on its own, logsmith in the repository's .venv two levels up
    const folders = { workspaceFolders: ["/work/repo/examples/inventory"] };
    const result = lookup(folders, ["/work/repo/.venv/bin/logsmith", "/work/.venv/bin/logsmith", "/usr/bin/logsmith"]);
    assert.deepEqual(result.found, { command: "/work/repo/.venv/bin/logsmith", args: ["serve"], origin: ".venv in /work/repo" });
    const nearer = lookup(folders, ["/work/repo/examples/venv/bin/logsmith", "/work/repo/.venv/bin/logsmith"]);
    assert.equal(nearer.found?.command, "/work/repo/examples/venv/bin/logsmith");
    const own = lookup(folders, ["/work/repo/examples/inventory/.venv/bin/logsmith", "/work/repo/.venv/bin/logsmith"]);
    assert.deepEqual(own.found?.origin, "workspace .venv");
  });

  it("prefers any workspace folder's own .venv to a folder above one", () => {
    const result = lookup({ workspaceFolders: ["/a/app", "/b/lib"] }, ["/a/.venv/bin/logsmith", "/b/lib/.venv/bin/logsmith"]);
    assert.equal(result.found?.command, "/b/lib/.venv/bin/logsmith");
    assert.deepEqual(searchFolders(["/a/app", "/b/lib", "/a/app/sub"], "linux"), ["/a/app", "/b/lib", "/a/app/sub", "/a", "/b", "/"]);
  });

  it("prefers a workspace .venv over PATH over the default install location", () => {
    const installed = "/home/ada/.local/share/logsmith/venv/bin/logsmith";
    assert.equal(lookup({}, [installed, "/usr/bin/logsmith"]).found?.command, "/usr/bin/logsmith");
    assert.deepEqual(lookup({}, [installed]).found, { command: installed, args: ["serve"], origin: "default install" });
    assert.equal(lookup({ workspaceTrusted: false }, [installed]).found?.command, installed);
    const xdg = lookup({ xdgDataHome: "/data" }, ["/data/logsmith/venv/bin/logsmith"]);
    assert.equal(xdg.found?.command, "/data/logsmith/venv/bin/logsmith");
    assert.equal(defaultInstallCandidate("/home/ada", "relative/ignored", "linux"), installed);
    assert.equal(defaultInstallCandidate("C:\\Users\\ada", "", "win32"), undefined);
  });

  it("does not run anything from an untrusted workspace", () => {
    const result = lookup({ workspaceTrusted: false }, ["/work/project/.venv/bin/logsmith", "/usr/bin/logsmith"]);
    assert.equal(result.found?.command, "/usr/bin/logsmith");
    const none = lookup({ workspaceTrusted: false }, ["/work/project/.venv/bin/logsmith"]);
    assert.equal(none.found, undefined);
    assert.ok(!("found" in none && none.found) && none.searched.every((file) => !file.startsWith("/work/project")));
  });

  it("uses logsmith.server.path first and expands ~ and ${workspaceFolder}", () => {
    const home = lookup({ serverPath: "~/bin/logsmith" }, ["/home/ada/bin/logsmith", "/usr/bin/logsmith"]);
    assert.deepEqual(home.found, { command: "/home/ada/bin/logsmith", args: ["serve"], origin: "logsmith.server.path" });
    const folder = lookup({ serverPath: "${workspaceFolder}/tools/logsmith" }, ["/work/project/tools/logsmith"]);
    assert.equal(folder.found?.command, "/work/project/tools/logsmith");
    const relative = lookup({ serverPath: "env/bin/logsmith" }, ["/work/project/env/bin/logsmith"]);
    assert.equal(relative.found?.command, "/work/project/env/bin/logsmith");
  });

  it("reports a setting that points nowhere instead of falling back", () => {
    const result = lookup({ serverPath: "/opt/missing/logsmith" }, ["/usr/bin/logsmith"]);
    assert.equal(result.found, undefined);
    if (result.found === undefined) {
      assert.deepEqual(result.badSetting, { name: "logsmith.server.path", value: "/opt/missing/logsmith", resolved: "/opt/missing/logsmith" });
      assert.deepEqual(result.searched, ["/opt/missing/logsmith"]);
    }
  });

  it("runs a configured interpreter as python -m logsmith.cli serve", () => {
    const result = lookup({ python: "/usr/bin/python3" }, ["/usr/bin/python3", "/work/project/.venv/bin/logsmith"]);
    assert.deepEqual(result.found, { command: "/usr/bin/python3", args: ["-m", "logsmith.cli", "serve"], origin: "logsmith.server.python" });
  });

  it("lists everything it searched when nothing is found", () => {
    const result = lookup({ envPath: "/usr/bin::" }, []);
    assert.equal(result.found, undefined);
    if (result.found === undefined) {
      assert.deepEqual(result.searched, [
        "/work/project/.venv/bin/logsmith",
        "/work/project/venv/bin/logsmith",
        "/work/.venv/bin/logsmith",
        "/work/venv/bin/logsmith",
        "/.venv/bin/logsmith",
        "/venv/bin/logsmith",
        "/usr/bin/logsmith",
        "/home/ada/.local/share/logsmith/venv/bin/logsmith",
      ]);
      assert.equal(result.badSetting, undefined);
    }
  });

  it("knows Windows virtual environments and PATH", () => {
    const result = lookup(
      { platform: "win32", workspaceFolders: ["C:\\src\\app"], envPath: "C:\\Python\\Scripts;C:\\tools", home: "C:\\Users\\ada" },
      ["C:\\src\\app\\.venv\\Scripts\\logsmith.exe"],
    );
    assert.equal(result.found?.command, "C:\\src\\app\\.venv\\Scripts\\logsmith.exe");
    const above = lookup(
      { platform: "win32", workspaceFolders: ["C:\\src\\app"], envPath: "", home: "C:\\Users\\ada" },
      ["C:\\src\\.venv\\Scripts\\logsmith.exe"],
    );
    assert.deepEqual(above.found, { command: "C:\\src\\.venv\\Scripts\\logsmith.exe", args: ["serve"], origin: ".venv in C:\\src" });
    assert.deepEqual(pathCandidates("C:\\a;C:\\b", "win32"), ["C:\\a\\logsmith.exe", "C:\\a\\logsmith.cmd", "C:\\b\\logsmith.exe", "C:\\b\\logsmith.cmd"]);
  });
});

describe("expandPath", () => {
  it("keeps absolute paths and expands a lone ~", () => {
    assert.equal(expandPath("/usr/bin/logsmith", "/w", "/home/ada", "linux"), "/usr/bin/logsmith");
    assert.equal(expandPath("~", "/w", "/home/ada", "linux"), "/home/ada");
    assert.equal(expandPath("  ./x  ", "/w", "/home/ada", "linux"), "/w/x");
  });
});

describe("withSubcommand", () => {
  it("swaps serve for another subcommand and keeps the interpreter prefix", () => {
    const direct = withSubcommand({ command: "/v/bin/logsmith", args: ["serve"], origin: "PATH" }, ["model", "install"]);
    assert.deepEqual(direct.args, ["model", "install"]);
    const viaPython = withSubcommand({ command: "/usr/bin/python3", args: ["-m", "logsmith.cli", "serve"], origin: "x" }, ["report"]);
    assert.deepEqual(viaPython.args, ["-m", "logsmith.cli", "report"]);
  });
});
