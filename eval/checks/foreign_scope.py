"""Checks of a statement written into a Go, Java, JavaScript or TypeScript file, apart from
logsmith's own site analysis: whether the file still parses, which names the statement reads, which
of them are bound at its place, and the variables of a logged value.

Written directly on the tree-sitter grammars (no code of `logsmith.syntax` or `logsmith.idioms`).
A name is bound at the statement when it is declared
- in a node before it on the way up to the file (a preceding declaration statement of an
  enclosing block, a parameter of an enclosing function or lambda, a catch parameter, a loop
  variable, an `if`/`switch` initializer): declarations inside a preceding sibling's own blocks do
  not count;
- anywhere at the top of the file or of an enclosing class body (closures run later; fields and
  methods are visible throughout a class), or a function / class declaration of an enclosing
  JavaScript block (hoisted);
- for Go, at the top of another file of the same package (`package_names`); for Java, a class
  of the same package (the folder's other files); an import;
- or a language's always-bound name: Go's predeclared identifiers; JavaScript's globals
  (`console`, `process`, `JSON`, ...); in Java `this`, `super` and any CamelCase name (a class,
  of the same package or `java.lang`, needs no import).
In Java a name in scope still counts as unbound where javac refuses it (`java_refused`): a local
declared without a value that some path leaves unassigned (read more simply than javac does, so it
errs towards unassigned), the class's instance fields and `this` in a static method, and a local a
lambda or anonymous class captures though the method writes it again, a field read by its simple
name in an initializer of its class above its declaration, and an enum's static fields (constants
aside) in its constructors and instance initializers.
A Go or JavaScript statement also fails where it names something bound that breaks there
(reported like an unbound name): a Go function value passed to the log call (vet refuses it: "a
func value, not called"), a Go `recv.field.method(...)` whose field the receiver's struct (declared
in the file, embedding nothing) does not have, and a JavaScript `this.x.y` in a class that extends
none and neither declares nor assigns `x`, or where `this` is not the instance (a TypeError): in a
plain function passed as a callback or written inside a class, in an object literal's method, in
a static member (unless `x` is a static member), in a derived class's constructor before
`super(...)`. At the top of a JavaScript file, what it declares below the statement (`const`,
`let`, `var`, `class`) is unbound.
What it cannot see: Java fields inherited from a superclass outside the file's folder (a statement
reading one counts as out of scope; the report gives the check's rate on the developers' own
statements for that); `java_inherited_fields` follows the superclasses of the same folder.
"""

from __future__ import annotations

import functools
import re

import tree_sitter

GO_PREDECLARED = frozenset(
    "append cap clear close complex copy delete imag len make max min new panic print println "
    "real recover true false nil iota bool byte complex64 complex128 error float32 float64 int "
    "int8 int16 int32 int64 rune string uint uint8 uint16 uint32 uint64 uintptr any "
    "comparable".split()
)
JS_GLOBALS = frozenset(
    "console process require module exports __dirname __filename globalThis global window "
    "document navigator location JSON Math Object Array String Number Boolean BigInt Symbol Date "
    "Error TypeError RangeError SyntaxError ReferenceError AggregateError Promise Map Set WeakMap "
    "WeakSet WeakRef RegExp Buffer Uint8Array ArrayBuffer DataView Int32Array Float64Array Intl "
    "Reflect Proxy setTimeout clearTimeout setInterval clearInterval setImmediate clearImmediate "
    "queueMicrotask structuredClone parseInt parseFloat isNaN isFinite encodeURIComponent "
    "decodeURIComponent encodeURI decodeURI undefined NaN Infinity arguments this super URL "
    "URLSearchParams TextEncoder TextDecoder fetch AbortController AbortSignal crypto performance "
    "Event EventTarget atob btoa".split()
)
JAVA_ALWAYS = frozenset({"this", "super"})
_CAMEL = re.compile(r"^[A-Z][A-Za-z0-9]*[a-z][A-Za-z0-9]*$")


@functools.cache
def _language(language: str) -> tree_sitter.Language:
    if language == "go":
        import tree_sitter_go as grammar

        return tree_sitter.Language(grammar.language())
    if language == "java":
        import tree_sitter_java as grammar

        return tree_sitter.Language(grammar.language())
    if language == "javascript":
        import tree_sitter_javascript as grammar

        return tree_sitter.Language(grammar.language())
    import tree_sitter_typescript as grammar

    if language == "tsx":
        return tree_sitter.Language(grammar.language_tsx())
    return tree_sitter.Language(grammar.language_typescript())


def parse(text: str, language: str) -> tree_sitter.Tree:
    return tree_sitter.Parser(_language(language)).parse(text.encode("utf-8"))


def _family(language: str) -> str:
    return "js" if language in ("javascript", "typescript", "tsx") else language


def _text(node: tree_sitter.Node) -> str:
    return node.text.decode("utf-8")


def _errors(node: tree_sitter.Node) -> list[tuple[int, int]]:
    """Rows (start, end) of the ERROR and MISSING nodes under `node`."""
    found = []
    stack = [node]
    while stack:
        current = stack.pop()
        if current.is_error or current.is_missing:
            found.append((current.start_point[0], current.end_point[0]))
            continue
        if current.has_error:
            stack.extend(current.children)
    return found


def insert_statement(masked_source: str, line: int, statement: str) -> str:
    """`masked_source` with line `line` replaced by its indentation and `statement` (kept as
    written when it spans lines)."""
    lines = masked_source.split("\n")
    current = lines[line]
    lines[line] = current[: len(current) - len(current.lstrip())] + statement.strip()
    return "\n".join(lines)


