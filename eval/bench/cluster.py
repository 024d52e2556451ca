"""Batch mode on a cluster: `logsmith suggest` over several repositories at once with
`--executor local` (`--jobs 2`), `dask` and `ray` (each starting a local cluster of 2 workers), with
`--no-model` over every file and with the model over a sample of files; then the shard size.

    .venv/bin/python -m eval.bench.cluster                    # 2 rounds, 24 model sites
    .venv/bin/python -m eval.bench.cluster --rounds 3 --model-sites 0

For each run: wall time of the real command (its start-up and the cluster's included), files/s,
the cluster's own start-up (from asking for it to its workers ready, model loaded: the summary's
`ready in`), and the peak resident memory of the command's whole process tree (the command, the
cluster's processes it started and their model workers), sampled every 0.2 s. The three executors
run one after the other in each round, so each cluster run is paired with the local run of the same
round (the machine is shared: its load moves between rounds more than within one). A first
`--no-model` run, not counted, fills the project-index cache the others read.

Shard size: one Dask cluster of 2 workers is started here and the `--no-model` work of all the
repositories is run on it with shards of N files (each worker reading each project's index once
per run), twice per size, in alternating order.

The sdists come from eval.corpus.sources (fetched once with pip). The report goes to stdout and to
eval/reports/<date>/cluster.md, the numbers to cluster.json.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import logsmith
from eval.bench import machine
from eval.bench.batch import sample_files, walked_files
from eval.bench.process_stats import MemoryWatch, ProcessTree
from eval.corpus.sources import project_tree
from logsmith.suggestion import INSTANT_SOURCES

REPORTS_DIR = Path(__file__).resolve().parents[1] / "reports"
REPOSITORIES = ("gunicorn==27.0.1", "rq==3.0.0", "huey==3.5.4", "kazoo==2.11.0", "waitress==3.0.2",
                "pika==1.4.4")
EXECUTORS = ("local", "dask", "ray")
SHARD_SIZES = (10, 25, 50, 100, 400)
READY = re.compile(r"ready in (\d+(?:\.\d+)?) s")
MIB = 1024 * 1024


def organisation(scratch: Path, repositories: tuple[str, ...]) -> list[Path]:
    """A copy of each repository's sdist, side by side."""
    copies = []
    for spec in repositories:
        name, _, version = spec.partition("==")
        tree = project_tree(name, version)
        tops = [p for p in tree.iterdir() if p.is_dir()]
        source = tops[0] if len(tops) == 1 else tree
        copy = scratch / source.name
        shutil.copytree(source, copy)
        copies.append(copy)
    return copies


def command_env() -> dict[str, str]:
    """The environment with this checkout's logsmith first on PYTHONPATH: the command runs in
    another folder, where the installed one (perhaps another checkout's) would be found."""
    package_root = str(Path(logsmith.__file__).resolve().parents[1])
    path = [package_root, *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(path)}


