"""eval.corpus.build: which statements the builder collects, how it labels them, and masking
round trips; eval.corpus.sources: unpacking a project's archive."""

from __future__ import annotations

import io
import json
import tarfile
import textwrap
from concurrent.futures import ThreadPoolExecutor

import pytest

from eval.corpus import build as corpus
from eval.corpus import sources
from eval.metrics import insert_statement

SERVICE = textwrap.dedent('''\
    """A fixture module with log statements of every shape the builder must recognise."""
    import logging

    import structlog
    from loguru import logger as loguru_logger
    from tornado.log import gen_log

    logger = logging.getLogger(__name__)
    log = structlog.get_logger()
    logger.info("module loaded")  # outside any function: never collected


    class Service:
        logger.debug("class body")  # outside any function: never collected

        def __init__(self, host):
            """Connect later."""
            self.logger.debug("Creating service for %s", host)
            self.host = host

        def start(self, retries):
            for attempt in range(retries):
                self.log.info("Attempt %d", attempt)
                try:
                    self.connect()
                except OSError as err:
                    LOG.exception(
                        "Cannot connect to %s (attempt %d)",
                        self.host,
                        attempt,
                    )
            gen_log.warn("Gave up on %s", self.host)  # the trailing comment goes with the line
            raise RuntimeError("unreachable")

        def stop(self):
            def drain(queue):
                queue = list(queue)
                logging.getLogger(__name__).fatal("Draining %d items", len(queue))
                return queue
            return drain


    def handle(event, user_id):
        log.info("user_created", user_id=user_id, event=event)
        loguru_logger.bind(user=user_id).error(f"Failed event {event!r}")
        if event: logger.info("one-liner")
        logger.info("with a semicolon"); return None
        result = logger.info("assigned, not a statement")
        warnings.warn("not a logger")
        parser.error("not a logger either")
        catalog.info("catalog is not a logger")
        logger.debug("Handled %s", event)
        return result
    ''')


def collected():
    return corpus.collect_cases(SERVICE, "demo", "1.0", "demo-1.0/demo/service.py")


def test_collects_only_log_statements_inside_functions():
    statements = [case.statement.split("\n")[0] for case in collected()]
    assert statements == [
        'self.logger.debug("Creating service for %s", host)',
        'self.log.info("Attempt %d", attempt)',
        "LOG.exception(",
        'gen_log.warn("Gave up on %s", self.host)',
        'logging.getLogger(__name__).fatal("Draining %d items", len(queue))',
        'log.info("user_created", user_id=user_id, event=event)',
        'loguru_logger.bind(user=user_id).error(f"Failed event {event!r}")',
        'logger.debug("Handled %s", event)',
    ]


def test_labels_level_site_kind_and_qualified_function():
    labels = [(case.level, case.kind, case.function) for case in collected()]
    assert labels == [
        ("debug", "entry", "Service.__init__"),  # first statement after the docstring
        ("info", "loop", "Service.start"),
        ("exception", "except", "Service.start"),  # except wins over loop
        ("warn", "raise", "Service.start"),  # the next statement raises
        ("fatal", "return", "Service.stop.drain"),  # nested function; the next statement returns
        ("info", "entry", "handle"),
        ("error", "other", "handle"),
        ("debug", "return", "handle"),
    ]


def test_positions_of_a_multi_line_statement():
    case = collected()[2]
    lines = SERVICE.split("\n")
    assert lines[case.line].strip() == "LOG.exception("
    assert (case.column, case.end_line - case.line) == (16, 4)
    assert lines[case.end_line][: case.end_column].strip() == ")"
    assert case.statement.endswith('attempt,\n                )')


def test_columns_count_code_points():
    source = 'def f():\n    x = "é"; y = 1\n    logger.info("café %s", x)  # é\n'
    (case,) = corpus.collect_cases(source, "demo", "1.0", "f.py")
    assert (case.line, case.column, case.end_column) == (2, 4, 4 + len('logger.info("café %s", x)'))


@pytest.mark.parametrize("index", range(8))
def test_masking_round_trips(index):
    case = collected()[index]
    masked = corpus.mask(SERVICE, case)
    lines = masked.source.split("\n")
    assert lines[masked.line] == " " * case.column
    assert masked.character == case.column
    assert masked.expected == case.statement
    assert len(lines) == len(SERVICE.split("\n")) - (case.end_line - case.line)
    restored = insert_statement(masked.source, masked.line, masked.expected)
    # the statement's lines come back; a trailing comment on them does not
    original = SERVICE.replace("  # the trailing comment goes with the line", "") if case.level == "warn" else SERVICE
    assert restored == original


def test_typed_variant_has_the_logger_and_dot():
    cases = collected()
    typed = [corpus.mask_typed(SERVICE, case) for case in cases]
    lines = [m.source.split("\n")[m.line] for m in typed]
    assert [line.strip() for line in lines] == [
        "self.logger.", "self.log.", "LOG.", "gen_log.", "logging.getLogger(__name__).", "log.",
        "loguru_logger.bind(user=user_id).", "logger.",
    ]
    assert all(m.character == len(line) for m, line in zip(typed, lines))