def parses_at_site(masked_source: str, line: int, statement: str | None, language: str) -> bool:
    """The file parses with the statement written at the site: no syntax error where it stands,
    and no more errors elsewhere than the masked file had."""
    if not statement or not statement.strip():
        return False
    before = _errors(parse(masked_source, language).root_node)
    filled = insert_statement(masked_source, line, statement)
    after = _errors(parse(filled, language).root_node)
    last = line + statement.strip().count("\n")
    if any(start <= last and end >= line for start, end in after):
        return False
    return len(after) <= len(before)


# --- declarations -------------------------------------------------------------------------

_GO_DECLARING = {
    "short_var_declaration": ("left",),
    "range_clause": ("left",),
    "var_spec": ("name",),
    "const_spec": ("name",),
    "parameter_declaration": ("name",),
    "variadic_parameter_declaration": ("name",),
    "function_declaration": ("name",),
    "type_spec": ("name",),
    "type_alias": ("name",),
    "receive_statement": ("left",),
    "type_switch_statement": ("alias",),
}
_GO_CONTAINERS = {
    "parameter_list",
    "var_declaration",
    "const_declaration",
    "type_declaration",
    "import_declaration",
    "import_spec_list",
    "for_clause",
    "communication_case",
    "var_spec_list",
    "type_case",
    "expression_case",
    "default_case",
}
_JAVA_DECLARING = {
    "variable_declarator": ("name",),
    "formal_parameter": ("name",),
    "catch_formal_parameter": ("name",),
    "resource": ("name",),
    "enhanced_for_statement": ("name",),
    "class_declaration": ("name",),
    "interface_declaration": ("name",),
    "enum_declaration": ("name",),
    "record_declaration": ("name",),
    "enum_constant": ("name",),
    "lambda_expression": ("parameters",),
    "inferred_parameters": (),
    "method_declaration": ("name",),
}
_JAVA_CONTAINERS = {
    "local_variable_declaration",
    "field_declaration",
    "formal_parameters",
    "resource_specification",
    "catch_clause",
    "spread_parameter",
    "constant_declaration",
    "enum_body",
    "record_declaration",
    "inferred_parameters",
}
_JS_DECLARING = {
    "variable_declarator": ("name",),
    "function_declaration": ("name",),
    "generator_function_declaration": ("name",),
    "class_declaration": ("name",),
    "abstract_class_declaration": ("name",),
    "catch_clause": ("parameter",),
    "for_in_statement": ("left",),
    "arrow_function": ("parameter",),
    "import_specifier": (),
    "namespace_import": (),
    "import_clause": (),
    "required_parameter": ("pattern",),
    "optional_parameter": ("pattern",),
    "enum_declaration": ("name",),
    "function_expression": ("name",),
    "class": ("name",),
}
_JS_CONTAINERS = {
    "lexical_declaration",
    "variable_declaration",
    "formal_parameters",
    "import_statement",
    "named_imports",
    "export_statement",
    "import_clause",
    "assignment_pattern",
    "rest_pattern",
}
_SCOPES = {
    "go": {
        "block",
        "func_literal",
        "if_statement",
        "for_statement",
        "expression_switch_statement",
        "type_switch_statement",
        "select_statement",
    },
    "java": {
        "block",
        "class_body",
        "lambda_expression",
        "if_statement",
        "for_statement",
        "enhanced_for_statement",
        "while_statement",
        "try_statement",
        "switch_expression",
        "class_declaration",
        "object_creation_expression",
        "try_with_resources_statement",
    },
    "js": {
        "statement_block",
        "class_body",
        "arrow_function",
        "function_expression",
        "function_declaration",
        "if_statement",
        "for_statement",
        "for_in_statement",
        "while_statement",
        "try_statement",
        "switch_statement",
        "class_declaration",
        "class",
        "method_definition",
        "generator_function_declaration",
    },
}


def _pattern_names(node: tree_sitter.Node, family: str) -> set[str]:
    """Identifiers a binding pattern declares (`a`, `{a, b: c}`, `[x, ...rest]`, `a, b`)."""
    if node.type in ("identifier", "shorthand_property_identifier_pattern"):
        return {_text(node)}
    if node.type in ("field_identifier", "property_identifier", "type_identifier"):
        return set()
    names = set()
    for child in node.named_children:
        if (
            family == "js"
            and node.type == "pair_pattern"
            and child == node.child_by_field_name("key")
        ):
            continue
        if (
            family == "js"
            and node.type == "assignment_pattern"
            and child == node.child_by_field_name("right")
        ):
            continue
        names |= _pattern_names(child, family)
    return names


def _go_import_name(spec: tree_sitter.Node) -> set[str]:
    alias = spec.child_by_field_name("name")
    if alias is not None:
        return {_text(alias)} if alias.type == "package_identifier" else set()
    path = _text(spec.child_by_field_name("path")).strip('"`')
    parts = [part for part in path.split("/") if part]
    if len(parts) > 1 and re.fullmatch(r"v\d+", parts[-1]):
        parts.pop()
    name = re.sub(r"\.v\d+$", "", parts[-1]) if parts else ""
    name = re.sub(r"^go-|-go$|\.go$", "", name)
    return {name.replace("-", "_").replace(".", "_")} if name else set()


