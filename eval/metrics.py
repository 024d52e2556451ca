"""Metrics that compare a suggested log statement with the one the developer wrote.

Pure functions, no I/O. The definitions are written out in eval/README.md; in short:
level accuracy (strict, and with exception == error), ordinal level distance, variable set
precision / recall / F1, BLEU-4 and ROUGE-L over the static message text, validity (parses at
the site), names in scope, "safe" (compiles at the site, every value bound on every path there,
placeholders that fit their values: eval.checks.definite_binding and eval.checks.placeholders),
"acceptable", nearest-rank latency percentiles, and a bootstrap interval for the difference of two
engines measured on the same cases.
"""

from __future__ import annotations

import ast
import math
import random
import re
import textwrap
import warnings
from collections import Counter
from dataclasses import dataclass, field

from eval.checks import definite_binding, placeholders, scope

LEVEL_ORDER = {"debug": 0, "info": 1, "warning": 2, "error": 3, "exception": 3, "critical": 4}
LEVEL_ALIASES = {"warn": "warning", "fatal": "critical"}
# `logger.log(logging.INFO, ...)`: the level constant's name.
_LEVEL_CONSTANTS = {"DEBUG": "debug", "INFO": "info", "WARNING": "warning", "WARN": "warning",
                    "ERROR": "error", "CRITICAL": "critical", "FATAL": "critical"}
ACCEPTABLE_VARIABLE_F1 = 0.5
ACCEPTABLE_ROUGE_L = 0.3

_PERCENT_PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[#0 +\-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?[diouxXeEfFgGcrsab%]")
_BRACE_PLACEHOLDER = re.compile(r"\{[^{}]*\}")
_WORD = re.compile(r"\w+")
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


def normalise_level(level: str | None) -> str | None:
    """Lower-cased level with warn -> warning and fatal -> critical; None if it is not a level."""
    if not level:
        return None
    level = LEVEL_ALIASES.get(level.lower(), level.lower())
    return level if level in LEVEL_ORDER else None


@dataclass(frozen=True)
class StatementParts:
    """What the metrics read from one statement's text."""

    parses: bool
    """The text alone is valid Python (before any repair)."""
    is_log_call: bool
    level: str | None = None
    """Normalised level (exception kept apart from error), None when there is no log call."""
    logger: str | None = None
    variables: frozenset[str] = frozenset()
    message: tuple[str, ...] = ()
    """Lower-cased words of the static message text."""
    names: frozenset[str] = frozenset()
    """Every name the statement reads (the bases of dotted chains), minus names it binds itself."""


def _closers(text: str) -> str:
    """The quote and brackets that would close what `text` leaves open (a rough scanner)."""
    stack: list[str] = []
    quote = None
    index = 0
    pairs = {"(": ")", "[": "]", "{": "}"}
    while index < len(text):
        char = text[index]
        if quote:
            if char == "\\":
                index += 2
                continue
            if text.startswith(quote, index):
                index += len(quote)
                quote = None
                continue
        elif char in "'\"":
            quote = text[index:index + 3] if text[index:index + 3] in ("'''", '"""') else char
            index += len(quote)
            continue
        elif char == "#":
            newline = text.find("\n", index)
            index = len(text) if newline < 0 else newline
            continue
        elif char in pairs:
            stack.append(pairs[char])
        elif char in ")]}" and stack and stack[-1] == char:
            stack.pop()
        index += 1
    return (quote or "") + "".join(reversed(stack))


def _parse_leniently(text: str) -> tuple[ast.Module | None, bool]:
    """The parsed text and whether it parsed as is; a cut-off statement is closed for scoring only."""
    try:
        return ast.parse(text), True
    except (SyntaxError, ValueError):
        pass
    for attempt in (text + _closers(text), text.rstrip().rstrip(",%+") + _closers(text.rstrip().rstrip(",%+"))):
        try:
            return ast.parse(attempt), False
        except (SyntaxError, ValueError):
            continue
    return None, False


def _chain(node: ast.AST) -> str | None:
    """`a.b.c` for a Name/Attribute chain rooted at a name, else None."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _chain(node.value)
        return f"{base}.{node.attr}" if base else None
    return None


def _variables(node: ast.AST, found: set[str]) -> None:
    """Name chains read by an argument; called functions are not variables, their receivers are."""
    if isinstance(node, (ast.Name, ast.Attribute)):
        chain = _chain(node)
        if chain:
            found.add(chain)
        elif isinstance(node, ast.Attribute):
            _variables(node.value, found)
        return
    if isinstance(node, ast.Call):
        function = node.func
        if isinstance(function, ast.Attribute):
            receiver = _chain(function.value)
            if receiver:
                found.add(receiver)
            else:
                _variables(function.value, found)
        elif not isinstance(function, ast.Name):
            _variables(function, found)
        for argument in node.args:
            _variables(argument, found)
        for keyword in node.keywords:
            _variables(keyword.value, found)
        return
    if isinstance(node, _COMPREHENSIONS + (ast.Lambda,)):
        inner: set[str] = set()
        for child in ast.iter_child_nodes(node):
            _variables(child, inner)
        local = _bound_inside(node)
        found.update(name for name in inner if name.split(".")[0] not in local)
        return
    for child in ast.iter_child_nodes(node):
        _variables(child, found)


def _bound_inside(node: ast.AST) -> set[str]:
    """Names a comprehension, lambda or walrus inside `node` binds."""
    names = set()
    for inner in ast.walk(node):
        if isinstance(inner, ast.Name) and isinstance(inner.ctx, ast.Store):
            names.add(inner.id)
        elif isinstance(inner, ast.arg):
            names.add(inner.arg)
    return names


def remove_placeholders(text: str) -> str:
    """Drop `%s`, `%(name)s`, `%-5.2f`, `%%`, `{}`, `{name}`, `{0!r:>10}` from a message."""
    return _BRACE_PLACEHOLDER.sub(" ", _PERCENT_PLACEHOLDER.sub(" ", text))


def _message_strings(node: ast.AST, found: list[str]) -> None:
    """Static text of a message argument: literals, f-string text parts, `+` operands,
    the left side of `%`, and the string `.format` is called on."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        found.append(remove_placeholders(node.value))
    elif isinstance(node, ast.JoinedStr):
        for part in node.values:
            if isinstance(part, ast.Constant) and isinstance(part.value, str):
                found.append(remove_placeholders(part.value))
    elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        _message_strings(node.left, found)
        _message_strings(node.right, found)
    elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        _message_strings(node.left, found)
    elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format"
          and isinstance(node.func.value, (ast.Constant, ast.JoinedStr))):
        _message_strings(node.func.value, found)


