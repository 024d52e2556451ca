"""`logsmith.suggest` in each language beyond Python, through the shared engine with the real
model: the model's statement comes first, every statement parses in its file and reads only bound
names, the level and values fit the site, and a file without a logger gets setup edits that keep it
parsing."""

import shutil
import subprocess

import pytest

import logsmith
from logsmith.idioms import registry
from logsmith.idioms.stages import _allowed_names, calls_of, plan_for
from logsmith.planning.fitted import language_levels
from logsmith.syntax.document import ParsedDocument
from logsmith.text_edits import apply_edits

GO = """\
package store

import (
	"fmt"

	"go.uber.org/zap"
)

type Store struct {
	lg *zap.Logger
}

func (s *Store) Open(path string) (*DB, error) {
	db, err := bolt.Open(path)
	if err != nil {
		§
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	s.lg.Info("opened store", zap.String("path", path))
	return db, nil
}
"""

JAVA = """\
package org.example.store;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

public class Store {
    private static final Logger LOG = LoggerFactory.getLogger(Store.class);

    public Db open(String path) {
        try {
            return Db.open(path);
        } catch (IOException e) {
            §
            return null;
        }
    }
}
"""

TYPESCRIPT = """\
import { logger } from "./logger";

export async function fetchUser(client: Client, userId: string): Promise<User | null> {
    try {
        return await client.get(`/users/${userId}`);
    } catch (err) {
        §
        return null;
    }
}
"""

CASES = {
    "go": (GO, "store.go", "s.lg.", "err"),
    "java": (JAVA, "Store.java", "LOG.", "e"),
    "typescript": (TYPESCRIPT, "users.ts", "logger.", "err"),
}
"""Per language: the marked source, its file name, how its statements start, the caught error."""


def _cursor(marked: str) -> tuple[str, int, int]:
    """The source without its `§` mark, and the mark's line and column (an indented blank line)."""
    lines = marked.split("\n")
    number = next(n for n, line in enumerate(lines) if line.endswith("§"))
    return marked.replace("§", ""), number, len(lines[number]) - 1


def _valid(source: str, language: str, suggestion) -> list[str]:
    """What is wrong with a suggestion once applied: the file no longer parses, or the statement
    reads a name the site does not bind."""
    document = ParsedDocument(source, language)
    line = suggestion.edit.start_line
    reader = registry.reader_for(language)
    found = list(reader.statement_problems(document, line, suggestion.statement))
    site = reader.site_at(document, line, suggestion.edit.start_character)
    plan, _ = plan_for(site, document, None)
    unbound = reader.names_read(suggestion.statement) - _allowed_names(document, site, plan)
    if unbound:
        found.append(f"unbound: {sorted(unbound)}")
    edited = apply_edits(source, [suggestion.edit, *suggestion.additional_edits])
    if ParsedDocument(edited, language).tree.root_node.has_error:
        found.append("the edited file does not parse")
    return found


@pytest.mark.parametrize("language", sorted(CASES))
def test_the_models_statement_comes_first_and_every_statement_is_valid(
    language, model_settings, tmp_path
):
    from logsmith.engines import model_engine

    # a fresh worker, as when an editor opens the file: the cache that earlier tests left in the
    # shared worker changes how its prompt is computed, and with it the greedy answer of a small
    # model whose two best words are close
    model_engine.worker_for(model_settings).restart()
    worker = model_engine.preload(model_settings, timeout=120)
    assert worker.state == "ready", worker.last_error
    marked, name, start, error = CASES[language]
    source, line, character = _cursor(marked)
    path = tmp_path / name
    path.write_text(source)
    suggestions = logsmith.suggest(source, line, character, path=str(path), settings=model_settings)
    assert suggestions, "no suggestion"
    first = suggestions[0]
    assert first.route == "local" and first.source != "template", first.notes
    assert suggestions[-1].source == "template"
    for suggestion in suggestions:
        assert suggestion.statement.startswith(start), suggestion.statement
        # no statement at an except site in the file: the level developers of the language log
        # most there
        family = registry.MODULES[language]
        assert suggestion.level == language_levels()[family]["except"]
        assert suggestion.site_kind == "except"
        assert suggestion.statement.lower().startswith(
            start.lower() + {"error": "error", "warning": "warn"}[suggestion.level]
        )
        assert error in suggestion.variables
        assert _valid(source, language, suggestion) == []


def test_a_file_without_a_logger_gets_the_standard_one_and_setup_edits_that_parse(tmp_path):
    source = "package main\n\nfunc main() {\n\tif err := run(); err != nil {\n\t\t\n\t}\n}\n"
    path = tmp_path / "main.go"
    path.write_text(source)
    settings = logsmith.Settings(use_model=False)
    [suggestion] = logsmith.suggest(source, 4, 2, path=str(path), settings=settings)
    assert suggestion.statement.startswith("log.")
    assert suggestion.additional_edits, "the log package is imported"
    assert any("standard" in note for note in suggestion.notes)
    assert _valid(source, "go", suggestion) == []


