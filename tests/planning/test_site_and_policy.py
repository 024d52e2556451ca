"""Unit tests of the site reader, the style reader, the policy and the statement writer (no model)."""

from __future__ import annotations

import ast
import re
import textwrap

import pytest

import logsmith
from logsmith.pipeline import site_at, suggest_insertion
from logsmith.planning.secrets import is_secret
from logsmith.settings import Settings
from logsmith.syntax.document import ParsedDocument
from logsmith.syntax.languages import GRAMMARS
from logsmith.syntax.site import PROBE, parse_for_site, parse_typed
from logsmith.syntax.file_facts import FACTORIES, file_facts

TEMPLATE = Settings(use_model=False)

SOURCE = textwrap.dedent(
    '''
    import logging

    log = logging.getLogger(__name__)


    class Store:
        def __init__(self, host):
            self.host = host

        def save_item(self, item, password=None):
            """Save one item."""
            #ENTRY
            path = item.path
            for row in item.rows:
                try:
                    self.write(row)
                except OSError as exc:
                    #EXCEPT
                    return None
            #RETURN
            return path
    '''
)


def line_of(marker: str, source: str = SOURCE) -> int:
    return next(i for i, text in enumerate(source.split("\n")) if marker in text)


def blanked(marker: str, source: str = SOURCE) -> tuple[str, int, int]:
    lines = source.split("\n")
    row = line_of(marker, source)
    indent = lines[row][: len(lines[row]) - len(lines[row].lstrip())]
    lines[row] = indent
    return "\n".join(lines), row, len(indent)


def test_entry_site_knows_function_and_parameters():
    text, row, col = blanked("#ENTRY")
    site = site_at(text, row, col)
    assert site.kind == "entry" and site.fits_log
    assert site.function.name == "save_item" and site.function.class_name == "Store"
    assert set(site.names) == {"self", "item", "password"}


def test_except_site_knows_exception_loop_and_recovery():
    text, row, col = blanked("#EXCEPT")
    site = site_at(text, row, col)
    assert site.kind == "except"
    assert site.exception_name == "exc" and site.exception_types == ("OSError",)
    assert site.loop_variables == ("row",)
    assert not site.reraises and site.recovers == "return"
    assert {"exc", "row", "path"} <= set(site.names)


def test_except_name_is_out_of_scope_after_the_clause():
    text, row, col = blanked("#RETURN")
    site = site_at(text, row, col)
    assert site.kind == "return" and site.return_value == "path"
    assert "exc" not in site.names and "path" in site.names


INSTANCE = textwrap.dedent(
    """
    class Pool:
        size = 4

        def __init__(self, name, backend=None):
            #INIT_FIRST
            self.name = self.label = name
            #INIT_AFTER
            if backend is not None:
                self.backend = backend
            self.lock = make_lock()

        def drain(self, item):
            self.queue = item
            #METHOD

        @staticmethod
        def build(config):
            #STATIC

        def _outer(self):
            def inner(other):
                #INNER
            return inner


    def helper(self):
        #FUNCTION
    """
)


@pytest.mark.parametrize(
    "marker, expected",
    [
        # set by a statement of `__init__` itself: an `if` may not run, another method may not yet
        ("#METHOD", {"self.name", "self.label", "self.lock"}),
        ("#INIT_FIRST", set()),
        ("#INIT_AFTER", {"self.name", "self.label"}),
        ("#STATIC", set()),
        ("#INNER", set()),
        ("#FUNCTION", set()),
    ],
)
def test_the_instance_attributes_init_sets_on_every_path_are_known_at_the_cursor(marker, expected):
    text, row, col = blanked(marker, INSTANCE)
    assert site_at(text, row, col).initialised_attributes == expected


