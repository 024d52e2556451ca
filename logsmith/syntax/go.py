"""Reading Go code for the shared engine: the site at a cursor, the names a statement reads and
whether a statement parses in place. The file's log statements are `go_calls`'s and batch mode's
sites `go_rules`'s; this module hands both on under the reader's names."""

from __future__ import annotations

import re

import tree_sitter

from logsmith.syntax.document import ParsedDocument, per_text
from logsmith.syntax.go_calls import logged_calls
from logsmith.syntax.go_rules import find_sites
from logsmith.syntax.go_scopes import (
    FUNCTIONS,
    READ_ERRORS,
    STATEMENT_HOLDERS,
    ends_flow,
    function_info,
    function_values,
    imports,
    names_at,
    package_names,
    placement,
    statements_of,
)
from logsmith.syntax.languages import captures, parser
from logsmith.syntax.site import LogSite, parse_typed
from logsmith.syntax.statement_fit import error_nodes
from logsmith.syntax.tree_text import enclosing, text

__all__ = [
    "ends_program",
    "find_sites",
    "logged_calls",
    "module_names",
    "names_read",
    "site_at",
    "statement_problems",
]

# What a cursor's statement would go in: a block, a case clause, or the file itself.
HOLDERS = ("block", *(h for h in STATEMENT_HOLDERS if h != "statement_list"), "source_file")
# Wraps a lone statement so that it parses as part of a function body.
STATEMENT_WRAPPER = "package p\nfunc _() {\n", "\n}\n"


@per_text
def module_names(document: ParsedDocument) -> frozenset[str]:
    """Package-level names of the file and the local names of its imported packages."""
    return package_names(document) | frozenset(imports(document))


def _analysed(document: ParsedDocument, line: int) -> tuple[ParsedDocument, bool]:
    """The document to read the site from: the document itself when it parses, else a copy whose
    cursor line is blank (what the user is typing is often the only error), closed with the
    braces it lacks (code being written at the end of a file); and whether that one still has
    errors."""
    if not document.tree.root_node.has_error:
        return document, False
    current = document.line(line)
    analysed = document
    if current.strip():
        indent = current[: len(current) - len(current.lstrip())]
        analysed = document.with_line(line, indent + " " * (len(current) - len(indent)))
        if not analysed.tree.root_node.has_error:
            return analysed, False
    missing = analysed.text.count("{") - analysed.text.count("}")
    if missing > 0:
        closed = ParsedDocument(analysed.text + "\n" + "}" * missing, "go")
        if _error_count(closed.tree.root_node) <= _error_count(analysed.tree.root_node):
            analysed = closed
    return analysed, True


def _holder_at(root: tree_sitter.Node, at_byte: int) -> tree_sitter.Node:
    node: tree_sitter.Node | None = root.descendant_for_byte_range(at_byte, at_byte) or root
    while node is not None and node.type not in HOLDERS:
        node = node.parent
    if node is not None and node.type == "block" and not node.start_byte < at_byte:
        node = enclosing(node, HOLDERS)
    return node or root


def _line_indent(document: ParsedDocument, number: int) -> str:
    line = document.line(number)
    return line[: len(line) - len(line.lstrip())]


def indent_at(document: ParsedDocument, line: int, holder=None, following=None, previous=None):
    """The indentation a statement on `line` takes: the line's own when it has text (and does not
    open the cursor's block), else its block's statements', else one tab more than the block's
    opening line."""
    own = document.line(line)
    opens_block = holder is not None and holder.start_point[0] == line and holder.type == "block"
    if own.strip() and not opens_block:
        return _line_indent(document, line)
    for neighbour in (following, previous):
        if neighbour is not None:
            return _line_indent(document, neighbour.start_point[0])
    if holder is None or holder.type == "source_file":
        return ""
    return _line_indent(document, holder.start_point[0]) + "\t"


def _neighbours(holder, at_byte: int):
    statements = statements_of(holder) if holder.type != "source_file" else []
    previous = [s for s in statements if s.end_byte <= at_byte]
    following = [s for s in statements if s.start_byte >= at_byte]
    return (previous[-1] if previous else None), (following[0] if following else None)


TYPED = re.compile(
    r"""^(?P<logger>[A-Za-z_]\w*(?:\.[A-Za-z_]\w*|\([^()"'`]*\))*?)?
        (?:\.(?P<level>[A-Za-z_]*)
            (?:\((?P<open>\s*(?:(?P<prefix>)(?P<quote>["`])(?P<message>[^"`\\]*))?))?
        )?$""",
    re.VERBOSE,
)
"""What the user may have typed on a Go line: a logger chain whose links may be calls
(`log.G(ctx)`, `zap.L()`, `slog.Default()`), a dot, a level, an opening call with its string."""


def _no_formats(found: re.Match) -> bool:
    return False


