"""eval.checks.foreign_scope (parses at the site, names bound there, a value's variables, apart
from logsmith's analysis), eval.bench.language_scoring (a suggestion against the developer's
statement) and eval.report.languages (figures, leads, targets), on small fixtures: no network,
no model; a stand-in reader reads the statements."""

from __future__ import annotations

import re
import textwrap

import pytest

from eval.bench import language_scoring
from eval.checks import foreign_scope
from eval.report import languages as report
from logsmith.idioms.contract import LoggedCall

GO = textwrap.dedent("""\
    package main

    import (
    \t"fmt"
    \t"go.uber.org/zap"
    \tlog "github.com/sirupsen/logrus"
    )

    var plog = 1

    func (s *Server) run(ctx context.Context, n int) error {
    \tx := 1
    \tif err := s.do(); err != nil {
    \t\ty := 2
    \t}
    \tfor _, item := range items {
    \t\t
    \t}
    \treturn nil
    }
""")
GO_SITE = 16
JAVA = textwrap.dedent("""\
    package a;
    import java.util.logging.Logger;
    class A extends B {
        private static final Logger LOG = Logger.getLogger("a");
        private String name;
        void m(int count, String host) {
            String local = "x";
            try {
                call();
            } catch (IOException e) {
················
            }
            for (String s : items) { }
        }
    }
""").replace("·", " ")
JAVA_SITE = 10
# "·" marks the blank site lines' indentation (kept out of the source as trailing blanks)
JS = textwrap.dedent("""\
    import { logger } from "./logger";
    const debug = require("debug")("x");
    function outer(a, {b, c: d}, ...rest) {
        const x = 1;
        try { run(); } catch (err) {
············
        }
        items.forEach((item) => {
············
        });
    }
""").replace("·", " ")


@pytest.mark.parametrize(
    "statement, parses, unbound",
    [
        ('log.Infof("x %d %s", x, item.Name)', True, set()),
        ('s.lg.Warn("fail", zap.Error(err), zap.Int("n", n))', True, {"err"}),
        ("fmt.Println(y, plog, len(s.items), ctx)", True, {"y"}),
        ("func() { z := 1; log.Info(z) }()", True, set()),
        ('log.Infof("%v", T{Name: x, Other: y})', True, {"y"}),
        ('log.Info("a"', False, None),
    ],
)
def test_go_names_are_bound_by_parameters_earlier_statements_loops_and_imports(
    statement, parses, unbound
):
    assert foreign_scope.parses_at_site(GO, GO_SITE, statement, "go") is parses
    assert foreign_scope.unbound(GO, GO_SITE, statement, "go") == unbound


def test_go_names_of_the_package_s_other_files_are_bound():
    other = "package main\n\nvar shared = 2\n\nfunc helper() {}\n"
    names = foreign_scope.package_names([other])
    assert {"shared", "helper"} <= names
    statement = "log.Info(shared, helper())"
    assert foreign_scope.unbound(GO, GO_SITE, statement, "go") == {"shared", "helper"}
    assert foreign_scope.unbound(GO, GO_SITE, statement, "go", names) == set()


@pytest.mark.parametrize(
    "statement, unbound",
    [
        ('LOG.log(Level.WARNING, "fail " + host + count, e);', set()),
        ('LOG.fine("x" + this.name + local + name);', set()),
        ('LOG.fine("x" + s + other);', {"s", "other"}),
        ('LOG.info(() -> "x" + host);', set()),
        ("LOG.info(host::toString);", set()),
        ('TAGS.d("x");', {"TAGS"}),
    ],
)
def test_java_names_are_bound_by_fields_parameters_locals_and_the_catch(statement, unbound):
    assert foreign_scope.unbound(JAVA, JAVA_SITE, statement, "java") == unbound
    assert foreign_scope.unbound(JAVA, JAVA_SITE, 'TAGS.d("x");', "java", {"TAGS"}) == set()


