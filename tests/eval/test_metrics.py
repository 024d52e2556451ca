"""eval.metrics against values computed by hand (each computation is written beside its number)."""

from __future__ import annotations

import dataclasses
import math
import textwrap

import pytest

from eval import metrics
from eval.checks import scope


# ----------------------------------------------------------------------------- levels


@pytest.mark.parametrize(("raw", "normal"), [
    ("warn", "warning"), ("fatal", "critical"), ("Info", "info"), ("exception", "exception"), ("log", None), (None, None),
])
def test_normalise_level(raw, normal):
    assert metrics.normalise_level(raw) == normal


def test_level_match_strict_and_with_exception_as_error():
    assert metrics.level_match("warn", "warning") is True
    assert metrics.level_match("fatal", "critical") is True
    assert metrics.level_match("exception", "error") is False
    assert metrics.level_match("exception", "error", strict=False) is True
    assert metrics.level_match("error", "exception", strict=False) is True
    assert metrics.level_match("info", "debug", strict=False) is False
    assert metrics.level_match(None, "info") is False


def test_level_distance_on_the_ordinal_scale():
    assert metrics.level_distance("debug", "error") == 3  # |0 - 3|
    assert metrics.level_distance("exception", "error") == 0  # both 3
    assert metrics.level_distance("fatal", "info") == 3  # critical 4 - info 1
    assert metrics.level_distance("warn", "debug") == 2  # warning 2 - debug 0
    assert metrics.level_distance(None, "debug") is None


# ----------------------------------------------------------------------------- reading statements


@pytest.mark.parametrize(("statement", "variables"), [
    ('logger.info("Saved %s to %s", path, self.host)', {"path", "self.host"}),
    ('log.warning(f"{user.name!r} failed after {retries} tries", exc_info=True)', {"user.name", "retries"}),
    ('logger.error("x {} {}".format(a, b.c), extra={"k": v})', {"a", "b.c", "v"}),
    # called functions are not variables; the receiver of a method call is
    ('logger.debug("n=%d %s %s", len(items), str(err), self.conn.peer())', {"items", "err", "self.conn"}),
    # names bound by a comprehension inside the call are not the site's variables
    ('logger.info("%s", [x.name for x in jobs])', {"jobs"}),
    ('logger.info("%s", args[0], *rest, **kw)', {"args", "rest", "kw"}),
    ('self.log.info("hi")', set()),
    ('logger.log(logging.INFO, "%s", value)', {"value"}),
])
def test_variables_are_names_and_dotted_chains_outside_literals(statement, variables):
    assert metrics.parse_statement(statement).variables == variables


@pytest.mark.parametrize(("statement", "words"), [
    # "Saved %(count)d files to {dest} in %.2f s" -> "Saved   files to   in   s"
    ('logger.info("Saved %(count)d files to {dest} in %.2f s", n)', ("saved", "files", "to", "in", "s")),
    # f-string: only the text parts "Loaded " and " rows from "
    ('logger.info(f"Loaded {n} rows from {path!r}")', ("loaded", "rows", "from")),
    # "a" + ("b %s" % x): % binds tighter; the right side of % is not message text
    ('logger.info("A" + "b %s" % "quoted")', ("a", "b")),
    # %% is a placeholder for a literal percent sign, removed like the others
    ('logger.info("100%% done")', ("100", "done")),
    ('logger.info("{}: {0!r:>10} ok".format(a, b))', ("ok",)),
    ('logger.info(message)', ()),
])
def test_message_words_drop_placeholders_and_interpolations(statement, words):
    assert metrics.parse_statement(statement).message == words


def test_parse_statement_level_logger_and_names():
    parts = metrics.parse_statement('self.logger.exception("Lost %s", conn.peer, exc_info=err)')
    assert (parts.parses, parts.is_log_call, parts.level, parts.logger) == (True, True, "exception", "self.logger")
    assert parts.names == {"self", "conn", "err"}
    assert metrics.parse_statement("logger.log(logging.WARNING, 'x')").level == "warning"


def test_a_cut_off_statement_is_read_for_scoring_but_does_not_parse():
    parts = metrics.parse_statement('logger.info("Connecting to %s",')
    assert (parts.parses, parts.is_log_call, parts.level) == (False, True, "info")
    assert parts.message == ("connecting", "to")
    assert metrics.parse_statement("if x ==").is_log_call is False
    assert metrics.parse_statement("").parses is False


