"""Java: the site at a cursor, the log statements of a file, rendering and parse checks, the
logger a file uses, batch mode's sites, and bad input."""

from __future__ import annotations

import pytest

from logsmith.idioms import java as idioms
from logsmith.idioms.contract import LEVELS, LoggedCall, StatementSpec
from logsmith.syntax import java
from logsmith.syntax.document import ParsedDocument

CLIENT = """\
package org.example.net;

import java.io.IOException;
import java.net.Socket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

public class Client {
    private static final Logger LOG = LoggerFactory.getLogger(Client.class);
    private final String host;
    private int retries = 3;

    public Client(String host) {
        super();

        this.host = host;
    }

    public void connect(int port, String... options) throws IOException {

        int attempts = 0;
        while (attempts < retries) {
            try {
                open(host, port);
                return;
            } catch (IOException e) {
                attempts++;

                continue;
            }
        }
        try (Socket socket = new Socket(host, port)) {
            String banner = socket.read();

            send(banner);
        } catch (IOException | RuntimeException e) {

            throw new IllegalStateException("cannot connect", e);
        }
        for (String option : options) {
            Runnable task = () -> {
                String local = option.trim();

            };
            LOG.info("Option {} of {}", option, host);

        }
        if (port < 0) {

            return;
        }
        return;

    }
}
"""


def document(text: str) -> ParsedDocument:
    return ParsedDocument(text, "java")


def line_after(text: str, marker: str) -> int:
    """The 0-based number of the line after the first line containing `marker`."""
    for number, line in enumerate(text.split("\n")):
        if marker in line:
            return number + 1
    raise AssertionError(marker)


def apply(text: str, edits) -> str:
    """`text` with `edits` applied (last first, so positions hold)."""
    edited = document(text)
    for edit in sorted(edits, key=lambda e: (e.start_line, e.start_character), reverse=True):
        edited.apply_change(
            edit.start_line, edit.start_character, edit.end_line, edit.end_character, edit.new_text
        )
    return edited.text


# --- sites ----------------------------------------------------------------------------------------


def test_site_in_a_catch_block_names_the_exception_and_its_types():
    doc = document(CLIENT)
    site = java.site_at(doc, line_after(CLIENT, "attempts++;"), 16)
    assert site.kind == "except"
    assert site.in_except
    assert site.exception_name == "e"
    assert site.exception_types == ("IOException",)
    assert site.function is not None and site.function.name == "connect"
    assert site.function.class_name == "Client"
    assert site.names[:2] == ("e", "attempts")
    assert {"port", "options"} <= set(site.names)
    assert site.reachable


def test_site_in_a_multi_catch_before_a_throw():
    doc = document(CLIENT)
    site = java.site_at(doc, line_after(CLIENT, "catch (IOException | RuntimeException e)"), 12)
    assert site.kind == "except"
    assert site.exception_types == ("IOException", "RuntimeException")
    assert site.before == "raise"
    assert site.raise_value.startswith("new IllegalStateException")
    # the try-with-resources variable is not in scope in its catch block
    assert "socket" not in site.names


def test_site_at_method_entry_with_parameters_nearest_first():
    doc = document(CLIENT)
    site = java.site_at(doc, line_after(CLIENT, "public void connect"), 8)
    assert site.kind == "entry"
    assert site.names == ("options", "port")
    assert site.function.parameters == ("port", "options")


def test_site_after_super_call_is_a_constructor_entry():
    doc = document(CLIENT)
    site = java.site_at(doc, line_after(CLIENT, "super();"), 8)
    assert site.kind == "entry"
    assert site.function.name == "Client"
    assert site.names == ("host",)


def test_site_in_try_with_resources_sees_its_variable():
    doc = document(CLIENT)
    site = java.site_at(doc, line_after(CLIENT, "String banner"), 12)
    assert site.names[:2] == ("banner", "socket")


def test_site_before_return_inside_an_if():
    doc = document(CLIENT)
    site = java.site_at(doc, line_after(CLIENT, "if (port < 0)"), 12)
    assert site.kind == "return"
    assert site.before == "return"


def test_site_in_a_loop_has_its_variable():
    doc = document(CLIENT)
    site = java.site_at(doc, line_after(CLIENT, 'LOG.info("Option'), 12)
    assert site.kind == "loop"
    assert site.loop_variables == ("option",)
    assert site.names[0] == "task"


def test_site_in_a_lambda_sees_the_lambda_and_method_names():
    doc = document(CLIENT)
    site = java.site_at(doc, line_after(CLIENT, "String local"), 16)
    assert site.names[0] == "local"
    assert "option" in site.names and "port" in site.names
    assert site.function.name == "connect"