def declared_by(node: tree_sitter.Node, family: str) -> set[str]:
    """Names `node` itself declares (a declaration, a parameter, an import), descending only
    into the parts of a declaration that are not scopes of their own."""
    kind = node.type
    if family == "go":
        if kind == "import_spec":
            return _go_import_name(node)
        fields = _GO_DECLARING.get(kind)
        containers = _GO_CONTAINERS
    elif family == "java":
        if kind == "import_declaration":
            names = [
                child
                for child in node.named_children
                if child.type in ("identifier", "scoped_identifier")
            ]
            return {_text(names[-1]).rsplit(".", 1)[-1]} if names else set()
        if kind == "lambda_expression":
            parameters = node.child_by_field_name("parameters")
            return _pattern_names(parameters, family) if parameters is not None else set()
        fields = _JAVA_DECLARING.get(kind)
        containers = _JAVA_CONTAINERS
    else:
        if kind in ("import_specifier",):
            alias = node.child_by_field_name("alias") or node.child_by_field_name("name")
            return {_text(alias)} if alias is not None else set()
        if kind == "namespace_import" or kind == "import_clause":
            return {_text(child) for child in node.named_children if child.type == "identifier"} | (
                set().union(
                    *(
                        declared_by(child, family)
                        for child in node.named_children
                        if child.type != "identifier"
                    )
                )
                if node.named_children
                else set()
            )
        if kind == "formal_parameters":
            names = set()
            for child in node.named_children:
                if child.type in (
                    "identifier",
                    "object_pattern",
                    "array_pattern",
                    "assignment_pattern",
                    "rest_pattern",
                ):
                    names |= _pattern_names(child, family)
                else:
                    names |= declared_by(child, family)
            return names
        if kind == "catch_clause":
            parameter = node.child_by_field_name("parameter")
            return _pattern_names(parameter, family) if parameter is not None else set()
        fields = _JS_DECLARING.get(kind)
        containers = _JS_CONTAINERS
    if fields is not None:
        names = set()
        for field in fields:
            for child in node.children_by_field_name(field):
                names |= _pattern_names(child, family)
        if kind == "arrow_function" and not names:
            parameters = node.child_by_field_name("parameters")
            if parameters is not None:
                names |= declared_by(parameters, family)
        return names
    if kind in containers:
        return set().union(set(), *(declared_by(child, family) for child in node.named_children))
    return set()


def _hoisted(body: tree_sitter.Node, family: str, top: bool) -> set[str]:
    """What a file (`top`), a class body or a JavaScript block declares for all of it."""
    names = set()
    for child in body.named_children:
        if top or family == "java":
            names |= declared_by(child, family)
            if family == "js" and child.type == "export_statement":
                for inner in child.named_children:
                    names |= declared_by(inner, family)
        elif family == "js" and child.type in (
            "function_declaration",
            "class_declaration",
            "generator_function_declaration",
        ):
            names |= declared_by(child, family)
    return names


_BINDS_ITS_BODY = {
    "enhanced_for_statement",
    "for_in_statement",
    "catch_clause",
    "arrow_function",
    "lambda_expression",
}
"""Nodes whose own declaration (a loop variable, a caught error, a parameter) binds inside them."""
_BODIES = {
    "go": {"source_file"},
    "java": {"program", "class_body", "interface_body", "enum_body", "enum_body_declarations"},
    "js": {"program", "class_body", "statement_block"},
}


def bound_at(tree: tree_sitter.Tree, line: int, column_bytes: int, language: str) -> set[str]:
    """Every name declared for the statement that starts at (`line`, `column_bytes`)."""
    family = _family(language)
    root = tree.root_node
    node = root.descendant_for_point_range((line, column_bytes), (line, column_bytes))
    site = node.start_byte
    names: set[str] = set()
    while node is not None and node.parent is not None:
        parent = node.parent
        if parent.type in _BODIES[family]:
            names |= _hoisted(parent, family, top=parent == root)
        for child in parent.children:
            if child.end_byte <= site and child.type not in _SCOPES[family]:
                names |= declared_by(child, family)
        if parent.type in _BINDS_ITS_BODY:
            names |= declared_by(parent, family)
        node = parent
    return names


def package_names(texts: list[str]) -> set[str]:
    """What the top of other Go files of a package declares (their imports aside)."""
    names: set[str] = set()
    for text in texts:
        root = parse(text, "go").root_node
        for child in root.named_children:
            if child.type != "import_declaration":
                names |= declared_by(child, "go")
    return names


def _java_classes(text: str) -> list[tree_sitter.Node]:
    found, stack = [], [parse(text, "java").root_node]
    while stack:
        node = stack.pop()
        if node.type == "class_declaration":
            found.append(node)
        stack.extend(node.named_children)
    return found


def _java_fields(node: tree_sitter.Node) -> set[str]:
    """The fields a class declares that its subclasses see (not the private ones)."""
    names = set()
    body = node.child_by_field_name("body")
    for member in body.named_children if body is not None else ():
        if member.type != "field_declaration":
            continue
        modifiers = next((c for c in member.children if c.type == "modifiers"), None)
        if modifiers is not None and b"private" in modifiers.text:
            continue
        names |= declared_by(member, "java")
    return names


def java_inherited_fields(text: str, folder: dict[str, str]) -> set[str]:
    """The fields the classes of `text` inherit from superclasses found in `folder` (class name ->
    its file's text, the same package), following each superclass up while it is there."""
    names: set[str] = set()
    seen: set[str] = set()
    pending = [node for node in _java_classes(text)]
    while pending:
        node = pending.pop()
        parent = node.child_by_field_name("superclass")
        if parent is None:
            continue
        types = [c for c in parent.named_children if c.type in ("type_identifier", "generic_type")]
        name = _text(types[0]).split("<")[0] if types else ""
        if name in seen or name not in folder:
            continue
        seen.add(name)
        for declared in _java_classes(folder[name]):
            if _text(declared.child_by_field_name("name")) == name:
                names |= _java_fields(declared)
                pending.append(declared)
    return names