def _java_method(body: str, method: str = "void f(boolean c)") -> tuple[str, int]:
    """A class around `body` (its site marked `§`), and the site's line."""
    lines = ["class A {", "    private String host;", f"    {method} {{"]
    lines += [f"        {line}" for line in body.splitlines()] + ["    }", "}"]
    line = next(n for n, text in enumerate(lines) if text.strip() == "§")
    return "\n".join(lines).replace("§", ""), line


@pytest.mark.parametrize(
    "body, unbound",
    [
        ("int n;\n§", {"n"}),
        ("int n;\nif (c) { n = 1; }\n§", {"n"}),
        ("int n;\nif (c) {\n    n = 1;\n} else {\n    §\n}", {"n"}),
        ("int n;\ntry {\n    n = 1;\n} catch (RuntimeException e) {\n    §\n}", {"n"}),
        ("int n;\nn = 1;\n§", set()),
        ("int n;\nif (c) { n = 1; } else { n = 2; }\n§", set()),
        ("int n;\nif (c) { n = 1; } else { return; }\n§", set()),
        ("int n;\nwhile ((n = read()) > 0) {\n    §\n}", set()),
        ("int n;\nsynchronized (this) {\n    n = 1;\n}\n§", set()),
    ],
)
def test_a_java_local_that_may_be_unassigned_is_unbound(body, unbound):
    source, line = _java_method(body)
    assert foreign_scope.unbound(source, line, 'LOG.info("x " + n);', "java", {"LOG"}) == unbound


def test_a_local_a_lambda_captures_must_be_effectively_final():
    source, line = _java_method("int n = 0;\nn++;\nint m = 1;\nRunnable r = () -> {\n    §\n};")
    statement = 'LOG.info("x " + n + m);'
    assert foreign_scope.unbound(source, line, statement, "java", {"LOG"}) == {"n"}


def test_instance_fields_and_this_are_unbound_in_a_static_method():
    source, line = _java_method("§", "static void f()")
    statement = 'LOG.info("x " + host + this);'
    assert foreign_scope.unbound(source, line, statement, "java", {"LOG"}) == {"host", "this"}
    source, line = _java_method("§")
    assert foreign_scope.unbound(source, line, statement, "java", {"LOG"}) == set()


def test_javascript_names_are_bound_by_patterns_imports_requires_and_the_catch():
    statement = "logger.warn(`failed ${err.message} ${a} ${b} ${d} ${rest}`, x, debug);"
    assert foreign_scope.unbound(JS, 5, statement, "javascript") == set()
    assert foreign_scope.unbound(JS, 5, "console.log(zz, this.y);", "javascript") == {"zz"}
    assert foreign_scope.unbound(JS, 8, 'logger.info("x", item, err)', "javascript") == {"err"}
    assert foreign_scope.unbound(JS, 5, 'logger.info("x", item, err)', "typescript") == {"item"}
    assert foreign_scope.unbound(JS, 5, 'logger.info("x"', "javascript") is None


def test_a_statement_that_breaks_the_rest_of_the_file_does_not_parse():
    assert not foreign_scope.parses_at_site(GO, GO_SITE, 'log.Info("open', "go")
    assert not foreign_scope.parses_at_site(JAVA, JAVA_SITE, 'LOG.info("x") {', "java")
    assert not foreign_scope.parses_at_site(JS, 5, "", "javascript")


def test_a_value_s_variables_are_name_chains_and_receivers_not_packages_or_functions():
    skip = foreign_scope.receiver_skip(GO, "go")
    found = foreign_scope.value_variables(
        ["zap.Error(err)", "item.Name", "s.peer.ID()", "len(items)", 'fmt.Sprintf("%d", n)'],
        "go",
        skip,
    )
    assert found == {"err", "item.Name", "s.peer", "items", "n"}
    assert foreign_scope.value_variables(
        ["user.getId()", "this.name", "String.valueOf(count)", "e"], "java"
    ) == {"user", "this.name", "count", "e"}
    skip = foreign_scope.receiver_skip(JS, "javascript")
    assert foreign_scope.value_variables(
        ["err.message", "JSON.stringify(opts)", "this.id", "`${a.b}`", "(x) => x.y"],
        "javascript",
        skip,
    ) == {"err.message", "opts", "this.id", "a.b"}


