"""The shared engine's decisions for languages other than Python, on sites and statements made by
hand: the level from the file's and folder's habits, the values, the message grammar, the case of
messages, the folder's statements."""

from logsmith.idioms import stages
from logsmith.idioms.contract import LoggedCall, LoggerChoice
from logsmith.syntax.site import FunctionInfo, LogSite, Typed, parse_typed


def _site(kind="except", **changes) -> LogSite:
    values = dict(
        line=3,
        character=8,
        indent="        ",
        typed=Typed(),
        kind=kind,
        function=FunctionInfo("connect", ("host", "port"), "Client", False, 1, 2),
        names=("conn", "host", "port"),
        module_names=frozenset({"LOG"}),
        exception_name="e" if kind == "except" else None,
        in_except=kind == "except",
        next_statement="return conn;",
        previous_statement="conn = open(host);",
    )
    values.update(changes)
    return LogSite(**values)


def _call(level, kind="except", function="other", message="Failed to open {}", line=0):
    return LoggedCall(
        line, line, "LOG.x()", "slf4j", "LOG", level, message, (), None, function, kind
    )


LOGGER = LoggerChoice("slf4j", "LOG", True)


def test_the_kinds_default_stands_without_evidence():
    level, why = stages.level_for(_site(), (), ())
    assert level == "error"
    assert "no statement at such sites here" in why


def test_without_evidence_the_languages_fitted_level_is_used():
    from logsmith.planning.fitted import language_levels

    fitted = language_levels()
    for family in ("java", "go", "javascript"):
        for kind, level in fitted[family].items():
            assert stages.level_for(_site(kind=kind), (), (), family)[0] == level
    assert (
        stages.level_for(_site(kind="except"), (), (), "typescript")[0]
        == (fitted["javascript"]["except"])
    )


def test_the_files_habit_at_the_same_kind_of_site_wins_over_the_default():
    calls = (_call("warning"), _call("warning"), _call("error", kind="entry"))
    assert stages.level_for(_site(), calls, ())[0] == "warning"


def test_a_statement_in_the_same_function_weighs_more_than_the_folders():
    calls = (_call("info", function="connect"),)
    folder = (_call("error"), _call("error"))
    assert stages.level_for(_site(), calls, folder)[0] == "info"


def test_the_nearest_statement_of_the_file_outweighs_two_far_ones():
    site = _site(line=100)
    calls = (_call("warning", line=98), _call("error", line=10), _call("error", line=300))
    level, why = stages.level_for(site, calls, ())
    assert level == "warning"
    assert "what this code logs at except sites" in why
    far = (_call("warning", line=20), _call("error", line=10), _call("error", line=300))
    assert stages.level_for(site, far, ())[0] == "error"


def test_one_statement_in_the_folder_is_too_little_evidence():
    assert stages.level_for(_site(kind="entry"), (), (_call("info", kind="entry"),))[0] == "debug"


def test_the_typed_level_is_kept():
    site = _site(typed=parse_typed('LOG.warn("'))
    assert stages.level_for(site, (_call("error"),) * 3, ())[0] == "warning"


def test_an_except_site_logs_the_error_and_one_name_its_neighbours_use():
    values, error = stages.values_for(_site(), LOGGER)
    assert error == "e"
    assert values == ("conn",)


def test_entry_logs_the_parameters_and_a_loop_its_variable():
    assert stages.values_for(_site(kind="entry"), LOGGER) == (("host", "port"), None)
    loop = _site(kind="loop", loop_variables=("item",), names=("item", "LOG"))
    assert stages.values_for(loop, LOGGER)[0][0] == "item"


def test_the_logger_and_this_are_never_values():
    site = _site(kind="other", names=("LOG", "this", "ctx"), previous_statement="LOG this ctx")
    assert stages.values_for(site, LOGGER) == ((), None)


def test_message_case_follows_the_code():
    lower = (_call("info", message="failed to open"), _call("info", message="closing conn"))
    assert stages._capitalized(lower, ()) is False
    assert stages._capitalized((), ()) is True


def test_the_grammar_ends_the_message_at_its_quote_and_bans_placeholders():
    grammar = stages.message_grammar("'")
    assert grammar.splitlines()[0].endswith('"\'"')
    assert "%{}$" in grammar
    assert '\\"' in stages.message_grammar('"')


def test_the_folders_statements_skip_the_file_itself_and_follow_changes(tmp_path):
    from logsmith.idioms.folder_habits import folder_calls

    own = tmp_path / "a.go"
    own.write_text('package a\nfunc f() {\n\tlog.Printf("own")\n}\n')
    other = tmp_path / "b.go"
    other.write_text('package a\nfunc g() {\n\tlog.Printf("other")\n}\n')
    (tmp_path / "c.py").write_text("import logging\nlogging.info('py')\n")
    found = folder_calls(str(own), "go")
    assert [c.message for c in found] == ["other"]
    other.write_text('package a\nfunc g() {\n\tlog.Printf("changed")\n\tlog.Printf("twice")\n}\n')
    assert [c.message for c in folder_calls(str(own), "go")] == ["changed", "twice"]


def test_a_file_with_its_own_statements_at_such_sites_does_not_read_its_folder():
    site = _site()
    assert stages._needs_folder(site, ()) is True
    assert stages._needs_folder(site, (_call("error", kind="entry"),)) is True
    assert stages._needs_folder(site, (_call("warning"),)) is False


def test_a_function_of_the_text_is_worked_out_once_per_version():
    from logsmith.syntax.document import ParsedDocument, per_text

    seen = []

    @per_text
    def lines(document):
        seen.append(document.text)
        return document.line_count

    document = ParsedDocument("package p\n", "go")
    assert lines(document) == lines(document) == 2
    document.apply_change(0, 9, 0, 9, "\nfunc f() {}")
    assert lines(document) == 3
    assert len(seen) == 2


def test_a_name_that_looks_like_a_secret_is_never_a_value():
    site = _site(
        kind="entry",
        function=FunctionInfo("enable2fa", ("password", "mode", "apiToken"), None, False, 1, 2),
        names=("password", "mode", "apiToken"),
    )
    values, _ = stages.values_for(site, LOGGER)
    assert values == ("mode",)


def test_the_models_message_loses_the_separator_it_left_for_a_value():
    # the plan's values are written after the message in the language's own way
    assert stages.finished("Expected bridge secret:") == "Expected bridge secret"
    assert stages.finished("loadUrlIntoView: url =") == "loadUrlIntoView: url"
    assert stages.finished("Retrying (") == "Retrying"
    assert stages.finished("Closed the stream.") == "Closed the stream."
    assert stages.finished("Waiting...") == "Waiting..."