def imported_names(tree: tree_sitter.Tree, language: str) -> set[str]:
    """Names a file's imports bind (and, in JavaScript, `x = require(...)` declarations)."""
    family = _family(language)
    names = set()
    for child in tree.root_node.named_children:
        if child.type in ("import_declaration", "import_statement"):
            names |= declared_by(child, family)
        elif (
            family == "js"
            and child.type in ("lexical_declaration", "variable_declaration")
            and (b"require(" in child.text)
        ):
            names |= declared_by(child, family)
    return names


# --- names read ---------------------------------------------------------------------------

_READ = {
    "go": {"identifier"},
    "java": {"identifier", "this", "super"},
    "js": {"identifier", "shorthand_property_identifier", "this", "super"},
}


def _is_read(node: tree_sitter.Node, family: str) -> bool:
    parent = node.parent
    if parent is None:
        return True
    if family == "java":
        if parent.type == "method_reference" and node != parent.named_children[0]:
            return False  # `toString` of `strb::toString`
        if parent.type == "method_invocation" and node == parent.child_by_field_name("name"):
            return False
        if parent.type == "field_access" and node == parent.child_by_field_name("field"):
            return False
        if parent.type in (
            "variable_declarator",
            "formal_parameter",
            "catch_formal_parameter",
            "enhanced_for_statement",
        ) and node == parent.child_by_field_name("name"):
            return False
    if family == "go" and parent.type == "literal_element":
        keyed = parent.parent
        first = keyed.named_children[0] if keyed is not None and keyed.named_children else None
        if keyed is not None and keyed.type == "keyed_element" and first == parent:
            return False  # a struct literal's field name: `Name` of `T{Name: x}`
    if family == "go" and parent.type in ("parameter_declaration", "labeled_statement"):
        return False
    if family == "js" and parent.type in (
        "required_parameter",
        "optional_parameter",
        "formal_parameters",
        "arrow_function",
        "labeled_statement",
    ):
        return False
    return True


def names_read(filled_source: str, line: int, statement: str, language: str) -> frozenset[str]:
    """The names the statement (written at `line` of `filled_source`) reads, minus those it
    declares itself (lambda parameters and the like); property and method names are not read."""
    family = _family(language)
    data = filled_source.encode("utf-8")
    lines = data.split(b"\n")
    start = sum(len(text) + 1 for text in lines[:line])
    current = lines[line]
    start += len(current) - len(current.lstrip())
    end = start + len(statement.strip().encode("utf-8"))
    tree = parse(filled_source, language)
    read, declared = set(), set()
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.end_byte <= start or node.start_byte >= end:
            continue
        if node.type in _READ[family] and node.start_byte >= start and _is_read(node, family):
            read.add(_text(node))
        if node.start_byte >= start:
            declared |= declared_by(node, family)
        if node.type not in (
            "string",
            "interpreted_string_literal",
            "raw_string_literal",
            "string_literal",
            "character_literal",
        ):
            stack.extend(node.children)
    return frozenset(read - declared)


def always_bound(name: str, language: str) -> bool:
    family = _family(language)
    if family == "go":
        return name in GO_PREDECLARED
    if family == "java":
        return name in JAVA_ALWAYS or bool(_CAMEL.match(name))
    return name in JS_GLOBALS


# --- what javac refuses though it is in scope -----------------------------------------------------

_JAVA_TYPES = ("class_declaration", "enum_declaration", "record_declaration")


def _static_member(node: tree_sitter.Node) -> bool:
    modifiers = next((c for c in node.children if c.type == "modifiers"), None)
    return modifiers is not None and b"static" in modifiers.text.split()


def _instance_names(declaration: tree_sitter.Node) -> set[str]:
    names = {"this", "super"}
    if declaration.type == "record_declaration":
        parameters = declaration.child_by_field_name("parameters")
        for parameter in parameters.named_children if parameters is not None else ():
            names |= declared_by(parameter, "java")
    stack = list(declaration.child_by_field_name("body").named_children)
    while stack:
        member = stack.pop()
        if member.type == "enum_body_declarations":
            stack.extend(member.named_children)
        elif member.type == "field_declaration" and not _static_member(member):
            names |= declared_by(member, "java")
    return names


def _java_static_refused(node: tree_sitter.Node) -> set[str]:
    """`this`, `super` and the innermost class's instance fields, when a static method or
    initializer holds the statement inside that class (an anonymous class ends the search)."""
    static = False
    while node.parent is not None:
        node = node.parent
        if node.type == "static_initializer" or (
            node.type in ("method_declaration", "field_declaration") and _static_member(node)
        ):
            static = True
        elif node.type == "class_body" and node.parent.type == "object_creation_expression":
            return set()
        elif node.type in _JAVA_TYPES:
            return _instance_names(node) if static else set()
    return set()


def _plain_assignments(node: tree_sitter.Node | None) -> set[str]:
    """Names `node` always assigns with `name = ...`: not inside a lambda or class body, on the
    right of `&&` / `||`, or in a conditional's branches."""
    if node is None or node.type in ("lambda_expression", "class_body"):
        return set()
    if node.type == "binary_expression" and node.child_by_field_name("operator").type in (
        "&&",
        "||",
    ):
        return _plain_assignments(node.child_by_field_name("left"))
    if node.type == "ternary_expression":
        return _plain_assignments(node.child_by_field_name("condition"))
    names = set()
    if node.type == "assignment_expression":
        left = node.child_by_field_name("left")
        if left is not None and left.type == "identifier" and (
            node.child_by_field_name("operator").type == "="
        ):
            names.add(_text(left))
    for child in node.named_children:
        names |= _plain_assignments(child)
    return names


