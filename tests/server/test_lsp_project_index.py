"""The project index in the real server over stdio: built in the background after `initialized`
(reported with $/progress and in the status), followed by completion, inline and code actions,
named in the items' detail and documentation, kept up to date by open documents, saves and the
client's file watcher, turned off by the settings, and never trusted from a damaged or foreign
cache, never crashed by a file it cannot read.

Template engine only (LOGSMITH_NO_MODEL=1, the fast tier): the index steers the plan the template
writes from. Each test has its own workspace, server and LOGSMITH_CACHE under tmp_path.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import time
from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp.checks import LspSpecificationWarning

from lsp_session import TEMPLATE_ONLY, start_editor, stop_editor

pytestmark = [pytest.mark.asyncio, pytest.mark.filterwarnings("error", category=LspSpecificationWarning)]

HANDLERS = '''import logging

import requests

log = logging.getLogger(__name__)


def {name}_page(url, session):
    try:
        return session.get(url)
    except requests.RequestException as exc:
        log.warning("Retrying %s after %s", url, exc)
        return None


def {name}_all(urls, session):
    for url in urls:
        try:
            session.post(url)
        except requests.RequestException as exc:
            log.warning("Retrying %s after %s", url, exc)
'''
"""Every handler of the project logs the same distinctive way (statements on lines 12 and 21)."""
NAMES = ("fetch", "upload", "sync")
RETRY = 'log.warning("Retrying %s after %s", url, exc)'
STORE = '''import logging

log = logging.getLogger(__name__)


class {title}Store:
    def save_{name}(self, record, db):
        db.insert(record)
        log.info("Saved {name} record %s", record.id)

    def drop_{name}(self, key, db):
        if not db.exists(key):
            log.debug("No {name} row for %s", key)
            return False
        db.delete(key)
        return True
'''
"""The rest of the project logs other things elsewhere: the handlers' words are its own."""
STORES = ("user", "order", "invoice", "cart", "token", "report", "config", "audit", "price", "stock",
          "mail", "group", "role", "event", "note", "tag")
FILES = len(NAMES) + len(STORES)
STATEMENTS = 2 * FILES
COUNTS = f"{STATEMENTS} log statements in {FILES} files"

NEW_SITE = '''import logging

import requests

log = logging.getLogger(__name__)


def download(url, session):
    try:
        return session.get(url)
    except requests.RequestException as exc:
        log.
        return None
'''
SITE = (11, 12)
"""The cursor after `log.` in the new handler."""


def make_workspace(root: Path) -> Path:
    (root / "app").mkdir(parents=True)
    for name in NAMES:
        (root / "app" / f"{name}.py").write_text(HANDLERS.format(name=name))
    for name in STORES:
        (root / "app" / f"{name}_store.py").write_text(STORE.format(name=name, title=name.title()))
    return root


def cache_file(cache: Path, root: Path) -> Path:
    """Where the server keeps the index of `root` (the store's naming, worked out here)."""
    key = hashlib.sha256(str(root.absolute()).encode("utf-8", "surrogateescape")).hexdigest()[:24]
    return cache / "index" / f"{key}.json"


async def start(tmp_path: Path, client: str = "vscode", *, root: Path | None = None, options=None,
                env: dict | None = None):
    root = root if root is not None else make_workspace(tmp_path / "ws")
    return await start_editor(tmp_path / "home", client, root=root, initialization_options=options,
                              env={**TEMPLATE_ONLY, "LOGSMITH_CACHE": str(tmp_path / "cache"), **(env or {})})


async def best_completion(editor, name: str = "app/download.py", text: str = NEW_SITE):
    uri = editor.open(name, text)
    result = await editor.complete(uri, *SITE)
    assert result.items, "no completion after `log.` in the handler"
    return result.items[0]


def documentation_of(item: types.CompletionItem) -> str:
    value = item.documentation
    return value.value if isinstance(value, types.MarkupContent) else value or ""


async def wait_status(editor, predicate, what: str, timeout: float = 30.0) -> dict:
    found: dict = {}

    async def check():
        nonlocal found
        found = await editor.status()
        return predicate(found["index"])

    end = time.monotonic() + timeout
    while not await check():
        if time.monotonic() > end:
            raise AssertionError(f"timed out waiting for {what}; the index: {found.get('index')}")
        await editor.settle(0.1)
    return found["index"]