def message_words(text: str) -> tuple[str, ...]:
    """Lower-cased words (`\\w+` runs) of a message text."""
    return tuple(_WORD.findall(text.lower()))


def _call_level(call: ast.Call) -> str | None:
    function = call.func
    if not isinstance(function, ast.Attribute):
        return None
    if function.attr == "log" and call.args:
        first = call.args[0]
        constant = first.attr if isinstance(first, ast.Attribute) else getattr(first, "id", None)
        return _LEVEL_CONSTANTS.get(constant or "")
    return normalise_level(function.attr)


def _first_log_call(tree: ast.AST) -> ast.Call | None:
    calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call) and _call_level(node)]
    return min(calls, key=lambda node: (node.lineno, node.col_offset), default=None)


def _names_read(tree: ast.AST) -> frozenset[str]:
    read = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)}
    return frozenset(read - _bound_inside_scopes(tree))


def _bound_inside_scopes(tree: ast.AST) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, _COMPREHENSIONS + (ast.Lambda, ast.NamedExpr)):
            names |= _bound_inside(node)
    return names


def parse_statement(text: str | None) -> StatementParts:
    """Level, logger, variables, message words and names of a statement's text."""
    text = (text or "").strip()
    if not text:
        return StatementParts(parses=False, is_log_call=False)
    tree, parses = _parse_leniently(text)
    if tree is None:
        return StatementParts(parses=False, is_log_call=False)
    call = _first_log_call(tree)
    names = _names_read(tree)
    if call is None:
        return StatementParts(parses=parses, is_log_call=False, names=names)
    arguments = list(call.args)
    if isinstance(call.func, ast.Attribute) and call.func.attr == "log":
        arguments = arguments[1:]
    variables: set[str] = set()
    for argument in arguments:
        _variables(argument, variables)
    for keyword in call.keywords:
        _variables(keyword.value, variables)
    strings: list[str] = []
    for argument in arguments:
        _message_strings(argument, strings)
    return StatementParts(
        parses=parses,
        is_log_call=True,
        level=_call_level(call),
        logger=ast.unparse(call.func.value),
        variables=frozenset(variables),
        message=message_words(" ".join(strings)),
        names=names,
    )


