"""eval.checks.placeholders, rule by rule: whether a statement's messages fit their values."""

from __future__ import annotations

import ast
import textwrap

import pytest

from eval.checks import definite_binding, placeholders

FILE = textwrap.dedent("""\
    import logging

    logger = logging.getLogger(__name__)
    LIMIT = 10
    NAME = "x"


    def work(items, count: int, ratio: float, label: str, maybe: int | None, *rest):
        size = len(items)
        half = size // 2
        share = size / 3
        power = size ** 2
        root = size ** 0.5
        text = "n"
        mixed = 1
        mixed = "one"
        looped = 0
        for item in items:
            SITE
            looped = str(item)
        total = 0
        total += size
        when = None
        return items
    """)


def problem(statement: str, source: str = FILE) -> str | None:
    lines = source.split("\n")
    index = next(number for number, text in enumerate(lines) if text.strip() == "SITE")
    column = len(lines[index]) - len(lines[index].lstrip())
    lines[index] = lines[index][:column] + "pass"
    found = definite_binding.point_at("\n".join(lines), index, column)
    return placeholders.statement_problem(ast.parse(statement), found)


@pytest.mark.parametrize("statement", [
    'logger.info("Saved %s to %s", item, items)',
    'logger.info("100%% of %s", item)',
    'logger.info("100% done")',  # no values: the message is not formatted
    'logger.info("Waited %*d s", size, size)',  # a * width takes a value too
    'logger.log(logging.INFO, "Saw %s", item)',  # the level is not a value
    'logger.info("%(name)s: %(n)d", {"name": item, "n": size})',
    'logger.info("Saw " + "%s", item)',
    'logger.info("Saw %s" % item)',
    'logger.info("Saw %s and %s" % (item, items))',
    'logger.info("Saw {} of {}".format(item, size))',
    'logger.info("Saw {1} of {0}".format(size, item))',
    'logger.info("Saw {what}".format(what=item))',
    'logger.info(f"Saw {item!r:>10} of {size:d}")',
    'logger.info(f"At {when:%Y-%m-%d}")',  # a spec of the value's own type, not the builtin mini-language
    'logger.exception(err)',
    'logger.info("Done", extra={"n": size}, exc_info=True)',
])
def test_fitting_placeholders(statement):
    assert problem(statement) is None


@pytest.mark.parametrize(("statement", "expected"), [
    ('logger.info("Saved %s to %s", item)', "2 placeholders for 1 values"),
    ('logger.info("Saved %s", item, items)', "1 placeholders for 2 values"),
    ('logger.error("Failed: %s")', "placeholders without values"),
    ('logger.error("Failed: %(name)s")', "placeholders without values"),
    ('logger.info("Saved %y", item)', "is not a valid %-format"),
    ('logger.info("%(name)s", item)', "%(key) conversions without a dict display"),
    ('logger.info("%(name)s %(n)s", {"name": item})', "no value for %(n)"),
    ('logger.info("%(name)s %s", {"name": item})', "mixed with positional"),
    ('logger.info("Saw %s and %s" % (item,))', "2 placeholders for 1 values"),
    ('logger.info("Saw {} of {}".format(item))', "2 placeholders for 1 values"),
    ('logger.info("Saw {} of {1}".format(item, size))', "automatic and numbered fields mixed"),
    ('logger.info("Saw {0}".format(item, size))', "fields [0] for 2 values"),
    ('logger.info("Saw {what}".format(item))', "0 placeholders for 1 values"),
    ('logger.info("Saw", item)', "0 placeholders for 1 values"),
    ('logger.info("Saw %s", *rest)', "a starred value"),
    ('logger.info(text, item)', "a message that is not a literal, with values"),
    ('logger.info(f"Saw {item}: %s", item)', "a message that is not a literal, with values"),
])
def test_placeholders_that_do_not_fit(statement, expected):
    assert expected in (problem(statement) or "")


@pytest.mark.parametrize(("value", "fits"), [
    ("3", True), ("2.5", True), ("True", True), ("-size", True),
    ("len(items)", True), ("int(item)", True), ("float(item)", True),
    ("size", True), ("half", True), ("share", True), ("power", True), ("total", True),
    ("count", True), ("ratio", True), ("LIMIT", True), ("size * 2 + LIMIT", True),
    ("item", False), ("items", False), ("text", False), ("NAME", False), ("label", False), ("maybe", False),
    ("mixed", False),  # one binding of two is a string
    ("looped", False),  # the loop brings a later string binding around to the site
    ("root", False),  # a fractional power of a negative number is complex
    ("rest", False), ("len", False), ("round(ratio)", False), ("items.count(item)", False), ("size + item", False),
])
def test_numeric_conversions_only_for_numbers(value, fits):
    assert (problem(f'logger.info("n=%d", {value})') is None) is fits
    assert (problem(f'logger.info("n={{:.1f}}".format({value}))') is None) is fits


@pytest.mark.parametrize(("statement", "fits"), [
    ('logger.info("%x", size)', True),
    ('logger.info("%x", share)', False),  # %x needs an int, not a float
    ('logger.info("%x", ratio)', False),  # an int or a float
    ('logger.info("%c", "a")', True),
    ('logger.info("{:d}".format(size))', True),
    ('logger.info("{:d}".format(share))', False),  # `d` rejects a float
    ('logger.info(f"{size!r:d}")', False),  # !r makes a string first
    ('logger.info("{:s}".format(item))', False),
    ('logger.info("{:s}".format(str(item)))', True),
    ('logger.info("{0.name:d}".format(item))', True),  # an attribute's type is not known: not judged
])
def test_conversions_that_need_an_int_or_a_string(statement, fits):
    assert (problem(statement) is None) is fits


def test_a_builtin_shadowed_in_the_file_is_not_trusted():
    shadowed = FILE.replace("LIMIT = 10\n", "LIMIT = 10\nlen = lambda value: str(value)\n")
    assert problem('logger.info("%d", len(items))') is None
    assert problem('logger.info("%d", len(items))', shadowed) == "%d for len(items), which may not be a number"


def test_a_module_name_rebound_under_global_is_not_trusted():
    rebound = FILE + "\n\ndef reset():\n    global LIMIT\n    LIMIT = 'none'\n"
    assert problem('logger.info("%d", LIMIT)', rebound) is not None


def test_loguru_files_format_with_braces():
    source = "from loguru import logger\n\n\ndef f(item, size: int):\n    SITE\n"
    assert problem('logger.info("Saw {} of {:d}", item, size)', source) is None
    assert problem('logger.info("Saw {name}", name=item)', source) is None
    assert problem('logger.info("Saw %s", item)', source) == "0 placeholders for 1 values"
    assert problem('logger.info("Saw {}")', source) == "placeholders without values"
    assert problem('logger.info("Saw {} {}", item)', source) == "2 placeholders for 1 values"