# ----------------------------------------------------------------------------- set scores


def test_set_scores():
    # predicted {a,b,c}, expected {b,c,d,e}: 2 in common, P = 2/3, R = 2/4, F1 = 2PR/(P+R) = (2/3)/(7/6) = 4/7
    precision, recall, f1 = metrics.set_scores({"a", "b", "c"}, {"b", "c", "d", "e"})
    assert (precision, recall) == pytest.approx((2 / 3, 0.5))
    assert f1 == pytest.approx(4 / 7)
    assert metrics.set_scores(set(), set()) == (1.0, 1.0, 1.0)
    assert metrics.set_scores(set(), {"a"}) == (0.0, 0.0, 0.0)
    assert metrics.set_scores({"a"}, set()) == (0.0, 0.0, 0.0)
    assert metrics.set_scores({"a"}, {"b"}) == (0.0, 0.0, 0.0)


# ----------------------------------------------------------------------------- BLEU-4 and ROUGE-L

FAILED = ("failed", "to", "connect", "to", "server")
COULD_NOT = ("could", "not", "connect", "to", "server")


def test_bleu4_by_hand():
    # p1: clipped unigrams failed 0, to min(2,1)=1, connect 1, server 1 -> 3/5
    # p2: bigrams of hyp (failed,to)(to,connect)(connect,to)(to,server); 2 in ref -> (2+1)/(4+1) = 3/5
    # p3: trigrams of hyp: 3, only (connect,to,server) in ref -> (1+1)/(3+1) = 1/2
    # p4: 4-grams of hyp: 2, none in ref -> (0+1)/(2+1) = 1/3
    # BP = exp(1 - 5/5) = 1; BLEU = (0.6 * 0.6 * 0.5 * 1/3) ** (1/4) = 0.06 ** 0.25 = 0.494924
    assert metrics.bleu4(FAILED, COULD_NOT) == pytest.approx(0.494924, abs=1e-6)


def test_bleu4_edges():
    # a two-word exact match: p1 = 1, p2 = (1+1)/(1+1), p3 = p4 = (0+1)/(0+1) -> 1
    assert metrics.bleu4(("connection", "lost"), ("connection", "lost")) == pytest.approx(1.0)
    # shorter hypothesis: all pn = 1 as above, BP = exp(1 - 4/2) = exp(-1)
    assert metrics.bleu4(("connection", "lost"), ("connection", "lost", "to", "server")) == pytest.approx(math.exp(-1))
    assert metrics.bleu4((), ()) == 1.0
    assert metrics.bleu4(("a",), ()) == 0.0
    assert metrics.bleu4(("a", "b"), ("c", "d")) == 0.0  # no unigram in common


def test_rouge_l_by_hand():
    # LCS(failed to connect to server, could not connect to server) = connect to server = 3; P = R = 3/5 -> F = 0.6
    assert metrics.rouge_l(FAILED, COULD_NOT) == pytest.approx(0.6)
    # LCS(a b c, a x c d) = a c = 2; P = 2/3, R = 2/4; F = 2 * (1/3) / (7/6) = 4/7
    assert metrics.rouge_l(("a", "b", "c"), ("a", "x", "c", "d")) == pytest.approx(4 / 7)
    assert metrics.rouge_l((), ()) == 1.0
    assert metrics.rouge_l((), ("a",)) == 0.0
    assert metrics.rouge_l(("a",), ("b",)) == 0.0


# ----------------------------------------------------------------------------- validity and scope

SITE = textwrap.dedent('''\
    import logging
    from os import path as os_path

    logger = logging.getLogger(__name__)
    LIMIT = 3


    def outer(path, *args, retries=2, **kw):
        total = 0
        for item in args:
            total += item
        try:
            with open(path) as handle:
                data = handle.read()
        except OSError as err:
            {except_line}
        later = 1

        def inner():
            {inner_line}

        return total


    class Client:
        def send(self, payload):
            {method_line}
    ''')
EXCEPT_LINE, INNER_LINE, METHOD_LINE = 15, 19, 26