def level_match(predicted: str | None, expected: str | None, *, strict: bool = True) -> bool:
    """Same normalised level; with strict=False, exception and error count as the same."""
    predicted, expected = normalise_level(predicted), normalise_level(expected)
    if predicted is None or expected is None:
        return False
    if not strict:
        predicted = "error" if predicted == "exception" else predicted
        expected = "error" if expected == "exception" else expected
    return predicted == expected


def level_distance(predicted: str | None, expected: str | None) -> int | None:
    """|rank(predicted) - rank(expected)| on debug=0 info=1 warning=2 error=exception=3 critical=4."""
    predicted, expected = normalise_level(predicted), normalise_level(expected)
    if predicted is None or expected is None:
        return None
    return abs(LEVEL_ORDER[predicted] - LEVEL_ORDER[expected])


def set_scores(predicted: set | frozenset, expected: set | frozenset) -> tuple[float, float, float]:
    """Precision, recall, F1 of two sets; both empty: (1, 1, 1); one empty: (0, 0, 0)."""
    if not predicted and not expected:
        return 1.0, 1.0, 1.0
    if not predicted or not expected:
        return 0.0, 0.0, 0.0
    common = len(set(predicted) & set(expected))
    precision, recall = common / len(predicted), common / len(expected)
    f1 = 2 * precision * recall / (precision + recall) if common else 0.0
    return precision, recall, f1


def _ngrams(words: tuple[str, ...], n: int) -> Counter:
    return Counter(tuple(words[i:i + n]) for i in range(len(words) - n + 1))


def bleu4(hypothesis: tuple[str, ...], reference: tuple[str, ...]) -> float:
    """Sentence BLEU-4, uniform weights, brevity penalty, add-one smoothing for n = 2..4.

    p1 = clipped unigram matches / hypothesis unigrams; for n >= 2,
    pn = (clipped n-gram matches + 1) / (hypothesis n-grams + 1) (Lin & Och 2004).
    BLEU = BP * exp(mean(log pn)), BP = 1 if c > r else exp(1 - r / c).
    Both empty: 1; one empty (or p1 = 0): 0.
    """
    if not hypothesis and not reference:
        return 1.0
    if not hypothesis or not reference:
        return 0.0
    logs = []
    for n in range(1, 5):
        hyp, ref = _ngrams(hypothesis, n), _ngrams(reference, n)
        matches = sum(min(count, ref[gram]) for gram, count in hyp.items())
        total = sum(hyp.values())
        if n == 1:
            if matches == 0:
                return 0.0
            logs.append(math.log(matches / total))
        else:
            logs.append(math.log((matches + 1) / (total + 1)))
    c, r = len(hypothesis), len(reference)
    brevity = 1.0 if c > r else math.exp(1 - r / c)
    return brevity * math.exp(sum(logs) / 4)


def _lcs_length(a: tuple[str, ...], b: tuple[str, ...]) -> int:
    previous = [0] * (len(b) + 1)
    for x in a:
        current = [0]
        for j, y in enumerate(b, 1):
            current.append(previous[j - 1] + 1 if x == y else max(previous[j], current[j - 1]))
        previous = current
    return previous[-1]


def rouge_l(hypothesis: tuple[str, ...], reference: tuple[str, ...]) -> float:
    """ROUGE-L F1: P = LCS / |hyp|, R = LCS / |ref|, F = 2PR / (P + R); both empty 1, one empty 0."""
    if not hypothesis and not reference:
        return 1.0
    if not hypothesis or not reference:
        return 0.0
    lcs = _lcs_length(hypothesis, reference)
    if lcs == 0:
        return 0.0
    precision, recall = lcs / len(hypothesis), lcs / len(reference)
    return 2 * precision * recall / (precision + recall)