_CALL = re.compile(
    r"^(?P<logger>\w+)\.(?P<level>Info|Warn|Error|Debug)\(\"(?P<message>[^\"]*)\""
    r"(?:,\s*(?P<values>.*))?\)$"
)


class StandInReader:
    """Reads `logger.Level("message", values...)` lines as log statements."""

    def logged_calls(self, document):
        found = []
        for number, line in enumerate(document.text.split("\n")):
            match = _CALL.match(line.strip())
            if match:
                values = tuple(v.strip() for v in (match["values"] or "").split(",") if v.strip())
                level = {"Warn": "warning"}.get(match["level"], match["level"].lower())
                found.append(
                    LoggedCall(
                        number,
                        number,
                        line.strip(),
                        "log",
                        match["logger"],
                        level,
                        match["message"],
                        values,
                        None,
                        "run",
                        "loop",
                    )
                )
        return tuple(found)

    def statement_problems(self, document, line, statement):
        return [] if _CALL.match(statement) else ["not a statement this reader knows"]


def test_the_developer_s_own_statement_scores_full_marks():
    expected = 'log.Warn("cannot run item", item.Name, x)'
    score = language_scoring.score_case(expected, expected, GO, GO_SITE, "go", StandInReader())
    assert score.level and score.variable_f1 == 1.0 and score.rouge_l == 1.0
    assert score.valid and score.acceptable and score.reader_parses
    assert score.expected_variables == ("item.Name", "x")


def test_a_suggestion_is_scored_on_level_values_and_words():
    expected = 'log.Warn("cannot run item", item.Name, x)'
    score = language_scoring.score_case(
        'log.Info("running item now", item.Name)', expected, GO, GO_SITE, "go", StandInReader()
    )
    assert not score.level and score.predicted_level == "info"
    assert score.variable_precision == 1.0 and score.variable_recall == 0.5
    assert score.rouge_l == pytest.approx(1 / 3)  # "item" of three words each
    assert score.valid and not score.acceptable


def test_a_statement_that_is_no_log_call_scores_nothing_and_unbound_names_are_invalid():
    expected = 'log.Warn("cannot run item", item.Name)'
    score = language_scoring.score_case(
        "fmt.Println(item)", expected, GO, GO_SITE, "go", StandInReader()
    )
    assert not score.is_log_call and score.rouge_l == 0.0 and score.variable_f1 == 0.0
    assert score.valid and not score.level
    unbound = language_scoring.score_case(
        'log.Warn("cannot run", y)', expected, GO, GO_SITE, "go", StandInReader()
    )
    assert unbound.parses and not unbound.in_scope and unbound.unbound == ("y",)
    nothing = language_scoring.score_case(None, expected, GO, GO_SITE, "go", StandInReader())
    assert not nothing.valid and not nothing.is_log_call


def test_a_suggestion_s_additional_edits_are_applied_before_it_is_read():
    edit = {
        "start_line": 8,
        "start_character": 0,
        "end_line": 8,
        "end_character": 0,
        "new_text": "var logger = 3\n",
    }
    edited, line = language_scoring.apply_edits(GO, GO_SITE, [edit])
    assert line == GO_SITE + 1 and edited.split("\n")[8] == "var logger = 3"
    expected = 'log.Warn("cannot run item", item.Name)'
    score = language_scoring.score_case(
        'logger.Warn("cannot run item", item.Name)',
        expected,
        GO,
        GO_SITE,
        "go",
        StandInReader(),
        edits=[edit],
    )
    assert score.valid and score.acceptable
    without = language_scoring.score_case(
        'logger.Warn("cannot run item", item.Name)', expected, GO, GO_SITE, "go", StandInReader()
    )
    assert not without.valid


