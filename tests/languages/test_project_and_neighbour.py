"""What the whole project and the site's own function bring to a statement in Java, Go and
JavaScript: the project's level habit where the file and its folder say nothing, the function's
own statement at a site of the same kind repeated first, and the model's one-word messages
refused."""

from collections import Counter

import logsmith
from logsmith.idioms import stages
from logsmith.idioms.project_habits import project_levels, project_root
from tests.languages.test_shared_engine import _site


def _write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def _npm_project(root):
    _write(root / "package.json", '{"name": "cli"}')
    for name in ("install", "publish", "pack"):
        _write(
            root / "lib" / "commands" / f"{name}.js",
            "const { log } = require('proc-log')\n"
            f"function {name} () {{\n"
            "  try {\n    run()\n  } catch (err) {\n"
            f"    log.verbose('{name}', 'failed', err)\n"
            "  }\n}\n",
        )
    _write(
        root / "node_modules" / "dep" / "index.js",
        "function f () {\n  try {\n    g()\n  } catch (e) {\n"
        "    console.error('dependency', e)\n    console.error('again', e)\n"
        "    console.error('and again', e)\n    console.error('more', e)\n  }\n}\n",
    )
    return _write(root / "lib" / "utils" / "fetch.js", "const { log } = require('proc-log')\n")


def test_the_project_root_is_the_nearest_folder_with_a_marker(tmp_path):
    own = _npm_project(tmp_path)
    assert project_root(own) == tmp_path
    assert project_root(_write(tmp_path / "x" / "y" / "loose.js", "")) == tmp_path
    lonely = tmp_path.parent / f"{tmp_path.name}-alone" / "a.go"
    lonely.parent.mkdir()
    assert project_root(lonely) != tmp_path


def test_the_projects_levels_leave_out_dependencies_and_the_file_itself(tmp_path):
    own = _npm_project(tmp_path)
    levels = project_levels(str(own), "javascript")
    assert levels == {"except": Counter({"debug": 3})}
    install = tmp_path / "lib" / "commands" / "install.js"
    assert project_levels(str(install), "javascript") == {"except": Counter({"debug": 2})}
    assert project_levels(str(own), "typescript") == levels  # one family


def test_the_projects_habit_decides_where_the_file_and_folder_say_nothing():
    site = _site(kind="except")
    habit = {"except": Counter({"debug": 3, "error": 1})}
    level, why = stages.level_for(site, (), (), "javascript", lambda: habit)
    assert level == "debug"
    assert "this project" in why
    too_few = {"except": Counter({"debug": 2})}
    fitted = stages.level_for(site, (), (), "javascript")[0]
    assert stages.level_for(site, (), (), "javascript", lambda: too_few)[0] == fitted


def test_the_projects_habit_is_not_read_when_the_file_decides():
    calls = tuple(
        stages.LoggedCall(0, 0, "LOG.x()", "slf4j", "LOG", "warning", "m", (), None, "f", "except")
        for _ in range(2)
    )

    def unread():
        raise AssertionError("the project was read")

    assert stages.level_for(_site(kind="except"), calls, (), "java", unread)[0] == "warning"


def test_a_file_in_the_project_logs_at_the_projects_level(tmp_path):
    own = _npm_project(tmp_path)
    source = (
        "const { log } = require('proc-log')\n"
        "function get (url) {\n  try {\n    fetch(url)\n  } catch (err) {\n    \n  }\n}\n"
    )
    own.write_text(source)
    settings = logsmith.Settings(use_model=False)
    [top, *_] = logsmith.suggest(source, 5, 4, path=str(own), settings=settings)
    assert top.level == "debug"
    assert top.statement.startswith("log.")


GO_SITE = """\
package raft

func (r *Raft) snapshot() error {
	if err := r.take(); err != nil {
		r.logger.Error("failed to take snapshot", "error", err)
		return err
	}
	if err := r.compact(); err != nil {
		§
		return err
	}
	return nil
}
"""
GO_TWICE = GO_SITE.replace("§", "")


def test_the_functions_statement_at_a_site_of_the_same_kind_comes_first():
    settings = logsmith.Settings(use_model=False)
    found = logsmith.suggest(GO_TWICE, 8, 2, language="go", settings=settings)
    assert found[0].source == "neighbour"
    assert found[0].statement == 'r.logger.Error("failed to take snapshot", "error", err)'
    assert found[0].level == "error"
    assert found[0].additional_edits == ()
    assert [s.source for s in found[1:]] == ["template"]


def test_a_statement_reading_names_unbound_at_the_site_is_not_repeated():
    source = GO_TWICE.replace('"error", err)', '"error", err, "term", term)')
    source = source.replace("if err := r.take()", "if term, err := r.take()")
    settings = logsmith.Settings(use_model=False)
    found = logsmith.suggest(source, 8, 2, language="go", settings=settings)
    assert [s.source for s in found] == ["template"]


def test_what_the_user_typed_leads_over_the_neighbour():
    source = GO_SITE.replace("§", "r.log")

    settings = logsmith.Settings(use_model=False)
    found = logsmith.suggest(source, 8, 7, language="go", settings=settings)
    assert all(s.source != "neighbour" for s in found)


def test_a_level_is_written_with_the_method_the_code_calls_its_logger_by():
    from logsmith.idioms import javascript, registry
    from logsmith.idioms.contract import StatementSpec
    from logsmith.syntax.document import ParsedDocument

    source = (
        "const { log } = require('proc-log')\n"
        "function get (url) {\n"
        "  log.verbose('get', url)\n"
        "  log.silly('got', url)\n"
        "  \n"
        "}\n"
    )
    document = ParsedDocument(source, "javascript")
    site = registry.reader_for("javascript").site_at(document, 4, 2)
    calls = stages.calls_of(document)
    choice = javascript.logger_for(document, site, calls)
    assert dict(choice.methods) == {"debug": "verbose", "trace": "silly"}
    written = javascript.render(StatementSpec(choice, "debug", "fetching", ("url",), None))
    assert written.startswith("log.verbose(")
    assert javascript.render(StatementSpec(choice, "error", "failed", (), None)).startswith(
        "log.error("
    )


def test_a_generic_log_method_is_not_taken_for_the_level_it_was_given_in_an_object():
    from logsmith.idioms import javascript, registry
    from logsmith.idioms.contract import StatementSpec
    from logsmith.syntax.document import ParsedDocument

    source = (
        'const Log = require("./log");\n'
        "function stop (node) {\n"
        "  Log.log({ level: Log.DEBUG, msg: 'stopping' });\n"
        '  Log.debug("stopped " + node);\n'
        "  \n"
        "}\n"
    )
    document = ParsedDocument(source, "javascript")
    site = registry.reader_for("javascript").site_at(document, 4, 2)
    choice = javascript.logger_for(document, site, stages.calls_of(document))
    assert dict(choice.methods).get("debug") == "debug"
    written = javascript.render(StatementSpec(choice, "debug", "stopping", (), None))
    assert written.startswith("Log.debug(")