def test_module_level_names_are_the_top_level_bindings_only():
    source = textwrap.dedent(
        """
        import os
        from pathlib import Path as P
        LIMIT = 10
        if os.name == "nt":
            SEP = "\\\\"
        try:
            import json
        except ImportError:
            json = None
        @register(handler := make_handler())
        def helper(arg):
            inner = arg
        class Config:
            field = 1
        squares = [n * n for n in range(3)]
        """
    )
    site = site_at(source, source.count("\n"), 0)
    assert site.module_names >= {"os", "P", "LIMIT", "SEP", "json", "handler", "squares", "__name__"}
    assert not site.module_names & {"inner", "arg", "field", "n"}


@pytest.mark.parametrize(
    "typed, logger, level, message",
    [
        ("logger.", "logger", "", None),
        ("self.log.war", "self.log", "war", None),
        ('log.info("Sav', "log", "info", "Sav"),
        ('    log.info("Saved to ', "log", "info", "Saved to "),  # the space ends a word the user typed
        ("logger.  ", "logger", "", None),
        ("LOG", "LOG", None, None),
    ],
)
def test_typed_text_is_understood(typed, logger, level, message):
    found = parse_typed(typed)
    assert (found.logger, found.level_prefix, found.message) == (logger, level, message)


def test_typed_level_prefix_sets_level_and_is_replaced_whole():
    lines = SOURCE.split("\n")
    row = line_of("#EXCEPT")
    lines[row] = "                log.war"
    text = "\n".join(lines)
    top = logsmith.suggest(text, row, len(lines[row]), settings=TEMPLATE)[0]
    assert top.level == "warning" and top.statement.startswith("log.warning(")
    assert (top.edit.start_character, top.edit.end_character) == (16, len(lines[row]))


@pytest.mark.parametrize(
    "name, context, secret",
    [
        ("password", "", True), ("db_password", "", True), ("pwd", "", True), ("auth_header", "", True),
        ("session.token", "", True), ("creds", "", True), ("apiKey", "", True), ("private_key", "", True),
        ("key", "encrypt_message key plaintext", True), ("key", "update_cache key value", False),
        ("user_id", "", False), ("path", "", False), ("keyboard", "", False), ("tokenizer_name", "", False),
    ],
)
def test_secret_names(name, context, secret):
    assert is_secret(name, context) is secret


def test_template_statements_parse_and_use_names_in_scope():
    for marker in ("#ENTRY", "#EXCEPT", "#RETURN"):
        text, row, col = blanked(marker)
        site = site_at(text, row, col)
        for suggestion in logsmith.suggest(text, row, col, settings=TEMPLATE):
            ast.parse(suggestion.statement)
            assert all(site.in_scope(n) for n in suggestion.variables)
            assert "password" not in suggestion.statement


def test_self_logger_is_preferred_in_methods_of_a_class_that_has_one():
    source = textwrap.dedent(
        '''
        import logging


        class Worker:
            def __init__(self):
                self.logger = logging.getLogger("worker")

            def run(self, job):
                self.logger.info("Running %s", job)
                #HERE
        '''
    )
    text, row, col = blanked("#HERE", source)
    top = logsmith.suggest(text, row, col, settings=TEMPLATE)[0]
    assert top.logger == "self.logger" and not top.additional_edits


def test_fstring_house_style_is_followed():
    source = textwrap.dedent(
        '''
        import logging
        logger = logging.getLogger(__name__)

        def a(x):
            logger.info(f"got {x}")

        def b(order_id):
            #HERE
            return order_id
        '''
    )
    text, row, col = blanked("#HERE", source)
    top = logsmith.suggest(text, row, col, settings=TEMPLATE)[0]
    assert top.statement.startswith("logger.") and '(f"' in top.statement
    assert "{order_id}" in top.statement


def test_structlog_gets_key_value_event():
    source = textwrap.dedent(
        '''
        import structlog
        log = structlog.get_logger()

        def charge(card, amount):
            #HERE
            return card.charge(amount)
        '''
    )
    text, row, col = blanked("#HERE", source)
    top = logsmith.suggest(text, row, col, settings=TEMPLATE)[0]
    call = ast.parse(top.statement).body[0].value
    assert ast.unparse(call.func.value) == "log"
    assert all(isinstance(k, ast.keyword) for k in call.keywords) and call.keywords