def test_site_after_return_is_unreachable():
    doc = document(CLIENT)
    lines = CLIENT.split("\n")
    last_return = max(i for i, line in enumerate(lines) if line == "        return;")
    site = java.site_at(doc, last_return + 1, 8)
    assert not site.reachable
    assert java.site_at(doc, line_after(CLIENT, "attempts++;"), 16).reachable


def test_module_names_are_fields_imports_and_types():
    site = java.site_at(document(CLIENT), line_after(CLIENT, "attempts++;"), 16)
    assert {"LOG", "host", "retries", "Client", "Socket", "IOException", "Logger"} <= set(
        site.module_names
    )


def test_a_half_typed_call_is_read_and_does_not_disturb_the_site():
    lines = CLIENT.split("\n")
    row = line_after(CLIENT, "attempts++;")
    for typed, level, message in (
        ('LOG.warn("Retry', "warn", "Retry"),
        ('Log.w(TAG, "Retry', "w", "Retry"),
        ('LOG.log(Level.WARNING, "', "WARNING", ""),
    ):
        lines[row] = "                " + typed
        text = "\n".join(lines)
        site = java.site_at(document(text), row, len(lines[row]))
        assert site.kind == "except"
        assert site.typed.opened_call and site.typed.quote == '"'
        assert site.typed.level_prefix == level
        assert site.typed.message == message
        assert not site.syntax_error


def test_numeric_locals_are_known():
    site = java.site_at(document(CLIENT), line_after(CLIENT, "attempts++;"), 16)
    assert {"attempts", "port"} <= site.numeric_names
    assert "e" not in site.numeric_names


# --- logged calls ---------------------------------------------------------------------------------

SLF4J = """\
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class Repo {
    private static final Logger log = LoggerFactory.getLogger(Repo.class);

    void save(User user) {
        log.debug("Saving user {} with id {}", user.getName(), user.getId());
        try {
            store(user);
        } catch (SQLException ex) {
            log.error("Failed to save " + user.getName(), ex);
        }
        callbackContext.error("not a log call");
        this.log.warn("Slow save took {} ms", elapsed);
    }
}
"""


def test_slf4j_calls_with_placeholders_concatenation_and_throwable():
    calls = java.logged_calls(document(SLF4J))
    assert [c.level for c in calls] == ["debug", "error", "warning"]
    debug, error, warning = calls
    assert debug.library == "slf4j" and debug.logger == "log"
    assert debug.message == "Saving user with id"
    assert debug.values == ("user.getName()", "user.getId()")
    assert debug.error is None and debug.function == "save" and debug.site_kind == "entry"
    assert error.message == "Failed to save"
    assert error.values == ("user.getName()", "ex")
    assert error.error == "ex"
    assert error.site_kind == "except"
    assert warning.logger == "this.log"
    assert (debug.start_line, debug.end_line) == (7, 7)
    assert debug.text == 'log.debug("Saving user {} with id {}", user.getName(), user.getId());'


JUL = """\
import java.util.logging.Level;
import java.util.logging.Logger;

public class Service {
    private static final Logger LOGGER = Logger.getLogger(Service.class.getName());

    public void run(String name) {
        LOGGER.severe("Broken");
        LOGGER.warning("Careful with " + name);
        LOGGER.config("Configured");
        LOGGER.fine("Fine");
        LOGGER.finer("Finer");
        LOGGER.finest("Finest");
        LOGGER.info("Info");
        try {
            call();
        } catch (Exception e) {
            LOGGER.log(Level.SEVERE, "Call failed for {0}", e);
        }
        LOGGER.logp(Level.FINE, "Service", "run", "Ran {0}", name);
    }
}
"""


def test_java_util_logging_levels_and_log_with_level():
    calls = java.logged_calls(document(JUL))
    assert all(c.library == "jul" for c in calls)
    assert [c.level for c in calls] == [
        "error",
        "warning",
        "info",
        "debug",
        "debug",
        "trace",
        "info",
        "error",
        "debug",
    ]
    assert calls[1].message == "Careful with" and calls[1].values == ("name",)
    logged = calls[7]
    assert logged.message == "Call failed for" and logged.error == "e"
    assert calls[8].message == "Ran" and calls[8].values == ("name",)