@pytest.mark.parametrize("client", ["vscode", "neovim"])
async def test_suggestions_follow_the_projects_logged_sites(tmp_path, client):
    editor = await start(tmp_path, client)
    try:
        ended = await editor.index_built()
        assert ended == COUNTS
        reports = editor.progress("logsmith-index")
        assert reports[0].kind == "begin" and reports[0].title == "logsmith"
        assert reports[0].message == "indexing log statements"
        assert reports[-1].kind == "end" and all(r.kind == "report" for r in reports[1:-1])
        index = (await editor.status())["index"]
        assert index["state"] == "ready" and index["statements"] == STATEMENTS and index["files"] == FILES
        assert index["text"] == f"project index ready, {COUNTS}"
        assert [s for s in editor.statuses if s.channel == "index" and s.index.state == "ready"]

        best = await best_completion(editor)
        assert best.label == RETRY, "the handlers' statement, adapted here, is not the best (or not offered)"
        level, source, like = best.detail.split(" · ")
        assert (level, source) == ("warning", "neighbour")
        assert like.startswith("like app/") and like.endswith(" more")
        documentation = documentation_of(best)
        assert "Followed 5 logged sites of this project like this one" in documentation
        shown = [line for line in documentation.splitlines() if line.startswith("- app/")]
        assert len(shown) == 3 and all(line.endswith(f": {RETRY}") for line in shown), documentation

        uri = editor.open("app/inline.py", NEW_SITE.replace("        log.\n", "        \n"))
        inline = await editor.inline(uri, SITE[0], 8, invoked=True)
        assert inline.items and inline.items[0].insert_text == RETRY

        actions = await editor.code_actions(uri, SITE[0])
        logged = [a for a in actions if a.title == "Log this exception"]
        assert logged, [a.title for a in actions]
        resolved = logged[0] if logged[0].edit is not None else await editor.client.code_action_resolve_async(logged[0])
        edits = (resolved.edit.document_changes[0].edits if resolved.edit.document_changes
                 else resolved.edit.changes[uri])
        inserted = edits[-1].new_text
        assert inserted.strip() == RETRY
    finally:
        await stop_editor(editor)


async def test_the_server_answers_while_the_index_builds(tmp_path):
    root = make_workspace(tmp_path / "ws")
    for folder in range(40):
        (root / "pkg" / f"m{folder}").mkdir(parents=True)
        for number in range(100):
            (root / "pkg" / f"m{folder}" / f"f{number}.py").write_text(
                HANDLERS.format(name=f"f{number}").replace("Retrying", f"Retry {number}"))
    editor = await start(tmp_path, root=root)
    try:
        during = await wait_status(editor, lambda index: index["state"] == "building" and index["done"] > 0,
                                   "the build to be under way")
        assert during["total"] == 4000 + FILES and during["text"].startswith("project index indexing log statements, ")
        best = await best_completion(editor)
        after = (await editor.status())["index"]
        if after["state"] == "building":  # answered before the index was ready: today's answer
            assert "like" not in best.detail and "Followed" not in documentation_of(best)
        assert best.label.startswith("log.")
        ended = await editor.index_built(timeout=300)
        assert ended == f"{8000 + STATEMENTS} log statements in {4000 + FILES} files"
        reports = [r for r in editor.progress("logsmith-index") if r.kind == "report"]
        percentages = [r.percentage for r in reports]
        assert percentages == sorted(percentages) and percentages[-1] == 100
        assert reports[-1].message == f"indexing log statements, {4000 + FILES}/{4000 + FILES} files"
    finally:
        await stop_editor(editor)


async def test_project_index_off_gives_todays_answer(tmp_path):
    editor = await start(tmp_path, options={"projectIndex": False})
    try:
        index = await wait_status(editor, lambda index: index["state"] != "starting", "the index to start")
        assert index == {"state": "off", "reason": "project_index is false",
                         "text": "project index off: project_index is false"}
        best = await best_completion(editor)
        assert best.label != RETRY and best.detail == f"{best.detail.split(' · ')[0]} · template"
        assert "Followed" not in documentation_of(best)
        assert editor.progress("logsmith-index") == []
        today = best.label

        editor.configure({"projectIndex": True})  # turned on at run time: built, then followed
        await editor.index_built()
        assert (await best_completion(editor, "app/again.py")).label == RETRY

        editor.configure({"projectIndex": False})  # and off again: dropped
        await wait_status(editor, lambda index: index["state"] == "off", "the index to be dropped")
        assert (await best_completion(editor, "app/third.py")).label == today
    finally:
        await stop_editor(editor)


async def test_project_index_false_in_pyproject(tmp_path):
    root = make_workspace(tmp_path / "ws")
    (root / "pyproject.toml").write_text("[tool.logsmith]\nproject_index = false\n")
    editor = await start(tmp_path, root=root)
    try:
        index = await wait_status(editor, lambda index: index["state"] != "starting", "the index to start")
        assert index["state"] == "off" and index["reason"] == "project_index is false"
        assert (await best_completion(editor)).label != RETRY
    finally:
        await stop_editor(editor)


