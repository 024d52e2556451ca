"""A statement formats at run time: placeholders match its arguments, and a numeric conversion
(`%d`, `{:d}`, `{x:.2f}`) only formats a value known to be a number (logsmith.engines.statement)."""

import ast
import logging
import textwrap

import pytest

from logsmith.engines.statement import format_problem, with_safe_formats
from logsmith.syntax.site import parse_for_site, site_at

SOURCE = textwrap.dedent("""
    def quantity(sku: str, rows, count: int):
        cursor = open_cursor()
        n = len(rows)
        pass
    """)
LINE = SOURCE.split("\n").index("    pass")


@pytest.fixture(scope="module")
def site():
    return site_at(parse_for_site(SOURCE, LINE, 4), LINE, 4)


def problem(statement: str, site, message_format: str = "percent"):
    return format_problem(ast.parse(statement).body[0].value, site, message_format)


def test_percent_d_for_a_string_becomes_percent_s(site):
    # store.quantity once logged `"Loaded %d, cursor=%s", sku, cursor` with a string sku
    fixed = with_safe_formats('logger.debug("Loaded %d, cursor=%s", sku, cursor)', site)
    assert fixed == 'logger.debug("Loaded %s, cursor=%s", sku, cursor)'
    assert problem(fixed, site) is None


def test_percent_d_stays_for_numbers(site):
    for statement in ('log.info("Loaded %d rows", n)', 'log.info("Loaded %d rows", count)',
                      'log.info("Loaded %d rows", len(rows))', 'log.info("%.2f%% done", n / 3)'):
        assert with_safe_formats(statement, site) == statement
        assert problem(statement, site) is None


def test_format_specs_in_fstrings_and_format_calls(site):
    assert with_safe_formats('log.info(f"Loaded {sku:d} of {n:d}")', site) == 'log.info(f"Loaded {sku} of {n:d}")'
    assert with_safe_formats('log.info("Loaded {:.2f}".format(sku))', site) == 'log.info("Loaded {}".format(sku))'
    assert problem('log.info(f"Loaded {sku:d}")', site, "fstring") is not None
    assert problem('log.info("Loaded {:d}".format(n))', site, "format") is None


def test_placeholder_and_argument_counts_must_match(site):
    assert "2 placeholders for 1 arguments" in problem('log.info("Loaded %s from %s", sku)', site)
    assert "1 placeholders for 2 arguments" in problem('log.info("Loaded %s", sku, cursor)', site)
    assert problem('log.info("Loaded %s")', site) == "placeholders without arguments"
    assert problem('log.info("100%% done: %s", sku)', site) is None
    assert problem('log.info("Loaded {} from {}".format(sku))', site, "format") is not None


def test_a_fixed_statement_really_formats(site):
    fixed = with_safe_formats('logger.debug("Loaded %d, cursor=%s", sku, cursor)', site)
    call = ast.parse(fixed).body[0].value
    record = logging.LogRecord("t", logging.DEBUG, __file__, 1, call.args[0].value, ("A1", object()), None)
    assert record.getMessage().startswith("Loaded A1, cursor=")