ANDROID = """\
package com.example.app;

import android.util.Log;

public class MainActivity extends Activity {
    private static final String TAG = "MainActivity";

    @Override
    protected void onCreate(Bundle state) {
        Log.d(TAG, "onCreate " + state);
        Log.v(TAG, "verbose");
        Log.i(TAG, "info");
        try {
            load();
        } catch (IOException e) {
            Log.e(TAG, "Could not load", e);
            Log.w(TAG, "warn");
            Log.wtf(TAG, "terrible");
        }
    }
}
"""


def test_android_log_with_tag_and_throwable():
    calls = java.logged_calls(document(ANDROID))
    assert [c.level for c in calls] == ["debug", "trace", "info", "error", "warning", "critical"]
    assert all(c.library == "android" and c.logger == "Log" for c in calls)
    assert calls[0].message == "onCreate" and calls[0].values == ("state",)
    assert calls[3].error == "e" and calls[3].values == ("e",)
    assert "TAG" not in calls[0].values


CORDOVA = """\
package org.apache.cordova;

public class PluginManager {
    private static final String TAG = "PluginManager";

    public void exec(String service, String action) {
        LOG.d(TAG, "exec() call to unknown plugin: " + service);
        LOG.d(TAG, "onExceededDatabaseQuota estimatedSize: %d  currentQuota: %d", a, b);
    }
}
"""


def test_cordova_log_class():
    calls = java.logged_calls(document(CORDOVA))
    assert [c.logger for c in calls] == ["LOG", "LOG"]
    assert calls[0].library == "android" and calls[0].level == "debug"
    assert calls[0].values == ("service",)
    assert calls[1].message == "onExceededDatabaseQuota estimatedSize: currentQuota:"
    assert calls[1].values == ("a", "b")


OTHERS = """\
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

class Job {
    private static final Log log = LogFactory.getLog(Job.class);
    private static final System.Logger SYS = System.getLogger("job");

    void run() {
        log.fatal("Job crashed");
        log.error(exception);
        SYS.log(System.Logger.Level.ERROR, "System failure", cause);
        SYS.log(System.Logger.Level.TRACE, "tracing");
    }
}
"""


def test_commons_logging_and_system_logger():
    calls = java.logged_calls(document(OTHERS))
    assert [(c.library, c.level) for c in calls] == [
        ("commons-logging", "critical"),
        ("commons-logging", "error"),
        ("system-logger", "error"),
        ("system-logger", "trace"),
    ]
    assert calls[1].message is None and calls[1].error == "exception"
    assert calls[2].error == "cause"


LOG4J2 = """\
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

class Worker {
    private static final Logger LOGGER = LogManager.getLogger(Worker.class);

    void work(int n) {
        LOGGER.trace("Working on {}", n);
        LOGGER.fatal("Out of memory");
        LOGGER.info(String.format("Processed %d items", n));
    }
}
"""


def test_log4j2_calls_and_string_format_messages():
    calls = java.logged_calls(document(LOG4J2))
    assert [c.library for c in calls] == ["log4j2"] * 3
    assert [c.level for c in calls] == ["trace", "critical", "info"]
    assert calls[2].message == "Processed items" and calls[2].values == ("n",)


FLUENT = """\
import com.google.common.flogger.FluentLogger;

class Fetcher {
    private static final FluentLogger logger = FluentLogger.forEnclosingClass();

    void fetch(String url) {
        try {
            get(url);
        } catch (IOException e) {
            logger.atWarning().withCause(e).log("Fetching %s failed", url);
        }
        logger.atFine().log("Fetched %s", url);
    }
}
"""


def test_fluent_calls_and_a_throwable_beyond_the_placeholders():
    calls = java.logged_calls(document(FLUENT))
    assert [(c.library, c.level, c.logger) for c in calls] == [
        ("flogger", "warning", "logger"),
        ("flogger", "debug", "logger"),
    ]
    assert calls[0].error == "e" and calls[0].values == ("url", "e")
    assert calls[0].message == "Fetching failed"
    slf4j = SLF4J.replace(
        'log.error("Failed to save " + user.getName(), ex);',
        'log.error("Failed to save {}", user, failure);',
    )
    error = java.logged_calls(document(slf4j))[1]
    assert error.error == "failure" and error.values == ("user", "failure")


# --- render and parse -----------------------------------------------------------------------------


def _choice_for(text: str, line: int):
    doc = document(text)
    site = java.site_at(doc, line, 12)
    return doc, site, idioms.logger_for(doc, site, java.logged_calls(doc))


