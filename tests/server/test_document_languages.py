"""Open documents know their language (the editor's language id, else the URI's suffix) and are
parsed in it; the triggers know the loggers of the other languages. No server process here."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from logsmith.server.documents import OpenDocument, language_of
from logsmith.server.triggers import completion_wanted, logger_being_typed, may_be_typing_log
from logsmith.syntax.site import parse_typed


@pytest.mark.parametrize(
    ("language_id", "uri", "language"),
    [
        ("go", "file:///src/notes.txt", "go"),  # the editor's id wins over the suffix
        ("typescriptreact", "file:///src/App.tsx", "tsx"),
        ("javascriptreact", "file:///src/App.jsx", "javascript"),
        ("java", "untitled:Untitled-1", "java"),
        (None, "file:///src/app/load.ts", "typescript"),
        (
            "plaintext",
            "file:///src/app/tool.py",
            "python",
        ),  # an id logsmith does not know: the suffix
        ("plaintext", "untitled:Untitled-2", None),
        ("rust", "file:///src/main.rs", None),
    ],
)
def test_language_of_a_document(language_id, uri, language):
    assert language_of(language_id, uri) == language


def test_a_go_document_is_parsed_and_edited_in_go():
    document = OpenDocument("file:///src/load.go", "package store\n\nfunc Load() {\n}\n", 1, "go")
    assert document.language == "go"
    with document.lock:
        parsed = document.parsed(document.snapshot())
    assert parsed.language == "go" and not parsed.has_error
    document.apply_change((3, 0), (3, 0), "\tx := 1\n\t_ = x\n", "utf-16", 2)
    with document.lock:
        parsed = document.parsed(document.snapshot())
    assert parsed.language == "go" and not parsed.has_error
    assert parsed.tree.root_node.type == "source_file"  # Go's grammar, not Python's "module"


def _site(typed: str):
    return SimpleNamespace(typed=parse_typed(typed))


@pytest.mark.parametrize(
    ("typed", "language", "wanted"),
    [
        ("console.", "javascript", True),
        ("console.err", "typescript", True),
        ("slog.Inf", "go", True),
        ('log.Printf("', "go", True),
        ("LOG.warn(", "java", True),
        ("console.", "python", False),  # Python keeps its own words
        ("user.", "go", False),
        ("slog.Foo", "go", False),
        ("FLog.", "java", True),  # a project's own logger class, by its camel-case name
        ("keyEventLog.fi", "java", True),
        ("this.mLogger.", "typescript", True),
        ("catalog.", "java", False),
        ("FLog.", "python", False),
        ("log.G(ctx).", "go", True),  # a logger chain with calls
        ("zap.L().Inf", "go", True),
    ],
)
def test_loggers_being_typed_in_each_language(typed, language, wanted):
    assert may_be_typing_log("\t\t" + typed) or not wanted
    assert logger_being_typed(_site(typed), language) is wanted
    assert completion_wanted(_site(typed), language) is wanted