_STATEMENT_LISTS = ("block", "constructor_body", "switch_block_statement_group")
_ENDS = ("return_statement", "throw_statement", "break_statement", "continue_statement")


def _completes_assigning(statement: tree_sitter.Node) -> set[str] | None:
    """The names `statement` assigns whenever it completes; None when it never completes (a
    jump, a block ending in one)."""
    kind = statement.type
    if kind in _ENDS:
        return None
    if kind == "expression_statement":
        return _plain_assignments(statement)
    if kind == "synchronized_statement":  # its body always runs
        body = statement.child_by_field_name("body")
        return _completes_assigning(body) if body is not None else set()
    if kind == "block":
        names: set[str] = set()
        for child in statement.named_children:
            found = _completes_assigning(child)
            if found is None:
                return None
            names |= found
        return names
    branches: list[tree_sitter.Node | None] = []
    if kind == "if_statement" and statement.child_by_field_name("alternative") is not None:
        branches = [
            statement.child_by_field_name("consequence"),
            statement.child_by_field_name("alternative"),
        ]
    elif kind == "try_statement" and not any(
        c.type == "finally_clause" for c in statement.named_children
    ):
        branches = [statement.child_by_field_name("body")] + [
            c.child_by_field_name("body") for c in statement.named_children if c.type == "catch_clause"
        ]
    if not branches or any(branch is None for branch in branches):
        return set()
    completing = [found for branch in branches if (found := _completes_assigning(branch)) is not None]
    if not completing:
        return None
    return set.intersection(*completing)


def _java_unassigned(node: tree_sitter.Node) -> set[str]:
    """Locals declared without a value that may be unassigned at `node`: javac's definite
    assignment, read simply. An assignment counts when a statement before the statement, in its
    block or a block around it, makes it whenever it completes (an expression statement; an `if`
    with an `else`, or a `try`, each of whose branches assigns or jumps away; the body of a
    `synchronized`), or the condition of
    an enclosing `if` or `while` does; anything subtler is read as unassigned."""
    site = node.start_byte
    unvalued: set[str] = set()
    assigned: set[str] = set()
    child = node
    while child.parent is not None and child.type not in (
        "method_declaration",
        "constructor_declaration",
    ):
        parent = child.parent
        if parent.type in ("if_statement", "while_statement"):
            condition = parent.child_by_field_name("condition")
            if condition is not None and condition != child:
                assigned |= _plain_assignments(condition)
        statements = parent.named_children if parent.type in _STATEMENT_LISTS else []
        for sibling in statements:
            if sibling.end_byte > site or sibling == child:
                break
            if sibling.type == "local_variable_declaration":
                for declarator in sibling.named_children:
                    if declarator.type == "variable_declarator" and (
                        declarator.child_by_field_name("value") is None
                    ):
                        unvalued.add(_text(declarator.child_by_field_name("name")))
            else:
                assigned |= _completes_assigning(sibling) or set()
        child = parent
    return unvalued - assigned


def _java_changed_captures(node: tree_sitter.Node) -> set[str]:
    """Locals and parameters of the method declared outside the innermost lambda or anonymous
    class holding `node` that the method writes more than their declaration allows (once without
    a value, never with one): javac wants them effectively final in there."""
    capture = node
    while capture is not None and capture.type not in ("lambda_expression", "method_declaration",
                                                       "constructor_declaration"):
        if capture.type == "class_body" and capture.parent.type == "object_creation_expression":
            break
        capture = capture.parent
    if capture is None or capture.type in ("method_declaration", "constructor_declaration"):
        return set()
    method = capture
    while method is not None and method.type not in ("method_declaration",
                                                     "constructor_declaration"):
        method = method.parent
    if method is None:
        return set()
    allowed: dict[str, int] = {}
    writes: dict[str, int] = {}
    stack = [method]
    while stack:
        current = stack.pop()
        outside = not capture.start_byte <= current.start_byte < capture.end_byte
        if outside and current.type == "formal_parameter":
            allowed[_text(current.child_by_field_name("name"))] = 0
        elif outside and current.type == "variable_declarator" and (
            current.parent.type == "local_variable_declaration"
        ):
            has_value = current.child_by_field_name("value") is not None
            allowed[_text(current.child_by_field_name("name"))] = 0 if has_value else 1
        elif current.type == "assignment_expression":
            left = current.child_by_field_name("left")
            if left is not None and left.type == "identifier":
                writes[_text(left)] = writes.get(_text(left), 0) + 1
        elif current.type == "update_expression":
            for child in current.named_children:
                if child.type == "identifier":
                    writes[_text(child)] = writes.get(_text(child), 0) + 1
        stack.extend(current.named_children)
    return {name for name, most in allowed.items() if writes.get(name, 0) > most}


def java_refused(tree: tree_sitter.Tree, line: int, column_bytes: int) -> set[str]:
    """Names in scope at the Java statement starting at (`line`, `column_bytes`) that javac
    refuses there: a local that may be unassigned, an instance field or `this` from a static
    method or initializer, a local a lambda or anonymous class captures that is not effectively
    final."""
    node = tree.root_node.descendant_for_point_range((line, column_bytes), (line, column_bytes))
    return (_java_unassigned(node) | _java_static_refused(node) | _java_changed_captures(node)
            | _java_initialiser_refused(node))


