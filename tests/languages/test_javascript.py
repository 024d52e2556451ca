"""JavaScript (and JSX) reading and idioms: sites, log statements, names read, parse checks,
batch sites, logger choice and rendering, bad input."""

import pytest

from logsmith.idioms import javascript as idioms
from logsmith.idioms.contract import LEVELS, LoggedCall, StatementSpec
from logsmith.idioms.registry import idioms_for, reader_for
from logsmith.syntax import javascript as reader
from logsmith.syntax.document import ParsedDocument
from logsmith.syntax.languages import query

SERVICE = """\
const debug = require('debug')('app:net');
import winston from "winston";
import { retry as withRetry } from "./retry";
const logger = winston.createLogger({});

async function connect(host, { port, timeout = 5 }) {
  const started = Date.now();
  try {
    await net.connect(host, port);
  } catch (e) {

    logger.error('Failed to connect', { err: e, host });
  }
  promise.catch((err) => {
    console.error("boom %s", host, err);
  });
  emitter.on('error', function (failure) {
    handle(failure);
  });
  for (const [key, value] of entries) {
    debug(`item ${key} is %o`, value);
  }
  if (!host) {

    return null;
    cleanup();
  }
  return started;
}

fs.readFile(path, (err, data) => {
  if (err) {
    throw err;
  }
});

class Client {
  constructor(options) {
    this.logger = options.logger;
  }

  send(message) {
    this.logger.debug("sending", message);
  }
}
"""


def js(text: str) -> ParsedDocument:
    return ParsedDocument(text, "javascript")


def at(document: ParsedDocument, line: int):
    current = document.line(line)
    return reader.site_at(document, line, len(current) - len(current.lstrip()))


@pytest.mark.parametrize("language", ["javascript", "typescript", "tsx"])
@pytest.mark.parametrize("name", ["calls", "handlers", "bindings", "reads", "attributes"])
def test_every_query_compiles_for_each_grammar(language, name):
    assert query(name, language).pattern_count >= 1


def test_the_registry_finds_the_modules_for_all_three_languages():
    for language in ("javascript", "typescript", "tsx"):
        assert reader_for(language) is reader
        assert idioms_for(language) is idioms


def test_entry_site_at_a_function_start_names_its_parameters_destructured_too():
    site = at(js(SERVICE), 6)
    assert site.kind == "entry"
    assert site.function.name == "connect"
    assert site.function.parameters == ("host", "port", "timeout")
    assert set(site.names) == {"host", "port", "timeout"}
    assert {"debug", "winston", "withRetry", "logger", "connect", "Client"} <= site.module_names


def test_catch_block_site_is_an_except_with_the_caught_name_first():
    site = at(js(SERVICE), 10)
    assert site.kind == "except"
    assert site.in_except
    assert site.exception_name == "e"
    assert site.names[0] == "e"
    assert "started" in site.names
    assert not site.syntax_error


def test_promise_catch_callback_is_an_except_site():
    site = at(js(SERVICE), 14)
    assert (site.kind, site.exception_name) == ("except", "err")
    assert site.function.name == "connect"  # an anonymous callback goes by its function's name
    assert site.names[0] == "err"


def test_on_error_handler_is_an_except_site():
    site = at(js(SERVICE), 17)
    assert (site.kind, site.exception_name, site.in_except) == ("except", "failure", True)


def test_node_callback_error_check_is_an_except_site():
    site = at(js(SERVICE), 32)
    assert (site.kind, site.exception_name) == ("except", "err")
    assert site.names[:2] == ("data", "err")
    assert site.function.name == "readFile"  # a top-level callback goes by what it is passed to


def test_loop_site_has_the_loop_variables():
    site = at(js(SERVICE), 20)
    assert site.kind == "loop"
    assert site.loop_variables == ("key", "value")
    assert site.names[:2] == ("key", "value")


def test_return_and_raise_sites_and_unreachable_code():
    document = js(SERVICE)
    before_return = at(document, 23)
    assert before_return.kind == "return"
    assert before_return.before == "return"
    assert before_return.return_value == "null"
    after_return = at(document, 25)
    assert not after_return.reachable
    before_throw = js("function f(x) {\n  const y = x;\n  \n  throw new Error('bad');\n}\n")
    site = at(before_throw, 2)
    assert (site.kind, site.before, site.raise_value) == ("raise", "raise", "new Error('bad')")


