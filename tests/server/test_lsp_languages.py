"""The real server over stdio with documents in Go, Java and TypeScript, and in a language logsmith
does not read.

Each document is opened with the editor's language id; the server reads it in that language.
Every statement offered is checked with the language's own reader (`statement_problems`: it
parses where it goes) and the document with the statement in place parses. One server per engine
for the module (the `served` fixture of tests/server/conftest.py): the real default model
(`model` tier) and templates only (fast tier).
"""

from __future__ import annotations

import json

import pytest
from lsp_session import server_kinds
from lsprotocol import types

from logsmith.idioms.registry import reader_for
from logsmith.syntax.document import ParsedDocument

pytestmark = pytest.mark.asyncio(loop_scope="module")
NEOVIM = pytest.mark.parametrize(
    "served", server_kinds("model", "template", clients=("neovim",)), indirect=True
)

GO = """package store

import (
\t"log/slog"
\t"os"
)

func Load(path string) ([]byte, error) {
\tdata, err := os.ReadFile(path)
\tif err != nil {

\t\treturn nil, err
\t}
\tslog.Info("loaded", "path", path)
\treturn data, nil
}
"""
GO_BLANK = 10  # the empty line in `if err != nil {`

JAVA = """package demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

public class Store {
    private static final Logger LOG = LoggerFactory.getLogger(Store.class);

    public byte[] load(Path path) {
        try {
            return Files.readAllBytes(path);
        } catch (IOException e) {

            return null;
        }
    }
}
"""
JAVA_BLANK = 15  # the empty line in the catch block
JAVA_CATCH = 14

TYPESCRIPT = """import { readFile } from "fs/promises";

export async function load(path: string): Promise<string | null> {
  try {
    return await readFile(path, "utf8");
  } catch (err) {

    return null;
  }
}
"""
TS_BLANK = 6  # the empty line in the catch block


def text_of(served, uri: str) -> str:
    return "\n".join(served.texts[uri])


def parses_in_place(language: str, text: str, line: int, statement: str) -> None:
    """The statement parses on `line` of `text` (the language's reader says so), and the text with
    the statement there has no syntax error."""
    document = ParsedDocument(text, language)
    assert reader_for(language).statement_problems(document, line, statement) == [], statement
    lines = text.split("\n")
    indent = lines[line][: len(lines[line]) - len(lines[line].lstrip())]
    lines[line] = indent + statement
    assert not ParsedDocument("\n".join(lines), language).has_error, "\n".join(lines)


async def complete_typed(served, uri: str, line: int, typed: str) -> types.CompletionList:
    """Type `typed` on the empty line `line`, indented like the next line (as an editor indents
    it), then ask for completion there."""
    following = served.line(uri, line + 1)
    indent = following[: len(following) - len(following.lstrip())]
    cursor = served.type(uri, line, 0, indent + typed)
    return await served.complete(uri, *cursor)


@NEOVIM
async def test_go_completion_in_if_err_block_is_a_go_statement_that_parses(served):
    uri = served.open("store/load.go", GO, "go")
    answer = await complete_typed(served, uri, GO_BLANK, "slog.")
    assert answer.items, "no completion in the Go error block"
    statement = answer.items[0].label
    assert statement.startswith("slog.") and "err" in statement, statement
    parses_in_place("go", text_of(served, uri), GO_BLANK, statement)
    # The edit replaces what was typed on the line with the whole statement.
    edit = answer.items[0].text_edit
    assert edit.range.start.line == edit.range.end.line == GO_BLANK
    assert (edit.range.start.character, edit.range.end.character) == (2, len("\t\tslog."))
    assert edit.new_text == statement


@NEOVIM
async def test_java_completion_after_a_change_reads_the_changed_catch(served):
    uri = served.open("src/main/java/demo/Store.java", JAVA, "java")
    first = await complete_typed(served, uri, JAVA_BLANK, "LOG.")
    assert first.items, "no completion in the Java catch block"
    statement = first.items[0].label
    assert statement.startswith("LOG.") and statement.endswith(";"), statement
    parses_in_place("java", text_of(served, uri), JAVA_BLANK, statement)

    # Rename the caught exception (a didChange elsewhere in the document), then ask again.
    catch = served.line(uri, JAVA_CATCH)
    start = catch.index("IOException e)") + len("IOException ")
    served.edit(uri, (JAVA_CATCH, start), (JAVA_CATCH, start + 1), "failure")
    again = await served.complete(uri, JAVA_BLANK, len(served.line(uri, JAVA_BLANK)))
    assert again.items, "no completion after the change"
    renamed = again.items[0].label
    assert "failure" in renamed and not any(
        token == "e"
        for token in renamed.replace("(", " ").replace(")", " ").replace(",", " ").split()
    ), renamed
    parses_in_place("java", text_of(served, uri), JAVA_BLANK, renamed)


