"""Index benchmark: how fast logsmith's project index is built and reopened, and the memory a
process holding it takes.

1. **Cold build**, files per second: `ProjectIndex(root).build()` with an empty cache folder (so
   it reads, parses and indexes every file, then writes its cache), on the batch benchmark's project
   and on every corpus project's tree (the folder holding the package, eval.bench.workspace).
2. **Warm reopen**: the same build again with the cache kept (each file is read and hashed, and its
   record reused when the hash matches), on every project, and on a project of at least 2,000
   files (target: under 2 s), made by copying several real trees into one folder (no one tree of
   the corpus is that large).
3. **Memory**: resident memory (`eval.bench.process_stats`) of a process holding the index of a
   project of at least 5,000 files (combined trees again: all the corpus trees hold about 5,000
   files, so the largest come in a second time under another name), against the same process just
   before the build (logsmith and its parser loaded), and the process's high-water mark.

Every measurement runs in a child process (`--measure`), so none inherits another's memory,
objects or warmed caches but the operating system's file cache (the trees are read once before
timing: the figures are for files the system has cached, as in an editor reopening a project).
The caches and copies live in a work folder under /tmp (removed at the end unless `--keep`). Writes
eval/reports/<date>/index.md and index.json.

    .venv/bin/python -m eval.bench.index
    .venv/bin/python -m eval.bench.index --projects gunicorn pika --sizes 2000
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from eval.bench import batch, machine, workspace
from eval.corpus import build as corpus
from eval.corpus import sources

REPORTS_DIR = Path(__file__).resolve().parents[1] / "reports"
SIZES = (2000, 5000)
"""Files of the combined projects: the warm-reopen target is for the first, memory for the last."""
REOPEN_TARGET_S = 2.0
REOPEN_TARGET_FILES = 2000
REPEATS = 3
"""Builds of each combined project, cold (a fresh cache each time) and warm."""
MiB = 1024 * 1024


# ------------------------------------------------------------------------------------------------
# The child: one build, timed, with its memory


def measure(root: Path) -> dict:
    """Build the index of `root` once in this process (the cache folder is $LOGSMITH_CACHE) and
    say what it took: counts, seconds, resident memory before and after, high-water mark."""
    from eval.bench import process_stats
    from logsmith.syntax.document import ParsedDocument
    from logsmith.workspace.index import ProjectIndex

    ParsedDocument("import logging\nlogging.getLogger(__name__).info('x')\n")  # load the parser first
    pid = os.getpid()
    before = process_stats.rss_bytes(pid)
    index = ProjectIndex(root, cache=True)
    started, cpu_started = time.perf_counter(), time.process_time()
    counts = index.build()
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    after = process_stats.rss_bytes(pid)
    return {"state": index.state, "files": counts.files, "statements": counts.statements,
            "reused": counts.reused, "skipped": dict(counts.skipped), "seconds": seconds,
            "cpu_seconds": cpu_seconds,
            "cache_note": counts.cache_note, "rss_before_bytes": before, "rss_after_bytes": after,
            "high_water_bytes": process_stats.peak_rss_bytes(pid), "held": index.statement_count}


def run_child(root: Path, cache: Path) -> dict:
    """`measure(root)` in a new process whose cache folder is `cache`."""
    env = {**os.environ, "LOGSMITH_CACHE": str(cache)}
    done = subprocess.run([sys.executable, "-m", "eval.bench.index", "--measure", str(root)], env=env,
                          capture_output=True, text=True, timeout=3600)
    if done.returncode != 0:
        raise RuntimeError(f"measuring {root} failed: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# ------------------------------------------------------------------------------------------------
# The projects


def corpus_roots(names: list[str] | None = None) -> dict[str, Path]:
    """Workspace folder of each corpus project (and the batch benchmark's), by `name-version`."""
    specs = {spec.name: spec.version for spec in corpus.load_projects()}
    name, _, version = batch.DEFAULT_PROJECT.partition("==")
    specs.setdefault(name, version)
    roots = {}
    cases = {}
    for case in corpus.load_cases():
        cases.setdefault(case.project, case)
    for project, version in sorted(specs.items()):
        if names and project not in names:
            continue
        tree = sources.project_tree(project, version)
        case = cases.get(project)
        if case is not None:
            roots[f"{project}-{version}"] = workspace.workspace_root(tree, case.file)
        else:
            folders = [p for p in tree.iterdir() if p.is_dir()]
            roots[f"{project}-{version}"] = folders[0] if len(folders) == 1 else tree
    return roots


def read_once(root: Path) -> None:
    """Read every Python file of `root` once, so each build meets the same warm file cache."""
    for path in root.rglob("*.py"):
        try:
            path.read_bytes()
        except OSError:
            pass


def combined(roots: dict[str, Path], files: dict[str, int], target: int, folder: Path) -> tuple[Path, list[str]]:
    """A project of at least `target` indexed files: the largest trees copied side by side into
    `folder` (largest first) until their files reach `target`; when every tree is in and the files
    still fall short, the trees again under another name (`name~2`), the same order."""
    if sum(files.values()) <= 0:
        raise RuntimeError("the trees hold no file to index")
    order = sorted(files, key=lambda n: (-files[n], n))
    chosen, total, round_ = [], 0, 1
    while total < target:
        for name in order:
            if total >= target:
                break
            chosen.append((name, name if round_ == 1 else f"{name}~{round_}"))
            total += files[name]
        round_ += 1
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for name, copy in chosen:
        shutil.copytree(roots[name], folder / copy, symlinks=True)
    return folder, [copy for _, copy in chosen]


# ------------------------------------------------------------------------------------------------
# The report


def _rate(files: int, seconds: float) -> float | None:
    return files / seconds if seconds else None


def summarise_projects(rows: list[dict]) -> dict:
    files = sum(r["cold"]["files"] for r in rows)
    cold = sum(r["cold"]["seconds"] for r in rows)
    warm = sum(r["warm"]["seconds"] for r in rows)
    rates = [_rate(r["cold"]["files"], r["cold"]["seconds"]) for r in rows if r["cold"]["files"]]
    cold_cpu = sum(r["cold"].get("cpu_seconds") or 0 for r in rows)
    warm_cpu = sum(r["warm"].get("cpu_seconds") or 0 for r in rows)
    return {"projects": len(rows), "files": files, "statements": sum(r["cold"]["statements"] for r in rows),
            "cold_s": cold, "warm_s": warm, "cold_files_per_s": _rate(files, cold),
            "warm_files_per_s": _rate(files, warm), "cold_files_per_cpu_s": _rate(files, cold_cpu),
            "warm_files_per_cpu_s": _rate(files, warm_cpu),
            "cold_files_per_s_median": statistics.median(rates) if rates else None,
            "cold_files_per_s_range": [min(rates), max(rates)] if rates else None}


def _seconds(value) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def _cpu(values) -> str:
    return "n/a" if not values else f"{_median(values):.2f} s"


def _or_na(value) -> str:
    return "n/a" if value is None else f"{value:,.0f}"


def _median(values: list[float]) -> float:
    return statistics.median(values)


def render_markdown(report: dict) -> str:
    described, total = report["machine"], report["projects_total"]
    lines = [
        f"# Project index benchmark, {report['date']}", "",
        f"- machine: {described.get('nproc')} CPUs ({described.get('cpu_model')}), {described.get('ram_gib')} GiB "
        f"RAM, load average at start {described.get('load_average')}, at the end "
        f"{report.get('load_average_end')}; Python {described.get('python')}, logsmith {described.get('logsmith')}",
        "- each build in a new process; the trees read once before timing (warm file cache); cold: an empty "
        "index cache (the build writes it), warm: the cache kept (files read and hashed, records reused); "
        "seconds are wall time of the build, *CPU s* its process's CPU time (what a loaded machine does not "
        "inflate: above 2, the load average means other work shared the 2 cores)",
        f"- command: `{report['command']}`", "",
        "## Summary", "",
        f"Cold builds of {total['projects']} real projects ({total['files']:,} files, {total['statements']:,} log "
        f"statements): {total['cold_files_per_s']:,.0f} files/s over all (median per project "
        f"{total['cold_files_per_s_median']:,.0f}, from {total['cold_files_per_s_range'][0]:,.0f} to "
        f"{total['cold_files_per_s_range'][1]:,.0f}); warm reopens {total['warm_files_per_s']:,.0f} files/s. "
        f"Per CPU second: {_or_na(total.get('cold_files_per_cpu_s'))} files cold, "
        f"{_or_na(total.get('warm_files_per_cpu_s'))} warm.", "",
    ]
    combined_rows = report["combined"]
    if combined_rows:
        lines += ["| combined project | files | statements | cold build (median) | cold files/s | warm reopen "
                  "(median, best) | warm CPU s (median) | target | RSS before build | RSS holding the index | "
                  "index's share | high-water |", "|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|"]
        for entry in combined_rows:
            cold, warm = entry["cold_s"], entry["warm_s"]
            target = "-"
            if entry["target_files"] == REOPEN_TARGET_FILES:
                met = _median(warm) < REOPEN_TARGET_S
                target = f"under {REOPEN_TARGET_S:.0f} s: " + ("met" if met else "**missed**")
            before, after = entry["rss_before_bytes"], entry["rss_after_bytes"]
            lines.append(
                f"| {entry['target_files']:,}+ ({len(entry['trees'])} trees) | {entry['files']:,} | "
                f"{entry['statements']:,} | {_median(cold):.2f} s | {entry['files'] / _median(cold):,.0f} | "
                f"{_median(warm):.2f} s, {min(warm):.2f} s | {_cpu(entry.get('warm_cpu_s'))} | {target} | "
                f"{before / MiB:,.0f} MiB | {after / MiB:,.0f} MiB | {(after - before) / MiB:+,.0f} MiB | "
                f"{entry['high_water_bytes'] / MiB:,.0f} MiB |")
        lines += ["", "Combined projects: the largest corpus trees copied side by side into one folder; "
                  + "; ".join(f"{e['target_files']:,}+: {', '.join(e['trees'])}" for e in combined_rows) + ".",
                  "*RSS before build*: the child process with logsmith and its parser loaded; *holding the index*: "
                  "after the build, the index held; *high-water*: the process's peak (VmHWM) over the build.", ""]
    lines += ["## Every project", "",
              "| project | files | statements | skipped | cold s | cold CPU s | cold files/s | warm s | warm CPU s "
              "| warm files/s |", "|---|---:|---:|---|---:|---:|---:|---:|---:|---:|"]
    for row in report["projects"]:
        cold, warm = row["cold"], row["warm"]
        skipped = ", ".join(f"{count} {reason}" for reason, count in sorted(cold["skipped"].items())) or "-"
        lines.append(f"| {row['project']} | {cold['files']:,} | {cold['statements']:,} | {skipped} | "
                     f"{cold['seconds']:.2f} | {_seconds(cold.get('cpu_seconds'))} | "
                     f"{_rate(cold['files'], cold['seconds']) or 0:,.0f} | {warm['seconds']:.2f} | "
                     f"{_seconds(warm.get('cpu_seconds'))} | {_rate(warm['files'], warm['seconds']) or 0:,.0f} |")
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.bench.index", description=__doc__.split("\n")[0])
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--projects", nargs="*", default=None, help="corpus project names (default: all)")
    parser.add_argument("--sizes", nargs="*", type=int, default=list(SIZES),
                        help="files of each combined project (default: %(default)s)")
    parser.add_argument("--repeats", type=int, default=REPEATS, help="builds of each combined project")
    parser.add_argument("--out", type=Path, default=None, help="report folder (default eval/reports/<date>)")
    parser.add_argument("--work", type=Path, default=None, help="folder for caches and copies (default: under /tmp)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args(argv)
    if args.measure is not None:
        print(json.dumps(measure(args.measure)))
        return 0

    described = machine.describe()
    work = args.work or Path(tempfile.mkdtemp(prefix="logsmith-index-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    out = args.out or REPORTS_DIR / datetime.date.today().isoformat()
    out.mkdir(parents=True, exist_ok=True)
    try:
        roots = corpus_roots(args.projects)
        rows = []
        for number, (name, root) in enumerate(roots.items(), 1):
            read_once(root)
            cache = work / "cache" / name
            cold = run_child(root, cache)
            warm = run_child(root, cache)
            rows.append({"project": name, "cold": cold, "warm": warm})
            print(f"[{number}/{len(roots)}] {name}: {cold['files']} files, {cold['statements']} statements, "
                  f"cold {cold['seconds']:.2f} s, warm {warm['seconds']:.2f} s ({warm['reused']} reused)",
                  file=sys.stderr)
        files = {row["project"]: row["cold"]["files"] for row in rows}
        combined_rows = []
        for target in sorted(args.sizes):
            folder, trees = combined(roots, files, target, work / f"combined-{target}")
            read_once(folder)
            colds, warms, warm_cpus, last_cold = [], [], [], None
            for repeat in range(args.repeats):
                cache = work / "cache" / f"combined-{target}-{repeat}"
                last_cold = run_child(folder, cache)
                colds.append(last_cold["seconds"])
                warm = run_child(folder, cache)
                warms.append(warm["seconds"])
                warm_cpus.append(warm["cpu_seconds"])
                assert warm["reused"] == warm["files"], "a warm reopen re-read a file"
            combined_rows.append({
                "target_files": target, "trees": trees, "files": last_cold["files"],
                "statements": last_cold["statements"], "cold_s": colds, "warm_s": warms, "warm_cpu_s": warm_cpus,
                "rss_before_bytes": last_cold["rss_before_bytes"], "rss_after_bytes": last_cold["rss_after_bytes"],
                "high_water_bytes": last_cold["high_water_bytes"], "warm_rss_after_bytes": warm["rss_after_bytes"]})
            print(f"combined {target}+: {last_cold['files']} files, cold {_median(colds):.2f} s, "
                  f"warm {_median(warms):.2f} s, RSS {last_cold['rss_before_bytes'] / MiB:.0f} -> "
                  f"{last_cold['rss_after_bytes'] / MiB:.0f} MiB", file=sys.stderr)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    report = {"date": datetime.date.today().isoformat(), "machine": described,
              "load_average_end": machine.load_average(),
              "command": "python -m eval.bench.index " + " ".join(argv if argv is not None else sys.argv[1:]),
              "projects_total": summarise_projects(rows), "combined": combined_rows, "projects": rows}
    markdown = render_markdown(report)
    (out / "index.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    (out / "index.md").write_text(markdown, encoding="utf-8")
    print(markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