@pytest.mark.parametrize(
    ("text", "marker", "library"),
    [
        (SLF4J, "store(user);", "slf4j"),
        (JUL, "call();", "jul"),
        (ANDROID, "load();", "android"),
        (CORDOVA, 'LOG.d(TAG, "exec()', "android"),
        (LOG4J2, "LOGGER.trace", "log4j2"),
        (OTHERS, "void run()", "commons-logging"),
        (FLUENT, "get(url);", "flogger"),
    ],
)
@pytest.mark.parametrize("level", LEVELS)
def test_rendered_statements_parse_in_place(text, marker, library, level):
    row = line_after(text, marker)
    lines = text.split("\n")
    lines.insert(row, "")
    text = "\n".join(lines)
    doc, site, choice = _choice_for(text, row)
    assert choice.library == library
    assert choice.defined
    error = site.exception_name
    spec = StatementSpec(
        choice, level, 'Could not "save" \\ the user', ("user.getId()", "n + 1"), error
    )
    statement = idioms.render(spec)
    assert statement.endswith(";") and "\n" not in statement
    assert java.statement_problems(doc, row, statement) == []
    start, closing = idioms.opening(spec)
    assert statement.startswith(start) and start.endswith('"') and closing == '"'
    assert '\\"save\\"' in statement and "\\\\" in statement
    bound = set(site.names) | site.module_names | idioms.always_bound(doc)
    assert java.names_read(statement) <= bound | {"user", "n"}


def test_render_styles_of_each_library():
    doc = document(SLF4J)
    site = java.site_at(doc, line_after(SLF4J, "store(user);"), 12)
    slf4j = idioms.logger_for(doc, site, java.logged_calls(doc))
    spec = StatementSpec(slf4j, "warning", "Failed to connect to", ("host",), "e")
    assert idioms.render(spec) == 'log.warn("Failed to connect to {}", host, e);'
    two = StatementSpec(slf4j, "info", "Connected", ("host", "user.getId()"))
    assert idioms.render(two) == 'log.info("Connected: host={}, id={}", host, user.getId());'
    assert idioms.opening(spec) == ('log.warn("', '"')

    doc = document(ANDROID)
    site = java.site_at(doc, line_after(ANDROID, "load();"), 12)
    android = idioms.logger_for(doc, site, java.logged_calls(doc))
    spec = StatementSpec(android, "error", "Failed to connect to", ("host",), "e")
    assert idioms.render(spec) == 'Log.e(TAG, "Failed to connect to " + host, e);'
    assert idioms.opening(spec) == ('Log.e(TAG, "', '"')

    doc = document(JUL)
    site = java.site_at(doc, line_after(JUL, "call();"), 12)
    jul = idioms.logger_for(doc, site, java.logged_calls(doc))
    with_error = StatementSpec(jul, "warning", "Failed to connect to", ("host",), "e")
    assert idioms.render(with_error) == (
        'LOGGER.log(Level.WARNING, "Failed to connect to " + host, e);'
    )
    plain = StatementSpec(jul, "debug", "Connected to", ("host", "port + 1"))
    assert idioms.render(plain) == (
        'LOGGER.fine("Connected to: host=" + host + ", port_1=" + (port + 1));'
    )


def test_statement_problems_reports_broken_statements():
    doc = document(CLIENT)
    row = line_after(CLIENT, "attempts++;")
    assert java.statement_problems(doc, row, 'LOG.warn("x", e);') == []
    assert java.statement_problems(doc, row, 'LOG.warn("x", e;')
    assert java.statement_problems(doc, row, 'LOG.warn("x)')
    assert java.statement_problems(doc, row, "LOG.warn(1); LOG.warn(2);")
    # in a class body, between members, a statement does not parse
    assert java.statement_problems(doc, line_after(CLIENT, "private int retries"), "LOG.warn(1);")


def test_names_read():
    assert java.names_read('LOG.warn("Failed {} \\"x\\"", host.getName(), this.port, e);') == {
        "LOG",
        "host",
        "this",
        "e",
    }
    assert java.names_read('Log.e(TAG, "a" + user.name + count(items), ex);') == {
        "Log",
        "TAG",
        "user",
        "count",
        "items",
        "ex",
    }
    assert java.names_read('LOGGER.log(Level.SEVERE, "x", e);') == {"LOGGER", "Level", "e"}
    assert java.names_read('LOG.info("{}", list.stream().map(x -> x.id).count());') == {
        "LOG",
        "list",
    }
    assert java.names_read('LOG.info("{}", String.valueOf(n), Foo::bar);') == {
        "LOG",
        "String",
        "n",
        "Foo",
    }


# --- logger choice --------------------------------------------------------------------------------