def test_a_statement_after_a_return_is_never_suggested():
    source = "function f(x) {\n  return x;\n  \n}\n"
    assert logsmith.suggest(source, 2, 2, language="javascript") == []


def test_the_files_statements_are_read_once_per_text():
    document = ParsedDocument(TYPESCRIPT, "typescript")
    assert calls_of(document) is calls_of(document)


def test_a_language_logsmith_does_not_write_is_refused_clearly():
    with pytest.raises(ValueError, match="does not write cobol"):
        logsmith.suggest("IDENTIFICATION DIVISION.", 0, 0, language="cobol")


def test_a_logger_typed_above_a_statement_is_not_read_with_it_as_one_call():
    # `log.` then a newline and `log.debug(...)` parse as one JavaScript expression
    source = (
        "const log = require('proc-log')\n"
        "function f(x) {\n  log.\n  log.debug('handling ' + x)\n  log.info('done')\n}\n"
    )
    settings = logsmith.Settings(use_model=False)
    suggestions = logsmith.suggest(source, 2, 6, language="javascript", settings=settings)
    assert suggestions and suggestions[0].statement.startswith("log.")
    assert "\n" not in suggestions[0].logger


@pytest.mark.parametrize(
    "source, expected_import",
    [
        # a parameter named `log` hides the package: the standard logger comes in under an alias
        (
            "package main\n\nfunc run(log string) error {\n\tif err := do(log); err != nil {\n\t\t\n"
            "\t\treturn err\n\t}\n\treturn nil\n}\n",
            'import stdlog "log"',
        ),
        # the file's own `log` import is hidden at the site the same way
        (
            'package main\n\nimport "log"\n\nfunc g() { log.Println("g") }\n\n'
            "func run(log string) error {\n\tif err := do(log); err != nil {\n\t\t\n"
            "\t\treturn err\n\t}\n\treturn nil\n}\n",
            'import stdlog "log"',
        ),
    ],
)
def test_a_go_logger_package_a_local_hides_is_imported_under_another_name(source, expected_import):
    line = next(n for n, text in enumerate(source.split("\n")) if text == "\t\t")
    settings = logsmith.Settings(use_model=False)
    [suggestion] = logsmith.suggest(source, line, 2, language="go", settings=settings)
    assert suggestion.statement.startswith("stdlog."), suggestion.statement
    edited = apply_edits(source, [suggestion.edit, *suggestion.additional_edits])
    assert expected_import in edited
    assert _valid(source, "go", suggestion) == []


def _ran_with_node(path, source, suggestion) -> subprocess.CompletedProcess:
    """The file with `suggestion` written in, run with the real Node.js."""
    node = shutil.which("node")
    assert node, "Node.js is needed: the machine's image has Node 20"
    path.write_text(apply_edits(source, [suggestion.edit, *suggestion.additional_edits]))
    return subprocess.run([node, str(path)], capture_output=True, text=True, timeout=60)


def test_a_local_named_console_is_not_called_as_the_console(tmp_path):
    # checked by running the file with the real Node.js: `console.warn` there would be a TypeError
    source = (
        "function f(s) {\n  const console = { x: 1 };\n  try {\n    return JSON.parse(s);\n"
        "  } catch (err) {\n    \n    return null;\n  }\n}\nf('{');\n"
    )
    settings = logsmith.Settings(use_model=False)
    [suggestion] = logsmith.suggest(source, 5, 4, language="javascript", settings=settings)
    ran = _ran_with_node(tmp_path / "f.js", source, suggestion)
    assert ran.returncode == 0, ran.stderr
    assert "SyntaxError" in ran.stderr  # the statement ran and logged the caught error


@pytest.mark.parametrize(
    "fatal, expected_start",
    [
        ('log.Fatalf("cannot load config: %v", err)', "log.Printf("),
        ('log.Panicf("cannot load config: %v", err)', "log.Printf("),
        ('logrus.WithError(err).Fatal("cannot load config")', "logrus.WithError(err).Error("),
    ],
)
def test_a_go_statement_that_ends_the_program_is_never_repeated(fatal, expected_start):
    # `Fatal` exits and `Panic` panics: repeating the function's statement at the next error
    # block would end the program where it went on
    package = "github.com/sirupsen/logrus" if fatal.startswith("logrus") else "log"
    source = (
        f'package main\n\nimport "{package}"\n\nfunc main() {{\n\tcfg, err := load()\n'
        f"\tif err != nil {{\n\t\t{fatal}\n\t}}\n\tdb, err := open(cfg)\n\tif err != nil {{\n\t\t\n"
        "\t}\n\t_ = db\n}\n"
    )
    settings = logsmith.Settings(use_model=False)
    suggestions = logsmith.suggest(source, 11, 2, language="go", settings=settings)
    assert suggestions
    for suggestion in suggestions:
        assert suggestion.statement.startswith(expected_start), suggestion.statement
        assert _valid(source, "go", suggestion) == []
    document = ParsedDocument(source, "go")
    assert registry.reader_for("go").statement_problems(document, 11, fatal)


