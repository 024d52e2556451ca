"""Java names in scope that the compiler refuses at a statement: locals not definitely assigned,
instance fields and `this` from a static context; the site leaves them out of what it may log."""

from __future__ import annotations

import pytest

from logsmith.syntax import java
from logsmith.syntax.document import ParsedDocument


def site_of(body: str, *, method: str = "void f(boolean c, String s)", members: str = ""):
    """The site at the `§` line of `body`, written into a method of class `A`."""
    lines = ["public class A {", *members.splitlines(), f"    {method} {{"]
    lines += [f"        {line}" if line else "" for line in body.splitlines()]
    lines += ["    }", "}", ""]
    number = next(n for n, line in enumerate(lines) if line.strip() == "§")
    source = "\n".join(lines).replace("§", "")
    return java.site_at(ParsedDocument(source, "java"), number, len(lines[number]) - 1)


@pytest.mark.parametrize(
    "body",
    [
        "int n;\nn = 5;\n§",
        "int n;\nif (c) { n = 1; } else { n = 2; }\n§",
        "int n;\nif (c) { n = 1; } else { throw new IllegalStateException(); }\n§",
        "int n;\ntry { n = 1; } catch (RuntimeException e) { return; }\n§",
        "int n;\ntry { n = 1; } catch (RuntimeException e) { n = 2; }\n§",
        "int n;\ndo { n = 1; } while (c);\n§",
        "int n;\nif ((n = s.length()) > 3) {\n    §\n}",
        "int n;\nwhile ((n = s.length()) > 3) {\n    §\n}",
        "int n;\nif (c) {\n    n = 1;\n    §\n}",
        "int n;\nn = 1;\nRunnable r = () -> {\n    §\n};",
        "int n = 4;\n§",
    ],
)
def test_a_local_assigned_on_every_path_is_bound(body):
    site = site_of(body)
    assert "n" in site.names and "n" not in site.unbound_names


@pytest.mark.parametrize(
    "body",
    [
        "int n;\n§",
        "int n;\nif (c) { n = 1; }\n§",
        "int n;\nif (c) { n = 1; } else { }\n§",
        "int n;\nfor (int i = 0; i < 3; i++) { n = i; }\n§",
        "int n;\nwhile (c) { n = 1; }\n§",
        "int n;\ntry { n = 1; } catch (RuntimeException e) { }\n§",
        "int n;\ntry {\n    n = Integer.parseInt(s);\n} catch (RuntimeException e) {\n    §\n}",
        "int n;\nboolean b = c && (n = 1) > 0;\n§",
        "int n;\nRunnable r = () -> { int m; };\n§",
        "switch (s) {\n    case \"a\":\n        int n = 1;\n        break;\n    default:\n        §\n}",
    ],
)
def test_a_local_some_path_leaves_unassigned_is_never_offered(body):
    site = site_of(body)
    assert "n" not in site.names and "n" in site.unbound_names
    assert not site.in_scope("n")


def test_a_later_case_that_assigns_the_local_first_may_log_it():
    body = (
        'switch (s) {\n    case "a":\n        int n = 1;\n        break;\n    default:\n'
        "        n = 2;\n        §\n}"
    )
    assert "n" in site_of(body).names


MEMBERS = """\
    private final String host = "h";
    private static int count;
    static class Nested {
        private String name;
        void g() {
            §
        }
    }
"""


def test_a_static_method_cannot_read_instance_fields_or_this():
    site = site_of("§", method="static void f(String s)", members='    private String host = "h";')
    assert {"host", "this", "super"} <= site.unbound_names
    assert not site.in_scope("host") and not site.in_scope("this.host")


def test_a_static_methods_local_may_shadow_an_instance_field():
    site = site_of('String host = s;\n§', method="static void f(String s)",
                   members='    private String host = "h";')
    assert "host" in site.names and "host" not in site.unbound_names


def test_an_instance_method_reads_its_fields_and_this():
    site = site_of("§", members='    private String host = "h";')
    assert site.unbound_names == frozenset()


def test_a_static_nested_class_reads_its_own_fields_but_not_the_outer_instances():
    lines = ["public class A {", *MEMBERS.splitlines(), "}", ""]
    number = next(n for n, line in enumerate(lines) if line.strip() == "§")
    source = "\n".join(lines).replace("§", "")
    site = java.site_at(ParsedDocument(source, "java"), number, len(lines[number]) - 1)
    assert "host" in site.unbound_names
    assert not {"name", "this", "count"} & site.unbound_names


def test_an_anonymous_class_in_a_static_method_has_its_own_this():
    body = "Runnable r = new Runnable() {\n    public void run() {\n        §\n    }\n};"
    site = site_of(body, method="static void f(String s)", members='    private String host;')
    assert "this" not in site.unbound_names and "host" in site.unbound_names


def test_names_read_counts_this_and_super():
    assert java.names_read('LOG.info("{}", this.host, super.toString());') == {"LOG", "this", "super"}
    assert java.names_read('LOG.info("{}", getName(), user.getId());') == {"LOG", "getName", "user"}