def test_method_site_knows_its_class():
    site = at(js(SERVICE), 42)
    assert site.function.name == "send"
    assert site.function.class_name == "Client"
    assert site.names == ("message",)
    assert site.self_attributes == ("this.logger",)
    assert at(js(SERVICE), 6).self_attributes == ()


def test_typed_text_before_the_cursor_with_each_quote():
    document = js('function f() {\n  console.log("Fail\n}\n')
    for quote in ('"', "'", "`"):
        document = js("function f(a) {\n  console.log(" + quote + "Fail\n}\n")
        site = reader.site_at(document, 1, len(document.line(1)))
        assert site.typed.logger == "console"
        assert site.typed.level_prefix == "log"
        assert site.typed.opened_call
        assert site.typed.quote == quote
        assert site.typed.message == "Fail"
        assert site.kind == "entry"
    partial = js("class A {\n  m() {\n    this.logger.\n  }\n}\n")
    typed = reader.site_at(partial, 2, len(partial.line(2))).typed
    assert (typed.logger, typed.level_prefix, typed.opened_call) == ("this.logger", "", False)


def test_logged_calls_of_every_library():
    calls = reader.logged_calls(js(SERVICE))
    summary = [(c.library, c.logger, c.level, c.message, c.values, c.error) for c in calls]
    assert summary == [
        ("winston", "logger", "error", "Failed to connect", ("e", "host"), "e"),
        ("console", "console", "error", "boom", ("host", "err"), "err"),
        ("debug", "debug", None, "item is", ("key", "value"), None),
        ("loglevel", "this.logger", "debug", "sending", ("message",), None),
    ]
    assert [c.site_kind for c in calls] == ["except", "except", "loop", "entry"]
    assert [c.function for c in calls] == ["connect", "connect", "connect", "send"]
    assert calls[0].text == "logger.error('Failed to connect', { err: e, host });"


PINO = """\
const pino = require("pino");
const log = pino();

function handle(req, user) {
  log.child({ reqId: req.id }).info({ userId: user.id }, "handling %s", req.url);
  try {
    work();
  } catch (err) {
    log.error({ err, id: user.id }, "work failed");
  }
}
"""


def test_pino_calls_with_objects_first_and_child_loggers():
    calls = reader.logged_calls(js(PINO))
    assert [(c.library, c.logger, c.level) for c in calls] == [
        ("pino", "log.child({ reqId: req.id })", "info"),
        ("pino", "log", "error"),
    ]
    assert calls[0].message == "handling"
    assert calls[0].values == ("user.id", "req.url")
    assert (calls[1].values, calls[1].error, calls[1].site_kind) == (
        ("err", "user.id"),
        "err",
        "except",
    )


def test_winston_log_with_a_level_name_and_levels_normalised():
    source = (
        "import winston from 'winston';\n"
        "winston.log('warn', 'disk at %d%%', pct);\n"
        "winston.silly('x');\nwinston.verbose('y');\nwinston.log('info', 'z');\n"
    )
    calls = reader.logged_calls(js(source))
    assert [(c.library, c.level) for c in calls] == [
        ("winston", "warning"),
        ("winston", "trace"),
        ("winston", "debug"),
        ("winston", "info"),
    ]
    assert calls[0].message == "disk at %"
    assert calls[0].values == ("pct",)


def test_console_levels_and_other_console_methods_ignored():
    source = (
        "console.log('a'); console.info('b'); console.warn('c'); console.error('d');\n"
        "console.debug('e'); console.trace('f'); console.table(rows); console.assert(x);\n"
    )
    calls = reader.logged_calls(js(source))
    assert [c.level for c in calls] == ["info", "info", "warning", "error", "debug", "trace"]
    assert {c.library for c in calls} == {"console"}


def test_loglevel_style_node_red_and_debug_factories():
    source = (
        "import createDebug from 'debug';\n"
        "const trace = createDebug('app');\n"
        "const sub = trace.extend('sub');\n"
        "module.exports = function (RED) {\n"
        "  RED.log.warn('node ' + id + ' failed: ' + err);\n"
        "  node.log.fatal('boom');\n"
        "  prefixedLogger.warn(`Failed ${id}`, e);\n"
        "  sub('one %o', x); trace('two');\n"
        "  Math.log(2); this.log('not a logger call');\n"
        "};\n"
    )
    calls = reader.logged_calls(js(source))
    assert [(c.library, c.logger, c.level) for c in calls] == [
        ("node-red", "RED.log", "warning"),
        ("loglevel", "node.log", "critical"),
        ("loglevel", "prefixedLogger", "warning"),
        ("debug", "sub", None),
        ("debug", "trace", None),
    ]
    assert calls[0].message == "node failed:"
    assert calls[0].values == ("id", "err")
    assert calls[2].values == ("id", "e")
    assert calls[2].error == "e"


