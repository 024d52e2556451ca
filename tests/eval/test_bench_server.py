"""The server latency benchmark: runs with different pauses on one day keep their own reports."""

from __future__ import annotations

from eval.bench import server as bench_server


def test_report_names_by_pause():
    assert bench_server.report_stem(bench_server.DEFAULT_PAUSE_S) == "server-latency"
    assert bench_server.report_stem(2.0) == "server-latency-pause2"
    assert bench_server.report_stem(0.5) == "server-latency-pause0.5"