BARE = """\
package org.example;

import java.util.List;

public class Store {
    private final List<String> items;

    public void add(String item) {
        try {
            items.add(item);
        } catch (RuntimeException e) {

        }
    }
}
"""


def test_no_logger_anywhere_chooses_java_util_logging_with_setup_that_parses():
    row = line_after(BARE, "catch (RuntimeException e)")
    doc, site, choice = _choice_for(BARE, row)
    assert choice.library == "jul" and not choice.defined
    assert choice.note == idioms.NO_LOGGER_NOTE
    edited = apply(BARE, choice.setup)
    assert "import java.util.logging.Logger;" in edited
    assert "import java.util.logging.Level;" in edited
    assert (
        "    private static final Logger LOG = Logger.getLogger(Store.class.getName());" in edited
    )
    edited_doc = document(edited)
    assert not edited_doc.tree.root_node.has_error
    shift = edited.count("\n") - BARE.count("\n")
    statement = idioms.render(StatementSpec(choice, "error", "Could not add", ("item",), "e"))
    assert java.statement_problems(edited_doc, row + shift, statement) == []
    assert java.names_read(statement) <= set(site.names) | idioms.always_bound(doc)


def test_no_logger_in_a_file_importing_slf4j_declares_an_slf4j_logger():
    text = BARE.replace("import java.util.List;", "import java.util.List;\nimport org.slf4j.MDC;")
    row = line_after(text, "catch (RuntimeException e)")
    _, _, choice = _choice_for(text, row)
    assert choice.library == "slf4j" and choice.note is None
    edited = apply(text, choice.setup)
    assert "import org.slf4j.Logger;\nimport org.slf4j.LoggerFactory;" in edited
    assert "private static final Logger LOG = LoggerFactory.getLogger(Store.class);" in edited
    assert not document(edited).tree.root_node.has_error


def test_project_habit_wins_over_the_standard_library():
    row = line_after(BARE, "catch (RuntimeException e)")
    doc = document(BARE)
    site = java.site_at(doc, row, 12)
    habit = LoggedCall(
        1, 1, 'LOGGER.info("x");', "log4j2", "LOGGER", "info", "x", (), None, "f", "other"
    )
    choice = idioms.logger_for(doc, site, (), (habit, habit))
    assert choice.library == "log4j2" and choice.expression == "LOGGER" and not choice.defined
    edited = apply(BARE, choice.setup)
    assert "LogManager.getLogger(Store.class)" in edited
    assert not document(edited).tree.root_node.has_error


@pytest.mark.parametrize("library", ["custom", "flogger"])
def test_a_project_habit_that_cannot_be_declared_leaves_the_standard_library(library):
    doc = document(BARE)
    site = java.site_at(doc, line_after(BARE, "catch (RuntimeException e)"), 12)
    habit = LoggedCall(
        1, 1, 'Logger.info("x");', library, "Logger", "info", "x", (), None, "f", "other"
    )
    choice = idioms.logger_for(doc, site, (), (habit, habit))
    assert choice.library == "jul" and choice.note
    assert not document(apply(BARE, choice.setup)).tree.root_node.has_error


def test_android_habit_without_a_tag_declares_one():
    doc = document(BARE)
    site = java.site_at(doc, line_after(BARE, "catch (RuntimeException e)"), 12)
    habit = LoggedCall(
        1, 1, 'Log.d(TAG, "x");', "android", "Log", "debug", "x", (), None, "f", "other"
    )
    choice = idioms.logger_for(doc, site, (), (habit,))
    edited = apply(BARE, choice.setup)
    assert "import android.util.Log;" in edited
    assert 'private static final String TAG = "Store";' in edited
    assert not document(edited).tree.root_node.has_error


def test_logger_setup_in_an_interface_an_enum_and_a_class_less_file():
    for text in (
        "interface Api {\n    void call();\n}\n",
        "enum Color {\n    RED, GREEN;\n    void paint() {}\n}\n",
        "enum Color {\n    RED, GREEN\n}\n",
        "class Empty {}\n",
    ):
        doc = document(text)
        choice = idioms.logger_for(doc, java.site_at(doc, 1, 4), ())
        edited = apply(text, choice.setup)
        assert "LOG = Logger.getLogger(" in edited
        assert not document(edited).tree.root_node.has_error, edited
    doc = document("")
    choice = idioms.logger_for(doc, java.site_at(doc, 0, 0), ())
    assert choice.library == "jul"


