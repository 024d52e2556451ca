"""The server latency benchmark: runs with different pauses or languages on one day keep their own
reports; each language visits its own files."""

from __future__ import annotations

from eval.bench import server as bench_server


def test_report_names_by_pause():
    assert bench_server.report_stem(bench_server.DEFAULT_PAUSE_S) == "server-latency"
    assert bench_server.report_stem(2.0) == "server-latency-pause2"
    assert bench_server.report_stem(0.5) == "server-latency-pause0.5"


def test_report_names_by_language():
    assert bench_server.report_stem(bench_server.DEFAULT_PAUSE_S, "go") == "server-latency-go"
    assert bench_server.report_stem(2.0, "java") == "server-latency-java-pause2"


def test_each_language_picks_neighbouring_one_line_statements_of_its_own_files():
    for language in ("go", "java", "javascript", "typescript"):
        groups = bench_server.pick_files(3, 2, "dev" if language != "typescript" else "heldout",
                                         language)
        assert groups, language
        for group in groups:
            assert len(group) == 2 and len({case.file for case in group}) == 1
            assert all(case.language == language and case.line == case.end_line for case in group)
            assert group[0].line < group[1].line
