"""The engine on the real default model: the behaviours it promises, checked on real output.

Each test needs the model's answer, never its speed: `model_settings` gives it all the time it needs
(tests/conftest.py), so a busy machine makes these tests slower, not failing."""

from __future__ import annotations

import ast
import textwrap

import pytest

import logsmith
from logsmith.pipeline import site_at

pytestmark = pytest.mark.model


def ask(source: str, marker: str, settings, *, typed: str = ""):
    """Suggestions at the line holding `marker` (replaced by what the user `typed`)."""
    source = textwrap.dedent(source)
    lines = source.split("\n")
    row = next(i for i, text in enumerate(lines) if marker in text)
    indent = lines[row][: len(lines[row]) - len(lines[row].lstrip())]
    lines[row] = indent + typed
    text = "\n".join(lines)
    found = logsmith.suggest(text, row, len(indent + typed), settings=settings)
    assert found, "no suggestion"
    return text, row, found


def model_first(found, settings):
    """The top suggestion, after checking the model really answered: it wrote the top statement, or
    its answer was read and turned down on quality (a one-word message), never a timeout or error."""
    top = found[0]
    answered = top.source != "template" or any("gave no usable message" in note for note in top.notes)
    assert answered, f"the model did not answer: {top.notes}"
    return top


def call_of(statement: str) -> ast.Call:
    return ast.parse(statement).body[0].value


EXCEPT_FILE = '''
import logging

logger = logging.getLogger(__name__)


def fetch_prices(session, url, retries):
    """Download the price list."""
    try:
        response = session.get(url, timeout=10)
        response.raise_for_status()
    except ConnectionError as err:
        <CURSOR>
        raise
    return response.json()
'''


def test_except_block_gets_error_level_naming_the_exception(model_settings):
    text, row, found = ask(EXCEPT_FILE, "<CURSOR>", model_settings)
    top = model_first(found, model_settings)
    assert top.level in ("error", "exception")
    assert top.statement.startswith(f"logger.{top.level}(")
    assert "err" in top.variables or top.level == "exception"
    assert top.site_kind == "except"
    assert top.reason


def test_function_statement_uses_only_names_in_scope(model_settings):
    source = '''
    import logging

    log = logging.getLogger(__name__)


    def rebuild_index(catalog, batch_size=100):
        total = 0
        for product in catalog.products():
            <CURSOR>
            total += product.refresh(batch_size)
        later_name = total * 2
        return later_name
    '''
    text, row, found = ask(source, "<CURSOR>", model_settings)
    top = model_first(found, model_settings)
    site = site_at(text, row, len(text.split("\n")[row]))
    for name in top.variables:
        assert site.in_scope(name), f"{name} is not bound at the cursor"
    assert "later_name" not in top.statement
    ast.parse(top.statement)


def test_percent_file_gets_percent_style(model_settings):
    source = '''
    import logging

    logger = logging.getLogger(__name__)


    def connect(host, port):
        logger.info("Connecting to %s:%s", host, port)
        return open_socket(host, port)


    def close_connection(conn, reason):
        <CURSOR>
        conn.close()
    '''
    _, _, found = ask(source, "<CURSOR>", model_settings)
    top = model_first(found, model_settings)
    call = call_of(top.statement)
    message = call.args[0]
    assert isinstance(message, ast.Constant) and "%s" in message.value
    assert message.value.count("%s") == len(call.args) - 1


def test_loguru_file_gets_loguru(model_settings):
    source = '''
    from loguru import logger


    def parse_order(payload):
        logger.debug("Parsing order {}", payload)
        try:
            return Order.from_json(payload)
        except ValueError as exc:
            <CURSOR>
            return None
    '''
    _, _, found = ask(source, "<CURSOR>", model_settings)
    top = model_first(found, model_settings)
    assert top.logger == "logger"
    call = call_of(top.statement)
    assert "%s" not in ast.unparse(call)
    assert "{}" in call.args[0].value
    assert not top.additional_edits


def test_file_without_logger_gets_an_edit_that_adds_one(model_settings):
    source = '''
    import json


    def load_settings(path):
        with open(path) as handle:
            data = json.load(handle)
        <CURSOR>
        return data
    '''
    text, _, found = ask(source, "<CURSOR>", model_settings)
    top = model_first(found, model_settings)
    added = "".join(edit.new_text for edit in top.additional_edits)
    assert "import logging" in added and "logger = logging.getLogger(__name__)" in added
    assert top.statement.startswith("logger.")
    # Applying every edit gives a file that parses.
    lines = text.split("\n")
    row = top.edit.start_line
    lines[row] = lines[row][: top.edit.start_character] + top.edit.new_text
    extra = top.additional_edits[0]
    lines.insert(extra.start_line, extra.new_text.rstrip("\n"))
    ast.parse("\n".join(lines))


def test_typed_prefix_is_continued_to_a_warning(model_settings):
    _, row, found = ask(EXCEPT_FILE, "<CURSOR>", model_settings, typed="logger.war")
    top = model_first(found, model_settings)
    assert top.level == "warning"
    assert top.statement.startswith("logger.warning(")
    assert top.edit.start_line == row and top.edit.new_text == top.statement


def test_typed_message_is_continued_not_repeated(model_settings):
    _, _, found = ask(EXCEPT_FILE, "<CURSOR>", model_settings, typed='logger.error("Could not')
    top = model_first(found, model_settings)
    assert top.statement.startswith('logger.error("Could not')
    assert top.statement.count("Could not") == 1


@pytest.mark.parametrize("secret", ["password", "api_token", "client_secret"])
def test_secret_variable_is_not_logged(model_settings, secret):
    source = f'''
    import logging

    logger = logging.getLogger(__name__)


    def login(username, {secret}):
        <CURSOR>
        return authenticate(username, {secret})
    '''
    _, _, found = ask(source, "<CURSOR>", model_settings)
    for suggestion in found:
        assert secret not in suggestion.statement
        assert secret not in suggestion.variables
