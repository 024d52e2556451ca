"""The template engine's message words, from the function name and the kind of site."""

from __future__ import annotations

import textwrap

import pytest

import logsmith
from logsmith.engines import template
from logsmith.pipeline import facts_of, site_at, style_for
from logsmith.planning.plan import Plan, make_plan
from logsmith.settings import Settings
from logsmith.engines.statement import render
from logsmith.syntax.document import ParsedDocument


def message_in(function: str, body: list[str], decorators: tuple[str, ...] = ()) -> str:
    """The template's message at the `# here` line of `function`'s body."""
    lines = ["import logging", "logger = logging.getLogger(__name__)", "", *decorators, f"def {function}(path):", *body]
    source = "\n".join(lines) + "\n"
    line = next(i for i, text in enumerate(lines) if text.strip() == "# here")
    document = ParsedDocument(source)
    facts = facts_of(document)
    site = site_at(source, line, len(lines[line]) - len("# here"), document=document)
    return template.message(site, make_plan(site, facts, style_for(facts, None, Settings(use_model=False))))


EXCEPT = ["    try:", "        return open(path).read()", "    except OSError as exc:", "        # here", "        return None"]


@pytest.mark.parametrize(("function", "body", "expected"), [
    ("load_config", EXCEPT, "Failed to load config"),
    ("load_config", ["    # here", "    return open(path).read()"], "Loading config"),
    ("load_config", ["    data = open(path).read()", "    # here", "    return data"], "Loaded config"),
    # a name that does not start with a verb is named as written, never "Failed to from config"
    ("from_config", EXCEPT, "OSError in from_config"),
    ("_on_open", EXCEPT, "OSError in on_open"),
    ("is_ready", ["    data = open(path).read()", "    # here", "    return data"], "Finished is_ready"),
])
def test_message_words_follow_the_function_name_and_the_site(function, body, expected):
    assert message_in(function, body) == expected


ENTRY = ["    # here", "    return open(path).read()"]
RETURN = ["    data = open(path).read()", "    # here", "    return data"]
OTHER = ["    data = open(path).read()", "    # here", "    print(data)"]
RAISE = ["    if not path:", "        # here", "        raise ValueError(path)", "    return path"]
LOOP = ["    for line in path:", "        # here", "        print(line)"]


@pytest.mark.parametrize(("function", "body", "expected"), [
    # a first word that is not a verb is never conjugated ("Lowing stock", "Quantitying")
    ("low_stock", OTHER, "Low stock"),
    ("low_stock", EXCEPT, "OSError in low_stock"),
    ("low_stock", ENTRY, "Entering low_stock"),
    ("quantity", OTHER, "Quantity"),
    ("quantity", ENTRY, "Entering quantity"),
    ("quantity", RETURN, "Finished quantity"),
    ("quantity", EXCEPT, "OSError in quantity"),
    ("quantity", RAISE, "Error in quantity"),
    ("quantity", LOOP, "Processing line"),
    # a one-letter name is no verb ("Fing") and no phrase to write out
    ("f", ENTRY, "Entering f"),
    ("f", OTHER, "In f"),
    ("f", EXCEPT, "OSError in f"),
    # a run-together name is named as written ("Failed to setvals")
    ("setvals", EXCEPT, "OSError in setvals"),
    ("setvals", OTHER, "In setvals"),
    # `cleanup` is the noun; the verb is "clean up" ("Cleanuping sync")
    ("cleanup_sync", ENTRY, "Cleaning up sync"),
    ("cleanup_sync", EXCEPT, "Failed to clean up sync"),
    ("cleanup_sync", RETURN, "Cleaned up sync"),
    ("cleanup_sync", RAISE, "Cannot clean up sync"),
    ("shutdown", OTHER, "Shutting down"),
    ("setup_logging", ENTRY, "Setting up logging"),
    ("login", RETURN, "Logged in"),
    ("init_db", ENTRY, "Initialising db"),
    # known verbs keep their object; two verbs joined by "or" both take the form
    ("load_config", LOOP, "Loading line"),
    ("fetchUserData", RETURN, "Fetched user data"),
    ("get_or_create_user", ENTRY, "Getting or creating user"),
    ("_do_read", EXCEPT, "Failed to read"),
    # `maybe_` and `try_` names may not do it: no "Restarted" or "Connected" is claimed
    ("maybe_restart", RETURN, "Finished maybe_restart"),
    ("try_connect", RETURN, "Finished try_connect"),
    # a verb that starts a noun phrase before an attribute word
    ("log_level", OTHER, "Log level"),
    ("process_id", EXCEPT, "OSError in process_id"),
    ("main", OTHER, "In main"),
    # a verb inside the name: its words are no noun phrase ("Real add job")
    ("real_add_job", OTHER, "In real_add_job"),
])
def test_only_known_verbs_are_conjugated(function, body, expected):
    assert message_in(function, body) == expected


