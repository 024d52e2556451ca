"""TypeScript and TSX reading: type annotations, `catch (e: unknown)`, optional chaining,
components with handlers, and the batch sites of a TypeScript file."""

from logsmith.idioms import javascript as idioms
from logsmith.idioms.contract import StatementSpec
from logsmith.syntax import javascript as reader
from logsmith.syntax.document import ParsedDocument

SERVICE = """\
import { logger } from "./logger";
import type { Options } from "./options";

export class SyncService {
    private readonly log = logger.getChild("sync");

    public constructor(private readonly client: Client, opts?: Options) {}

    public async sync(roomId: string, { limit = 10, since }: SyncArgs): Promise<void> {
        const started: number = Date.now();
        try {
            await this.client.fetch<Room>(roomId, limit);
        } catch (e: unknown) {

            this.log.warn(`Sync of ${roomId} failed`, e);
            throw new SyncError("sync failed");
        }
        for (const event of events as Event[]) {
            this.log?.debug("event", event.id);
        }
    }
}

export const retrying = async <T,>(task: () => Promise<T>): Promise<T | undefined> => {
    while (true) {
        try {
            return await task();
        } catch (err) {
            await sleep(1000);
        }
    }
};
"""


def ts(text: str, language: str = "typescript") -> ParsedDocument:
    return ParsedDocument(text, language)


def at(document: ParsedDocument, line: int):
    current = document.line(line)
    return reader.site_at(document, line, len(current) - len(current.lstrip()))


def test_entry_site_with_typed_and_destructured_parameters():
    site = at(ts(SERVICE), 9)
    assert site.kind == "entry"
    assert site.function.name == "sync"
    assert site.function.class_name == "SyncService"
    assert site.function.parameters == ("roomId", "limit", "since")
    assert site.function.is_async  # `public async`: the access modifier comes first
    assert not site.syntax_error
    assert {"logger", "SyncService", "retrying", "Options"} <= site.module_names
    assert site.self_attributes == ("this.client", "this.log")


def test_catch_with_an_unknown_type_is_an_except_site():
    site = at(ts(SERVICE), 13)
    assert (site.kind, site.exception_name, site.exception_types) == ("except", "e", ())
    assert site.names[:2] == ("e", "started")
    assert site.reraises
    typed = ts("try {\n  go();\n} catch (e: HttpError) {\n  \n}\n")
    assert at(typed, 3).exception_types == ("HttpError",)


def test_loop_over_a_cast_names_its_variable():
    site = at(ts(SERVICE), 18)
    assert (site.kind, site.loop_variables) == ("loop", ("event",))


def test_arrow_function_with_type_parameters():
    site = at(ts(SERVICE), 28)
    assert site.function.name == "retrying"
    assert site.function.parameters == ("task",)
    assert (site.kind, site.exception_name) == ("except", "err")
    assert site.names == ("err", "task")


def test_logged_calls_of_a_typescript_class():
    calls = reader.logged_calls(ts(SERVICE))
    assert [
        (c.library, c.logger, c.level, c.message, c.values, c.error, c.site_kind) for c in calls
    ] == [
        ("loglevel", "this.log", "warning", "Sync of failed", ("roomId", "e"), "e", "except"),
        ("loglevel", "this.log", "debug", "event", ("event.id",), None, "loop"),
    ]


def test_logger_for_in_a_method_uses_the_class_logger():
    document = ts(SERVICE)
    found = idioms.logger_for(document, at(document, 9), reader.logged_calls(document))
    assert (found.library, found.expression, found.defined, found.template) == (
        "loglevel",
        "this.log",
        True,
        False,
    )
    outside = idioms.logger_for(document, at(document, 28), reader.logged_calls(document))
    # the module's logger: `this` means nothing there
    assert (outside.library, outside.expression, outside.note) == ("loglevel", "logger", None)


def test_find_sites_in_typescript():
    findings = reader.find_sites(ts(SERVICE))
    assert [(f.rule, f.line, f.function) for f in findings] == [("retry_loop", 28, "retrying")]


def test_names_read_skip_types_and_casts():
    assert reader.names_read("this.log.warn(`x ${(e as Error).message}`, e);") == {"e"}
    assert reader.names_read("logger.info('n', items.length as number);") == {"logger", "items"}


COMPONENT = """\
import React, { useState } from "react";

export function SaveButton({ onSave, label }: Props): JSX.Element {
    const [saving, setSaving] = useState<boolean>(false);
    const handleClick = async (event: React.MouseEvent<HTMLButtonElement>) => {
        setSaving(true);
        try {
            await onSave();
        } catch (error) {

            setSaving(false);
        }
    };
    return <button onClick={handleClick} disabled={saving}>{label}</button>;
}
"""


