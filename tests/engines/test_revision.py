"""Unit tests of the second opinion on the model's arguments: `logsmith.planning.variables.reconciled` chooses
the set, `logsmith.engines.revision.with_arguments` rewrites the call, `reconcile` does both (no model)."""

from __future__ import annotations

import ast

import pytest

from logsmith.planning import variables
from logsmith.engines.revision import reconcile, with_arguments
from logsmith.pipeline import facts_of, site_at
from logsmith.planning.plan import make_plan
from logsmith.engines.statement import check
from logsmith.planning.house_style import house_style
from logsmith.syntax.document import ParsedDocument

from tests.planning.test_variables import at_marker


@pytest.mark.parametrize(("statement", "wanted", "rewritten"), [
    # a value that stays keeps its place; one that goes takes its placeholder and label along
    ('logger.info("Job %s added to store %s", job.id, store)', ("job.id",), 'logger.info("Job %s added to store", job.id)'),
    ('logger.info("Fetching %s from %s", url, link)', ("link",), 'logger.info("Fetching from %s", link)'),
    ('log.debug("id=%s name=%s", a, b)', ("b",), 'log.debug("name=%s", b)'),
    ("log.debug(\"Loaded '%s' (%d)\", a, b)", ("b",), 'log.debug("Loaded (%d)", b)'),
    ('log.error("Error %s: %s", a, exc)', ("exc",), 'log.error("Error: %s", exc)'),
    # words that only led to the value go with it
    ('log.error("Could not connect to %s", host, exc_info=True)', (), 'log.error("Could not connect", exc_info=True)'),
    # a new value is appended, never put in another's place
    ('log.error("Failed to connect", exc_info=True)', ("host",), 'log.error("Failed to connect: host=%s", host, exc_info=True)'),
    ('log.info("Job %s added: %s", job, store)', ("job", "store", "alias"), 'log.info("Job %s added: %s, alias=%s", job, store, alias)'),
    ('log.info("Got {} from {}", a, b)', ("a", "c"), 'log.info("Got {}, c={}", a, c)'),
    ('log.error("Handshake failed.", exc_info=True)', ("sock",), 'log.error("Handshake failed: sock=%s", sock, exc_info=True)'),
    ('log.info("Closing %s", conn)', ("conn", "self.name", "name"), 'log.info("Closing %s, self_name=%s, name=%s", conn, self.name, name)'),
    # f-strings carry their values in braces
    ('log.debug(f"Fetching {url} from {link.name}")', ("url",), 'log.debug(f"Fetching {url}")'),
    ('log.debug(f"Fetching {url}")', ("url", "size"), 'log.debug(f"Fetching {url}, size={size}")'),
    # an f-string left with no value is a plain string: no `f` prefix without a field
    ('log.debug(f"Loaded config from {path}")', (), 'log.debug("Loaded config")'),
    ('log.debug(F"Loaded all rows: {path}")', (), 'log.debug("Loaded all rows")'),
    # non-ASCII text before the call's parts
    ('log.debug("Müller %s für %s", a, b)', ("b",), 'log.debug("Müller für %s", b)'),
    # a value logged twice keeps its first slot
    ('log.info("Closed %s (%s)", conn, conn)', ("conn",), 'log.info("Closed %s", conn)'),
    # the same set: the statement as it was
    ('log.info("A %s and %s", a, b)', ("b", "a"), 'log.info("A %s and %s", a, b)'),
])
def test_with_arguments_keeps_the_words_and_moves_only_the_values(statement, wanted, rewritten):
    assert with_arguments(statement, wanted) == rewritten
    ast.parse(rewritten)


@pytest.mark.parametrize("statement", [
    "log.debug(msg)",  # a value logged alone: no message to rewrite
    'log.debug("%s", msg)',  # nothing would be left of the message
    'log.debug("a\\tb %s", x)',  # escapes
    'log.debug("""Long %s""", x)',
    'log.debug("Loaded %s" % x)',
    'log.debug(f"Loaded {x!r}")',
    'log.debug(f"Loaded {{x}} {y}")',
    'log.debug(f"Loaded {x:>4}")',
    'log.debug(f"Loaded {len(x)}")',
])
def test_with_arguments_leaves_shapes_it_does_not_know(statement):
    assert with_arguments(statement, ("y",)) is None


def reconcile_values(candidates, likelihoods, by_model, exception=None, keep=()):
    """`variables.reconciled` with the shipped second opinion."""
    return variables.reconciled(candidates, likelihoods, by_model, exception, keep, variables.SECOND_OPINION)


def test_with_arguments_never_leaves_a_bare_word():
    assert with_arguments('log.error("Error: %s", parser)', ()) is None
    assert with_arguments('log.error("Error: %s", parser)', ("exc",)) == 'log.error("Error: exc=%s", exc)'


def test_reconciled_adds_nothing_to_a_message_without_values_and_keeps_what_it_must():
    candidates, likelihoods = ("path", "size", "exc"), (0.9, 0.8, 0.7)
    assert reconcile_values(candidates, likelihoods, ()) == ()
    assert reconcile_values(candidates, likelihoods, (), "exc", keep=("exc",)) == ("exc",)
    # a value both opinions rate highly is added to the model's; the model's order comes first
    chosen = reconcile_values(candidates, likelihoods, ("size",))
    assert chosen[0] == "size" and "path" in chosen
    # a value only the model chose, which the ranker rates as unlikely, goes
    low = reconcile_values(("path", "size", "noise"), (0.95, 0.05, 0.01), ("noise",))
    assert "noise" not in low and low
    assert "noise" in reconcile_values(("path", "size", "noise"), (0.95, 0.05, 0.01), ("noise",), keep=("noise",))


SOURCE = '''
import logging

logger = logging.getLogger(__name__)


def save(path, data, password):
    size = len(data)
    with open(path, "w") as handle:
        handle.write(data)
    #HERE
    return size
'''


def _site_and_plan(source: str):
    text, row, col = at_marker(source)
    document = ParsedDocument(text)
    facts = facts_of(document)
    site = site_at(text, row, col, document=document)
    return text, site, make_plan(site, facts, house_style(facts))


def test_reconcile_gives_a_checked_statement_of_candidates_never_a_secret():
    _, site, plan = _site_and_plan(SOURCE)
    assert "password" not in plan.candidates and len(plan.likelihoods) == len(plan.candidates)
    statement = f'{plan.logger}.{plan.level}("Saved %s", handle)'
    result, note = reconcile(statement, site, plan)
    assert (note is None) == (result == statement)
    if note:
        assert "the model chose handle" in note
    names = set(check(result, plan, site))
    assert names <= set(plan.candidates) and "password" not in result
    assert result.startswith(f'{plan.logger}.{plan.level}("Saved')


def test_reconcile_leaves_a_statement_whose_message_the_user_typed():
    text, row, _ = at_marker(SOURCE)
    lines = text.split("\n")
    lines[row] += 'logger.info("Saved '
    typed = "\n".join(lines)
    document = ParsedDocument(typed)
    facts = facts_of(document)
    site = site_at(typed, row, len(lines[row]), document=document)
    plan = make_plan(site, facts, house_style(facts))
    statement = 'logger.info("Saved %s", handle)'
    assert reconcile(statement, site, plan) == (statement, None)