def test_a_case_beyond_the_file_is_a_clear_error():
    case = collected()[0]
    with pytest.raises(corpus.CorpusError, match="only"):
        corpus.mask("def f():\n    pass\n", case)


def test_production_files_only():
    assert corpus.is_production_file("pkg-1.0/pkg/server.py")
    for path in ("pkg-1.0/tests/test_server.py", "pkg-1.0/pkg/test_x.py", "pkg-1.0/pkg/x_test.py",
                 "pkg-1.0/docs/conf.py", "pkg-1.0/pkg/_vendor/six.py", "pkg-1.0/conftest.py"):
        assert not corpus.is_production_file(path), path


def test_sampling_is_capped_and_deterministic():
    cases = [corpus.LogCase("p", "1", f"f{i % 7}.py", i, 0, i, 5, "info", "other", "f", "log.info()")
             for i in range(40)]
    first = corpus.sample(cases, 10, "seed")
    assert len(first) == 10 and first == corpus.sample(cases, 10, "seed")
    assert first == sorted(first, key=lambda case: (case.file, case.line))
    assert corpus.sample(cases, 10, "other seed") != first
    assert corpus.sample(cases[:5], 10, "seed") == sorted(cases[:5], key=lambda c: (c.file, c.line))


def _tarball(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, text in files.items():
            data = text.encode("utf-8")
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def test_a_tree_is_unpacked_whole_when_several_ask_at_once(tmp_path):
    archive = tmp_path / "archives" / "demo-1.0.tar.gz"
    archive.parent.mkdir()
    names = [f"m{i}.py" for i in range(300)]
    archive.write_bytes(_tarball({f"demo-1.0/demo/{name}": "x = 1\n" for name in names}))
    left = tmp_path / "trees" / "demo-1.0" / "demo-1.0"
    left.mkdir(parents=True)
    (left / "stale.py").write_text("")  # an interrupted unpacking: no marker
    with ThreadPoolExecutor(4) as pool:
        trees = set(pool.map(lambda _: sources.unpack(archive, "demo", "1.0", tmp_path), range(4)))
    assert trees == {tmp_path / "trees" / "demo-1.0"}
    (tree,) = trees
    assert sorted(path.name for path in (tree / "demo-1.0" / "demo").iterdir()) == sorted(names)
    assert not (tree / "demo-1.0" / "stale.py").exists()
    assert (tree / ".unpacked").read_text() == "demo-1.0.tar.gz\n"


def test_build_from_a_cached_archive(tmp_path):
    archives = tmp_path / "archives"
    archives.mkdir()
    (archives / "demo-1.0.tar.gz").write_bytes(_tarball({
        "demo-1.0/demo/service.py": SERVICE,
        "demo-1.0/demo/py2.py": 'def f():\n    print "x"\n    logger.info("python 2 file")\n',
        "demo-1.0/tests/test_service.py": 'def test():\n    logger.info("in a test")\n',
    }))
    spec = corpus.ProjectSpec("demo", "1.0", "cli", "dev")
    cases = corpus.build([spec], cap=5, seed="s", cache=tmp_path)
    assert len(cases) == 5
    assert {case.file for case in cases} == {"demo-1.0/demo/service.py"}
    assert all(case.statement in SERVICE for case in cases)
    path, text = corpus.case_source(cases[0], cache=tmp_path)
    assert path == tmp_path / "trees" / "demo-1.0" / "demo-1.0/demo/service.py" and text == SERVICE

    written = tmp_path / "cases.jsonl"
    corpus.write_cases(cases, written)
    assert corpus.load_cases(written) == cases
    assert json.loads(written.read_text().split("\n")[0])["project"] == "demo"


def test_projects_definition_is_complete():
    projects = corpus.load_projects()
    cases = corpus.load_cases()
    assert len(projects) >= 8 and len({p.kind for p in projects}) >= 4
    heldout = corpus.cases_for_split(cases, projects, "heldout")
    assert len({p.name for p in projects if p.split == "heldout"}) >= 2 and len(heldout) >= 200
    assert len(cases) >= 800
    assert {case.project for case in cases} == {p.name for p in projects}
    assert max(sum(1 for c in cases if c.project == p.name) for p in projects) <= corpus.DEFAULT_CAP
    assert {case.kind for case in cases} <= set(corpus.SITE_KINDS)
    assert {case.level for case in cases} <= set(corpus.LEVELS)


def test_the_committed_cases_are_what_pip_and_the_builder_give(tmp_path, monkeypatch):
    """One real project fetched with pip into an empty cache, rebuilt, compared with cases.jsonl."""
    monkeypatch.setenv(sources.CACHE_ENV, str(tmp_path))
    spec = next(p for p in corpus.load_projects() if p.name == "kazoo")
    rebuilt = corpus.build([spec])
    committed = [case for case in corpus.load_cases() if case.project == "kazoo"]
    assert rebuilt == committed
    assert (tmp_path / "archives" / "kazoo-2.11.0.tar.gz").is_file()
