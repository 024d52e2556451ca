"""The neighbour engine: a statement of the project's most similar site, adapted to the cursor's
(its words kept, its values bound again or left out, the plan's logger, level and format), and
its place among the suggestions."""

from __future__ import annotations

import textwrap

import pytest

import logsmith
from logsmith.workspace.index import ProjectIndex

NEIGHBOUR = textwrap.dedent(
    """\
    import logging

    log = logging.getLogger(__name__)


    def write_cache(fn_, data):
        try:
            with open(fn_, "wb") as handle:
                handle.write(data)
        except OSError as err:
            log.error("Unable to write to cache file %s. Check permissions.", fn_)
    """
)


# What else the project logs, in other words: a project of some size, where the words only the
# cache writers share tell their sites apart (a neighbour is adapted only when it is that alike).
REPORTS = "import logging\n\nlog = logging.getLogger(__name__)\n" + "".join(
    f"\n\ndef make_{part}(report, width):\n"
    "    total = report.size(width)\n"
    f'    log.info("Made {part} of %s at %s", report.name, total)\n'
    "    return total\n"
    for part in (
        "chart",
        "export",
        "pdf",
        "totals",
        "margin",
        "quarter",
        "summary",
        "page",
        "font",
        "column",
        "header",
        "footer",
        "legend",
        "axis",
        "scale",
        "colour",
        "print",
        "queue",
    )
)


def site_file(body: str) -> str:
    """A file around `body`, whose `#CURSOR` marks the blank line asked at (its indent kept)."""
    text = "import logging\n\nlog = logging.getLogger(__name__)\n\n\n" + textwrap.dedent(body)
    return text.replace("#CURSOR", "")


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    monkeypatch.setenv("LOGSMITH_CACHE", str(tmp_path / "cache"))
    root = tmp_path / "project"
    root.mkdir()
    (root / "cache.py").write_text(NEIGHBOUR, encoding="utf-8")
    (root / "reports.py").write_text(REPORTS, encoding="utf-8")

    def index_with(name: str, text: str) -> ProjectIndex:
        (root / name).write_text(text, encoding="utf-8")
        index = ProjectIndex(root)
        index.build()
        return index

    return root, index_with


# Line 10 is the blank line in the handler, where a statement is asked for.
INDEX_WRITER = site_file(
    """\
    def write_index(fn_, rows):
        try:
            with open(fn_, "w") as handle:
                handle.writelines(rows)
        except OSError as err:
            #CURSOR
    """
)


def first(source: str, line: int, root, index, style=None):
    settings = logsmith.Settings(use_model=False, style=style)
    column = len(source.split("\n")[line])
    return logsmith.suggest(
        source, line, column, path=str(root / "site.py"), settings=settings, project=index
    )


def test_the_first_answer_is_in_the_projects_words_with_values_bound_here(workspace):
    root, index_with = workspace
    source = INDEX_WRITER
    index = index_with("site.py", source)
    found = first(source, 10, root, index)
    top = found[0]
    assert top.source == "neighbour"
    # the neighbour's words and value, and the plan's value it does not log (the handled error)
    assert (
        top.statement
        == 'log.error("Unable to write to cache file %s. Check permissions. %s", fn_, err)'
    )
    assert top.neighbours and top.neighbours[0].startswith("cache.py:11: ")
    assert "Followed" in top.reason and "cache.py:11" in top.reason
    assert any(s.source == "template" for s in found)  # the template is still offered after it


def test_a_value_with_no_counterpart_takes_the_plans_value_or_leaves_with_its_words(workspace):
    root, index_with = workspace
    source = site_file(
        """\
        def write_rows(rows):
            try:
                with open(ROWS_FILE, "w") as handle:
                    handle.writelines(rows)
            except OSError as err:
                #CURSOR
        """
    )
    index = index_with("site.py", source)
    top = first(source, 10, root, index)[0]
    assert top.source == "neighbour"
    assert '("Unable to write to cache file' in top.statement
    assert "fn_" not in top.statement  # not bound here: never logged
    compile(top.statement, "<statement>", "exec")


@pytest.mark.parametrize(
    "style, expected",
    [
        ("fstring", 'log.error(f"Unable to write to cache file {fn_}. Check permissions. {err}")'),
        (
            "format",
            'log.error("Unable to write to cache file {}. Check permissions. {}".format(fn_, err))',
        ),
    ],
)
def test_the_adapted_statement_takes_the_files_format(workspace, style, expected):
    root, index_with = workspace
    source = INDEX_WRITER
    index = index_with("site.py", source)
    top = first(source, 10, root, index, style=style)[0]
    assert top.statement == expected


def test_without_an_index_nothing_changes(workspace):
    root, index_with = workspace
    source = INDEX_WRITER
    found = first(source, 10, root, None)
    assert all(s.source == "template" for s in found)
    assert all(not s.neighbours for s in found)