@pytest.mark.parametrize("kept", ["garbage", "foreign"])
async def test_a_damaged_or_foreign_cache_is_rebuilt(tmp_path, kept):
    root = make_workspace(tmp_path / "ws")
    kept_file = cache_file(tmp_path / "cache", root)
    kept_file.parent.mkdir(parents=True)
    if kept == "garbage":
        kept_file.write_bytes(b"\x00\xffnot an index{" * 100)
    else:  # a well-formed index of another folder whose handlers log otherwise, under this folder's name
        statement = {
            "path": "app/fetch.py", "line": 11, "end_line": 11, "receiver": "log", "level": "critical",
            "parts": [["text", "Foreign "], ["value", "url"]], "extra_values": [], "keywords": [],
            "kind": "except", "in_except": True, "exception_name": "exc",
            "exception_types": ["requests.RequestException"], "ending": "value", "function": "fetch_page",
            "class_name": None, "context": ["url", "session", "get", "requests", "exception"]}
        body = json.dumps({"root": str(tmp_path / "elsewhere"), "files": {
            "app/fetch.py": {"sha256": hashlib.sha256(HANDLERS.format(name="fetch").encode()).hexdigest(),
                             "statements": [statement]}}})
        kept_file.write_text(json.dumps({"format": "logsmith-project-index", "version": 1,
                                         "digest": hashlib.sha256(body.encode()).hexdigest(), "body": body}))
    editor = await start(tmp_path, root=root)
    try:
        assert await editor.index_built() == COUNTS
        index = (await editor.status())["index"]
        assert "was not used" in index["cacheNote"] and "rebuilt" in index["cacheNote"]
        if kept == "foreign":
            assert "another folder" in index["cacheNote"]
        best = await best_completion(editor)
        assert best.label == RETRY and "critical" not in best.detail
        assert "Foreign" not in documentation_of(best)
        rewritten = json.loads(kept_file.read_text())
        assert json.loads(rewritten["body"])["root"] == str(root)
        assert stat.S_IMODE(kept_file.stat().st_mode) == 0o600
        assert stat.S_IMODE(kept_file.parent.stat().st_mode) == 0o700
    finally:
        await stop_editor(editor)


async def test_the_cache_is_private_and_reused(tmp_path):
    editor = await start(tmp_path)
    try:
        await editor.index_built()
        kept = cache_file(tmp_path / "cache", tmp_path / "ws")
        assert stat.S_IMODE(kept.stat().st_mode) == 0o600
        assert stat.S_IMODE(kept.parent.stat().st_mode) == 0o700
        assert "cacheNote" in (await editor.status())["index"]  # nothing kept yet at the first start
    finally:
        await stop_editor(editor)
    again = await start(tmp_path, root=tmp_path / "ws")
    try:
        assert await again.index_built() == COUNTS
        assert "cacheNote" not in (await again.status())["index"]  # the kept index was used
    finally:
        await stop_editor(again)


async def test_files_it_cannot_read_are_counted_never_crash_it(tmp_path):
    root = make_workspace(tmp_path / "ws")
    (root / "app" / "blob.py").write_bytes(b"import logging\n\x00\x01\x02" * 50)
    (root / "app" / "huge.py").write_text(HANDLERS.format(name="huge") + "#" * 30_000 + "\n")
    (root / "app" / "broken.py").write_text(HANDLERS.format(name="broken") + "\ndef (:\n")
    (root / "app" / "latin.py").write_bytes(HANDLERS.format(name="latin").encode() + "# caf\u00e9\n".encode("latin-1"))
    outside = tmp_path / "outside.py"
    outside.write_text(HANDLERS.format(name="outside"))
    (root / "app" / "linked.py").symlink_to(outside)
    (root / "app" / "dangling.py").symlink_to(tmp_path / "gone" / "nothing.py")
    os.mkfifo(root / "app" / "pipe.py")  # reading it would block: it must never be read
    editor = await start(tmp_path, root=root, options={"maxFileBytes": 20_000})
    try:
        ended = await editor.index_built()
        index = (await editor.status())["index"]
        assert index["state"] == "ready" and index["files"] == FILES, index
        assert index["skipped"] == {"binary": 1, "huge": 1, "not UTF-8": 1, "not regular files": 1,
                                    "symlinks": 2, "unparsable": 1}
        assert ended == (f"{COUNTS} (skipped: 1 binary, 1 huge, 1 not UTF-8, 1 not regular files, "
                         "2 symlinks, 1 unparsable)")
        assert index["text"] == f"project index ready, {ended}"
        assert (await best_completion(editor)).label == RETRY
    finally:
        await stop_editor(editor)