@NEOVIM
async def test_typescript_completion_and_inline_in_catch(served):
    uri = served.open("src/load.ts", TYPESCRIPT, "typescript")
    served.type(uri, TS_BLANK, 0, "    ")
    inline = await served.inline(uri, TS_BLANK, 4)
    assert inline is not None and inline.items, "no ghost text at the top of the catch block"
    ghost = inline.items[0].insert_text.strip()
    parses_in_place("typescript", text_of(served, uri), TS_BLANK, ghost)

    served.edit(uri, (TS_BLANK, 0), (TS_BLANK, 4), "")
    answer = await complete_typed(served, uri, TS_BLANK, "console.")
    assert answer.items, "no completion after `console.` in TypeScript"
    statement = answer.items[0].label
    assert statement.startswith("console.") and "err" in statement, statement
    parses_in_place("typescript", text_of(served, uri), TS_BLANK, statement)


def with_edits(text: str, edits: list[types.TextEdit]) -> str:
    """`text` with LSP edits made (ASCII text: columns are code points)."""
    lines = text.split("\n")
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    placed = sorted(
        (
            (
                starts[e.range.start.line] + e.range.start.character,
                starts[e.range.end.line] + e.range.end.character,
                e.new_text,
            )
            for e in edits
        ),
        reverse=True,
    )
    for start, end, new_text in placed:  # from the bottom up: earlier offsets stay valid
        text = text[:start] + new_text + text[end:]
    return text


CODE_ACTION_CASES = [
    # a dropped error is flagged in Go (returning it up is Go's way)
    ("store/action.go", GO.replace("return nil, err", "return nil, nil"), "go", GO_BLANK + 1),
    ("src/main/java/demo/Action.java", JAVA, "java", JAVA_BLANK + 1),
    ("src/action.ts", TYPESCRIPT, "typescript", TS_BLANK + 1),
]


@NEOVIM
@pytest.mark.parametrize(("name", "text", "language_id", "line"), CODE_ACTION_CASES)
async def test_log_this_exception_in_each_language_and_the_audit_names_it(
    served, name, text, language_id, line
):
    uri = served.open(name, text, language_id)
    actions = await served.code_actions(uri, line)
    titles = [action.title for action in actions]
    assert "Log this exception" in titles, titles
    action = next(a for a in actions if a.title == "Log this exception")
    if action.edit is None:
        action = await served.client.code_action_resolve_async(action)
    (change,) = action.edit.document_changes or [
        types.TextDocumentEdit(types.OptionalVersionedTextDocumentIdentifier(uri, None), edits)
        for edits in action.edit.changes.values()
    ]
    changed = with_edits(text, change.edits)
    assert changed.count("\n") > text.count("\n"), changed  # a statement line went in
    assert not ParsedDocument(changed, language_id).has_error, changed

    await served.accept(action.command)
    (row,) = await served.wait_rows(1, suggestion_id=action.command.arguments[0], event="accepted")
    assert json.loads(row["detail"])["language"] == language_id
    statuses = [s for s in served.statuses if getattr(s, "language", None) == language_id]
    assert statuses, served.statuses
    assert any("serves Python files only" in note for note in statuses[-1].notes), statuses[-1]


@NEOVIM
async def test_a_language_logsmith_does_not_read_gets_nothing(served):
    uri = served.open("notes/todo.rs", "fn main() {\n    log\n}\n", "rust")
    completion = await served.complete(uri, 1, 7)
    assert not completion.items and not completion.is_incomplete
    assert await served.inline(uri, 1, 7, invoked=True) is None
    assert not await served.code_actions(uri, 1)
    # The server goes on serving the other documents.
    go = served.open("store/after.go", GO, "go")
    answer = await complete_typed(served, go, GO_BLANK, "log")
    assert answer.items
    parses_in_place("go", text_of(served, go), GO_BLANK, answer.items[0].label)


@NEOVIM
async def test_a_java_statement_takes_the_words_of_the_projects_most_alike_statement(served):
    from tests.languages.test_project_words import CACHE_STORE, LOADER, LOADER_SITE

    root = served.root / "cache-app"
    (root / "app" / "src" / "demo").mkdir(parents=True, exist_ok=True)
    (root / "build.gradle").write_text("")
    (root / "app" / "src" / "demo" / "CacheStore.java").write_text(CACHE_STORE)
    lines = LOADER.split("\n")
    lines[LOADER_SITE] = ""
    uri = served.open("cache-app/app/src/demo/Loader.java", "\n".join(lines), "java")
    answer = await complete_typed(served, uri, LOADER_SITE, "Log.")
    assert answer.items, "no completion in the catch block"
    best = answer.items[0]
    assert best.label == 'Log.e(TAG, "Unable to read the cache index, starting empty", failure);'
    parses_in_place("java", text_of(served, uri), LOADER_SITE, best.label)
    level, source, like = best.detail.split(" · ")
    assert (level, source, like) == ("error", "neighbour", "like app/src/demo/CacheStore.java:14")
