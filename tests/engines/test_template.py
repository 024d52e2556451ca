"""The template engine's message words, from the function name and the kind of site."""

from __future__ import annotations

import ast
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


@pytest.mark.parametrize(("verb", "ing", "ed"), [
    # a last consonant after one stressed vowel doubles ("Stoping", "Reseting", "Formated")
    ("stop", "stopping", "stopped"),
    ("run", "running", "ran"),
    ("bootstrap", "bootstrapping", "bootstrapped"),
    ("format", "formatting", "formatted"),
    ("reset", "resetting", "reset"),
    ("transfer", "transferring", "transferred"),
    # not after an unstressed one
    ("open", "opening", "opened"),
    ("deliver", "delivering", "delivered"),
    ("monitor", "monitoring", "monitored"),
    # a silent e goes, ie becomes y ("Diing"), ee stays
    ("retrieve", "retrieving", "retrieved"),
    ("die", "dying", "died"),
    ("free", "freeing", "freed"),
    ("use", "using", "used"),
    # a phrasal verb: its first word takes the form
    ("shut down", "shutting down", "shut down"),
    ("tear down", "tearing down", "tore down"),
    ("roll over", "rolling over", "rolled over"),
])
def test_gerund_and_past_are_spelled_right(verb, ing, ed):
    assert (template.gerund(verb), template.past(verb)) == (ing, ed)


@pytest.mark.parametrize(("function", "body", "expected"), [
    # the spelling reaches the message
    ("bootstrap_cluster", ENTRY, "Bootstrapping cluster"),
    ("reset_stream", ENTRY, "Resetting stream"),
    ("format_args", RETURN, "Formatted args"),
    # a phrasal verb written as two words or in camelCase is the same verb
    # ("Tear down", "Entering look_up_user")
    ("tear_down", ENTRY, "Tearing down"),
    ("tearDown", RETURN, "Tore down"),
    ("look_up_user", EXCEPT, "Failed to look up user"),
    ("_do_tear_down", ENTRY, "Tearing down"),
    ("_do_rollover", ENTRY, "Rolling over"),
    # written as one word before an attribute word it is a noun ("Setting up time", "Logging in url");
    # written as two words it stays a verb
    ("setup_time", OTHER, "Setup time"),
    ("shutdown_timeout", ENTRY, "Entering shutdown_timeout"),
    ("login_url", EXCEPT, "OSError in login_url"),
    ("set_up_time", ENTRY, "Setting up time"),
    ("_signal_handler", OTHER, "Signal handler"),
    # a verb after "and" takes the same form ("Dequeuing job and maintain ttl"); a noun does not
    ("dequeue_job_and_maintain_ttl", ENTRY, "Dequeuing job and maintaining ttl"),
    ("dequeue_job_and_maintain_ttl", RETURN, "Dequeued job and maintained ttl"),
    ("dequeue_job_and_maintain_ttl", EXCEPT, "Failed to dequeue job and maintain ttl"),
    ("load_config_and_setup", ENTRY, "Loading config and setting up"),
    ("get_size_and_count", ENTRY, "Getting size and count"),
    # verbs that start real function names, never a noun phrase ("Retrieve credentials")
    ("retrieve_credentials", EXCEPT, "Failed to retrieve credentials"),
    ("declare_topic_consumer", OTHER, "Declaring topic consumer"),
    # names with digits and dunder methods
    ("getHTTP2Settings", RETURN, "Got http2 settings"),
    ("copy2_safe", OTHER, "In copy2_safe"),
    ("__enter__", EXCEPT, "OSError in __enter__"),
    ("__call__", ENTRY, "Entering __call__"),
])
def test_verbs_are_spelled_and_phrasal_verbs_read_whatever_their_spelling(function, body, expected):
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


def message_at_marker(source: str) -> ast.Call:
    """The template's statement at the `#HERE` line of `source`, parsed."""
    source = textwrap.dedent(source)
    lines = source.split("\n")
    row = next(i for i, text in enumerate(lines) if "#HERE" in text)
    column = lines[row].index("#HERE")
    lines[row] = " " * column
    found = logsmith.suggest("\n".join(lines), row, column, settings=Settings(use_model=False))
    call = ast.parse(found[-1].statement).body[0].value
    assert isinstance(call, ast.Call)
    return call


SYNCER = """
    import logging


    class Syncer:
        def __init__(self):
            self.log = logging.getLogger(__name__)

        def setvals(self, vals):
            try:
                self.vals = dict(vals)
            except Exception:
                {setvals}
                raise

        def cleanup_sync(self, name):
            {cleanup}
            self.vals.pop(name)
"""


def test_a_run_together_name_and_a_phrasal_verb_in_whole_statements():
    # once "Failed to setvals" and "Cleanuping sync %s"
    failed = message_at_marker(SYNCER.format(setvals="#HERE", cleanup="pass"))
    assert ast.unparse(failed.func) == "self.log.exception"
    assert failed.args[0].value == "Exception in setvals"
    cleaning = message_at_marker(SYNCER.format(setvals="pass", cleanup="#HERE"))
    assert cleaning.args[0].value.startswith("Cleaning up sync")


@pytest.mark.parametrize("house", [
    'log.info("parsing {}".format(text))',
    'log.info(f"parsing {text}")',
    'log.info("parsing %s" % text)',
    'log.info("parsing %s", text)',
])
def test_a_message_without_values_is_one_plain_string_in_every_house_style(house):
    call = message_at_marker(f"""
        import logging
        log = logging.getLogger(__name__)


        def parse(text):
            {house}


        class UnknownKeyType(Exception):
            pass


        def from_line(line):
            try:
                return parse(line)
            except UnknownKeyType:
                #HERE
                return None
        """)
    # no `"...".format()`, `f"..."` or `"..." % ()` around a message with nothing to format
    assert len(call.args) == 1 and not call.keywords
    assert isinstance(call.args[0], ast.Constant) and call.args[0].value == "UnknownKeyType in from_line"