def test_names_read_are_root_names_only():
    assert reader.names_read("logger.error('x', { err, id: user.id });") == {
        "logger",
        "err",
        "user",
    }
    assert reader.names_read("console.log(`a ${host.name}`, items.map((item) => item.id));") == {
        "console",
        "host",
        "items",
    }
    assert reader.names_read("this.logger.info('done');") == frozenset()
    assert reader.names_read("log.info({ [key]: 1, 'quoted': q });") == {"log", "key", "q"}


def test_statement_problems_in_the_document():
    document = js(SERVICE)
    assert reader.statement_problems(document, 10, "console.error('failed', e);") == []
    assert reader.statement_problems(document, 10, "console.error('failed', e;")
    assert reader.statement_problems(document, 10, "console.error('failed)")


def test_statement_problems_ignore_errors_the_file_already_has():
    broken = js("function f() {\n  \n  const x = ;\n}\n")
    assert reader.statement_problems(broken, 1, "console.log('x');") == []
    assert reader.statement_problems(broken, 1, "console.log('x'")


SPEC_VALUES = ("host", "user.id")


def choice(library: str, expression: str, **habits):
    return idioms.JavaScriptLoggerChoice(library, expression, True, **habits)


LIBRARIES = [
    ("console", "console"),
    ("winston", "logger"),
    ("pino", "logger"),
    ("loglevel", "this.logger"),
    ("debug", "debug"),
    ("node-red", "RED.log"),
]


@pytest.mark.parametrize("library,expression", LIBRARIES)
@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("language", ["javascript", "typescript", "tsx"])
def test_render_parses_in_place_for_every_library_and_level(library, expression, level, language):
    document = ParsedDocument(
        "const logger = makeLogger();\nconst debug = require('debug')('app');\n"
        "const RED = globalThis.RED;\n"
        "class A {\n  run(host, user) {\n    try {\n      go();\n    } catch (err) {\n"
        "      \n    }\n  }\n}\n",
        language,
    )
    for habits in ({}, {"quote": "'", "semicolon": False}, {"template": True}):
        spec = StatementSpec(
            choice(library, expression, **habits),
            level,
            'Can\'t "reach" \\ ${x}',
            SPEC_VALUES,
            "err",
        )
        statement = idioms.render(spec)
        assert reader.statement_problems(document, 8, statement) == [], statement
        start, closing = idioms.opening(spec)
        assert statement.startswith(start)
        assert closing in statement[len(start) :]
        names = reader.names_read(statement)
        site = reader.site_at(document, 8, 6)
        assert names <= set(site.names) | site.module_names | idioms.always_bound(document)
        calls = reader.logged_calls(document.with_line(8, "      " + statement))
        assert len(calls) == 1
        assert calls[0].library == library
        assert calls[0].level == (None if library == "debug" else level_read(library, level))
        if library != "debug":
            assert calls[0].message == spec.message


def level_read(library: str, level: str) -> str:
    """The level a rendered statement reads back as: libraries without trace or critical log
    those at the nearest level they have."""
    fewer = {
        "console": {"trace": "debug", "critical": "error"},
        "winston": {"trace": "debug", "critical": "error"},
        "loglevel": {"critical": "error"},
    }
    return fewer.get(library, {}).get(level, level)


def test_render_in_each_library_style():
    spec = StatementSpec(
        choice("console", "console"), "error", "Failed to connect to", ("host",), "err"
    )
    assert idioms.render(spec) == 'console.error("Failed to connect to", host, err);'
    winston = StatementSpec(
        choice("winston", "logger"), "error", "Failed to connect", ("host",), "err"
    )
    assert idioms.render(winston) == 'logger.error("Failed to connect", { host, err });'
    pino = StatementSpec(choice("pino", "logger"), "error", "Failed to connect", ("host",), "err")
    assert idioms.render(pino) == 'logger.error({ err, host }, "Failed to connect");'
    assert idioms.opening(pino) == ('logger.error({ err, host }, "', '"')
    loglevel = StatementSpec(
        choice("loglevel", "logger"), "warning", "Failed to connect to", ("host",), "e"
    )
    assert idioms.render(loglevel) == 'logger.warn("Failed to connect to " + host, e);'
    debug = StatementSpec(choice("debug", "debug"), "info", "Failed to connect to", ("host",))
    assert idioms.render(debug) == 'debug("failed to connect to %o", host);'
    quoted = StatementSpec(
        choice("console", "console", quote="'", semicolon=False), "info", "it's", ()
    )
    assert idioms.render(quoted) == "console.info('it\\'s')"