def masked(except_line="", inner_line="pass", method_line="pass"):
    return SITE.format(except_line=except_line, inner_line=inner_line, method_line=method_line)


def test_parses_at_site():
    source = masked()
    assert source.split("\n")[EXCEPT_LINE] == "        "
    assert metrics.parses_at_site(source, EXCEPT_LINE, 'logger.exception("Cannot read %s", path)') is True
    multi_line = 'logger.error(\n        "Cannot read %s",\n    path,\n)'
    assert metrics.parses_at_site(source, EXCEPT_LINE, multi_line) is True
    assert metrics.parses_at_site(source, EXCEPT_LINE, 'logger.error("Cannot read %s", path') is False
    assert metrics.parses_at_site(source, EXCEPT_LINE, "") is False
    assert metrics.parses_at_site(source, EXCEPT_LINE, None) is False


@pytest.mark.parametrize(("line", "statement", "expected"), [
    # parameters (positional, *args, keyword-only, **kw), an earlier assignment, a module constant
    (EXCEPT_LINE, 'logger.error("%s %s %s %s %s %s", path, args, retries, kw, total, LIMIT)', True),
    # bound by `except ... as`, `with ... as`, `for`, an import alias, a builtin
    (EXCEPT_LINE, 'logger.error("%s %s %s %s", err, handle, item, os_path.sep, len(args))', True),
    (EXCEPT_LINE, 'logger.error("%s", later)', False),  # assigned after the site
    (EXCEPT_LINE, 'logger.error("%s", self.host)', False),  # no `self` in a plain function
    (EXCEPT_LINE, 'log.error("%s", err)', False),  # the logger itself must exist
    (EXCEPT_LINE, 'logger.error("%s", [a for a in args])', True),  # a comprehension binds its own names
    (INNER_LINE, 'logger.debug("%s %s", later, path)', True),  # a closure sees all its outer function binds
    (METHOD_LINE, 'logger.debug("%s %s", self.host, payload)', True),  # attributes of a bound name
    (METHOD_LINE, 'logger.debug("%s", total)', False),  # another function's local
    (EXCEPT_LINE, 'logger.error("%s", path', False),  # does not parse at the site
])
def test_names_in_scope(line, statement, expected):
    blank = {EXCEPT_LINE: "except_line", INNER_LINE: "inner_line", METHOD_LINE: "method_line"}[line]
    source = masked(**{"except_line": "pass", "inner_line": "pass", "method_line": "pass", blank: ""})
    assert metrics.names_in_scope(source, line, statement) is expected


def test_names_bound_by_the_edits_that_come_with_a_suggestion():
    source = "import os\n\ndef f(path):\n    \n"
    statement = 'logger.info("Removing %s", path)'
    assert metrics.names_in_scope(source, 3, statement) is False
    added = scope.names_bound_by("import logging\n") | scope.names_bound_by("\nlogger = logging.getLogger(__name__)\n")
    assert added == {"logging", "logger"}
    assert metrics.names_in_scope(source, 3, statement, frozenset(added)) is True
    assert metrics.score_case(statement, statement, source, 3, frozenset(added)).in_scope is True
    assert scope.names_bound_by("logger = (") == set()


def test_edits_that_read_a_name_the_file_never_bound_bind_nothing():
    statement = 'logger.info("Removing %s", path)'
    definition = "\nlogger = logging.getLogger(__name__)\n"
    only_from = "from logging import Handler\n\ndef f(path):\n    \n"
    assert scope.names_setup_binds(only_from, [definition]) == set()  # NameError when the module loads
    assert metrics.safety_problem(only_from, 3, statement, frozenset()) == "not bound on every path here: logger"
    assert scope.names_setup_binds(only_from, ["import logging\n", definition]) == {"logging", "logger"}
    assert scope.names_setup_binds("import logging.handlers\n\ndef f(path):\n    \n", [definition]) == {"logger"}
    assert scope.names_setup_binds(only_from, []) == set()


def test_a_star_import_binds_anything():
    source = "from os.path import *\n\ndef f():\n    \n"
    assert metrics.names_in_scope(source, 3, 'logging.info("%s", join)') is True


# ----------------------------------------------------------------------------- acceptable, percentiles