def test_a_property_is_named_not_conjugated():
    assert message_in("size", EXCEPT, ("@property",)) == "OSError in size"
    assert message_in("load_count", OTHER, ("@property",)) == "Load count"


@pytest.mark.parametrize(("clause", "expected"), [
    ("except OSError as exc:", "OSError in quantity"),
    ("except requests.ConnectionError:", "ConnectionError in quantity"),
    # several classes, or a name that is not a class's: no one class is claimed
    ("except (OSError, ValueError) as exc:", "Error in quantity"),
    ("except socket.timeout:", "Error in quantity"),
    ("except self.errors:", "Error in quantity"),
    ("except channel.connection_errors:", "Error in quantity"),
    ("except:", "Error in quantity"),
])
def test_the_handler_names_the_class_it_catches_only_when_there_is_one(clause, expected):
    body = ["    try:", "        return open(path).read()", f"    {clause}", "        # here", "        return None"]
    assert message_in("quantity", body) == expected


def plan_for(message_format: str, variables: tuple[str, ...] = (), exception: str | None = None) -> Plan:
    return Plan(logger="log", framework="logging", level="info", variables=variables, exception=exception,
                message_format=message_format, quote='"', capitalized=True, reason="", setup_edits=())


@pytest.mark.parametrize("message_format", ["format", "fstring", "percent", "brace"])
def test_a_message_without_arguments_is_a_plain_string(message_format):
    assert render(plan_for(message_format), "UnknownKeyType in from_line") == 'log.info("UnknownKeyType in from_line")'


def test_arguments_still_get_their_placeholders():
    assert render(plan_for("format", ("key",)), "Bad key") == 'log.info("Bad key {}".format(key))'
    assert render(plan_for("fstring", (), "exc"), "Failed") == 'log.info(f"Failed: {exc}")'
    assert render(plan_for("percent", ("a", "b")), "Values") == 'log.info("Values: a=%s, b=%s", a, b)'


def test_format_style_file_gets_no_empty_format_call():
    source = textwrap.dedent(
        """
        import logging
        log = logging.getLogger(__name__)


        def parse(text):
            log.info("parsing {}".format(text))


        class UnknownKeyType(Exception):
            pass


        def from_line(line):
            try:
                return parse(line)
            except UnknownKeyType:
                #HERE
                return None
        """
    )
    lines = source.split("\n")
    row = next(i for i, text in enumerate(lines) if "#HERE" in text)
    lines[row] = "        "
    found = logsmith.suggest("\n".join(lines), row, 8, settings=Settings(use_model=False))
    statement = found[-1].statement
    assert ".format()" not in statement
    assert statement.startswith("log.") and "UnknownKeyType in from_line" in statement


def test_a_lower_case_house_style_keeps_the_class_name_as_written():
    source = textwrap.dedent(
        """
        import logging
        logger = logging.getLogger(__name__)


        def a(x):
            logger.info("got %s", x)


        def quantity(path):
            try:
                return open(path).read()
            except OSError:
                #HERE
                return None
        """
    )
    lines = source.split("\n")
    row = next(i for i, text in enumerate(lines) if "#HERE" in text)
    lines[row] = "        "
    found = logsmith.suggest("\n".join(lines), row, 8, settings=Settings(use_model=False))
    assert '"OSError in quantity' in found[-1].statement