async def test_a_symlink_loop_never_stops_the_server(tmp_path):
    root = make_workspace(tmp_path / "ws")
    (root / "app" / "a.py").symlink_to(root / "app" / "b.py")
    (root / "app" / "b.py").symlink_to(root / "app" / "a.py")
    editor = await start(tmp_path, root=root)
    try:
        ended = await editor.index_built()
        index = (await editor.status())["index"]
        assert index["state"] == "ready", index
        assert index["skipped"] == {"not regular files": 2}, index
        assert "2 not regular files" in ended
        best = await best_completion(editor)  # still serving
        assert best.label.startswith("log.")
    finally:
        await stop_editor(editor)


async def test_a_saved_file_is_read_again(tmp_path):
    editor = await start(tmp_path)
    try:
        await editor.index_built()
        fetch = editor.root / "app" / "fetch.py"
        fetch.write_text(HANDLERS.format(name="fetch") + '''

def fetch_late(url, session):
    try:
        return session.head(url)
    except requests.RequestException as exc:
        log.warning("Slow host %s after %s", url, exc)
        return None
''')
        editor.client.text_document_did_save(types.DidSaveTextDocumentParams(
            types.TextDocumentIdentifier(fetch.as_uri())))
        index = await wait_status(editor, lambda index: index.get("statements") == STATEMENTS + 1,
                                  "the saved file's new statement")
        assert index["files"] == FILES
    finally:
        await stop_editor(editor)


async def test_watched_files_deleted_and_created_in_a_burst(tmp_path):
    editor = await start(tmp_path, "vscode")
    try:
        await editor.index_built()
        watchers = [r for r in editor.registrations if r.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES]
        assert len(watchers) == 1
        assert [w["globPattern"] for w in watchers[0].register_options["watchers"]] == ["**/*.py"]

        sync = editor.root / "app" / "sync.py"
        sync.unlink()
        editor.client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(
            [types.FileEvent(sync.as_uri(), types.FileChangeType.Deleted)]))
        index = await wait_status(editor, lambda index: index.get("files") == FILES - 1, "sync.py to be dropped")
        assert index["statements"] == STATEMENTS - 2
        best = await best_completion(editor)
        assert best.label == RETRY
        assert "app/sync.py" not in documentation_of(best) and "app/sync.py" not in best.detail

        # a branch switch: many files at once are read in one rebuild, not one by one
        created = []
        for number in range(80):
            path = editor.root / "app" / "more" / f"m{number}.py"
            path.parent.mkdir(exist_ok=True)
            path.write_text(HANDLERS.format(name=f"m{number}"))
            created.append(types.FileEvent(path.as_uri(), types.FileChangeType.Created))
        editor.client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(created))
        files, statements = FILES - 1 + 80, STATEMENTS - 2 + 160
        assert await editor.index_built(builds=2) == f"{statements} log statements in {files} files"
        assert (await editor.status())["index"]["statements"] == statements

        # files the index never reads are left alone: tests, virtualenvs, ignored files, other languages
        venv = editor.root / "env"
        (venv / "lib").mkdir(parents=True)
        (venv / "pyvenv.cfg").write_text("home = /usr\n")
        (editor.root / ".gitignore").write_text("generated/\n")
        ignored = [venv / "lib" / "thing.py", editor.root / "tests" / "test_x.py", editor.root / "app" / "notes.txt",
                   editor.root / "app" / "generated" / "made.py", editor.root / "__pycache__" / "x.py"]
        read = editor.root / "app" / "extra.py"  # in the same batch, to know when it was handled
        for path in [*ignored, read]:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(HANDLERS.format(name="never"))
        editor.client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(
            [types.FileEvent(path.as_uri(), types.FileChangeType.Created) for path in [*ignored, read]]))
        index = await wait_status(editor, lambda index: index.get("files") != files, "extra.py to be read")
        assert (index["files"], index["statements"]) == (files + 1, statements + 2)
    finally:
        await stop_editor(editor)


async def test_an_open_document_wins_over_the_disk(tmp_path):
    editor = await start(tmp_path)
    try:
        await editor.index_built()
        quiet = HANDLERS.format(name="sync").replace(f"        {RETRY}\n", "        pass\n")
        assert RETRY not in quiet
        editor.open("app/sync.py", quiet)  # open with text whose handlers no longer log
        await editor.settle(1.0)
        best = await best_completion(editor)
        documentation = documentation_of(best)
        assert "app/fetch.py:12: " in documentation, documentation
        assert "app/sync.py" not in documentation and "app/sync.py" not in best.detail

        uri = (editor.root / "app" / "sync.py").as_uri()
        editor.close(uri)  # closed unsaved: the disk's statements count again
        await editor.settle(0.3)
        best = await best_completion(editor, "app/other.py")
        assert f"app/sync.py:12: {RETRY}" in documentation_of(best)
    finally:
        await stop_editor(editor)