def _java_initialiser_refused(node: tree_sitter.Node) -> set[str]:
    """In an initializer of a class (a field's value, an initializer block, a lambda there): its
    fields of the same kind declared further down ("illegal forward reference"). In an enum's
    constructor or instance initializer: the enum's static fields that are not constants
    ("illegal reference to static field from initializer")."""
    member = node
    while member.parent is not None and member.parent.type not in ("class_body", "enum_body_declarations"):
        if member.parent.type in ("method_declaration", "interface_body", "enum_body"):
            return set()
        member = member.parent
    body = member.parent
    if body is None:
        return set()
    static = member.type == "static_initializer" or (
        member.type == "field_declaration" and _static_member(member))
    instance = member.type in ("block", "constructor_declaration") or (
        member.type == "field_declaration" and not static)
    refused: set[str] = set()
    for field in body.named_children:
        if field.type != "field_declaration":
            continue
        names = {_text(d.child_by_field_name("name")) for d in field.children_by_field_name("declarator")}
        if member.type != "constructor_declaration" and field.start_byte > node.start_byte \
                and _static_member(field) == static:
            refused |= names
        if body.type == "enum_body_declarations" and instance and _static_member(field):
            values = [d.child_by_field_name("value") for d in field.children_by_field_name("declarator")]
            modifiers = next((c for c in field.children if c.type == "modifiers"), None)
            constant = modifiers is not None and b"final" in modifiers.text.split() and all(
                v is not None and (v.type.endswith("literal") or v.type in ("true", "false"))
                for v in values)
            if not constant:
                refused |= names
    return refused


# --- what is bound but fails where it is logged (Go, JavaScript) --------------------------------


def _span(filled_source: str, line: int, statement: str) -> tuple[int, int]:
    """The bytes of the statement written at `line` of `filled_source`."""
    lines = filled_source.encode("utf-8").split(b"\n")
    start = sum(len(text) + 1 for text in lines[:line])
    start += len(lines[line]) - len(lines[line].lstrip())
    return start, start + len(statement.strip().encode("utf-8"))


def _within(root: tree_sitter.Node, start: int, end: int):
    stack = [root]
    while stack:
        node = stack.pop()
        if node.end_byte <= start or node.start_byte >= end:
            continue
        if node.start_byte >= start:
            yield node
        stack.extend(node.children)


def _up(node: tree_sitter.Node | None, types: tuple[str, ...]):
    while node is not None:
        if node.type in types:
            yield node
        node = node.parent


_GO_FUNCTIONS = ("function_declaration", "method_declaration", "func_literal")


def _go_function_values(node: tree_sitter.Node) -> set[str]:
    """Names that hold a function around `node`: parameters of a func type, and locals declared
    with one or given a function literal, in the functions around it."""
    found: set[str] = set()
    functions = list(_up(node, _GO_FUNCTIONS))
    for function in functions:
        parameters = function.child_by_field_name("parameters")
        for declaration in parameters.named_children if parameters is not None else ():
            kind = declaration.child_by_field_name("type")
            if kind is not None and kind.type == "function_type":
                found |= {_text(n) for n in declaration.children_by_field_name("name")}
    stack = functions[-1:]
    while stack:
        current = stack.pop()
        stack.extend(current.named_children)
        if current.type == "var_spec":
            kind, value = current.child_by_field_name("type"), current.child_by_field_name("value")
            names = [_text(n) for n in current.children_by_field_name("name")]
            if kind is not None and kind.type == "function_type":
                found |= set(names)
            elif value is not None:
                found |= {n for n, v in zip(names, value.named_children) if v.type == "func_literal"}
        elif current.type == "short_var_declaration":
            left, right = current.child_by_field_name("left"), current.child_by_field_name("right")
            if left is not None and right is not None:
                pairs = zip(left.named_children, right.named_children)
                found |= {_text(n) for n, v in pairs if v.type == "func_literal"}
    return found


def _go_struct_fields(root: tree_sitter.Node, type_name: str) -> set[str] | None:
    """The fields of the file's struct `type_name`; None when the file does not declare it as a
    struct, or when the struct embeds another type (whose fields it then has too)."""
    for spec in _within(root, 0, root.end_byte):
        if spec.type != "type_spec" or _text(spec.child_by_field_name("name")) != type_name:
            continue
        body = spec.child_by_field_name("type")
        if body is None or body.type != "struct_type":
            return None
        fields: set[str] = set()
        for declaration in _within(body, body.start_byte, body.end_byte):
            if declaration.type != "field_declaration":
                continue
            names = declaration.children_by_field_name("name")
            if not names:
                return None  # an embedded type
            fields |= {_text(n) for n in names}
        return fields
    return None


def _go_refused(tree: tree_sitter.Tree, start: int, end: int) -> set[str]:
    """A function value passed to the log call (vet: "a func value, not called"), and a field of
    the method's receiver its struct does not have (`s.lg.Info` where `s` is another type's)."""
    refused: set[str] = set()
    site = tree.root_node.descendant_for_byte_range(start, start)
    functions = _go_function_values(site)
    method = next(_up(site, ("method_declaration",)), None)
    receiver_name = receiver_type = None
    if method is not None:
        receiver = method.child_by_field_name("receiver")
        declaration = receiver.named_children[0] if receiver and receiver.named_children else None
        if declaration is not None and declaration.child_by_field_name("name") is not None:
            receiver_name = _text(declaration.child_by_field_name("name"))
            kinds = [n for n in _within(declaration, 0, declaration.end_byte)
                     if n.type == "type_identifier"]
            receiver_type = _text(kinds[0]) if kinds else None
    for node in _within(tree.root_node, start, end):
        parent = node.parent
        if node.type == "identifier" and _text(node) in functions and parent is not None \
                and parent.type == "argument_list":
            refused.add(_text(node))
        if node.type == "selector_expression" and receiver_type and parent is not None \
                and parent.type == "selector_expression":
            operand, field = node.child_by_field_name("operand"), node.child_by_field_name("field")
            if operand is not None and operand.type == "identifier" and _text(operand) == receiver_name:
                fields = _go_struct_fields(tree.root_node, receiver_type)
                if fields is not None and _text(field) not in fields:
                    refused.add(_text(node))
    return refused