def _row(case: int, own: tuple, baseline: tuple, template_ms: float = 5.0) -> dict:
    def result(level, rouge, valid, ms):
        score = {
            "level": level,
            "variable_f1": 1.0,
            "rouge_l": rouge,
            "bleu4": rouge,
            "parses": True,
            "in_scope": valid,
            "valid": valid,
            "reader_parses": True,
            "is_log_call": True,
            "acceptable": level and rouge >= 0.3,
            "unbound": [] if valid else ["y"],
        }
        return {
            "statement": 'log.Info("x")',
            "latency_ms": ms,
            "source": "template",
            "score": score,
        }

    return {
        "case": {"id": f"p:f.go:{case}", "project": "p", "language": "go"},
        "expected_valid": True,
        "load_average": [1.0, 1.0, 1.0],
        "results": {
            "logsmith": result(*own, 200.0),
            "template": result(*own, template_ms),
            "template_again": result(*own, 2.0),
            "baseline": result(*baseline, 9000.0),
        },
    }


def test_the_report_gives_each_engine_s_figures_leads_and_targets(tmp_path):
    rows = [_row(n, (True, 0.6, True), (n % 2 == 0, 0.2, True)) for n in range(10)]
    summary = report.summarise(rows)
    own, base = summary["engines"]["logsmith"], summary["engines"]["baseline"]
    assert own["level"] == 1.0 and base["level"] == 0.5
    assert own["rouge_l"] == pytest.approx(0.6) and own["valid_of_suggested"] == 1.0
    level_lead = next(
        found
        for found in summary["leads"]
        if found["metric"] == "level" and found["other"] == "baseline"
    )
    assert level_lead["difference"] == pytest.approx(0.5) and level_lead["low"] > 0
    assert all(summary["targets"].values())
    rows[0]["results"]["logsmith"]["score"]["valid"] = False
    rows[1]["results"]["template"]["latency_ms"] = 50.0
    rows[2]["results"]["template"]["latency_ms"] = 50.0
    targets = report.summarise(rows)["targets"]
    assert targets["100 % valid"] is False
    assert targets["template p95 <= 20 ms, the text parsed within the request"] is False
    assert targets["template p95 <= 20 ms, the file open as in the editor"] is True
    folder = tmp_path / "languages"
    folder.mkdir()
    with open(folder / "go-heldout-cases.jsonl", "w", encoding="utf-8") as sink:
        import json

        sink.writelines(json.dumps(row) + "\n" for row in rows)
    text = report.write_folder(folder, {"nproc": 2}).read_text(encoding="utf-8")
    assert "## go-heldout: 10 cases" in text and "| llama.vim way |" in text
    assert "`p:f.go:0`" in text


def test_java_fields_inherited_from_a_superclass_of_the_same_folder_are_bound():
    base = (
        "package p;\n"
        "abstract class Base extends Root {\n"
        "    static final Logger log = null;\n"
        "    private int secret;\n"
        "}\n"
    )
    root = "package p;\nclass Root { protected String rootName; }\n"
    own = "package p;\nclass Event extends Base {\n    void m() {\n        \n    }\n}\n"
    inherited = foreign_scope.java_inherited_fields(own, {"Base": base, "Root": root})
    assert inherited == {"log", "rootName"}
    statement = 'log.fine("x " + rootName + secret);'
    assert foreign_scope.unbound(own, 3, statement, "java") == {"log", "rootName", "secret"}
    assert foreign_scope.unbound(own, 3, statement, "java", inherited) == {"secret"}


GO_BOUND_BUT_FAILING = """\
package a

import "log"

type Server struct{ lg *log.Logger }

type Client struct{ conn string }

func (s *Client) Close(handler func(), name string) {
	done := func() {}

	_ = done
}
"""