def test_tsx_component_handler_sites():
    document = ts(COMPONENT, "tsx")
    assert not document.tree.root_node.has_error
    entry = at(document, 5)
    assert (entry.kind, entry.function.name) == ("entry", "handleClick")
    assert entry.names[:3] == ("event", "setSaving", "saving")
    handler = at(document, 9)
    assert (handler.kind, handler.exception_name) == ("except", "error")
    assert {"React", "useState", "SaveButton"} <= handler.module_names


def test_tsx_render_round_trip_and_swallowed_catch():
    document = ts(COMPONENT, "tsx")
    site = at(document, 9)
    choice = idioms.logger_for(document, site, reader.logged_calls(document))
    assert choice.library == "console"
    spec = StatementSpec(choice, "error", "Saving failed", ("label",), "error")
    statement = idioms.render(spec)
    assert statement == 'console.error("Saving failed", label, error);'
    assert reader.statement_problems(document, 9, statement) == []
    assert reader.names_read(statement) <= set(site.names) | idioms.always_bound(document)
    findings = reader.find_sites(document)
    assert [(f.rule, f.line, f.indent) for f in findings] == [
        ("except_swallowed", 10, "            ")
    ]


def test_typescript_only_syntax_in_a_statement_is_a_problem_in_javascript():
    statement = "console.log('x', value as string);"
    javascript = ParsedDocument("function f(value) {\n  \n}\n", "javascript")
    typescript = ParsedDocument("function f(value) {\n  \n}\n", "typescript")
    assert reader.statement_problems(typescript, 1, statement) == []
    assert reader.statement_problems(javascript, 1, statement)


def test_module_names_of_typescript_declarations():
    source = (
        'import fs = require("fs");\nimport type { T } from "./t";\nexport default class Main {}\n'
        "export enum Color { Red }\nexport abstract class Base {}\ndeclare const VERSION: string;\n"
        "const { x, y: [z] } = obj;\n"
    )
    names = reader.module_names_of(ts(source))
    assert {"fs", "T", "Main", "Color", "Base", "VERSION", "x", "z"} <= names
    assert "y" not in names


UNASSIGNED = """\
export function load(path: string, strict: boolean): number {
  let size: number;
  let count: number;
  let known!: number;
  count = 3;
  if (strict) {
    size = path.length;
  }

  size = path.length * 2;
  return size + count + known;
}
"""


def test_a_local_some_path_leaves_unassigned_is_never_read_in_typescript():
    # tsc --strict: "Variable 'size' is used before being assigned" (checked with tsc 5)
    import logsmith

    site = reader.site_at(ParsedDocument(UNASSIGNED, "typescript"), 8, 2)
    assert "size" in site.unbound_names and "size" not in site.names
    assert {"count", "known", "path", "strict"} <= set(site.names)
    settings = logsmith.Settings(use_model=False)
    for suggestion in logsmith.suggest(UNASSIGNED, 8, 2, language="typescript", settings=settings):
        assert "size" not in suggestion.variables, suggestion.statement
    # JavaScript logs `undefined` there: nothing is refused
    plain = UNASSIGNED.replace(": string", "").replace(": boolean", "").replace(": number", "")
    plain = plain.replace("let known!;", "let known;")
    assert "size" in reader.site_at(ParsedDocument(plain, "javascript"), 8, 2).names


THIS_PLACES = """\
class Base {}
class Store extends Base {
    private logger = console;
    private onTick = () => {
        tick();
    };
    constructor() {
        first();
        super();
        second();
    }
    open(): void {
        opened();
        const handlers = {
            start() {
                started();
            },
        };
        run(() => {
            arrow();
        });
        run(function () {
            called();
        });
        function inner() {
            nested();
        }
    }
    static create(): void {
        created();
    }
    static {
        block();
    }
}
"""


def test_this_is_the_instance_only_where_an_instance_method_or_field_has_it():
    document = ts(THIS_PLACES)
    unbound = {
        line.strip(): "this" in at(document, number).unbound_names
        for number, line in enumerate(THIS_PLACES.split("\n"))
        if line.strip().endswith("();") and line.strip() not in ("super();",)
    }
    assert unbound == {
        "tick();": False,
        "first();": True,
        "second();": False,
        "opened();": False,
        "started();": True,
        "arrow();": False,
        "called();": True,
        "nested();": True,
        "created();": True,
        "block();": True,
    }


def test_a_module_level_statement_cannot_read_what_the_module_declares_below_it():
    source = (
        'import { a } from "a";\nconst before = 1;\nif (before) {\n    go();\n}\n'
        "const after = 2;\nlet later = 3;\nclass Later {}\nfunction hoisted() {}\n"
        "export const exported = 4;\ndeclare const ambient: number;\n"
    )
    site = at(ts(source), 3)
    assert {"after", "later", "Later", "exported"} <= site.unbound_names
    assert not {"a", "before", "hoisted", "ambient"} & site.unbound_names