def insert_statement(masked_source: str, line: int, statement: str) -> str:
    """`masked_source` with line `line` replaced by its indentation followed by `statement`."""
    lines = masked_source.split("\n")
    current = lines[line]
    indent = current[: len(current) - len(current.lstrip())]
    lines[line] = indent + statement.strip()
    return "\n".join(lines)


def parses_at_site(masked_source: str, line: int, statement: str | None) -> bool:
    """The file parses with the statement written at the site."""
    if not statement or not statement.strip():
        return False
    try:
        ast.parse(insert_statement(masked_source, line, statement))
    except (SyntaxError, ValueError):
        return False
    return True


def names_in_scope(masked_source: str, line: int, statement: str | None, also_bound: frozenset[str] = frozenset()) -> bool:
    """Every name the statement reads is bound at the site (False when it does not parse there);
    `also_bound`: names the suggestion's additional edits bind (an added `logger = ...`)."""
    if not parses_at_site(masked_source, line, statement):
        return False
    filled = insert_statement(masked_source, line, statement)
    current = masked_source.split("\n")[line]
    column = len(current) - len(current.lstrip())
    return not scope.unbound(filled, line, column, set(parse_statement(statement).names)) - set(also_bound)


def safety_problem(masked_source: str, line: int, statement: str | None,
                   also_bound: frozenset[str] = frozenset()) -> str | None:
    """Why the statement written at the site would not run safely, or None when it would: the file
    must compile with it there (`break` outside a loop does not), the site must be reachable, every
    name the statement reads must be bound on every path to it (eval.checks.definite_binding;
    `also_bound`: names the suggestion's additional edits bind), and its placeholders must fit its
    values (eval.checks.placeholders)."""
    if not statement or not statement.strip():
        return "no suggestion"
    filled = insert_statement(masked_source, line, statement)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escapes and the like in the project's own code
            compile(filled, "<site>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError) as exc:
        return f"does not compile at the site: {getattr(exc, 'msg', exc)}"
    current = masked_source.split("\n")[line]
    try:
        point = definite_binding.point_at(filled, line, len(current) - len(current.lstrip()))
    except definite_binding.NoStatement:
        return None  # only a comment: nothing runs
    if not point.reachable:
        return "the site cannot run (it follows a return, raise, continue or break)"
    missing = sorted(name for name in parse_statement(statement).names
                     if name not in also_bound and not point.is_bound(name))
    if missing:
        return "not bound on every path here: " + ", ".join(missing)
    tree: ast.AST
    try:
        tree = ast.parse(textwrap.dedent(statement.strip()))
    except SyntaxError:
        tree = point.statement
    problem = placeholders.statement_problem(tree, point)
    return None if problem is None else f"placeholders: {problem}"


def acceptable(level_right: bool, variable_f1: float, rouge: float) -> bool:
    """Level right (exception == error), variable F1 >= 0.5 and ROUGE-L >= 0.3."""
    return level_right and variable_f1 >= ACCEPTABLE_VARIABLE_F1 and rouge >= ACCEPTABLE_ROUGE_L


def percentile(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile: the ceil(p / 100 * n)-th smallest value (1-based); None if empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


BOOTSTRAP_SAMPLES = 2000


def paired_interval(differences: list[float], *, confidence: float = 0.95, samples: int = BOOTSTRAP_SAMPLES,
                    seed: int = 0) -> tuple[float, float] | None:
    """Percentile-bootstrap interval of the mean of per-case differences (one engine's score minus
    another's on the same case): the cases are drawn again with replacement `samples` times, and
    the interval holds the middle `confidence` of the means. An interval that spans zero says that
    another sample of cases of the same size could reverse the difference. Seeded: a report
    recomputed from the same rows shows the same interval. None without cases."""
    if not differences:
        return None
    draw = random.Random(seed).choices
    count = len(differences)
    means = [sum(draw(differences, k=count)) / count for _ in range(samples)]
    tail = 100 * (1 - confidence) / 2
    return percentile(means, tail), percentile(means, 100 - tail)


@dataclass(frozen=True)
class CaseScore:
    """All metrics of one suggested statement against the developer's."""

    predicted_level: str | None
    expected_level: str | None
    level_strict: bool
    level_lenient: bool
    level_distance: int | None
    variable_precision: float
    variable_recall: float
    variable_f1: float
    bleu4: float
    rouge_l: float
    parses: bool
    in_scope: bool
    is_log_call: bool
    acceptable: bool
    predicted_variables: tuple[str, ...] = field(default=())
    expected_variables: tuple[str, ...] = field(default=())
    safe: bool | None = None
    """`safety_problem` found nothing; None without a suggestion (and in rows scored before the metric)."""
    safety_problem: str | None = None


def score_case(predicted: str | None, expected: str, masked_source: str, line: int,
               also_bound: frozenset[str] = frozenset()) -> CaseScore:
    """Score `predicted` (None: no suggestion) against `expected` at line `line` of `masked_source`.

    A prediction that is no log call scores 0 on level, variables, BLEU and ROUGE (it may still parse).
    `also_bound`: names bound by the edits that come with the suggestion (see `names_in_scope`).
    """
    got, want = parse_statement(predicted), parse_statement(expected)
    problem = safety_problem(masked_source, line, predicted, also_bound)
    suggested = bool(predicted and predicted.strip())
    if got.is_log_call:
        precision, recall, f1 = set_scores(got.variables, want.variables)
        rouge, bleu = rouge_l(got.message, want.message), bleu4(got.message, want.message)
    else:  # not a log statement at all: nothing of it matches, whatever the expected one holds
        precision = recall = f1 = rouge = bleu = 0.0
    lenient = level_match(got.level, want.level, strict=False)
    return CaseScore(
        predicted_level=got.level,
        expected_level=want.level,
        level_strict=level_match(got.level, want.level, strict=True),
        level_lenient=lenient,
        level_distance=level_distance(got.level, want.level),
        variable_precision=precision,
        variable_recall=recall,
        variable_f1=f1,
        bleu4=bleu,
        rouge_l=rouge,
        parses=parses_at_site(masked_source, line, predicted),
        in_scope=names_in_scope(masked_source, line, predicted, also_bound),
        is_log_call=got.is_log_call,
        acceptable=acceptable(lenient, f1, rouge),
        predicted_variables=tuple(sorted(got.variables)),
        expected_variables=tuple(sorted(want.variables)),
        safe=(problem is None) if suggested else None,
        safety_problem=problem if suggested else None,
    )


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def summarise(scores: list[CaseScore]) -> dict:
    """Means and shares over cases; a missing level counts as wrong and is left out of the distance;
    `safe` is the share of the suggestions made (`safe_n` of them)."""
    distances = [s.level_distance for s in scores if s.level_distance is not None]
    return {
        "n": len(scores),
        "level_accuracy": _mean([float(s.level_strict) for s in scores]),
        "level_accuracy_exception_is_error": _mean([float(s.level_lenient) for s in scores]),
        "level_distance": _mean([float(d) for d in distances]),
        "no_level": _mean([float(s.level_distance is None) for s in scores]),
        "variable_precision": _mean([s.variable_precision for s in scores]),
        "variable_recall": _mean([s.variable_recall for s in scores]),
        "variable_f1": _mean([s.variable_f1 for s in scores]),
        "bleu4": _mean([s.bleu4 for s in scores]),
        "rouge_l": _mean([s.rouge_l for s in scores]),
        "parses": _mean([float(s.parses) for s in scores]),
        "in_scope": _mean([float(s.in_scope) for s in scores]),
        "safe": _mean([float(s.safe) for s in scores if s.safe is not None]),
        "safe_n": sum(1 for s in scores if s.safe is not None),
        "acceptable": _mean([float(s.acceptable) for s in scores]),
    }


def latency_summary(milliseconds: list[float]) -> dict:
    """Nearest-rank p50 / p95 / p99 and the mean, in milliseconds."""
    return {
        "n": len(milliseconds),
        "p50": percentile(milliseconds, 50),
        "p95": percentile(milliseconds, 95),
        "p99": percentile(milliseconds, 99),
        "mean": _mean(milliseconds),
    }