def run_command(args: list[str], cwd: Path, timeout: float = 3600) -> dict:
    """The real `logsmith suggest ARGS`, timed, with the peak memory of its process tree."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen([sys.executable, "-m", "logsmith.cli", "suggest", *args], cwd=cwd,
                                   stdout=out, stderr=err, env=command_env())
        watch = MemoryWatch(ProcessTree(process.pid), interval_s=0.2).start()
        try:
            code = process.wait(timeout=timeout)
        finally:
            watch.stop()
        seconds = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode("utf-8"), err.read().decode("utf-8", "replace")
    if code not in (0, 1):
        raise RuntimeError(f"logsmith suggest {' '.join(args)} failed ({code}): {stderr[-2000:]}")
    records = [json.loads(line) for line in stdout.splitlines() if line.strip()]
    ready = READY.search(stderr)
    fallback = next((line.strip() for line in stderr.splitlines() if "ran locally instead" in line), None)
    files = walked_files(stderr)
    return {
        "seconds": seconds, "files": files, "files_per_s": files / seconds, "sites": len(records),
        "sites_per_s": len(records) / seconds,
        "by_model": sum(1 for r in records if r["source"] not in INSTANT_SOURCES),
        "cluster_ready_s": float(ready.group(1)) if ready else None, "fallback": fallback,
        "peak_rss_mib": watch.peak_bytes / MIB if watch.peak_bytes else None,
        "statements": sorted((r["file"], r["range"]["start"]["line"], r["statement"]) for r in records),
    }


def executor_args(executor: str) -> list[str]:
    return ["--jobs", "2"] if executor == "local" else ["--executor", executor, "--jobs", "2"]


def paired_rounds(rounds: int, base: list[str], cwd: Path, label: str) -> list[dict]:
    """`rounds` rounds of the three executors; each run keeps its round."""
    runs = []
    for number in range(rounds):
        for executor in EXECUTORS:
            run = run_command([*executor_args(executor), *base], cwd)
            run |= {"executor": executor, "round": number}
            runs.append(run)
            print(f"{label}, round {number + 1}, {executor}: {run['seconds']:.1f} s, "
                  f"{run['files_per_s']:.1f} files/s, ready {run['cluster_ready_s']}, "
                  f"peak {run['peak_rss_mib']:.0f} MiB, load {machine.load_average()}", file=sys.stderr)
    return runs


def summarise(runs: list[dict]) -> dict:
    """Per executor: medians, and the ratio of each run's time to the local run of its round."""
    local = {run["round"]: run for run in runs if run["executor"] == "local"}
    result = {}
    for executor in EXECUTORS:
        mine = [run for run in runs if run["executor"] == executor]
        if not mine:
            continue
        ratios = [run["seconds"] / local[run["round"]]["seconds"] for run in mine if run["round"] in local]
        ready = [run["cluster_ready_s"] for run in mine if run["cluster_ready_s"] is not None]
        result[executor] = {
            "runs": len(mine),
            "seconds_median": statistics.median(run["seconds"] for run in mine),
            "files_per_s_median": statistics.median(run["files_per_s"] for run in mine),
            "sites_per_s_median": statistics.median(run["sites_per_s"] for run in mine),
            "time_vs_local_median": statistics.median(ratios) if ratios else None,
            "cluster_ready_s_median": statistics.median(ready) if ready else None,
            "peak_rss_mib_max": max(run["peak_rss_mib"] or 0 for run in mine),
            "by_model": [run["by_model"] for run in mine], "sites": mine[0]["sites"],
            "same_statements_as_local": all(
                run["statements"] == local[run["round"]]["statements"] for run in mine if run["round"] in local),
            "fallbacks": [run["fallback"] for run in mine if run["fallback"]],
        }
    return result