def site_at(document: ParsedDocument, line: int, character: int) -> LogSite:
    """The site at a cursor (see `SiteReader.site_at`); a best effort on a file with errors."""
    line = min(max(line, 0), max(document.line_count - 1, 0))
    typed = parse_typed(document.line(line)[: max(character, 0)], TYPED, _no_formats)
    try:
        analysed, syntax_error = _analysed(document, line)
        root = analysed.tree.root_node
        at_byte = analysed.byte_offset(analysed.offset(line, character))
        holder = _holder_at(root, at_byte)
        previous, following = _neighbours(holder, at_byte)
        function = holder if holder.type in FUNCTIONS else enclosing(holder, FUNCTIONS)
        place = placement(holder, previous, following, function)
        names = names_at(root, function, at_byte) if function is not None else ()
        functions = function_values(function) & set(names)
        modules = module_names(analysed)
    except READ_ERRORS:
        return LogSite(
            line,
            character,
            _line_indent(document, line),
            typed,
            "other",
            None,
            (),
            frozenset(),
            syntax_error=True,
        )
    return LogSite(
        line=line,
        character=character,
        indent=indent_at(document, line, holder, following, previous),
        typed=typed,
        kind=place.kind if function is not None else "other",
        function=function_info(function) if function is not None else None,
        names=names,
        module_names=modules,
        loop_variables=place.loop_variables,
        exception_name=place.exception_name,
        exception_types=("error",) if place.exception_name else (),
        in_except=place.in_except,
        reraises=place.reraises,
        recovers=place.recovers,
        before=place.before,
        return_value=_returned(following),
        next_statement=text(following),
        previous_statement=text(previous),
        after_cursor=document.line(line)[max(character, 0) :],
        syntax_error=syntax_error,
        reachable=not ends_flow(previous),
        function_values=functions,
    )


def _returned(statement) -> str | None:
    """The values a following `return` gives, as written (None for another statement)."""
    if statement is None or statement.type != "return_statement":
        return None
    return text(statement.named_children[0]) if statement.named_children else ""


def _parse_statement(statement: str) -> tree_sitter.Node:
    head, tail = STATEMENT_WRAPPER
    return parser("go").parse((head + statement + tail).encode("utf-8", "replace")).root_node


def names_read(statement: str) -> frozenset[str]:
    """Root identifiers `statement` reads: `err`, `host`, `zap`, `log`; never selector fields,
    struct literal keys, key strings or the names it declares."""
    root = _parse_statement(statement)
    names = set()
    for node in captures("identifiers", root, "go").get("name", []):
        parent = node.parent
        if text(node) == "_" or node.start_point[0] < 2:
            continue
        if (
            node.type == "type_identifier"
            and parent is not None
            and parent.type == "qualified_type"
        ):
            continue
        if parent is not None and parent.type == "literal_element":
            keyed = parent.parent
            if (
                keyed is not None
                and keyed.type == "keyed_element"
                and (keyed.child_by_field_name("key") == parent)
            ):
                continue
        if parent is not None and parent.type == "expression_list":
            owner = parent.parent
            if (
                owner is not None
                and owner.type in ("short_var_declaration", "range_clause")
                and (owner.child_by_field_name("left") == parent)
            ):
                continue
        if (
            parent is not None
            and parent.type
            in (
                "parameter_declaration",
                "variadic_parameter_declaration",
                "var_spec",
                "const_spec",
                "labeled_statement",
            )
            and parent.child_by_field_name("name") == node
        ):
            continue
        names.add(text(node))
    return frozenset(names)


def _problems(root: tree_sitter.Node, first_row: int, last_row: int) -> list[str]:
    """The ERROR and MISSING nodes that start or end on rows `first_row` to `last_row`."""
    found = []
    for node in error_nodes(root):
        row = node.start_point[0]
        if first_row <= row <= last_row or first_row <= node.end_point[0] <= last_row:
            what = f"missing {node.type}" if node.is_missing else "unexpected text"
            found.append(f"line {row + 1}: {what} near {text(node)[:40]!r}")
    return found


def _error_count(root: tree_sitter.Node) -> int:
    return sum(1 for _ in error_nodes(root))


ENDS_PROGRAM = re.compile(r"\.(Fatal|Panic|DPanic|Exit)\w*\s*\(")


def ends_program(statement: str) -> bool:
    """Whether a log statement also ends the program: `Fatal*` (and klog's `Exit*`) exit,
    `Panic*` and zap's `DPanic` panic."""
    return bool(ENDS_PROGRAM.search(statement))


def statement_problems(document: ParsedDocument, line: int, statement: str) -> list[str]:
    """Why `statement` on line `line` (replacing its text, indented as the site) may not go
    there: it would not parse where the file parsed, or it would end the program (`log.Fatal`,
    `Panic`) where the line does not already call such a method (typed by the user)."""
    if ends_program(statement) and not ends_program(document.line(line)):
        return ["it would end the program (a Fatal, Panic or Exit method): a log line must not"]
    if "\n" in statement.strip("\n"):
        lines = statement.strip("\n").split("\n")
    else:
        lines = [statement.strip()]
    try:
        site = site_at(document, line, len(document.line(line)))
        indent = site.indent
    except READ_ERRORS:
        indent = _line_indent(document, line)
    content = "\n".join(indent + part.strip() for part in lines)
    if line >= document.line_count:
        changed = ParsedDocument(document.text + "\n" + content, "go")
        line = changed.line_count - 1
    else:
        changed = document.with_line(line, content)
    root = changed.tree.root_node
    if not root.has_error:
        return []
    last_row = line + len(lines) - 1
    problems = _problems(root, line, last_row)
    original = _analysed(document, line)[0].tree.root_node
    if not problems and _error_count(root) > _error_count(original):
        problems = ["the statement breaks the code around it"]
    return problems