def test_logger_for_takes_the_files_logger_usable_at_the_site():
    document = js(SERVICE)
    calls = reader.logged_calls(document)
    in_method = idioms.logger_for(document, at(document, 42), calls)
    assert (in_method.library, in_method.expression, in_method.defined) == (
        "loglevel",
        "this.logger",
        True,
    )
    in_function = idioms.logger_for(document, at(document, 10), calls)
    assert (in_function.library, in_function.expression) == ("winston", "logger")
    assert in_function.quote == '"'  # most of the file's messages are in double quotes


def test_logger_for_without_a_logger_falls_back_to_console_with_a_note():
    document = js("function f(x) {\n  \n}\n")
    found = idioms.logger_for(document, at(document, 1), ())
    assert (found.library, found.expression, found.defined) == ("console", "console", True)
    assert found.note == "no logger in this file or project: console"


@pytest.mark.parametrize(
    "source, line, note",
    [
        (
            "class A {\n  constructor() { this.logger = console }\n  static make() {\n    \n  }\n}\n"
            'class B { run() { this.logger.info("x") } }\n',
            3,
            "the file's logger `this.logger` cannot be reached here: `this` is not the instance",
        ),
        (
            "if (process.env.X) {\n  \n}\nconst log = require('pino')();\n"
            'function f() { log.info("x") }\n',
            1,
            "the file's logger `log` is not set yet where this statement runs",
        ),
    ],
)
def test_a_file_logger_the_site_cannot_call_is_named_in_the_note(source, line, note):
    document = js(source)
    found = idioms.logger_for(document, at(document, line), reader.logged_calls(document))
    assert found.expression == "console"
    assert found.note == note + ": console"


def project_call(library: str, logger: str) -> LoggedCall:
    return LoggedCall(
        0, 0, f"{logger}.info('x');", library, logger, "info", "x", (), None, None, "other"
    )


def test_logger_for_follows_the_projects_habit_when_it_can_import_it():
    document = js("const fs = require('fs');\n\nfunction f(x) {\n  \n}\n")
    found = idioms.logger_for(
        document, at(document, 3), (), (project_call("winston", "winston"),) * 2
    )
    assert (found.library, found.expression, found.defined) == ("winston", "winston", False)
    assert [edit.new_text for edit in found.setup] == ['const winston = require("winston");\n']
    assert found.setup[0].start_line == 1
    relative = idioms.logger_for(document, at(document, 3), (), (project_call("pino", "logger"),))
    assert relative.library == "console"
    assert "logger" in relative.note


def test_always_bound_has_globals_imports_and_this():
    bound = idioms.always_bound(js(SERVICE))
    assert {
        "console",
        "JSON",
        "process",
        "window",
        "this",
        "winston",
        "withRetry",
        "Client",
    } <= bound


SWALLOWING = """\
function load(path) {
  try {
    return JSON.parse(read(path));
  } catch (e) {
    return null;
  }
}

function parse(text) {
  try {
    return JSON.parse(text);
  } catch {
  }
}

function convert(x) {
  try {
    return go(x);
  } catch (err) {
    throw new Error("conversion failed");
  }
}

function handled(x) {
  try { go(x); } catch (e) { console.error(e); }
  try {
    go(x);
  } catch (e) {
    throw e;
  }
  try {
    go(x);
  } catch (e) {
    errors.push(e);
  }
  try { go(x); } catch (e) {}
}

async function fetchWithRetry(url) {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await fetch(url);
    } catch (e) {
      await sleep(1000);
    }
  }
}

fetch(url).catch((error) => {
  setState(null);
});
"""


