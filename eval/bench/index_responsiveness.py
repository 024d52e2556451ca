"""Does the language server stay responsive while it builds the project index?

Starts the real `logsmith serve` over stdio (template engine only, LOGSMITH_NO_MODEL=1, so every
millisecond measured is the server's own) on a workspace of at least `--files` Python files (5,000
by default: real source trees from ~/.cache/logsmith/eval-sources/trees/ copied side by side until
there are enough, or generated files when those trees are not there), opens a file and asks for a
completion after `log.` in an except block, again and again, `--interval` apart. Each latency is
the client's wall time from request to answer. Three phases, each a server of its own:

1. **off**: `projectIndex: false`, the latency without any index;
2. **building**: a cold build (empty LOGSMITH_CACHE): the completions asked between the server's
   `initialized` and the end of the index's `$/progress`, then the build's duration and what it
   counted;
3. **ready**: a server on the same workspace and cache, once its index is ready, the same
   completions with the index in use;

and **warm**: a second server on the same workspace and cache (the index reused from its cache):
how long the build takes then, with the completions asked meanwhile.

Prints p50/p95/max per phase and the machine; writes them as JSON with `--out`.

    .venv/bin/python -m eval.bench.index_responsiveness
    .venv/bin/python -m eval.bench.index_responsiveness --files 2000 --out /tmp/responsiveness.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from eval.bench import machine
from logsmith.workspace.files import is_test_file

TREES = Path.home() / ".cache" / "logsmith" / "eval-sources" / "trees"
SITE = '''import logging

import requests

log = logging.getLogger(__name__)


def download(url, session):
    try:
        return session.get(url)
    except requests.RequestException as exc:
        log.
        return None
'''
SITE_POSITION = (11, 12)
GENERATED = '''import logging

log = logging.getLogger(__name__)


class Worker{n}:
    def run(self, job, retries):
        for attempt in range(retries):
            try:
                return job.call(attempt)
            except (OSError, ValueError) as exc:
                log.warning("Attempt %s of job %s failed: %s", attempt, job, exc)
        log.error("Giving up on %s", job)
        return None
'''


# ----------------------------------------------------------------------------- the workspace


def make_workspace(folder: Path, files: int) -> tuple[Path, str]:
    """A folder of at least `files` Python files that are not tests (the index leaves tests out);
