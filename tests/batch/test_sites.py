"""Batch-mode rules on small fixtures: each `# <- rule` comment marks the line a statement must go
before; every other line must stay unflagged."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from logsmith.syntax.document import ParsedDocument
from logsmith.syntax.batch_rules import RULES, find_sites, syntax_error_line

FIXTURES = Path(__file__).parent / "fixtures" / "rules"
MARKER = re.compile(r"#\s*<-\s*(\w+)")


def expected(path: Path) -> set[tuple[int, str]]:
    marks = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").split("\n")):
        found = MARKER.search(line)
        if found:
            marks.add((number, found.group(1)))
    return marks


def found(source: str, rules=None) -> set[tuple[int, str]]:
    return {(f.line, f.rule) for f in find_sites(source, rules)}


@pytest.mark.parametrize("fixture", sorted(p.name for p in FIXTURES.glob("*.py")))
def test_fixture_flags_exactly_the_marked_lines(fixture):
    path = FIXTURES / fixture
    marks = expected(path)
    assert marks, "a fixture without expectations tests nothing"
    assert found(path.read_text(encoding="utf-8")) == marks


@pytest.mark.parametrize("rule", list(RULES))
def test_each_rule_runs_alone_and_finds_its_marks(rule):
    path = FIXTURES / f"{rule}.py"
    marks = {mark for mark in expected(path) if mark[1] == rule}
    assert marks
    assert found(path.read_text(encoding="utf-8"), [rule]) == marks


def test_every_rule_has_a_documented_query_file():
    grammars = Path(__file__).resolve().parents[2] / "grammars" / "python"
    readme = (grammars / "README.md").read_text(encoding="utf-8")
    for rule in RULES:
        query = grammars / "rules" / f"{rule}.scm"
        assert query.read_text(encoding="utf-8").lstrip().startswith(";"), f"{query} has no comment on top"
        assert f"`{rule}`" in readme, f"rule {rule} is not documented in grammars/python/README.md"


def test_switching_a_rule_off_removes_only_its_findings():
    source = (FIXTURES / "retry_loop.py").read_text(encoding="utf-8")
    everything = found(source)
    without_io = found(source, [r for r in RULES if r != "io_call"])
    assert without_io == {mark for mark in everything if mark[1] != "io_call"}
    assert any(rule == "io_call" for _, rule in everything)


def test_a_stronger_rule_wins_the_line_and_the_weaker_takes_over_when_it_is_off():
    source = textwrap.dedent('''\
        import time

        def fetch(call):
            for attempt in range(3):
                try:
                    return call()
                except OSError:
                    time.sleep(1)
        ''')
    assert found(source) == {(7, "retry_loop")}
    assert found(source, ["except_swallowed"]) == {(7, "except_swallowed")}


def test_finding_carries_indent_range_function_and_message():
    source = "def parse(raw):\n\ttry:\n\t\treturn int(raw)\n\texcept ValueError:\n\t\treturn 0\n"
    (finding,) = find_sites(source)
    assert (finding.rule, finding.line, finding.indent) == ("except_swallowed", 4, "\t\t")
    assert (finding.start_line, finding.start_character, finding.end_line) == (3, 1, 4)
    assert finding.function == "parse"
    assert "ValueError" in finding.message


def test_unknown_rule_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown rule.*no_such_rule"):
        find_sites("x = 1\n", ["no_such_rule"])


def test_syntax_error_line_points_at_the_broken_line():
    assert syntax_error_line(ParsedDocument("def ok():\n    return 1\n")) is None
    assert syntax_error_line(ParsedDocument("def ok():\n    return 1\n\ndef broken(:\n    pass\n")) == 3


def test_accepts_a_parsed_document_and_works_on_non_ascii_text():
    source = "def lire(chemin):\n    nom = 'é'\n    with open(chemin) as f:\n        return f.read()\n"
    (finding,) = find_sites(ParsedDocument(source))
    assert (finding.rule, finding.line, finding.start_character) == ("io_call", 2, 4)
