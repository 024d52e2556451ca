"""A document's code-point columns and tree-sitter's byte columns convert both ways."""

from __future__ import annotations

from logsmith.syntax.document import ParsedDocument


def test_character_is_the_inverse_of_point():
    document = ParsedDocument('x = 1\ns = "żółw" + "😀"  # é\n', "python")
    line = document.line(1)
    for character in range(len(line) + 1):
        assert document.character(document.point(1, character)) == character


def test_character_of_an_ascii_document_is_the_byte_column():
    document = ParsedDocument("a = 1\nbb = 2\n", "python")
    assert document.character((1, 3)) == 3


def test_a_byte_column_inside_a_character_counts_that_character():
    document = ParsedDocument('s = "ż"\n', "python")
    assert document.point(0, 6) == (0, 7)
    assert document.character((0, 6)) == 6  # the second byte of ż: ż counted
    assert document.character((0, 5)) == 5


def test_a_column_past_the_line_end_stops_at_the_line_end():
    document = ParsedDocument("é\nx\n", "python")
    assert document.character((0, 40)) == 1