def test_find_sites_flags_silent_catches_conversions_and_retries():
    findings = reader.find_sites(js(SWALLOWING))
    assert [(f.rule, f.line, f.indent, f.function) for f in findings] == [
        ("except_swallowed", 4, "    ", "load"),
        ("except_swallowed", 12, "    ", "parse"),
        ("except_converted", 19, "    ", "convert"),
        ("retry_loop", 43, "      ", "fetchWithRetry"),
        ("except_swallowed", 49, "  ", None),
    ]
    assert findings[0].start_line == 3
    assert reader.find_sites(js(SWALLOWING), ["except_converted"])[0].line == 19


def test_find_sites_inserted_lines_parse_inside_the_block():
    document = js(SWALLOWING)
    for finding in reader.find_sites(document):
        lines = document.text.split("\n")
        lines.insert(finding.line, finding.indent + "console.error('x');")
        changed = js("\n".join(lines))
        assert not changed.tree.root_node.has_error
        calls = reader.logged_calls(changed)
        assert any(call.start_line == finding.line and call.site_kind == "except" for call in calls)


def test_a_one_line_empty_catch_has_no_line_inside_and_is_not_reported():
    assert reader.find_sites(js("try { go(); } catch (e) {}\n")) == []
    multi = reader.find_sites(js("try { go(); } catch (e) {\n}\n"))
    assert [(f.line, f.indent) for f in multi] == [(1, "  ")]


def test_finding_columns_count_characters_not_bytes():
    source = "function m() {\n  try { a(); /* żółw */ } catch (e) {\n    return;\n  /* é */ }\n}\n"
    (finding,) = reader.find_sites(js(source))
    lines = source.split("\n")
    assert (finding.start_line, finding.start_character) == (1, 26)
    assert (finding.end_line, finding.end_character) == (3, 11)
    assert lines[1][finding.start_character :].startswith("catch (e)")
    assert lines[3][: finding.end_character] == "  /* é */ }"


def test_a_cursor_after_non_ascii_text_reads_the_whole_text_before_it():
    document = js('function f(a) {\n  console.log("Zażółć gęślą jaźń\n}\n')
    line = document.line(1)
    for character, message in ((len(line), "Zażółć gęślą jaźń"), (len(line) - 5, "Zażółć gęślą")):
        site = reader.site_at(document, 1, character)
        assert site.character == character
        assert site.typed.logger == "console" and site.typed.level_prefix == "log"
        assert site.typed.message == message
        assert site.kind == "entry" and site.names == ("a",)


def test_ignore_comment_silences_a_finding():
    source = "try {\n  go();\n} catch (e) { // logsmith: ignore\n  x = 1;\n}\n"
    assert reader.find_sites(js(source)) == []


@pytest.mark.parametrize("language", ["javascript", "typescript", "tsx"])
def test_bad_input_never_raises(language):
    for text in ("", "\n", "}}}{{{ catch (", "function (", "console.log('", "\x00\ufffd"):
        document = ParsedDocument(text, language)
        for line in (0, 1, 5, -1):
            site = reader.site_at(document, line, 3)
            assert site.kind in ("except", "entry", "return", "raise", "loop", "other")
        assert isinstance(reader.logged_calls(document), tuple)
        assert isinstance(reader.find_sites(document), list)
        assert isinstance(reader.statement_problems(document, 0, "console.log('x');"), list)
        assert idioms.logger_for(document, reader.site_at(document, 0, 0), ()).library == "console"


def test_syntax_error_gives_a_best_effort_site():
    document = js("function f(a) {\n  const b = ;\n  \n}\n")
    site = reader.site_at(document, 2, 2)
    assert site.syntax_error
    assert site.function is not None and site.function.name == "f"


def test_a_minified_one_line_file_is_read_sanely():
    unit = (
        'function a{n}(b,c){{try{{c(b)}}catch(e){{console.error("x{n}",e)}}'
        "for(var i=0;i<b.length;i++){{if(!b[i])return null}}return b}}"
    )
    text = ";".join(unit.format(n=n) for n in range(1800))
    assert len(text) > 200_000
    document = js(text)
    calls = reader.logged_calls(document)
    assert len(calls) == 1800
    assert calls[0].error == "e" and calls[0].site_kind == "except"
    assert reader.find_sites(document) == []
    site = reader.site_at(document, 0, 50_000)
    assert site.line == 0
    assert reader.site_at(document, 0, 0).kind in ("other", "entry")