def test_a_clashing_logger_import_uses_qualified_names():
    text = "import java.util.logging.Logger;\nimport org.slf4j.MDC;\n\nclass A {\n}\n"
    doc = document(text)
    choice = idioms.logger_for(doc, java.site_at(doc, 3, 4), ())
    edited = apply(text, choice.setup)
    assert "private static final org.slf4j.Logger LOG" in edited
    assert not document(edited).tree.root_node.has_error


def test_always_bound():
    bound = idioms.always_bound(document(JUL))
    assert {"Level", "Logger", "LOGGER", "String", "System", "this", "Service"} <= bound
    assert "Level" not in idioms.always_bound(document(SLF4J))
    assert "log" in idioms.always_bound(document(SLF4J))


# --- batch sites ----------------------------------------------------------------------------------

BATCH = """\
class Batch {
    void swallow() {
        try {
            a();
        } catch (IOException e) {
            return;
        }
        try {
            a();
        } catch (IOException e) {
            // nothing to do
        }
        try {
            a();
        } catch (IOException ignored) {
        }
        try { a(); } catch (IOException e) {}
        try {
            a();
        } catch (NumberFormatException e) {
            x = 0;
        }
        try {
            a();
        } catch (IOException e) {
            callback.onError(e);
        }
        try {
            a();
        } catch (IOException e) {
            e.printStackTrace();
        }
    }

    void convert() {
        try {
            a();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            a();
        } catch (IOException e) {
            throw e;
        }
    }

    void retry() throws InterruptedException {
        for (int attempt = 0; attempt < 5; attempt++) {
            try {
                a();
                break;
            } catch (IOException e) {
                Thread.sleep(100);
            }
        }
    }

    void logged() {
        try {
            a();
        } catch (IOException e) {
            LOG.warn("Failed", e);
            return;
        }
    }
}
"""


def test_find_sites_flags_catch_blocks_that_do_not_log():
    doc = document(BATCH)
    found = java.find_sites(doc)
    assert [(f.rule, f.line) for f in found] == [
        ("except_swallowed", 5),
        ("except_swallowed", 11),
        ("except_converted", 38),
        ("retry_loop", 53),
    ]
    assert found[0].function == "swallow" and found[0].indent == " " * 12
    assert found[1].indent == " " * 12  # the empty block: before its closing brace
    assert found[0].start_line == 4
    assert "UncheckedIOException" in found[2].message
    assert [f.rule for f in java.find_sites(doc, ["except_converted"])] == ["except_converted"]
    with pytest.raises(ValueError):
        java.find_sites(doc, ["no_such_rule"])


def test_findings_insertion_lines_parse():
    doc = document(BATCH)
    for finding in java.find_sites(doc):
        lines = BATCH.split("\n")
        lines.insert(finding.line, finding.indent + 'LOG.warn("x", e);')
        assert not document("\n".join(lines)).tree.root_node.has_error


def test_finding_columns_count_characters_not_bytes():
    text = """\
class A {
    void m() {
        try { a(); /* żółw */ } catch (IOException e) {
            return;
        /* é */ }
    }
}
"""
    (finding,) = java.find_sites(document(text))
    lines = text.split("\n")
    assert (finding.start_line, finding.start_character) == (2, 32)
    assert (finding.end_line, finding.end_character) == (4, 17)
    assert lines[2][finding.start_character :].startswith("catch (IOException e)")
    assert lines[4][: finding.end_character] == "        /* é */ }"


def test_a_cursor_after_non_ascii_text_reads_the_whole_text_before_it():
    lines = CLIENT.split("\n")
    row = line_after(CLIENT, "attempts++;")
    lines[row] = '                LOG.warn("Zażółć gęślą jaźń'
    doc = document("\n".join(lines))
    for character, message in (
        (len(lines[row]), "Zażółć gęślą jaźń"),
        (len(lines[row]) - 5, "Zażółć gęślą"),
    ):
        site = java.site_at(doc, row, character)
        assert site.character == character
        assert site.typed.message == message
        assert site.typed.logger == "LOG" and site.typed.level_prefix == "warn"
        assert site.kind == "except" and site.exception_name == "e"


def test_ignore_comment_silences_a_finding():
    text = BATCH.replace(
        "} catch (IOException e) {\n            return;",
        "} catch (IOException e) { // logsmith: ignore\n            return;",
    )
    assert 5 not in [f.line for f in java.find_sites(document(text))]