def test_words_the_user_typed_are_kept_over_the_neighbours(workspace):
    root, index_with = workspace
    lines = INDEX_WRITER.split("\n")
    lines[10] += 'log.error("Could not'
    source = "\n".join(lines)
    index = index_with("site.py", source)
    found = first(source, 10, root, index)
    assert found[0].source == "template"
    assert found[0].statement.startswith('log.error("Could not')


def test_percent_signs_and_braces_of_the_neighbours_words_stay_literal(workspace):
    root, index_with = workspace
    (root / "cache.py").write_text(
        NEIGHBOUR.replace(
            '"Unable to write to cache file %s. Check permissions."',
            '"Disk 100%% full {not a slot} writing %s"',
        ),
        encoding="utf-8",
    )
    source = INDEX_WRITER
    index = index_with("site.py", source)
    top = first(source, 10, root, index)[0]
    assert top.statement == 'log.error("Disk 100%% full {not a slot} writing %s: %s", fn_, err)'
    fstring = first(source, 10, root, index, style="fstring")[0]
    assert fstring.statement == 'log.error(f"Disk 100% full {{not a slot}} writing {fn_}: {err}")'


def test_a_neighbour_with_no_words_of_its_own_is_not_adapted():
    from types import SimpleNamespace

    from logsmith.engines.neighbour import statement_from

    site = SimpleNamespace(
        exception_name=None,
        in_except=False,
        in_scope=lambda name: True,
        initialised_attributes=frozenset(),
    )
    plan = SimpleNamespace(
        candidates=("job", "count"),
        arguments=("job", "count"),
        neighbours=(),
        exception=None,
        quote='"',
        message_format="percent",
        logger="log",
        level="info",
        framework="logging",
    )

    def adapted(*parts):
        statement = SimpleNamespace(parts=list(parts), exception_name=None, keywords=())
        return statement_from(SimpleNamespace(statement=statement), site, plan)

    assert (
        adapted(("text", "Queued "), ("value", "job"))
        == 'log.info("Queued %s count=%s", job, count)'
    )
    # only the labels of the values added after it would be words: '"%s count=%s"' is no message
    assert adapted(("value", "job")) is None


QUIET_CACHE = NEIGHBOUR.replace(
    '"Unable to write to cache file %s. Check permissions.", fn_', '"Unable to write to cache file"'
)
# Two more functions on the same files and rows, each warning with values.
JOURNALS = "import logging\n\nlog = logging.getLogger(__name__)\n" + "".join(
    f"\n\ndef flush_{part}(fn_, rows):\n"
    "    count = len(rows)\n"
    f'    log.warning("{part.title()} flushed %s rows to %s", count, fn_)\n'
    for part in ("journal", "ledger")
)


def test_a_neighbour_logging_no_values_gets_the_plans_when_most_neighbours_log_values(workspace):
    root, index_with = workspace
    (root / "cache.py").write_text(QUIET_CACHE, encoding="utf-8")
    (root / "journals.py").write_text(JOURNALS, encoding="utf-8")
    source = INDEX_WRITER
    index = index_with("site.py", source)
    top = first(source, 10, root, index)[0]
    assert top.source == "neighbour"
    # the journals' statements, among the best neighbours, log values: so does this one
    assert len(top.neighbours) >= 3
    assert top.statement == 'log.error("Unable to write to cache file: %s", err)'


def test_a_neighbour_logging_no_values_stays_so_where_the_other_neighbours_log_none(workspace):
    root, index_with = workspace
    (root / "cache.py").write_text(QUIET_CACHE, encoding="utf-8")
    (root / "journals.py").write_text(
        JOURNALS.replace(' %s rows to %s", count, fn_)', '")'), encoding="utf-8"
    )
    source = INDEX_WRITER
    index = index_with("site.py", source)
    top = first(source, 10, root, index)[0]
    assert top.source == "neighbour" and len(top.neighbours) >= 3
    assert top.statement == 'log.error("Unable to write to cache file")'


@pytest.mark.parametrize(
    "before, after",
    [
        ("Could not parse file: %s due to ", "Could not parse file: %s"),
        ("Gave up on ", "Gave up"),
        ("Value: ", "Value"),
        ("Disk full (", "Disk full"),
        ("Stored in ", "Stored"),
        ("Looking for credentials via ", "Looking for credentials"),
        ("Created wheel for %s: size=%s sha256=", "Created wheel for %s: size=%s"),
        ("Retrying (attempt %s/", "Retrying (attempt %s"),
    ],
)
def test_the_words_that_only_introduced_a_value_go_with_it(before, after):
    from logsmith.engines.neighbour import DANGLING_END

    assert DANGLING_END.sub("", before) == after