@pytest.mark.parametrize(
    "statement, unbound",
    [
        ('log.Printf("closing %v %v", name, handler)', {"handler"}),
        ('log.Println("closing", done)', {"done"}),
        ('s.lg.Printf("closing %v", name)', {"s.lg"}),
        ('log.Printf("closing %v %v", name, s.conn)', set()),
        ('log.Printf("closing %v", handler == nil)', set()),
    ],
)
def test_a_go_function_value_or_another_types_field_fails_though_bound(statement, unbound):
    line = 10  # the blank line after `done := ...`
    assert foreign_scope.unbound(GO_BOUND_BUT_FAILING, line, statement, "go") == unbound


def test_a_javascript_this_attribute_the_class_never_sets_fails_though_bound():
    source = (
        "class Server {\n  constructor() { this.logger = console }\n}\n"
        "class Client {\n  close() {\n    \n  }\n  open() { this.conn = 1 }\n}\n"
        "class Child extends Server {\n  close() {\n    \n  }\n}\n"
    )
    assert foreign_scope.unbound(source, 5, 'this.logger.error("x")', "javascript") == {
        "this.logger"
    }
    assert foreign_scope.unbound(source, 5, 'console.error("x", this.conn.id)', "javascript") == set()
    assert foreign_scope.unbound(source, 11, 'this.logger.error("x")', "javascript") == set()


def test_a_javascript_this_in_a_callback_function_fails_though_bound():
    source = (
        "class Store {\n  constructor() { this.logger = console }\n  load(p) {\n"
        "    read(p, function (err) {\n      \n    })\n    read(p, (err) => {\n      \n    })\n"
        "  }\n}\n"
    )
    statement = 'this.logger.warn("failed", err)'
    assert foreign_scope.unbound(source, 4, statement, "javascript") == {"this.logger"}
    assert foreign_scope.unbound(source, 7, statement, "javascript") == set()


JS_THIS_PLACES = """\
class Base {}
class Store extends Base {
  static registry = new Map();
  constructor() {

    super();

    this.logger = console;
  }
  open() {
    const handlers = { start() {

    } };
    function inner() {

    }
  }
  static create() {

  }
}
"""


@pytest.mark.parametrize("line, statement, unbound", [
    (4, 'this.logger.info("x")', {"this.logger"}),  # before super()
    (6, 'this.logger.info("x")', set()),
    (11, 'this.logger.info("x")', {"this.logger"}),  # an object literal's method
    (14, 'this.logger.info("x")', {"this.logger"}),  # a function inside a method
    (18, 'this.logger.info("x")', {"this.logger"}),  # a static method: `this` is the class
    (18, 'this.registry.clear()', set()),  # ... which has its static fields
])
def test_a_javascript_this_that_is_not_the_instance_fails_though_bound(line, statement, unbound):
    assert foreign_scope.unbound(JS_THIS_PLACES, line, statement, "javascript") == unbound


def test_javascript_at_the_top_of_the_file_what_it_declares_below_is_unbound():
    source = "const a = 1;\nif (a) {\n  \n}\nconst log = console;\nfunction f() {\n  \n}\n"
    assert foreign_scope.unbound(source, 2, 'log.info("x", a)', "javascript") == {"log"}
    assert foreign_scope.unbound(source, 6, 'log.info("x", a)', "javascript") == set()


def test_java_initialisers_read_no_field_declared_below_and_an_enum_constructor_no_static():
    source = (
        "enum A {\n    RED;\n    static {\n        \n    }\n    A() {\n        \n    }\n"
        "    static final Logger LOG = Logger.getLogger(\"a\");\n    static final String P = \"p\";\n"
        "    void f() {\n        \n    }\n}\n"
    )
    statement = 'LOG.info(P);'
    assert foreign_scope.unbound(source, 3, statement, "java", {"Logger"}) == {"LOG", "P"}
    assert foreign_scope.unbound(source, 6, statement, "java", {"Logger"}) == {"LOG"}
    assert foreign_scope.unbound(source, 11, statement, "java", {"Logger"}) == set()
