"""logsmith: writes log statements (Python, Java, Go, JavaScript, TypeScript) with tree-sitter
context and a local model.

Public API: `suggest()`, `Suggestion`, `TextEdit`, `Settings`, `__version__`.
"""

from logsmith.settings import Settings
from logsmith.suggestion import Suggestion, TextEdit

__version__ = "0.1.0"


def suggest(source, line, character, *, path=None, settings=None, project=None, language=None):
    """Log statements for the cursor at (`line`, `character`) of `source`, best first.

    Lines and characters are 0-based; characters count code points. Each suggestion says why it
    was chosen (`reason`) and what happened on the way (`notes`); see `logsmith.pipeline`.
    `project`: a built `logsmith.workspace.index.ProjectIndex` of the workspace (suggestions then
    follow how the project logs at sites like this one); `source` stands for `path` in it.
    `language`: `python`, `java`, `go`, `javascript`, `typescript` or `tsx`; None: from `path`'s
    suffix, else Python.
    """
    from logsmith.pipeline import suggest as _suggest

    return _suggest(
        source, line, character, path=path, settings=settings, project=project, language=language
    )


__all__ = ["Settings", "Suggestion", "TextEdit", "suggest", "__version__"]