and where they came from."""
    root = folder / "workspace"
    root.mkdir(parents=True)
    trees = sorted(p for p in TREES.iterdir() if p.is_dir()) if TREES.is_dir() else []
    count, copies, used = 0, 0, []
    while trees and count < files:
        for tree in trees:
            if count >= files:
                break
            target = root / f"copy{copies}" / tree.name
            shutil.copytree(tree, target, symlinks=True, ignore=_not_python)
            count += sum(
                1 for path in target.rglob("*.py") if not is_test_file(path.relative_to(target).as_posix())
            )
            used.append(tree.name)
        copies += 1
    if count < files:
        generated = root / "generated"
        generated.mkdir()
        for n in range(files - count):
            (generated / f"worker_{n}.py").write_text(GENERATED.format(n=n))
        count = files
    names = sorted(set(used))
    what = f"{count} files: " + (
        f"{copies} copies of {len(names)} corpus trees" if names else "generated"
    )
    return root, what


def _not_python(folder: str, names: list[str]) -> list[str]:
    return [
        name
        for name in names
        if not name.endswith(".py")
        and not os.path.isdir(os.path.join(folder, name))
        and name != "pyproject.toml"
    ]


# ----------------------------------------------------------------------------- a minimal client


class Client:
    """JSON-RPC over the server's stdio, enough for this benchmark: requests with their answers,
    the server's requests answered (progress tokens, registrations, configuration), progress
    notifications kept."""

    def __init__(self, process: asyncio.subprocess.Process):
        self.process = process
        self.next_id = 0
        self.waiting: dict[int, asyncio.Future] = {}
        self.progress: list[tuple[float, dict]] = []
        self.reader = asyncio.ensure_future(self._read())

    @classmethod
    async def start(cls, env: dict) -> Client:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "logsmith.cli",
            "serve",
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
            env=env,
        )
        return cls(process)

    def _send(self, message: dict) -> None:
        body = json.dumps(message).encode()
        assert self.process.stdin is not None
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    async def request(self, method: str, params) -> object:
        self.next_id += 1
        future = asyncio.get_running_loop().create_future()
        self.waiting[self.next_id] = future
        self._send({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params})
        return await future

    def notify(self, method: str, params) -> None:
        self._send({"jsonrpc": "2.0", "method": method, "params": params})

    async def _read(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        while True:
            length = 0
            while True:
                line = await stream.readline()
                if not line:
                    return
                if line in (b"\r\n", b"\n"):
                    break
                name, _, value = line.decode().partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            message = json.loads(await stream.readexactly(length))
            if "method" in message and "id" in message:  # the server asks
                result = [None] if message["method"] == "workspace/configuration" else None
                self._send({"jsonrpc": "2.0", "id": message["id"], "result": result})
            elif "method" in message:
                if message["method"] == "$/progress":
                    self.progress.append((time.perf_counter(), message["params"]))
            elif message.get("id") in self.waiting:
                self.waiting.pop(message["id"]).set_result(message.get("result"))

    def index_end(self) -> tuple[float, str] | None:
        for at, params in self.progress:
            value = params.get("value", {})
            if str(params.get("token", "")).startswith("logsmith-index") and value.get("kind") == "end":
                return at, value.get("message", "")
        return None

    def index_begin(self) -> float | None:
        for at, params in self.progress:
            if str(params.get("token", "")).startswith("logsmith-index"):
                return at
        return None

    async def stop(self) -> None:
        try:
            await asyncio.wait_for(self.request("shutdown", None), 30)
            self.notify("exit", None)
            await asyncio.wait_for(self.process.wait(), 30)
        except (TimeoutError, ConnectionError):
            self.process.kill()
        self.reader.cancel()


async def open_session(root: Path, home: Path, cache: Path, options: dict | None) -> Client:
    env = {
        **os.environ,
        "LOGSMITH_NO_MODEL": "1",
        "LOGSMITH_HOME": str(home),
        "LOGSMITH_CACHE": str(cache),
    }
    env.pop("LOGSMITH_MODEL", None)
    client = await Client.start(env)
    await client.request(
        "initialize",
        {
            "processId": os.getpid(),
            "rootUri": root.as_uri(),
            "capabilities": {"window": {"workDoneProgress": True}},
            "initializationOptions": options,
        },
    )
    client.notify("initialized", {})
    return client


async def completion_ms(client: Client, uri: str) -> float:
    started = time.perf_counter()
    answer = await client.request(
        "textDocument/completion",
        {
            "textDocument": {"uri": uri},
            "position": {"line": SITE_POSITION[0], "character": SITE_POSITION[1]},
        },
    )
    elapsed = (time.perf_counter() - started) * 1000
    assert isinstance(answer, dict) and answer.get("items"), f"no completion: {answer}"
    return elapsed


def summary(latencies: list[float]) -> dict:
    if not latencies:
        return {"n": 0}
    ordered = sorted(latencies)
    return {
        "n": len(ordered),
        "p50_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 1),
        "max_ms": round(ordered[-1], 1),
    }


async def phase(
    root: Path, home: Path, cache: Path, options: dict | None, interval: float, until_built: bool,
    count: int, after_built: bool = False,
) -> dict:
    """One server: completions `interval` apart, `count` of them (once the index is built when
    `after_built`), or until the index is built."""
    client = await open_session(root, home, cache, options)
    started = time.perf_counter()
    uri = (root / "bench_site.py").as_uri()
    client.notify(
        "textDocument/didOpen",
        {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": SITE}},
    )
    latencies: list[float] = []
    try:
        while after_built and client.index_end() is None:
            await asyncio.sleep(0.05)
            if time.perf_counter() - started > 1800:
                raise TimeoutError("the index was not built in 30 minutes")
        while True:
            if until_built and client.index_end() is not None:
                break
            if not until_built and len(latencies) >= count:
                break
            latencies.append(await completion_ms(client, uri))
            await asyncio.sleep(interval)
            if time.perf_counter() - started > 1800:
                raise TimeoutError("the index was not built in 30 minutes")
        end = client.index_end()
        begin = client.index_begin()
        found = summary(latencies)
        if end is not None and begin is not None:
            found["build_s"] = round(end[0] - begin, 2)
            found["index"] = end[1]
        return found
    finally:
        await client.stop()


async def run(files: int, interval: float, count: int, keep: bool) -> dict:
    folder = Path(tempfile.mkdtemp(prefix="logsmith-responsiveness-"))
    try:
        root, what = make_workspace(folder, files)
        # the file system cache warmed, as in an editor reopening a project
        for path in root.rglob("*.py"):
            path.read_bytes()
        home, cache = folder / "home", folder / "cache"
        results = {"workspace": what, "interval_s": interval, "machine": machine.describe()}
        results["off"] = await phase(root, home, cache, {"projectIndex": False}, interval, False, count)
        results["building"] = await phase(root, home, cache, None, interval, True, count)
        if "build_s" not in results["building"]:
            raise RuntimeError("the index's build did not report its end")
        results["ready"] = await phase(root, home, cache, None, interval, False, count, after_built=True)
        results["warm"] = await phase(root, home, cache, None, interval, True, count)
        return results
    finally:
        if not keep:
            shutil.rmtree(folder, ignore_errors=True)
        else:
            print(f"kept {folder}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=5000, help="Python files in the workspace")
    parser.add_argument("--interval", type=float, default=0.05, help="seconds between requests")
    parser.add_argument("--count", type=int, default=100, help="requests in the off and ready phases")
    parser.add_argument("--out", type=Path, help="write the results here as JSON")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args(argv)
    results = asyncio.run(run(args.files, args.interval, args.count, args.keep))
    print(f"workspace: {results['workspace']}; a completion every {args.interval * 1000:.0f} ms")
    for name in ("off", "building", "ready", "warm"):
        row = results[name]
        line = f"{name:9} n={row['n']:4}"
        if row["n"]:
            line += f"  p50 {row['p50_ms']:7.1f} ms  p95 {row['p95_ms']:7.1f} ms  max {row['max_ms']:7.1f} ms"
        if "build_s" in row:
            line += f"  build {row['build_s']:.1f} s: {row['index']}"
        print(line)
    m = results["machine"]
    print(f"machine: {m.get('nproc')} CPUs, {m.get('cpu_model')}, load {m.get('load_average')}")
    if args.out:
        args.out.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