# --- bad input ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\n\n\n",
        "class {{{ void ( try catch",
        'int x = 1;\nx++;\n\nLOG.info("top");\n',
        'class A{void m(){try{a();}catch(Exception e){}LOG.info("x");for(;;){}}}',
        "public class Broken {\n  void m() {\n    try {\n      a(\n    } catch (E e) {\n\n",
        'class A { void m() { String s = "unterminated; } }',
        "\x00\x01 binary \ufffd garbage \n" * 5,
    ],
)
def test_bad_input_never_raises(text):
    doc = document(text)
    for line in range(-1, doc.line_count + 2):
        for character in (-3, 0, 5, 400):
            site = java.site_at(doc, line, character)
            assert site.kind in ("except", "entry", "return", "raise", "loop", "other")
    java.logged_calls(doc)
    java.find_sites(doc)
    java.statement_problems(doc, 0, 'LOG.info("x");')
    java.statement_problems(doc, 10_000, "")
    java.names_read(text)
    choice = idioms.logger_for(doc, java.site_at(doc, 0, 0), java.logged_calls(doc))
    apply(text, choice.setup)
    idioms.always_bound(doc)


def test_a_file_with_syntax_errors_gets_a_best_effort_site():
    text = CLIENT.replace("open(host, port);", "open(host, port")
    site = java.site_at(document(text), line_after(text, "attempts++;"), 16)
    assert site.syntax_error
    assert site.kind == "except" and site.exception_name == "e"


def test_a_huge_file():
    method = (
        "    void m{n}(int a) {{\n        try {{\n            a(a);\n"
        '        }} catch (Exception e) {{\n            LOG.info("x {{}}", a);\n'
        "        }}\n    }}\n"
    )
    text = "class Huge {\n" + "".join(method.format(n=n) for n in range(2000)) + "}\n"
    doc = document(text)
    assert len(java.logged_calls(doc)) == 2000
    site = java.site_at(doc, 7 * 1000 + 3, 12)
    assert site.function.name == "m1000"
    assert java.find_sites(doc) == []
    nested = "class Deep { void m() { int x = " + "(" * 5000 + "1" + ")" * 5000 + "; } }"
    deep = document(nested)
    java.site_at(deep, 0, 30)
    java.logged_calls(deep)
    java.names_read(nested)


def test_site_usages_say_how_the_method_uses_its_names():
    site = java.site_at(document(CLIENT), line_after(CLIENT, "attempts++;"), 16)
    usages = {usage.text: usage for usage in site.usages}
    assert {"bound", "previous", "outer_header"} <= usages["attempts"].roles
    assert "argument" in usages["host"].roles and "argument" in usages["port"].roles
    assert usages["open"].roles == {"called"}
    assert "header" in usages["e"].roles
    text = SLF4J
    row = line_after(text, "callbackContext.error") - 1  # read as a blank line after the try
    site = java.site_at(document(text), row, 8)
    usages = {usage.text: usage for usage in site.usages}
    assert "log" in usages["user"].roles
    assert "receiver" in usages["user"].roles


def test_statement_problems_on_a_half_typed_line():
    lines = CLIENT.split("\n")
    row = line_after(CLIENT, "attempts++;")
    lines[row] = '                LOG.warn("Retrying'
    doc = document("\n".join(lines))
    assert java.statement_problems(doc, row, 'LOG.warn("Retrying {}", host, e);') == []
    lines = CLIENT.split("\n")
    row = line_after(CLIENT, "private int retries")
    lines.insert(row, '    LOG.warn("Half')
    doc = document("\n".join(lines))
    assert java.statement_problems(doc, row, 'LOG.warn("Half typed in a class body");')


def test_statement_problems_in_a_file_that_does_not_parse_elsewhere():
    text = CLIENT.replace("open(host, port);", "open(host, port")
    row = max(i for i, line in enumerate(text.split("\n")) if line == "        return;") - 2
    assert java.statement_problems(document(text), row, 'LOG.info("fine");') == []


def test_nothing_goes_before_a_constructor_call():
    text = CLIENT.replace("        super();\n", "\n        super();\n")
    site = java.site_at(document(text), line_after(text, "public Client(String host)"), 8)
    assert site.kind == "other" and not site.reachable and site.notes
    assert java.statement_problems(document(text), site.line, 'LOG.info("x");')


def test_android_tags_are_constants_literals_or_fields_never_parameters():
    text = """\
import android.util.Log;

class Bridge {
    void send(String tag, String message) {
        Log.d(tag, message);
        Log.i("Bridge", "sent");

    }
}
"""
    doc = document(text)
    site = java.site_at(doc, 6, 8)
    choice = idioms.logger_for(doc, site, java.logged_calls(doc))
    assert choice.tag == '"Bridge"'
    statement = idioms.render(StatementSpec(choice, "info", "Sent", ("message",)))
    assert statement == 'Log.i("Bridge", "Sent " + message);'
    assert java.statement_problems(doc, 6, statement) == []


