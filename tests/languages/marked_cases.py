"""Files marked `§` where a statement is asked for, as the compile tests use them: the cursor of a
marked file, and each suggestion of each case written into its file."""

from __future__ import annotations

from pathlib import Path

import logsmith
from logsmith.text_edits import apply_edits


def cursor(marked: str) -> tuple[str, int, int]:
    """(the text without its mark, the mark's line, the column at the end of its indent)."""
    lines = marked.split("\n")
    number = next(n for n, line in enumerate(lines) if line.strip() == "§")
    return marked.replace("§", ""), number, len(lines[number]) - 1


def written(
    cases: dict[str, str], settings, folder: Path, language: str, suffix: str
) -> tuple[dict[str, str], dict[str, str]]:
    """(`<case>_<n>` -> the file with its n-th suggestion and setup edits written in, `<case>_<n>`
    -> that statement) over every case, each asked as the file `<case><suffix>` in `folder`."""
    files, statements = {}, {}
    for name, marked in cases.items():
        source, line, character = cursor(marked)
        path = folder / f"{name}{suffix}"
        path.write_text(source)
        suggestions = logsmith.suggest(
            source, line, character, path=str(path), settings=settings, language=language
        )
        assert suggestions, f"{name}: no suggestion"
        for number, suggestion in enumerate(suggestions):
            key = f"{name.lower()}_{number}"
            files[key] = apply_edits(source, [suggestion.edit, *suggestion.additional_edits])
            statements[key] = suggestion.statement
    return files, statements