def shard_sweep(paths: list[Path], repeats: int) -> list[dict]:
    """The --no-model work of every repository on one warm local Dask cluster, per shard size."""
    from logsmith.batch.analyse import Task
    from logsmith.batch.cluster.dask_executor import start_local_cluster
    from logsmith.batch.project import open_all
    from logsmith.batch.runner import run_on_cluster
    from logsmith.workspace.files import discover

    found = discover([str(p) for p in paths], {"use_model": False})
    uses = open_all(found.projects, False, None, {p.absolute() for p in paths})
    indexed = {use.key for use in uses if use.ready}
    tasks = [Task(str(t.path), t.display, str(t.project.root),
                  t.project.settings if str(t.project.root) in indexed
                  else t.project.settings.replace(project_index=False), t.project.settings.rules)
             for t in found.targets]
    cluster = start_local_cluster(2)
    rows: dict[int, list[float]] = {size: [] for size in SHARD_SIZES}
    try:
        run_on_cluster(tasks, "dask", cluster.scheduler_address, 2)  # the workers import logsmith
        for number in range(repeats):
            order = SHARD_SIZES if number % 2 == 0 else tuple(reversed(SHARD_SIZES))
            for size in order:
                started = time.perf_counter()
                run = run_on_cluster(tasks, "dask", cluster.scheduler_address, 2, shard_files=size)
                seconds = time.perf_counter() - started
                assert run.lost == 0 and len(run.results) == len(tasks), run.lines
                rows[size].append(seconds)
                print(f"shards of {size}: {seconds:.1f} s", file=sys.stderr)
    finally:
        cluster.close()
    shards = {size: sum(-(-n // size) for n in _files_per_project(tasks)) for size in SHARD_SIZES}
    return [{"shard_files": size, "shards": shards[size], "files": len(tasks),
             "seconds": rows[size], "files_per_s_median": len(tasks) / statistics.median(rows[size])}
            for size in SHARD_SIZES]


def _files_per_project(tasks) -> list[int]:
    counts: dict[str, int] = {}
    for task in tasks:
        counts[task.root] = counts.get(task.root, 0) + 1
    return list(counts.values())


def _cell(value, digits: int = 1, suffix: str = "") -> str:
    return "-" if value is None else f"{value:,.{digits}f}{suffix}"


def markdown(result: dict) -> str:
    lines = [f"# Batch mode on a cluster ({result['date']})", "",
             f"- repositories: {', '.join(result['repositories'])} ({result['python_files']} Python files; "
             f"test files left out, as by default)",
             f"- machine: {result['machine']['nproc']} CPUs, load average at start "
             f"{result['machine']['load_average']}, at the end {result['load_after']}",
             "- local: `--jobs 2`; dask and ray: `--executor dask|ray --jobs 2`, a local cluster of 2 workers "
             "started by the command; wall time of the whole command; peak memory of its process tree",
             ""]
    for key, title in (("no_model", "`--no-model`, every file"), ("model", "with the model, a sample of files")):
        if not result.get(key):
            continue
        lines += [f"## {title}", "",
                  "| executor | runs | median s | files/s | sites/s | time / local (same round) | "
                  "cluster ready s | peak RSS MiB | statements by the model | same statements as local |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|---|---|"]
        for executor, row in result[key].items():
            by_model = ", ".join(f"{n}/{row['sites']}" for n in row["by_model"])
            lines.append(
                f"| {executor} | {row['runs']} | {_cell(row['seconds_median'])} | {_cell(row['files_per_s_median'])} | "
                f"{_cell(row['sites_per_s_median'], 2)} | "
                f"{_cell(row['time_vs_local_median'], 2)} | {_cell(row['cluster_ready_s_median'])} | "
                f"{_cell(row['peak_rss_mib_max'], 0)} | {by_model} | "
                f"{'yes' if row['same_statements_as_local'] else 'no'} |")
            for fallback in row["fallbacks"]:
                lines.append(f"|  | fell back: {fallback} ||||||||| ")
        lines.append("")
    if result.get("shards"):
        lines += ["## Shard size (`--no-model`, one warm Dask cluster of 2 workers)", "",
                  "| files per shard | shards | runs (s) | files/s (median) |", "|---:|---:|---|---:|"]
        for row in result["shards"]:
            lines.append(f"| {row['shard_files']} | {row['shards']} | "
                         f"{', '.join(f'{s:.1f}' for s in row['seconds'])} | {row['files_per_s_median']:.1f} |")
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.bench.cluster", description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=2, help="rounds of the three executors (default %(default)s)")
    parser.add_argument("--model-sites", type=int, default=24, help="sites in the model sample; 0 skips the model runs")
    parser.add_argument("--budget-ms", type=int, default=10_000, help="per-statement model budget (default %(default)s)")
    parser.add_argument("--shard-repeats", type=int, default=2, help="runs per shard size; 0 skips the sweep")
    parser.add_argument("--repositories", nargs="+", default=list(REPOSITORIES), metavar="NAME==VERSION",
                        help="sdists on PyPI (default: %(default)s)")
    parser.add_argument("--output", type=Path, help="report path (default eval/reports/<date>/cluster.md)")
    args = parser.parse_args(argv)

    load_before = machine.describe()
    result: dict = {"date": datetime.date.today().isoformat(), "repositories": args.repositories,
                    "machine": load_before, "rounds": args.rounds, "budget_ms": args.budget_ms}
    with tempfile.TemporaryDirectory(prefix="logsmith-bench-cluster-") as scratch:
        paths = organisation(Path(scratch), tuple(args.repositories))
        names = [path.name for path in paths]
        result["python_files"] = sum(1 for p in Path(scratch).rglob("*.py") if p.is_file())
        listing = run_command(["--no-model", "--json", *names], Path(scratch))  # fills the index cache
        runs = paired_rounds(args.rounds, ["--no-model", "--json", *names], Path(scratch), "--no-model")
        result["no_model"] = summarise(runs)
        if args.model_sites > 0:
            sample = sample_files([{"file": f} for f, _, _ in listing["statements"]], args.model_sites)
            result["model_files"] = sample
            base = ["--json", "--budget-ms", str(args.budget_ms), *sample]
            result["model"] = summarise(paired_rounds(args.rounds, base, Path(scratch), "model"))
        if args.shard_repeats > 0:
            result["shards"] = shard_sweep(paths, args.shard_repeats)
    result["load_after"] = machine.load_average()
    for summary in (result.get("no_model", {}), result.get("model", {})):
        for row in summary.values():
            row.pop("statements", None)
    report = markdown(result)
    output = args.output or REPORTS_DIR / result["date"] / "cluster.md"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(report, encoding="utf-8")
    output.with_suffix(".json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    sys.stdout.write(report)
    print(f"report: {output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