def test_acceptable_thresholds():
    assert metrics.acceptable(True, 0.5, 0.3) is True
    assert metrics.acceptable(True, 0.49, 1.0) is False
    assert metrics.acceptable(True, 1.0, 0.29) is False
    assert metrics.acceptable(False, 1.0, 1.0) is False


def test_nearest_rank_percentiles():
    values = [50, 15, 40, 20, 35]  # sorted: 15 20 35 40 50
    assert metrics.percentile(values, 50) == 35  # rank ceil(0.50 * 5) = 3
    assert metrics.percentile(values, 95) == 50  # rank ceil(0.95 * 5) = 5
    assert metrics.percentile(values, 30) == 20  # rank ceil(0.30 * 5) = 2
    assert metrics.percentile(list(range(1, 101)), 99) == 99  # rank 99
    assert metrics.percentile([7], 99) == 7
    assert metrics.percentile([], 50) is None
    assert metrics.latency_summary([50, 15, 40, 20, 35]) == {"n": 5, "p50": 35, "p95": 50, "p99": 50, "mean": 32.0}


def test_paired_interval_of_differences():
    assert metrics.paired_interval([]) is None
    assert metrics.paired_interval([0.25] * 7) == (0.25, 0.25)  # every resample has the same mean
    # [1, 0, 0]: a resample of 3 has no 1 with chance (2/3)^3 = 30 % (mean 0), only 1s with chance
    # (1/3)^3 = 3.7 %, more than the 2.5 % tail: the 95 % interval runs from 0 to 1.
    assert metrics.paired_interval([1.0, 0.0, 0.0]) == (0.0, 1.0)
    differences = [0.1, -0.2, 0.3, 0.0, 0.05] * 20  # mean 0.05
    low, high = metrics.paired_interval(differences)
    assert low < 0.05 < high and high - low < 0.2
    assert metrics.paired_interval(differences) == (low, high)  # seeded: a recomputed report agrees
    narrow = metrics.paired_interval(differences, confidence=0.5)
    assert low <= narrow[0] <= narrow[1] <= high


# ----------------------------------------------------------------------------- one case, end to end


def test_score_case_by_hand():
    source = masked()
    score = metrics.score_case('logger.warn("Could not connect to %s", path)',
                               'logger.warning("Failed to connect to %s after %d tries", path, retries)',
                               source, EXCEPT_LINE)
    assert (score.level_strict, score.level_lenient, score.level_distance) == (True, True, 0)  # warn = warning
    # variables {path} vs {path, retries}: P = 1, R = 1/2, F1 = 2 * 0.5 / 1.5 = 2/3
    assert (score.variable_precision, score.variable_recall) == (1.0, 0.5)
    assert score.variable_f1 == pytest.approx(2 / 3)
    # words: could not connect to | failed to connect to after tries; LCS "connect to" = 2,
    # P = 2/4, R = 2/6, F = 2 * (1/6) / (5/6) = 0.4
    assert score.rouge_l == pytest.approx(0.4)
    # BLEU: p1 = 2/4 (connect, to); p2 = (1+1)/(3+1) (connect to); p3 = 1/3; p4 = 1/2; BP = exp(1 - 6/4)
    expected_bleu = math.exp(1 - 6 / 4) * (0.5 * 0.5 * (1 / 3) * 0.5) ** 0.25
    assert score.bleu4 == pytest.approx(expected_bleu)
    assert (score.parses, score.in_scope, score.acceptable) == (True, True, True)


def test_score_case_of_a_statement_that_is_not_a_log_call():
    source = masked()
    # expected has no variables and no message; a `pass` would "match" both empty sets, but is no log call
    score = metrics.score_case("pass", "logger.exception(msg)", source, EXCEPT_LINE)
    assert (score.is_log_call, score.level_lenient, score.variable_f1, score.rouge_l, score.bleu4) == (False, False, 0.0, 0.0, 0.0)
    assert (score.parses, score.in_scope, score.acceptable) == (True, True, False)
    nothing = metrics.score_case(None, "logger.exception(msg)", source, EXCEPT_LINE)
    assert (nothing.parses, nothing.in_scope, nothing.acceptable) == (False, False, False)