def test_insertion_inserts_a_whole_line():
    text, row, _ = blanked("#RETURN")
    lines = text.split("\n")
    del lines[row]
    text = "\n".join(lines)
    found = suggest_insertion(text, row, settings=TEMPLATE)
    edit = found[0].edit
    assert (edit.start_line, edit.start_character, edit.end_line, edit.end_character) == (row, 0, row, 0)
    assert edit.new_text.startswith(" " * 8 + "log.") and edit.new_text.endswith("\n")
    ast.parse("\n".join(lines[:row] + [edit.new_text.rstrip("\n")] + lines[row:]))


@pytest.mark.parametrize(
    "source, line, character",
    [
        ("", 0, 0),
        ("def f(:\n    x = \n", 1, 4),
        ("x = 1\n", 99, 99),
        ("def f():\n    pass\n", -3, -1),
        ("\x00\x01binary\xff", 0, 3),
    ],
)
def test_bad_input_never_raises(source, line, character):
    found = logsmith.suggest(source, line, character, settings=TEMPLATE)
    for suggestion in found:
        ast.parse(suggestion.statement)


def test_incremental_change_matches_full_parse():
    document = ParsedDocument(SOURCE)
    row = line_of("#EXCEPT")
    document.apply_change(row, 16, row, 23, "logger.")
    fresh = ParsedDocument(document.text)
    assert str(document.tree.root_node) == str(fresh.tree.root_node)


def test_a_one_off_request_parses_once_with_the_probe_in_place():
    row = line_of("#EXCEPT")
    text = SOURCE.split("\n")
    text[row] = " " * 16
    blank = "\n".join(text)
    document = parse_for_site(blank, row, 16)
    assert document.text == blank and document.line(row) == " " * 16
    assert document.with_line(row, " " * 16 + PROBE) is document  # the site needs no second parse
    assert "pass_statement" in str(document.tree.root_node)
    # the same site and the same suggestions as from the document the server keeps
    kept = ParsedDocument(blank)
    assert site_at(blank, row, 16, document=document) == site_at(blank, row, 16, document=kept)
    cold = logsmith.suggest(blank, row, 16, settings=TEMPLATE)
    warm = logsmith.pipeline.suggest(blank, row, 16, settings=TEMPLATE, document=kept)
    assert [s.statement for s in cold] == [s.statement for s in warm] and cold
    # an edit to another line parses the real text again
    document.apply_change(0, 0, 0, 0, "# edited\n")
    assert str(document.tree.root_node) == str(ParsedDocument(document.text).tree.root_node)


def test_a_probed_document_reports_the_errors_of_its_text_not_of_its_probe():
    text = "def f():\n    x = 1\n\n    return x\n"
    document = ParsedDocument.probed(text, 2, lambda blank: "    pass(")  # a probe that does not parse
    assert document.tree.root_node.has_error and not document.has_error
    broken = ParsedDocument.probed("def f(:\n    x = 1\n\n", 2, lambda blank: "    pass")
    assert broken.has_error
    typed = ParsedDocument.probed(text, 1, lambda line: "pass")  # only a blank line is probed
    assert typed.with_line(1, "pass") is not typed and not typed.tree.root_node.has_error


def test_the_logging_query_knows_the_same_logger_factories_as_the_file_facts():
    query_text = (GRAMMARS / "logging.scm").read_text(encoding="utf-8")
    listed = re.findall(r'\(#any-of\? @definition\.factory ([^)]*)\)', query_text)
    assert len(listed) == 2 and all(set(re.findall(r'"([^"]+)"', names)) == set(FACTORIES) for names in listed)
    source = "import logging\nimport structlog\n\nlog = structlog.get_logger()\nclient = make_client()\n"
    facts = file_facts(ParsedDocument(source))
    assert [(d.name, d.framework) for d in facts.definitions] == [("log", "structlog")]