def _problems_at(source: str, statement: str) -> list[str]:
    """What the engine's check finds wrong with `statement` at the file's `§` line."""
    from logsmith.idioms import stages

    lines = source.split("\n")
    number = next(n for n, line in enumerate(lines) if line.strip() == "§")
    document = ParsedDocument(source.replace("§", ""), "java")
    site = java.site_at(document, number, len(lines[number]) - 1)
    plan, _ = stages.plan_for(site, document, None)
    allowed = stages._allowed_names(document, site, plan)
    return stages.problems(statement, document, site, allowed)


CALLS = """\
import java.util.logging.Logger;
public class A extends Thread {
    private static final Logger LOG = Logger.getLogger(A.class.getName());
    String describe() { return "a"; }
    static String version() { return "1"; }
    %s {
        §
    }
}
"""


@pytest.mark.parametrize(
    "method, statement, refused",
    [
        ("void f()", 'LOG.info("x " + describe() + version() + toString());', None),
        ("void f()", 'LOG.info("x " + getName());', "getName"),
        ("static void f()", 'LOG.info("x " + version());', None),
        ("static void f()", 'LOG.info("x " + describe());', "describe"),
        ("static void f()", 'LOG.info("x " + this);', "this"),
    ],
)
def test_a_call_without_a_receiver_must_name_a_method_the_site_can_call(method, statement, refused):
    found = _problems_at(CALLS % method, statement)
    if refused is None:
        assert found == []
    else:
        assert found == [f"reads names not bound here: {refused}"]


@pytest.mark.parametrize(
    "body, unreadable",
    [
        # written again after its value: a lambda may not read it
        ("int n = 0;\nn++;\nRunnable r = () -> {\n    §\n};", True),
        ("int n = 0;\nRunnable r = () -> {\n    §\n};\nn += 2;", True),
        ("int n = 0;\nRunnable r = new Runnable() {\n    public void run() {\n        §\n"
         "    }\n};\nn = 3;", True),
        ("for (int n = 0; n < 3; n++) {\n    Runnable r = () -> {\n        §\n    };\n}", True),
        # effectively final: assigned once
        ("int n = 0;\nRunnable r = () -> {\n    §\n};", False),
        ("int n;\nn = 4;\nRunnable r = () -> {\n    §\n};", False),
        # outside a lambda, a changed local reads as any other
        ("int n = 0;\nn++;\n§", False),
    ],
)
def test_a_lambda_reads_only_effectively_final_locals(body, unreadable):
    site = site_of(body)
    assert ("n" in site.unbound_names) is unreadable
    assert ("n" in site.names) is not unreadable


def test_a_reassigned_parameter_is_not_read_in_a_lambda():
    site = site_of("s = s.trim();\nRunnable r = () -> {\n    §\n};")
    assert "s" in site.unbound_names and "c" in site.names


def _site_in(source: str):
    lines = source.split("\n")
    number = next(n for n, line in enumerate(lines) if line.strip() == "§")
    return java.site_at(ParsedDocument(source.replace("§", ""), "java"), number, 8)


OTHER_TYPES = """\
public class A {
    private static Logger outer;
    static class Server {
        private Logger logger;
        protected String host;
        void close() {}
    }
    static class Client extends Server {
        private int port;
        void open() {
            §
        }
    }
    static class Other {
        Logger mine;
        void run() {}
    }
}
"""


def test_the_members_of_another_type_of_the_file_are_not_read():
    site = _site_in(OTHER_TYPES)
    # Other's members are out of reach; Server's private logger is not inherited; Server's
    # protected host and close() are, and the enclosing A's fields are visible
    assert {"mine", "run", "logger"} <= site.unbound_names
    assert not {"host", "close", "port", "outer", "open"} & site.unbound_names


def test_an_anonymous_class_reads_what_the_type_it_extends_declares():
    source = """\
public class A {
    static class Base { protected Logger log; }
    static class Other { Logger log2; }
    void f() {
        new Base() {
            void g() {
                §
            }
        };
    }
}
"""
    site = _site_in(source)
    assert "log" not in site.unbound_names
    assert "log2" in site.unbound_names


@pytest.mark.parametrize(
    "body, bound",
    [
        ("if (o instanceof String t) {\n    §\n}", True),
        ("if (o instanceof String t && t.isEmpty()) {\n    §\n}", True),
        ("if (!(o instanceof String t)) {\n    return;\n}\n§", True),
        ("if (!(o instanceof String t) || t.isEmpty()) {\n    return;\n}\n§", True),
        ("while (o instanceof String t) {\n    §\n    o = null;\n}", True),
        ("if (o instanceof String t) {\n    return;\n} else {\n    §\n}", False),
        ("if (!(o instanceof String t)) {\n    §\n}", False),
        ("if (!(o instanceof String t)) {\n    o = 1;\n}\n§", False),
        ("if (o instanceof String t || c) {\n    §\n}", False),
        ("boolean b = o instanceof String t && t.isEmpty();\n§", False),
    ],
)
def test_a_pattern_variable_is_bound_only_where_the_pattern_matched(body, bound):
    site = site_of(body, method="void f(Object o, boolean c)")
    assert ("t" in site.names) is bound