# A class that logs the instance itself (a habit the ranker never proposes: it skips `self`).
THREADS = """\
import logging

log = logging.getLogger(__name__)


class ManagedThread:
    def stop_thread(self, thread):
        registry.forget_managed(thread)
        if thread is None:
            log.debug("killing managed thread %s", self)
            return
        thread.kill()

    {method}
        registry.forget_managed(thread)
        if thread is None:
            #CURSOR
            return
        thread.kill()
"""


@pytest.mark.parametrize(
    "method, expected",
    [
        ("def kill_thread(self, thread):", 'log.debug("killing managed thread %s", self)'),
        ("@staticmethod\n    def kill_thread(thread):", 'log.debug("killing managed thread")'),
    ],
)
def test_the_instance_a_neighbour_logs_is_logged_where_it_is_bound(workspace, method, expected):
    root, index_with = workspace
    source = THREADS.format(method=method)
    line = source.split("\n").index(" " * 12 + "#CURSOR")
    source = source.replace("#CURSOR", "")
    index = index_with("site.py", source)
    top = first(source, line, root, index)[0]
    assert top.source == "neighbour"
    assert top.neighbours[0].startswith("site.py:10: ")
    assert top.statement == expected


@pytest.mark.parametrize(
    "parts, expected",
    [
        # a value taken out of brackets or quotes takes its closing mark with it
        ([("text", "Sent logs ["), ("value", "gone"), ("text", "]")], "Sent logs"),
        ([("text", "Killing `"), ("value", "gone"), ("text", "` now")], "Killing now"),
        # ... but a bracket opened before the value is still closed
        ([("text", "Retrying (attempt "), ("value", "gone"), ("text", ")")], "Retrying (attempt)"),
        # the space between two values stays when the first of them is taken out
        ([("text", "Moved "), ("value", "gone"), ("text", " "), ("value", "thread")], "Moved %s"),
    ],
)
def test_the_marks_that_only_closed_a_value_go_with_it(parts, expected):
    from types import SimpleNamespace

    from logsmith.engines.neighbour import adapted_parts

    statement = SimpleNamespace(parts=parts, exception_name=None)
    site = SimpleNamespace(
        exception_name=None,
        in_scope=lambda name: name == "thread",
        initialised_attributes=frozenset(),
    )
    plan = SimpleNamespace(candidates=("thread",), arguments=(), neighbours=(), exception=None)
    found, used = adapted_parts(SimpleNamespace(statement=statement), site, plan)
    assert "".join(text if kind == "text" else "%s" for kind, text in found) == expected


# A class whose `__init__` sets the worker's name on every path and its pool on one only.
WORKERS = """\
import logging

log = logging.getLogger(__name__)


class Worker:
    def __init__(self, name, pool=None):
        self.name = name
        if pool is not None:
            self.pool = pool

    def stop_worker(self, reason):
        registry.release_worker(reason)
        if reason is None:
            log.info("stopping worker %s of %s", self.name, self.pool)
            return
        registry.drain_worker(reason)

    def pause_worker(self, reason):
        registry.release_worker(reason)
        if reason is None:

            return
        registry.drain_worker(reason)
"""


def test_an_attribute_of_the_instance_is_logged_where_init_sets_it_on_every_path(workspace):
    root, index_with = workspace
    index = index_with("site.py", WORKERS)
    top = first(WORKERS, 22, root, index)[0]
    assert top.source == "neighbour"
    assert top.neighbours[0].startswith("site.py:15: ")
    # `self.pool` may be unset: it goes with the words that only introduced it
    assert top.statement == 'log.info("stopping worker %s", self.name)'


def test_str_repr_and_type_of_a_neighbours_value_are_kept_around_the_value_bound_here():
    from types import SimpleNamespace

    from logsmith.engines.neighbour import rebound

    site = SimpleNamespace(
        exception_name="exc",
        names=("exc", "job"),
        module_names=frozenset(),
        initialised_attributes=frozenset(),
        in_scope=lambda name: name.split(".")[0] in ("exc", "job", "self"),
    )
    neighbour = SimpleNamespace(statement=SimpleNamespace(exception_name="err"))
    plan = SimpleNamespace(candidates=("job", "job.id"))
    assert rebound("str(err)", neighbour, site, plan) == "str(exc)"
    assert rebound("type(err).__name__", neighbour, site, plan) == "type(exc).__name__"
    assert rebound("repr(job.id)", neighbour, site, plan) == "repr(job.id)"
    assert rebound("str(other)", neighbour, site, plan) is None
    # only calls that never fail on any value: `len()` of a value bound again may not apply
    assert rebound("len(job)", neighbour, site, plan) is None
    # a local `type` is no longer the builtin
    shadowed = SimpleNamespace(**{**vars(site), "names": ("type", "exc", "job")})
    assert rebound("type(err).__name__", neighbour, shadowed, plan) is None