_JS_CLASSES = ("class_declaration", "class", "abstract_class_declaration")


_JS_PLAIN_FUNCTIONS = ("function_expression", "function_declaration", "function",
                       "generator_function", "generator_function_declaration")


def _js_static_fields(member: tree_sitter.Node) -> set[str]:
    """The static fields and methods of the class whose static member `member` is."""
    body = member.parent
    found = set()
    for other in body.named_children if body is not None else ():
        key = other.child_by_field_name("property") or other.child_by_field_name("name")
        if key is not None and any(c.type == "static" for c in other.children):
            found.add(_text(key))
    return found


def _js_before_super(method: tree_sitter.Node, node: tree_sitter.Node) -> bool:
    """In a derived class's constructor, before any `super(...)` call that ends ahead of `node`."""
    if method.type != "method_definition" or _text(method.child_by_field_name("name")) != "constructor":
        return False
    holder = next(_up(method, _JS_CLASSES), None)
    if holder is None or not any(c.type == "class_heritage" for c in holder.children):
        return False
    for call in _within(method, method.start_byte, node.start_byte):
        callee = call.child_by_field_name("function") if call.type == "call_expression" else None
        if callee is not None and callee.type == "super" and call.end_byte <= node.start_byte:
            return False
    return True


def _js_declared_below(tree: tree_sitter.Tree, start: int) -> set[str]:
    """For a statement at `start` outside every function: what the file's top declares below
    it with `const`, `let`, `var` or `class` (not yet initialised when the statement runs)."""
    node = tree.root_node.descendant_for_byte_range(start, start)
    functions = ("arrow_function", "method_definition", *_JS_PLAIN_FUNCTIONS)
    if next(_up(node, functions), None) is not None:
        return set()
    names: set[str] = set()
    for top in tree.root_node.named_children:
        declared = top.child_by_field_name("declaration") if top.type == "export_statement" else top
        if top.start_byte > start and declared is not None and declared.type in (
                "lexical_declaration", "variable_declaration", "class_declaration"):
            names |= declared_by(declared, "js")
    return names


def _js_refused(tree: tree_sitter.Tree, start: int, end: int) -> set[str]:
    """`this.x.y` where the class around the statement (extending none) neither declares nor
    assigns `x`, or inside a plain function passed as a callback (whose `this` is the caller's):
    `this.x` is undefined there, and reading `y` of it throws a TypeError."""
    refused: set[str] = set()
    for node in _within(tree.root_node, start, end):
        parent = node.parent
        if node.type != "member_expression" or parent is None or parent.type != "member_expression":
            continue
        owner, name = node.child_by_field_name("object"), node.child_by_field_name("property")
        if owner is None or owner.type != "this" or name is None:
            continue
        holder = next(_up(node, (*_JS_CLASSES, *_JS_PLAIN_FUNCTIONS, "method_definition",
                                 "class_static_block")), None)
        if holder is not None and holder.type in _JS_PLAIN_FUNCTIONS and (
                (holder.parent is not None and holder.parent.type == "arguments")
                or next(_up(holder, _JS_CLASSES), None) is not None):
            # a callback's `this` is its caller's, and in a class's (strict) code a function
            # called plainly has none
            refused.add(_text(node))
            continue
        if holder is not None and holder.type == "method_definition" and (
                holder.parent is None or holder.parent.type != "class_body"):
            refused.add(_text(node))  # an object literal's method: `this` is the object
            continue
        if holder is not None and (holder.type == "class_static_block" or any(
                c.type == "static" for c in holder.children)):
            # a static method's `this` is the class: only its static fields are there
            if _text(name) not in _js_static_fields(holder):
                refused.add(_text(node))
            continue
        if holder is not None and _js_before_super(holder, node):
            refused.add(_text(node))
            continue
        holder = next(_up(node, _JS_CLASSES), None) if holder is not None else None
        if holder is None:
            continue
        if any(c.type == "class_heritage" for c in holder.children):
            continue
        declared = set()
        for member in _within(holder, holder.start_byte, holder.end_byte):
            if member.type in ("field_definition", "public_field_definition", "method_definition"):
                key = member.child_by_field_name("property") or member.child_by_field_name("name")
                if key is not None:
                    declared.add(_text(key))
            if member.type == "assignment_expression":
                left = member.child_by_field_name("left")
                if left is not None and left.type == "member_expression":
                    target = left.child_by_field_name("object")
                    if target is not None and target.type == "this":
                        declared.add(_text(left.child_by_field_name("property")))
        if _text(name) not in declared:
            refused.add(_text(node))
    return refused


