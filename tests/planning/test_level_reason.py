"""The level's explanation says only what its evidence holds: whose log statements were counted
(this file's, or the project's when the file has none), how often ("once", "2 times"), and which
level developers use most at this kind of site."""

from __future__ import annotations

import textwrap
from collections import Counter

import logsmith
from logsmith.planning.levels import PRIORS, level_for
from logsmith.vocabulary import LEVELS
from logsmith.settings import Settings
from logsmith.planning.house_style import HouseStyle
from logsmith.syntax.document import ParsedDocument
from logsmith.syntax.site import site_at

TEMPLATE = Settings(use_model=False)

HANDLER = textwrap.dedent(
    """
    def quantity(path):
        try:
            return open(path).read()
        except OSError as exc:
            #HERE
            return None
    """
)


def masked(source: str) -> tuple[str, int]:
    lines = source.split("\n")
    row = next(i for i, text in enumerate(lines) if "#HERE" in text)
    lines[row] = "        "
    return "\n".join(lines), row


def level_reason(source: str, path) -> tuple[str, str]:
    """(level, explanation) of the template's suggestion at #HERE."""
    text, row = masked(source)
    top = logsmith.suggest(text, row, 8, path=str(path), settings=TEMPLATE)[-1]
    level, _, rest = top.reason.partition(": ")
    return level, rest.split(". variables")[0].split(". no variables")[0]


def test_a_file_without_log_statements_does_not_claim_the_projects_counts(tmp_path):
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "other.py").write_text(textwrap.dedent(
        """
        import logging
        logger = logging.getLogger(__name__)

        def work():
            try:
                pass
            except OSError:
                logger.exception("Failed")
        """
    ))
    (tmp_path / "target.py").write_text(HANDLER)
    level, why = level_reason(HANDLER, tmp_path / "target.py")
    assert level == "exception"
    assert "this file" not in why
    assert "this project's files use exception once in handlers" in why
    assert "time(s)" not in why


def test_a_file_counts_its_own_statements_with_a_plural(tmp_path):
    source = textwrap.dedent(
        """
        import logging
        logger = logging.getLogger(__name__)

        def a():
            try:
                pass
            except OSError:
                logger.exception("a")

        def b():
            try:
                pass
            except OSError:
                logger.exception("b")
        """
    ) + HANDLER
    level, why = level_reason(source, tmp_path / "target.py")
    assert level == "exception"
    assert "this file uses exception 2 times in handlers" in why


def test_no_counts_are_claimed_without_log_statements(tmp_path):
    level, why = level_reason(HANDLER, tmp_path / "target.py")
    # the level the site alone gives, stated as such; nothing about "this file"
    assert why == f"developers most often log at {level} in a handler that returns a fallback"
    prior = PRIORS.site_counts["except/return"]
    assert prior[LEVELS.index(level)] > 0  # developers do log at it in such handlers


def site_in_handler():
    source, row = masked(HANDLER)
    return site_at(ParsedDocument(source), row, 8)


def test_the_usual_level_is_not_claimed_when_habits_chose_another():
    site = site_in_handler()
    style = HouseStyle(levels=Counter(info=3), except_levels=Counter(info=3), source="file")
    choice = level_for(site, style)
    assert choice.level == "info"
    assert choice.why == ("developers most often log at warning in a handler that returns a "
                          "fallback, but this file uses info 3 times in handlers")


def test_a_level_that_is_not_offered_is_named_as_such():
    source, row = masked(textwrap.dedent(
        """
        def quantity(path):
            try:
                return open(path).read()
            except OSError:
                #HERE
                raise
        """
    ))
    site = site_at(ParsedDocument(source), row, 8)
    choice = level_for(site, HouseStyle(framework="structlog"), framework="structlog")
    assert choice.level == "error"
    assert choice.why == ("developers most often log at exception in a handler that re-raises, "
                          "which is not offered here, then at error")


def test_nearby_statements_are_counted_as_nearby():
    choice = level_for(site_in_handler(), HouseStyle(source="default"), nearby=Counter(error=3))
    assert choice.level == "error"
    assert choice.why == ("developers most often log at warning in a handler that returns a "
                          "fallback, but the log statements near here use error 3 times")


def test_a_half_typed_call_does_not_swallow_the_statement_below_it():
    """`logger.` typed above `logger.debug(...)` parses as one call (`logger.logger.debug`); the
    plan still reads the file as it is without the half-typed line, so completion after `logger.`
    plans what the empty line does."""
    from logsmith.pipeline import suggest_stages

    source = textwrap.dedent(
        """
        import logging
        logger = logging.getLogger(__name__)

        def renew(name):
            try:
                obtain(name)
            except Exception as e:
                #HERE
                logger.debug("Traceback was: %s", e)
            logger.info("renewed %s", name)
        """
    )
    empty, row = masked(source)
    typed = empty.split("\n")
    typed[row] = "        logger."
    on_empty = suggest_stages(empty, row, 8, settings=TEMPLATE)
    after_dot = suggest_stages("\n".join(typed), row, 15, settings=TEMPLATE)
    assert on_empty.plan is not None and after_dot.plan is not None
    assert after_dot.plan.level == on_empty.plan.level
    assert after_dot.plan.reason == on_empty.plan.reason
