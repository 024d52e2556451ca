"""The project index: what it reads of each log statement, what it leaves out, how it keeps itself
on disk, and which neighbours it returns."""

from __future__ import annotations

import json
import os
import stat
import textwrap
from pathlib import Path

import pytest

from logsmith.planning.neighbours import HABITS
from logsmith.syntax.document import ParsedDocument
from logsmith.syntax.site import site_at
from logsmith.workspace import store
from logsmith.workspace.index import ProjectIndex
from logsmith.workspace.retrieval import RetrievalWeights
from logsmith.workspace.statements import statements_in

FETCHER = textwrap.dedent(
    '''\
    import logging

    log = logging.getLogger(__name__)


    class Fetcher:
        def fetch(self, url, retries):
            for attempt in range(retries):
                try:
                    return self.session.get(url)
                except ConnectionError as exc:
                    log.warning("Retrying %s after %s", url, exc)
            log.error(f"Gave up on {url} after {retries} attempts")

        def close(self):
            log.debug("Closing session {}".format(self.session), exc_info=False)
    '''
)


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("LOGSMITH_CACHE", str(folder))
    return folder


def project(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "project"
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_each_statement_is_read_with_its_site_and_message_parts():
    found = statements_in(ParsedDocument(FETCHER), "fetcher.py")
    assert [(s.line, s.level, s.kind, s.function, s.class_name) for s in found] == [
        (11, "warning", "except", "fetch", "Fetcher"),
        (12, "error", "other", "fetch", "Fetcher"),
        (15, "debug", "entry", "close", "Fetcher"),
    ]
    retry, gave_up, closing = found
    assert retry.parts == (
        ("text", "Retrying "),
        ("value", "url"),
        ("text", " after "),
        ("value", "exc"),
    )
    assert retry.exception_types == ("ConnectionError",) and retry.exception_name == "exc"
    assert retry.ending == "pass"  # the handler swallows the error
    assert gave_up.parts == (
        ("text", "Gave up on "),
        ("value", "url"),
        ("text", " after "),
        ("value", "retries"),
        ("text", " attempts"),
    )
    assert closing.parts == (("text", "Closing session "), ("value", "self.session"))
    assert closing.keywords == ("exc_info=False",)
    assert "session" in retry.context and "get" in retry.context


def test_the_index_skips_what_it_cannot_read_and_counts_it(tmp_path, cache):
    root = project(
        tmp_path,
        {
            "pkg/fetcher.py": FETCHER,
            "pkg/broken.py": "def f(:\n    log.info('x')\n",
            "pkg/latin.py": "# caf\xe9\n",
            "pkg/tests/test_fetcher.py": "import logging\nlogging.info('test')\n",
            "ignored/skip.py": FETCHER,
            ".gitignore": "ignored/\n",
        },
    )
    (root / "pkg/latin.py").write_bytes("x = 'caf\xe9'\n".encode("latin-1"))
    (root / "pkg/blob.py").write_bytes(b"\0\1\2binary")
    (root / "pkg/huge.py").write_text("x = 1\n" * 300_000, encoding="utf-8")
    (root / "pkg/loop").symlink_to(root / "pkg", target_is_directory=True)
    (root / "pkg/dangling.py").symlink_to(root / "nowhere.py")
    index = ProjectIndex(root)
    counts = index.build()
    assert index.state == "ready"
    assert counts.files == 1 and counts.statements == 3
    assert counts.skipped["unparsable"] == 1
    assert counts.skipped["not UTF-8"] == 1
    assert counts.skipped["binary"] == 1
    assert counts.skipped["huge"] == 1
    assert "3 log statements in 1 files" in counts.describe()


def test_a_restart_reuses_the_kept_index_which_is_private(tmp_path, cache):
    root = project(tmp_path, {"fetcher.py": FETCHER})
    first = ProjectIndex(root).build()
    assert first.reused == 0 and first.cache_note == "no index kept yet"
    kept = store.index_path(root)
    assert stat.S_IMODE(os.stat(kept.parent).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(kept).st_mode) == 0o600
    again = ProjectIndex(root).build()
    assert again.reused == 1 and again.cache_note == "" and again.statements == 3
    (root / "fetcher.py").write_text(FETCHER.replace("Retrying", "Trying again"), encoding="utf-8")
    changed = ProjectIndex(root)
    assert changed.build().reused == 0  # a new content hash: read again
    assert any("Trying again" in s.text for s in changed._lexicon.statements)


@pytest.mark.parametrize(
    "damage",
    ["not json at all", "truncated", "digest", "foreign root", "wrong shape", "other format"],
)
def test_a_damaged_or_foreign_index_file_is_rebuilt_never_trusted(tmp_path, cache, damage):
    root = project(tmp_path, {"fetcher.py": FETCHER})
    ProjectIndex(root).build()
    kept = store.index_path(root)
    outer = json.loads(kept.read_text(encoding="utf-8"))
    body = json.loads(outer["body"])
    if damage == "not json at all":
        kept.write_text("\x00garbage", encoding="utf-8")
    elif damage == "truncated":
        kept.write_text(kept.read_text(encoding="utf-8")[:200], encoding="utf-8")
    elif damage == "digest":  # a statement changed by hand, the digest left as it was
        outer["body"] = outer["body"].replace("Retrying", "Pwned")
        kept.write_text(json.dumps(outer), encoding="utf-8")
    else:
        if damage == "foreign root":
            body["root"] = "/somewhere/else"
        elif damage == "wrong shape":
            first = next(iter(body["files"].values()))
            first["statements"][0]["line"] = "eleven"
        body_text = json.dumps(body)
        outer["body"] = body_text
        outer["digest"] = __import__("hashlib").sha256(body_text.encode()).hexdigest()
        if damage == "other format":
            outer["format"] = "someone-else"
        kept.write_text(json.dumps(outer), encoding="utf-8")
    index = ProjectIndex(root)
    counts = index.build()
    assert counts.reused == 0 and "rebuilt" in counts.cache_note
    assert counts.statements == 3
    assert not any("Pwned" in s.text for s in index._lexicon.statements)
    assert ProjectIndex(root).build().reused == 1  # and the file was written again, sound


def test_neighbours_come_from_the_same_function_first_and_never_from_the_cursor_line(tmp_path, cache):
    other = textwrap.dedent(
        """\
        import logging

        log = logging.getLogger(__name__)


        def store(path, data):
            try:
                path.write_bytes(data)
            except OSError as exc:
                log.error("Cannot write %s: %s", path, exc)
        """
    )
    root = project(tmp_path, {"fetcher.py": FETCHER, "storage.py": other})
    index = ProjectIndex(root)
    index.build()
    # the open document: the warning in the handler taken out, the cursor on its line
    lines = FETCHER.split("\n")
    lines[11] = " " * 20
    text = "\n".join(lines)
    document = ParsedDocument(text)
    site = site_at(document, 11, 20)
    found = index.neighbours(site, document, root / "fetcher.py", RetrievalWeights(), 5)
    texts = [n.statement.text for n in found]
    assert not any("Retrying" in t for t in texts)  # the masked statement is not in the open text
    assert "Gave up on" in texts[0] and "same function `fetch`" in found[0].why
    assert any("Cannot write" in t for t in texts)
    # the statement on the cursor's own line is never its own neighbour
    document = ParsedDocument(FETCHER)
    found = index.neighbours(site_at(document, 11, 20), document, root / "fetcher.py",
                             RetrievalWeights(), 5)
    assert not any(n.statement.line == 11 and n.statement.path == "fetcher.py" for n in found)


def test_an_open_document_wins_over_the_disk(tmp_path, cache):
    other = (
        "def g(url):\n    try:\n        return fetch(url)\n"
        "    except ConnectionError as exc:\n        \n        raise\n"
    )
    root = project(tmp_path, {"fetcher.py": FETCHER, "other.py": other})
    index = ProjectIndex(root)
    index.build()
    edited = FETCHER.replace("Retrying %s after %s", "Another attempt at %s: %s")
    index.open_document(root / "fetcher.py", ParsedDocument(edited))
    document = ParsedDocument(other)
    site = site_at(document, 4, 8)
    texts = [
        n.statement.text
        for n in index.neighbours(site, document, root / "other.py", RetrievalWeights(), 10)
    ]
    assert any("Another attempt" in t for t in texts)
    assert not any("Retrying" in t for t in texts)
    index.close_document(root / "fetcher.py")
    texts = [
        n.statement.text
        for n in index.neighbours(site, document, root / "other.py", RetrievalWeights(), 10)
    ]
    assert any("Retrying" in t for t in texts)


def test_refresh_follows_a_saved_and_a_deleted_file(tmp_path, cache):
    root = project(tmp_path, {"fetcher.py": FETCHER})
    index = ProjectIndex(root)
    index.build()
    assert index.statement_count == 3
    (root / "fetcher.py").write_text(FETCHER + "\n\ndef h():\n    log.info('Done')\n")
    index.refresh(root / "fetcher.py")
    assert index.statement_count == 4
    (root / "fetcher.py").unlink()
    index.refresh(root / "fetcher.py")
    assert index.statement_count == 0


def test_the_shipped_habits_ask_for_a_few_neighbours():
    assert 1 <= HABITS.neighbours <= 10


def test_named_conversions_take_their_values_from_the_mapping_or_are_left_out():
    import ast

    from logsmith.workspace.statements import message_parts

    mapped = ast.parse(
        'log.error("%(cls)s failed on %(item)s", {"cls": name, "item": item})', mode="eval"
    ).body
    assert message_parts(mapped)[0] == [
        ("value", "name"),
        ("text", " failed on "),
        ("value", "item"),
    ]
    unmapped = ast.parse('log.error("%(cls)s failed on %(item)s", values)', mode="eval").body
    assert message_parts(unmapped)[0] == [("text", " failed on ")]
