"""What each language other than Python hands the shared engine, and the types they exchange.

A language is two modules and a folder of queries:

- `logsmith/syntax/<language>.py` reads the code with tree-sitter (queries in
  `grammars/<language>/*.scm`): the site at a cursor (`site_at`), the log statements of a file
  (`logged_calls`), the names a statement reads (`names_read`) and whether a statement parses in
  place (`statement_problems`).
- `logsmith/idioms/<language>.py` knows the language's logging libraries without reading code:
  which logger a file uses (`logger_for`), how a statement is written (`render`, `opening`).

Both are modules of plain functions with the signatures of `SiteReader` and `LanguageIdioms`;
`logsmith.idioms.registry` finds them by language name. Levels are normalised to `LEVELS`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from logsmith.suggestion import TextEdit

if TYPE_CHECKING:
    from logsmith.syntax.batch_rules import Finding
    from logsmith.syntax.document import ParsedDocument
    from logsmith.syntax.site import LogSite

LEVELS = ("trace", "debug", "info", "warning", "error", "critical")
"""Normalised levels, least severe first: SLF4J `warn`, Go `Warn`, Android `w` -> warning;
java.util.logging `severe` -> error, `fine`/`finer` -> debug, `finest` -> trace, `config` -> info;
`fatal`/`panic` -> critical."""


@dataclass(frozen=True)
class LoggedCall:
    """One log statement of a file, as its developer wrote it."""

    start_line: int
    end_line: int
    """0-based lines of the whole statement."""
    text: str
    """The statement's source, e.g. `LOG.warn("Retrying {}", host, e);`."""
    library: str
    """The library it belongs to, e.g. `slf4j`, `jul`, `android`, `log`, `slog`, `zap`,
    `zap-sugar`, `logrus`, `console`, `winston`, `pino`, `debug`."""
    logger: str
    """The expression called, as written: `LOG`, `this.logger`, `log`, `zap.L()`, `console`."""
    level: str | None
    """One of `LEVELS`; None for a library without levels (`debug`), or when a level is computed."""
    message: str | None
    """The message's literal text with placeholders (`{}`, `%s`, `%v`, `${...}`) removed;
    None without a literal message."""
    values: tuple[str, ...]
    """The expressions logged besides the message, in order, as written (`host`,
    `user.getId()`, `err`); key names of key-value pairs are not values."""
    error: str | None
    """The error or exception passed (`e`, `err`), also in `values`; else None."""
    function: str | None
    """The enclosing function or method's name."""
    site_kind: str
    """The kind of site it sits at, as `LogSite.kind` (except, entry, return, raise, loop,
    other)."""
    owner: str | None = None
    """The class, or Go receiver type, of the enclosing method, as `FunctionInfo.class_name`."""
    context: str = ""
    """The lines around it (`project_neighbour.with_context`), when the file's text was read."""


@dataclass(frozen=True)
class LoggerChoice:
    """The logger a new statement calls, and what the file needs before it can."""

    library: str
    expression: str
    """What the statement calls: `LOG`, `log`, `logger`, `console`, `slog`."""
    defined: bool
    """Usable at the site as the file stands."""
    setup: tuple[TextEdit, ...] = ()
    """Edits that import and declare it when it is not (in the document's coordinates)."""
    note: str | None = None
    """Said to the user, e.g. "no logger in this file or project: java.util.logging, the
    standard library's"."""


@dataclass(frozen=True)
class StatementSpec:
    """A statement decided but not yet written: who logs, at which level, what."""

    logger: LoggerChoice
    level: str
    """One of `LEVELS`."""
    message: str
    """Plain words; the placeholders for `values` are the renderer's business."""
    values: tuple[str, ...]
    """Expressions to log besides the error, valid at the site."""
    error: str | None = None
    """The caught error or exception to pass, when the library takes one."""
    typed_method: str | None = None
    """The method the user has typed on the line (`Fatalf`), which a renderer keeps where it takes
    the arguments of the method it would call."""


class SiteReader(Protocol):
    """`logsmith/syntax/<language>.py`: reading code."""

    def site_at(self, document: ParsedDocument, line: int, character: int) -> LogSite:
        """The site at a cursor: `kind` (except for a catch block, an `if err != nil` block or
        a `.catch`/`on('error')` callback; entry, return, raise, loop, other), `function`,
        `names` (bound before the cursor, nearest first, parameters included), `module_names`
        (fields, imports, package-level names), `exception_name`/`exception_types`,
        `in_except`, `before`, `loop_variables`, `typed`, `indent`, `reachable`."""
        ...

    def logged_calls(self, document: ParsedDocument) -> tuple[LoggedCall, ...]:
        """Every log statement of the file, in document order."""
        ...

    def names_read(self, statement: str) -> frozenset[str]:
        """The root names a statement reads (`user` of `user.getId()`, not `getId`), the
        logger's root included."""
        ...

    def ends_program(self, statement: str) -> bool:
        """Whether a log statement also ends the program (Go's `log.Fatal`, `Panic`): never
        suggested unless the user has typed such a call on the line."""
        ...

    def statement_problems(self, document: ParsedDocument, line: int, statement: str) -> list[str]:
        """Why `statement`, put on line `line` (replacing that line's text, indented as the
        site), would not parse in the file; empty when it parses."""
        ...

    def find_sites(self, document: ParsedDocument, rules=None) -> list[Finding]:
        """Batch mode: places that should log and do not, in line order, one per line, with the
        rule ids of `logsmith.syntax.batch_rules.RULES` that fit the language (`except_swallowed`
        for a catch that goes on silently, `except_converted` for one that throws another error,
        `error_return` for Go's `if err != nil { return ... }`, `retry_loop`); `rules` selects
        ids (None: all that apply)."""
        ...


class LanguageIdioms(Protocol):
    """`logsmith/idioms/<language>.py`: the language's logging libraries."""

    def logger_for(
        self,
        document: ParsedDocument,
        site: LogSite,
        calls: tuple[LoggedCall, ...],
        project_calls: tuple[LoggedCall, ...] = (),
    ) -> LoggerChoice:
        """The logger the file's statements use (at this site's class or function first), else
        the project's habit, else the language's standard logger with a note."""
        ...

    def render(self, spec: StatementSpec) -> str:
        """The whole statement in the library's style, one line, without indentation (with the
        `;` the language wants)."""
        ...

    def opening(self, spec: StatementSpec) -> tuple[str, str]:
        """(the statement's text up to and including the quote that opens its message, the
        character that closes the message): what the model continues, e.g.
        (`LOG.warn("`, `"`)."""
        ...

    def always_bound(self, document: ParsedDocument) -> frozenset[str]:
        """Names a statement may read without binding them at the site (imported packages,
        `console`, `Level`, the class's own fields)."""
        ...