def test_a_go_logger_that_passes_a_parameter_named_like_a_package_is_still_called():
    # only the package a logger expression calls can be hidden; `context` here is its argument
    source = (
        'package handlers\n\nimport (\n\t"context"\n\n\tdcontext "github.com/docker/distribution/'
        'context"\n)\n\nfunc use(ctx context.Context) {}\n\n'
        "func (app *App) authorized(context *Context) error {\n"
        '\tdcontext.GetLogger(context).Debug("authorizing request")\n'
        "\tif err := app.check(context); err != nil {\n\t\t\n\t\treturn err\n\t}\n\treturn nil\n}\n"
    )
    settings = logsmith.Settings(use_model=False)
    suggestions = logsmith.suggest(source, 14, 2, language="go", settings=settings)
    assert suggestions[0].statement.startswith("dcontext.GetLogger(context)."), suggestions


def test_another_classs_logger_is_not_called_from_this_one(tmp_path):
    # checked by running the file with the real Node.js: `this.logger` is Server's, and in
    # Client's `close` it is undefined (a TypeError inside the catch)
    source = (
        "class Server {\n  constructor() { this.logger = console }\n  close() {\n    try {\n"
        "      this.sock.end()\n    } catch (err) {\n"
        '      this.logger.error("failed to close server", err)\n    }\n  }\n}\n\n'
        "class Client {\n  close() {\n    try {\n      this.conn.end()\n    } catch (err) {\n"
        "      \n    }\n  }\n}\n\nnew Client().close()\n"
    )
    settings = logsmith.Settings(use_model=False)
    suggestions = logsmith.suggest(source, 16, 6, language="javascript", settings=settings)
    assert suggestions
    for number, suggestion in enumerate(suggestions):
        ran = _ran_with_node(tmp_path / f"f{number}.js", source, suggestion)
        assert ran.returncode == 0, (suggestion.statement, ran.stderr)
        assert "TypeError" in ran.stderr  # the statement ran and logged the caught error


def test_this_in_a_callback_function_is_not_the_instance(tmp_path):
    # checked by running the file with the real Node.js: inside `function (err) {...}` passed to
    # readFile, `this` is undefined (class code is strict), so `this.logger` throws; in an arrow
    # function it is the instance
    source = (
        "class Store {\n  constructor() { this.logger = console }\n  load(p) {\n"
        '    this.logger.info("loading", p)\n'
        '    require("fs").readFile(p, function (err, data) {\n      if (err) {\n        \n'
        '        return\n      }\n    })\n  }\n}\nnew Store().load("/nonexistent/store")\n'
    )
    settings = logsmith.Settings(use_model=False)
    arrow = source.replace("function (err, data)", "(err, data) =>")
    for case, text in (("callback", source), ("arrow", arrow)):
        suggestions = logsmith.suggest(text, 6, 8, language="javascript", settings=settings)
        assert suggestions
        if case == "arrow":
            assert suggestions[0].statement.startswith("this.logger.")
        for number, suggestion in enumerate(suggestions):
            ran = _ran_with_node(tmp_path / f"{case}{number}.js", text, suggestion)
            assert ran.returncode == 0, (suggestion.statement, ran.stderr)
            assert "/nonexistent/store" in ran.stderr + ran.stdout


def test_a_statement_that_reads_what_the_setup_declares_keeps_the_setup():
    # the tag the setup declares is read by the statement: the edits must come with it, though
    # the logger itself (`FLog`) needs none
    source = (
        "package a;\n\nimport com.facebook.common.logging.FLog;\n\nclass Cache {\n"
        "  void set(Object v) {\n    try {\n      v.hashCode();\n    } catch (Throwable t) {\n"
        '      FLog.e(Cache.class, "Error while updating", t);\n    }\n  }\n'
        "  void get(Object v) {\n    try {\n      v.hashCode();\n    } catch (Throwable t) {\n"
        "      \n    }\n  }\n}\n"
    )
    settings = logsmith.Settings(use_model=False)
    suggestions = logsmith.suggest(source, 16, 6, language="java", settings=settings)
    assert suggestions
    for suggestion in suggestions:
        assert "TAG" in suggestion.statement
        edited = apply_edits(source, [suggestion.edit, *suggestion.additional_edits])
        assert "String TAG = " in edited, suggestion.statement
