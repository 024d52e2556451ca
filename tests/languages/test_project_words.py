"""The words of the project's statement at the site most like this one, in Java, Go and
JavaScript: which statement lends them, how they are tidied, and the statement written with them
through `logsmith.suggest`, leaving the file being edited out of the project."""

from pathlib import Path

import logsmith
from logsmith.idioms.contract import LoggedCall
from logsmith.idioms.project_habits import project_calls
from logsmith.idioms.project_neighbour import most_alike, tidy_message, with_context, words_of
from tests.languages.test_shared_engine import _site


def _call(message, function, kind="except", context="", line=0, values=("e",)):
    return LoggedCall(
        line, line, f'LOG.e("{message}")', "slf4j", "LOG", "error", message, values, "e",
        function, kind, context,
    )


FILLER = [
    (Path(f"/p/z/Other{n}.java"), _call(f"Step {n} went wrong", f"step{n}", context=f"runStep{n}();"))
    for n in range(20)
]
"""Unrelated statements: a word's weight depends on how rare it is in the project."""


def test_words_are_the_identifiers_parts_without_the_common_ones():
    assert words_of("cacheIndex = store.readCacheIndex(file); LOG") == {
        "cache", "index", "store", "read", "file"}
    assert words_of("HTTPServer.get_url(e)") == {"http", "server", "url"}


def test_the_message_loses_the_marks_its_values_left():
    assert tidy_message('App.loadUrl( , )') is None  # one word left
    assert tidy_message('The provided scheme " " is not valid:') == "The provided scheme is not valid"
    assert tidy_message("Request to send event before channel initialised: ") == (
        "Request to send event before channel initialised")
    assert tidy_message(None) is None and tidy_message("Started") is None
    # `peer %s (%s reader)` and `%s's hash != %s's hash` once the values are taken out
    assert tidy_message("connection with peer  ( reader)") == "connection with peer (reader)"
    assert tidy_message("'s hash != 's hash") == "hash != hash"
    assert tidy_message("the user's file") == "the user's file"
    # `(streamId=${id}, audio=${a})` once the values are taken out: the labels go with them
    assert tidy_message("Call stream running (streamId= , audio= , video= )") == (
        "Call stream running")
    assert tidy_message("Refusing the intent for URL= since it is blocked") == (
        "Refusing the intent for since it is blocked")
    assert tidy_message("user id=, name= done at x==y") == "user done at x==y"


def test_the_statement_sharing_the_most_telling_words_lends_them():
    site = _site(function=_site().function.__class__("readIndex", ("file",), "Store", False, 1, 2))
    around = "index = store.parseIndex(file);"
    alike = _call("Unable to parse the cache index", "loadIndex",
                  context="idx = cache.parseIndex(path);")
    unrelated = _call("Could not bind the socket", "listen", context="socket.bind(address);")
    other_kind = _call("Parsing the index", "loadIndex", kind="entry",
                       context="idx = cache.parseIndex(path);")
    project = [*FILLER, (Path("/p/a/Cache.java"), unrelated), (Path("/p/b/Index.java"), alike),
               (Path("/p/b/Index.java"), other_kind)]
    lent = most_alike(site, (), project, Path("/p/c/Store.java"), around)
    assert lent is not None and lent.call is alike and lent.words == "Unable to parse the cache index"
    assert most_alike(site, (), [*FILLER, (Path("/p/a/Cache.java"), unrelated)], None, around) is None


def test_the_sites_own_function_and_a_typed_message_lend_nothing():
    site = _site()
    mine = _call("Failed to connect to the host", "connect", context="conn = open(host);")
    assert most_alike(site, [mine], FILLER, None, "conn = open(host);") is None
    typed = _site(typed=site.typed.__class__(text="LOG.e(\"Oops", logger="LOG", quote="\"", message="Oops"))
    elsewhere = _call("Failed to connect to the host", "reconnect", context="conn = open(host);")
    lent = most_alike(site, [elsewhere], FILLER, None, "conn = open(host);")
    assert lent is not None and lent.path is None  # the same file
    assert most_alike(typed, [elsewhere], FILLER, None, "conn = open(host);") is None
    logger_only = _site(typed=site.typed.__class__(text="LOG.e(", logger="LOG", level_prefix="e",
                                                   opened_call=True))
    assert most_alike(logger_only, [elsewhere], FILLER, None, "conn = open(host);") is not None


def test_a_call_is_read_with_the_lines_around_it():
    lines = ["a();", "b();", "c();", "LOG.e(x);", "d();", "e();", "f();"]
    [call] = with_context([_call("m", "f", line=3)], lines)
    assert call.context == "a();\nb();\nc();\nd();\ne();"


CACHE_STORE = """\
package demo;

import android.util.Log;
import java.io.File;
import java.io.IOException;

public class CacheStore {
    private static final String TAG = "CacheStore";

    public void readIndex(File file) {
        try {
            index = IndexParser.parseCacheIndex(file);
        } catch (IOException e) {
            Log.e(TAG, "Unable to read the cache index, starting empty", e);
        }
    }
}
"""
LOADER = """\
package demo;

import android.util.Log;
import java.io.File;
import java.io.IOException;

public class Loader {
    private static final String TAG = "Loader";

    public void loadIndex(File path) {
        try {
            entries = IndexParser.parseCacheIndex(path);
        } catch (IOException failure) {
            Log.e(TAG, "Unable to read the cache index, starting empty", failure);
        }
    }
}
"""
LOADER_SITE = 13  # the statement's line, masked below


def _project(root: Path) -> Path:
    (root / "app" / "src" / "demo").mkdir(parents=True)
    (root / "build.gradle").write_text("")
    (root / "app" / "src" / "demo" / "CacheStore.java").write_text(CACHE_STORE)
    loader = root / "app" / "src" / "demo" / "Loader.java"
    loader.write_text(LOADER)
    return loader


def _masked(text: str, line: int) -> str:
    lines = text.split("\n")
    lines[line] = " " * 12
    return "\n".join(lines)


def test_a_java_statement_is_written_in_the_projects_words_with_the_sites_values(tmp_path):
    loader = _project(tmp_path)
    masked = _masked(LOADER, LOADER_SITE)
    settings = logsmith.Settings(use_model=False)
    [top, *_] = logsmith.suggest(masked, LOADER_SITE, 12, path=str(loader), settings=settings)
    assert top.statement == 'Log.e(TAG, "Unable to read the cache index, starting empty", failure);'
    assert top.route == "neighbour" and top.variables == ("failure",)
    assert top.neighbours == ("app/src/demo/CacheStore.java:14: " + CACHE_STORE.split("\n")[13].strip(),)
    assert any(note.startswith("the words of app/src/demo/CacheStore.java:14") for note in top.notes)


def test_the_file_being_edited_is_left_out_of_the_project(tmp_path):
    loader = _project(tmp_path)
    (tmp_path / "app" / "src" / "demo" / "CacheStore.java").unlink()
    assert [path.name for path, _call in project_calls(str(loader), "java")] == []
    masked = _masked(LOADER, LOADER_SITE)  # the statement is still in the file on disk
    settings = logsmith.Settings(use_model=False)
    found = logsmith.suggest(masked, LOADER_SITE, 12, path=str(loader), settings=settings)
    assert all("starting empty" not in s.statement for s in found)
    assert [s.route for s in found] == ["template"]