def unbound(
    masked_source: str,
    line: int,
    statement: str | None,
    language: str,
    package: set[str] = frozenset(),
    also_bound: frozenset[str] = frozenset(),
) -> set[str] | None:
    """The names the statement reads that are not bound at the site (in Java, also those javac
    refuses there: `java_refused`; in Go and JavaScript, also what fails though it is bound:
    `_go_refused`, `_js_refused`); None when it does not parse there. `package`: the names the package's other files declare (Go) or are (Java);
    `also_bound`: names the suggestion's additional edits bind (an import, a logger declared)."""
    if not parses_at_site(masked_source, line, statement, language):
        return None
    filled = insert_statement(masked_source, line, statement)
    current = masked_source.split("\n")[line]
    column = len(current.encode("utf-8")) - len(current.lstrip().encode("utf-8"))
    tree = parse(filled, language)
    bound = bound_at(tree, line, column, language) | set(package) | set(also_bound)
    family = _family(language)
    refused = java_refused(tree, line, column) if family == "java" else set()
    failing: set[str] = set()
    if family in ("go", "js"):
        start, end = _span(filled, line, statement)
        failing = (_go_refused if family == "go" else _js_refused)(tree, start, end)
    if family == "js":
        refused = _js_declared_below(tree, start)
    return failing | {
        name
        for name in names_read(filled, line, statement, language)
        if name in refused or (name not in bound and not always_bound(name, language))
    }


# --- variables of a value ---------------------------------------------------------------------

_MEMBER = {
    "go": ("selector_expression", "operand", "field"),
    "java": ("field_access", "object", "field"),
    "js": ("member_expression", "object", "property"),
}
_NAMES = {"go": {"identifier"}, "java": {"identifier", "this"}, "js": {"identifier", "this"}}
_STRINGS = {
    "string",
    "interpreted_string_literal",
    "raw_string_literal",
    "string_literal",
    "character_literal",
    "template_string",
    "string_fragment",
}
_OPAQUE = {"func_literal", "lambda_expression", "arrow_function", "function_expression", "function"}


def _chain(node: tree_sitter.Node, family: str) -> str | None:
    if node.type in _NAMES[family]:
        return _text(node)
    member, left, right = _MEMBER[family]
    if node.type == member:
        base = _chain(node.child_by_field_name(left), family)
        field = node.child_by_field_name(right)
        return f"{base}.{_text(field)}" if base and field is not None else None
    return None


def _kept(chain: str, family: str, skip: set[str]) -> bool:
    root = chain.split(".")[0]
    return root not in skip and not (family == "java" and _CAMEL.match(root))


def _variables(node: tree_sitter.Node, family: str, skip: set[str], found: set[str]) -> None:
    member = _MEMBER[family][0]
    if node.type in _STRINGS and node.type != "template_string":
        return
    if node.type in _OPAQUE:
        return
    if node.type in _NAMES[family] or node.type == member:
        chain = _chain(node, family)
        if chain:
            if _kept(chain, family, skip):
                found.add(chain)
            return
    if node.type in ("call_expression", "method_invocation"):
        if node.type == "method_invocation":
            receiver = node.child_by_field_name("object")
        else:
            function = node.child_by_field_name("function")
            receiver = (
                function.child_by_field_name(_MEMBER[family][1])
                if (function is not None and function.type == member)
                else None
            )
            if function is not None and function.type not in (member, "identifier"):
                _variables(function, family, skip, found)
        if receiver is not None:
            chain = _chain(receiver, family)
            if chain and _kept(chain, family, skip):
                found.add(chain)
            elif not chain:
                _variables(receiver, family, skip, found)
        arguments = node.child_by_field_name("arguments")
        if arguments is not None:
            _variables(arguments, family, skip, found)
        return
    for child in node.named_children:
        _variables(child, family, skip, found)


def _value_tree(value: str, family: str, language: str) -> tree_sitter.Node | None:
    """The parsed expression `value`, or None when it does not parse alone."""
    if family == "go":
        wrapped, prefix = f"package p\nvar _ = {value}\n", "var_spec"
    elif family == "java":
        wrapped, prefix = f"class C {{ Object o = {value}; }}", "variable_declarator"
    else:
        wrapped, prefix = f"_ = ({value});", "parenthesized_expression"
    tree = parse(wrapped, language)
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.type == prefix:
            value_node = node.child_by_field_name("value") if family != "js" else node
            if family == "go" and value_node is not None and value_node.type == "expression_list":
                value_node = value_node.named_children[0] if value_node.named_children else None
            if family == "js":
                value_node = node.named_children[0] if node.named_children else None
            return value_node
        stack.extend(reversed(node.children))
    return None


def value_variables(
    values: tuple[str, ...] | list[str], language: str, skip: set[str] = frozenset()
) -> frozenset[str]:
    """The variables of logged values, as the Python metric reads them: name chains rooted at a
    name (`req.host`, `this.name`), a method call's receiver (`user` of `user.getId()`), never a
    called function's name nor string text; chains rooted at a name of `skip` (packages, classes,
    globals) are left out."""
    family = _family(language)
    found: set[str] = set()
    for value in values:
        node = _value_tree(value, family, language)
        if node is None:
            continue
        _variables(node, family, set(skip), found)
    return frozenset(found)


def receiver_skip(masked_source: str, language: str) -> set[str]:
    """Roots that are not variables: the file's imports, and the language's globals (Go's
    predeclared names, JavaScript's globals; Java's class names are CamelCase, left out by
    `value_variables` through this set's rule)."""
    tree = parse(masked_source, language)
    family = _family(language)
    skip = imported_names(tree, language)
    if family == "go":
        skip |= GO_PREDECLARED
    elif family == "js":
        skip |= JS_GLOBALS - {"this"}
    return skip
