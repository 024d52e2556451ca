"""The index benchmark's parts on small folders of its own: one measured build in a child process
(cold, then warm with the cache kept), the combined project, and the report."""

from __future__ import annotations

from pathlib import Path

from eval.bench import index as bench_index

MODULE = "import logging\n\nlog = logging.getLogger(__name__)\n\n\ndef run(job):\n    log.info(\"Running %s\", job)\n"


def _tree(folder: Path, files: int) -> Path:
    for number in range(files):
        path = folder / "pkg" / f"m{number}.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(MODULE, encoding="utf-8")
    (folder / "tests").mkdir()
    (folder / "tests" / "test_m.py").write_text(MODULE, encoding="utf-8")  # tests are not indexed
    return folder


def test_a_cold_build_writes_the_cache_a_warm_one_reuses_it(tmp_path):
    root = _tree(tmp_path / "project", 3)
    cold = bench_index.run_child(root, tmp_path / "cache")
    assert (cold["state"], cold["files"], cold["statements"], cold["reused"]) == ("ready", 3, 3, 0)
    assert cold["seconds"] > 0 and cold["cpu_seconds"] > 0 and cold["rss_after_bytes"] >= cold["rss_before_bytes"] > 10 * bench_index.MiB
    assert cold["high_water_bytes"] >= cold["rss_after_bytes"]
    warm = bench_index.run_child(root, tmp_path / "cache")
    assert (warm["files"], warm["reused"], warm["cache_note"]) == (3, 3, "")


def test_the_combined_project_takes_the_largest_trees_until_the_target(tmp_path):
    roots = {name: _tree(tmp_path / name, count) for name, count in (("a", 1), ("b", 3), ("c", 2))}
    files = {"a": 1, "b": 3, "c": 2}
    folder, trees = bench_index.combined(roots, files, 4, tmp_path / "combined")
    assert trees == ["b", "c"]
    assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("m*.py")) == [
        "b/pkg/m0.py", "b/pkg/m1.py", "b/pkg/m2.py", "c/pkg/m0.py", "c/pkg/m1.py"]


def test_the_report_gives_the_speed_the_reopen_target_and_the_memory():
    def build(files, seconds, reused=0):
        return {"files": files, "statements": files * 2, "seconds": seconds, "cpu_seconds": seconds / 2,
                "reused": reused, "skipped": {}}

    rows = [{"project": "a-1", "cold": build(100, 0.5), "warm": build(100, 0.1, 100)},
            {"project": "b-1", "cold": build(300, 1.5), "warm": build(300, 0.2, 300)}]
    report = {"date": "2026-12-06", "machine": {"nproc": 2}, "command": "python -m eval.bench.index",
              "projects_total": bench_index.summarise_projects(rows), "projects": rows,
              "combined": [{"target_files": 2000, "trees": ["a-1", "b-1"], "files": 2100, "statements": 4000,
                            "cold_s": [7.0, 6.0, 8.0], "warm_s": [1.5, 1.2, 1.9], "warm_cpu_s": [1.0, 0.9, 1.1],
                            "rss_before_bytes": 30 * 2**20,
                            "rss_after_bytes": 90 * 2**20, "high_water_bytes": 120 * 2**20}]}
    assert report["projects_total"]["cold_files_per_s"] == 200.0  # 400 files in 2 s
    assert report["projects_total"]["cold_files_per_s_median"] == 200.0
    markdown = bench_index.render_markdown(report)
    assert "Cold builds of 2 real projects (400 files, 800 log statements): 200 files/s" in markdown
    assert "| 2,000+ (2 trees) | 2,100 | 4,000 | 7.00 s | 300 | 1.50 s, 1.20 s | 1.00 s | under 2 s: met |" in markdown
    assert "Per CPU second: 400 files cold" in markdown
    assert "| 30 MiB | 90 MiB | +60 MiB | 120 MiB |" in markdown
    assert "| b-1 | 300 | 600 | - | 1.50 | 0.75 | 200 | 0.20 | 0.10 | 1,500 |" in markdown


def test_too_few_files_take_the_trees_again_under_another_name(tmp_path):
    roots = {name: _tree(tmp_path / name, count) for name, count in (("a", 1), ("b", 2))}
    folder, trees = bench_index.combined(roots, {"a": 1, "b": 2}, 5, tmp_path / "combined")
    assert trees == ["b", "a", "b~2"]
    assert (folder / "b~2" / "pkg" / "m1.py").is_file()