def test_logger_for_uses_a_declared_logger_no_statement_uses_yet():
    source = "const debug = require('debug')('app');\nfunction f(x) {\n  \n}\n"
    document = js(source)
    found = idioms.logger_for(document, at(document, 2), ())
    assert (found.library, found.expression, found.note) == ("debug", "debug", None)
    both = js("import log from 'loglevel';\n" + source)
    found = idioms.logger_for(both, at(both, 3), ())
    assert (found.library, found.expression) == ("loglevel", "log")


def test_logger_for_follows_the_files_quote_semicolon_and_template_habits():
    source = (
        "import pino from 'pino'\n"
        "const log = pino()\n"
        "function f(host) {\n"
        "  log.info({ host }, 'starting')\n"
        "  \n"
        "}\n"
    )
    document = js(source)
    found = idioms.logger_for(document, at(document, 4), reader.logged_calls(document))
    assert (found.library, found.expression, found.quote, found.semicolon) == (
        "pino",
        "log",
        "'",
        False,
    )
    spec = StatementSpec(found, "warning", "Slow start", ("host",), None)
    assert idioms.render(spec) == "log.warn({ host }, 'Slow start')"
    templated = js(
        "import { logger } from './logger';\n"
        "function g(room, e) {\n"
        "  logger.warn(`Failed to join ${room}`, e);\n"
        "  \n"
        "}\n"
    )
    found = idioms.logger_for(templated, at(templated, 3), reader.logged_calls(templated))
    assert (found.library, found.template) == ("loglevel", True)
    spec = StatementSpec(found, "error", "Failed to leave", ("room",), "e")
    assert idioms.render(spec) == "logger.error(`Failed to leave ${room}`, e);"
    assert idioms.opening(spec) == ("logger.error(`", "`")


def test_logger_for_imports_the_folders_logger_as_the_files_beside_do():
    sibling = js(
        'import { logger as log } from "../logger";\n'
        'import type { X } from "./x";\n'
        "export function a() {\n  log.info('a');\n}\n"
    )
    folder = reader.logged_calls(sibling)
    assert folder[0].importing == 'import { logger as log } from "../logger";'
    module = js('"use strict";\nimport fs from "fs";\n\nexport function b(path) {\n  \n}\n')
    found = idioms.logger_for(module, at(module, 4), (), folder)
    assert (found.library, found.expression, found.defined) == ("loglevel", "log", False)
    edit = found.setup[0]
    assert (edit.start_line, edit.new_text) == (2, 'import { logger as log } from "../logger";\n')
    commonjs = js("#!/usr/bin/env node\nconst fs = require('fs');\nfunction b() {\n  \n}\n")
    refused = idioms.logger_for(commonjs, at(commonjs, 3), (), folder)
    assert (refused.library, refused.defined) == ("console", True)
    assert "log" in refused.note
    required = reader.logged_calls(js("const debug = require('debug')('app');\ndebug('x');\n"))
    found = idioms.logger_for(commonjs, at(commonjs, 3), (), required)
    assert (found.library, found.expression) == ("debug", "debug")
    assert found.setup[0].new_text == "const debug = require('debug')('app');\n"
    assert found.setup[0].start_line == 2
    bare = js("function b() {\n  \n}\n")
    assert idioms.logger_for(bare, at(bare, 1), (), required).setup[0].start_line == 0


def test_a_template_habit_without_values_writes_a_plain_string():
    found = choice("loglevel", "logger", template=True)
    spec = StatementSpec(found, "warning", "Gave up", (), "e")
    assert idioms.render(spec) == 'logger.warn("Gave up", e);'
    assert idioms.opening(spec) == ('logger.warn("', '"')


def test_entry_site_after_a_use_strict_directive():
    document = js("function f(a) {\n  'use strict';\n  \n  go(a);\n}\n")
    assert at(document, 2).kind == "entry"
    assert at(js("function f(a) {\n  go(a);\n  \n}\n"), 2).kind == "other"


def test_a_private_logger_field_is_the_classs_own():
    source = (
        "class Store {\n  #logger = console;\n  open() {\n    this.#logger.info('opening');\n  }\n"
        "  close() {\n    \n  }\n}\nclass Cache {\n  clear() {\n    \n  }\n}\n"
    )
    document = js(source)
    calls = reader.logged_calls(document)
    assert [call.logger for call in calls] == ["this.#logger"]
    assert idioms.logger_for(document, at(document, 6), calls).expression == "this.#logger"
    assert idioms.logger_for(document, at(document, 11), calls).expression == "console"