def test_summarise_means_and_shares():
    source = masked()
    right = metrics.score_case('logger.error("Cannot read %s", path)', 'logger.error("Cannot read %s", path)', source, EXCEPT_LINE)
    wrong = metrics.score_case('logger.debug("x")', 'logger.exception("Cannot read %s", path)', source, EXCEPT_LINE)
    summary = metrics.summarise([right, wrong])
    assert summary["n"] == 2
    assert summary["level_accuracy"] == 0.5  # (1 + 0) / 2
    assert summary["level_distance"] == 1.5  # (0 + |0 - 3|) / 2
    assert summary["variable_f1"] == 0.5  # (1 + 0) / 2
    assert summary["acceptable"] == 0.5


# ----------------------------------------------------------------------------- safe


@pytest.mark.parametrize(("line", "statement", "problem"), [
    (EXCEPT_LINE, 'logger.exception("Cannot read %s (%d of %d)", path, len(args), LIMIT)', None),
    # `retries=2` has no annotation: any value may be passed
    (EXCEPT_LINE, 'logger.error("%d tries", retries)', "placeholders: %d for retries, which may not be a number"),
    (EXCEPT_LINE, "# nothing to say", "does not compile at the site"),  # the handler is left without a body
    # `data` is assigned only in the try body: the handler may start before it
    (EXCEPT_LINE, 'logger.error("Cannot read %s: %s", path, data)', "not bound on every path here: data"),
    # `item` is bound only inside the for loop's body, which may run zero times
    (EXCEPT_LINE, 'logger.error("Last item %s", item)', "not bound on every path here: item"),
    (EXCEPT_LINE, 'logger.error("Cannot read %s", path, err)', "placeholders: 1 placeholders for 2 values"),
    (EXCEPT_LINE, 'logger.error("Cannot read %d", path)', "placeholders: %d for path, which may not be a number"),
    (EXCEPT_LINE, "break", "does not compile at the site: 'break' outside loop"),
    (EXCEPT_LINE, 'logger.error("x"', "does not compile at the site"),
    (INNER_LINE, 'logger.debug("%s %s", later, path)', None),  # closures see the whole outer function
    (METHOD_LINE, 'logger.debug("%s", self.host)', None),
])
def test_safety_problem(line, statement, problem):
    blank = {EXCEPT_LINE: "except_line", INNER_LINE: "inner_line", METHOD_LINE: "method_line"}[line]
    source = masked(**{"except_line": "pass", "inner_line": "pass", "method_line": "pass", blank: ""})
    found = metrics.safety_problem(source, line, statement)
    if problem is None or "compile" not in problem:
        assert found == problem
    else:
        assert found.startswith(problem)


def test_safe_needs_a_reachable_site_and_counts_the_names_added_edits_bind():
    source = "def f(path):\n    return path\n    \n"
    assert metrics.safety_problem(source, 2, 'print(path)').startswith("the site cannot run")
    source = "def f(path):\n    \n    return path\n"
    assert metrics.safety_problem(source, 1, "# only a comment: nothing runs") is None
    assert metrics.safety_problem(source, 1, 'logger.info("%s", path)') == "not bound on every path here: logger"
    assert metrics.safety_problem(source, 1, 'logger.info("%s", path)', frozenset({"logger"})) is None


def test_safe_is_a_share_of_the_suggestions_made():
    source = masked()
    good = metrics.score_case('logger.error("Cannot read %s", path)', 'logger.error("x")', source, EXCEPT_LINE)
    bad = metrics.score_case('logger.error("Cannot read %s", data)', 'logger.error("x")', source, EXCEPT_LINE)
    none = metrics.score_case(None, 'logger.error("x")', source, EXCEPT_LINE)
    assert (good.safe, good.safety_problem) == (True, None)
    assert (bad.safe, bad.in_scope) == (False, True)  # in scope (bound earlier in the text), but not on every path
    assert bad.safety_problem == "not bound on every path here: data"
    assert (none.safe, none.safety_problem) == (None, None)
    summary = metrics.summarise([good, bad, none])
    assert (summary["safe"], summary["safe_n"]) == (0.5, 2)  # 1 of the 2 suggestions made
    stored = {k: v for k, v in dataclasses.asdict(good).items() if k not in ("safe", "safety_problem")}
    assert metrics.summarise([metrics.CaseScore(**stored)])["safe"] is None  # rows scored before the metric