def test_cordova_habit_in_a_file_with_a_tag_imports_log_and_keeps_the_tag():
    text = """\
package org.apache.cordova.engine;

import java.io.File;

public class Reader {
    private static final String LOG_TAG = "Reader";

    void read(File file) {
        try {
            open(file);
        } catch (IOException e) {

        }
    }
}
"""
    doc = document(text)
    site = java.site_at(doc, 11, 12)
    habit = LoggedCall(
        1, 1, 'LOG.d(TAG, "x");', "android", "LOG", "debug", "x", (), None, "f", "other"
    )
    choice = idioms.logger_for(doc, site, (), (habit,))
    assert choice.tag == "LOG_TAG" and not choice.defined
    edited = apply(text, choice.setup)
    assert "import org.apache.cordova.LOG;" in edited and 'String TAG = "' not in edited
    statement = idioms.render(StatementSpec(choice, "error", "Could not read", ("file",), "e"))
    assert statement == 'LOG.e(LOG_TAG, "Could not read " + file, e);'
    shifted = document(edited)
    assert java.statement_problems(shifted, 12, statement) == []


def test_lombok_annotation_declares_log():
    text = """\
import lombok.extern.slf4j.Slf4j;

@Slf4j
public class Handler {
    void handle(Request request) {

    }
}
"""
    doc = document(text)
    site = java.site_at(doc, 5, 8)
    choice = idioms.logger_for(doc, site, java.logged_calls(doc))
    assert (choice.library, choice.expression, choice.defined) == ("slf4j", "log", True)
    assert choice.setup == ()
    assert "log" in idioms.always_bound(doc)
    statement = idioms.render(StatementSpec(choice, "debug", "Handling", ("request",)))
    assert statement == 'log.debug("Handling {}", request);'


def test_a_local_logger_of_another_method_is_not_the_files_logger():
    text = """\
import java.util.logging.Logger;

class Tool {
    void one() {
        Logger local = Logger.getLogger("tool");
        local.info("one");
    }

    void two(int n) {

    }
}
"""
    doc = document(text)
    choice = idioms.logger_for(doc, java.site_at(doc, 9, 8), java.logged_calls(doc))
    assert choice.expression == "LOG" and not choice.defined
    inside = idioms.logger_for(doc, java.site_at(doc, 5, 8), java.logged_calls(doc))
    assert inside.expression == "local" and inside.defined


def test_a_projects_own_logging_class_is_custom_and_concatenates():
    text = """\
package com.example;

class Bridge {
    void run(String name) {
        Logger.debug("Starting " + name);
        try {
            start();
        } catch (Exception ex) {
            Logger.error("Failed to start", ex);
        }
        Logger.warning("Odd");

    }
}
"""
    doc = document(text)
    calls = java.logged_calls(doc)
    assert [(c.library, c.level) for c in calls] == [
        ("custom", "debug"),
        ("custom", "error"),
        ("custom", "warning"),
    ]
    choice = idioms.logger_for(doc, java.site_at(doc, 11, 8), calls)
    assert (choice.library, choice.expression, choice.defined) == ("custom", "Logger", True)
    error = StatementSpec(choice, "error", "Could not run", ("name",), "ex")
    assert idioms.render(error) == 'Logger.error("Could not run " + name, ex);'
    warning = StatementSpec(choice, "warning", "Odd again", ())
    assert idioms.render(warning) == 'Logger.warning("Odd again");'
    # a level the file never used: java.util.logging's name, since the class speaks that way
    assert idioms.render(StatementSpec(choice, "trace", "Deep", ())) == 'Logger.finest("Deep");'
    assert java.statement_problems(doc, 11, idioms.render(error)) == []


@pytest.mark.parametrize("library", sorted(idioms.METHODS))
def test_every_library_and_level_renders_a_statement_that_parses(library):
    row = line_after(CLIENT, "attempts++;")
    doc = document(CLIENT)
    expression = {"android": "Log", "flogger": "logger"}.get(library, "LOG")
    choice = idioms.JavaLoggerChoice(library, expression, True)
    for level in LEVELS:
        for values, error in (((), None), (("host", "port * 2"), "e"), (("user.getId()",), None)):
            spec = StatementSpec(choice, level, 'Retry 100% of {} "now"', values, error)
            statement = idioms.render(spec)
            assert java.statement_problems(doc, row, statement) == [], statement
            assert statement.startswith(idioms.opening(spec)[0])
