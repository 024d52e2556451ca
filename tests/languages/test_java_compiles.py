"""Every statement logsmith writes into a Java file compiles there, checked with the real `javac`:
each case is a class that compiles without logsmith, marked `§` where a statement is asked for;
each suggestion (with its setup edits) is written in, and the files are compiled together."""

from __future__ import annotations

import shutil
import subprocess

import pytest

import logsmith
from tests.languages.marked_cases import cursor, written

JUL = "import java.util.logging.Level;\nimport java.util.logging.Logger;\n"
LOGGER = '    private static final Logger LOG = Logger.getLogger(A.class.getName());\n'
CATCH = """\
        try {
            return Integer.parseInt(name);
        } catch (NumberFormatException e) {
            §
            return 1;
        }
"""

CASES = {
    "locals_not_assigned_on_every_path": JUL + "public class A {\n" + LOGGER + """\
    static int f(boolean c, String name) {
        int count;
        String label;
        if (c) { count = 1; label = name; }
        §
        return 0;
    }
}
""",
    "a_local_assigned_in_the_try_read_in_its_catch": JUL + "public class A {\n" + LOGGER + """\
    static int f(String name) {
        int parsed;
        try {
            parsed = Integer.parseInt(name);
        } catch (NumberFormatException e) {
            §
            return -1;
        }
        return parsed;
    }
}
""",
    "a_local_of_an_earlier_case": JUL + "public class A {\n" + LOGGER + """\
    void f(int k) {
        switch (k) {
            case 1:
                String label = "one";
                break;
            default:
                §
                break;
        }
    }
}
""",
    "an_instance_logger_and_a_static_method": JUL + """\
public class A {
    private final Logger log = Logger.getLogger(A.class.getName());
    private String host = "h";
    void g() { log.info("g " + host); }
    static int f(String name) {
        if (name == null) {
            §
            return 1;
        }
        return 0;
    }
}
""",
    "an_instance_logger_and_a_static_nested_class": JUL + """\
public class A {
    private final Logger log = Logger.getLogger(A.class.getName());
    void g() { log.info("g"); }
    static class B {
        int f(String name) {
""" + CATCH.replace("\n        ", "\n            ").replace("        try", "            try", 1) + """\
        }
    }
}
""",
    "instance_fields_and_a_static_method": JUL + "public class A {\n" + LOGGER + """\
    private String host = "h";
    private int port;
    static int f(String name) {
""" + CATCH + "    }\n}\n",
    "a_field_named_like_the_logger": """\
public class A {
    private static final String LOG = "log";
    int f(String name) {
""" + CATCH + "    }\n}\n",
    "a_local_named_like_the_logger": """\
public class A {
    int f(String name) {
        String LOG = "x";
""" + CATCH + "    }\n}\n",
    "a_nested_class_named_Logger": """\
public class A {
    static class Logger {}
    int f(String name) {
""" + CATCH + "    }\n}\n",
    "an_interface": """\
public interface A {
    default int f(String name) {
""" + CATCH + "    }\n}\n",
    "an_enum": """\
public enum A {
    ONE, TWO;
    int f(String name) {
""" + CATCH + "    }\n}\n",
    "a_record": """\
public record A(String name) {
    static int f(String name) {
""" + CATCH + "    }\n}\n",
    "an_instance_method_beside_a_static_one": JUL + "public class A {\n" + LOGGER + """\
    private String host = "h";
    String describe() { return host; }
    int g(String name) {
        try {
            return Integer.parseInt(name);
        } catch (NumberFormatException e) {
            LOG.log(Level.WARNING, "Cannot parse " + name + " for " + describe(), e);
            return 1;
        }
    }
    static int f(String name) {
""" + CATCH + "    }\n}\n",
    "a_method_the_file_does_not_declare": JUL + "public class A extends Thread {\n" + LOGGER + """\
    int g(String name) {
        try {
            return Integer.parseInt(name);
        } catch (NumberFormatException e) {
            LOG.warning("Cannot parse " + name + " in " + getName());
            return 1;
        }
    }
    int f(String name) {
""" + CATCH + "    }\n}\n",
    "a_lambda_and_a_local_changed_outside_it": JUL + "public class A {\n" + LOGGER + """\
    void f(java.util.List<String> names) {
        int attempts = 0;
        attempts++;
        String first = names.get(0);
        names.forEach(name -> {
            try {
                Integer.parseInt(name);
            } catch (NumberFormatException e) {
                §
            }
        });
        LOG.info("attempts " + attempts + " first " + first);
    }
}
""",
    "two_nested_classes_one_with_a_logger": JUL + """\
public class A {
    static class Server {
        private final Logger logger = Logger.getLogger("server");
        void close() {
            try {
                run();
            } catch (RuntimeException e) {
                logger.log(Level.SEVERE, "failed to close server", e);
            }
        }
        void run() {}
    }
    static class Client {
        void close() {
            try {
                run();
            } catch (RuntimeException e) {
                §
            }
        }
        void run() {}
    }
}
""",
    "another_class_logs_through_this": JUL + """\
public class A {
    private final Logger logger = Logger.getLogger("a");
    void close() {
        try {
            run();
        } catch (RuntimeException e) {
            this.logger.log(Level.SEVERE, "failed to close", e);
        }
    }
    void run() {}
}
class Client {
    void close() {
        try {
            Integer.parseInt("1");
        } catch (RuntimeException e) {
            §
        }
    }
}
""",
    "a_subclass_of_a_class_with_a_private_logger": JUL + """\
public class A {
    private final Logger logger = Logger.getLogger("a");
    protected String name = "a";
    void close() {
        logger.info("closing " + name);
    }
}
class Client extends A {
    int open(String port) {
        try {
            return Integer.parseInt(port);
        } catch (NumberFormatException e) {
            §
            return -1;
        }
    }
}
""",
    "a_static_initializer": """\
public class A {
    static int X;
    static {
        try {
            X = Integer.parseInt("1");
        } catch (NumberFormatException e) {
            §
        }
    }
}
""",
    "a_static_initializer_above_the_logger": JUL + """\
public class A {
    static String mode = System.getProperty("mode");
    static {
        if (mode == null) {
            §
        }
    }
    private static final Logger LOG = Logger.getLogger("a");
    void run() {
        LOG.info("running");
    }
}
""",
    "a_pattern_variable_in_the_branch_where_it_did_not_match": JUL + "public class A {\n" + LOGGER + """\
    static int size(Object o) {
        if (!(o instanceof String s)) {
            §
            return 0;
        }
        LOG.info("string " + s);
        return s.length();
    }
}
""",
    "a_pattern_variable_in_the_else_branch": JUL + "public class A {\n" + LOGGER + """\
    static int count(Object o) {
        if (o instanceof String s) {
            LOG.info("string " + s);
            return s.length();
        } else {
            §
            return 0;
        }
    }
}
""",
    "an_enums_constructor": JUL + """\
public enum A {
    RED("r"), GREEN("g");
    private static final Logger LOG = Logger.getLogger("a");
    private static final String PREFIX = "#";
    private final String code;
    A(String code) {
        if (code.isEmpty()) {
            §
        }
        this.code = PREFIX + code;
    }
    void show() {
        LOG.info("showing " + code);
    }
}
""",
    "an_enums_constructor_in_a_class_with_a_logger": JUL + """\
public class A {
    private static final Logger LOG = Logger.getLogger("a");
    enum Color {
        RED("r");
        private final String code;
        Color(String code) {
            if (code.isEmpty()) {
                §
            }
            this.code = code;
        }
    }
    void show() {
        LOG.info("showing " + Color.RED.code);
    }
}
""",
    "a_field_initializer_above_the_logger": JUL + """\
public class A {
    private final Runnable task = () -> {
        §
    };
    private final Logger log = Logger.getLogger("a");
    void run() {
        log.info("running");
        task.run();
    }
}
""",
}


def _compile_all(tmp_path, sources: dict[str, str]) -> str:
    """javac's errors over `sources` (package -> text of its class `A`), each in its package."""
    javac = shutil.which("javac")
    assert javac, "javac (a JDK) is needed: the machine's image has OpenJDK 17"
    paths = []
    for package, text in sources.items():
        folder = tmp_path / "src" / package
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "A.java"
        path.write_text(f"package {package};\n{text}")
        paths.append(str(path))
    done = subprocess.run(
        [javac, "-nowarn", "-d", str(tmp_path / "classes"), *paths],
        capture_output=True,
        text=True,
        timeout=300,
    )
    return "" if done.returncode == 0 else done.stdout + done.stderr


def test_the_cases_compile_before_a_statement_is_written(tmp_path):
    assert _compile_all(tmp_path, {n.lower(): cursor(m)[0] for n, m in CASES.items()}) == ""


def test_every_template_statement_compiles(tmp_path):
    settings = logsmith.Settings(use_model=False)
    files, statements = written(CASES, settings, tmp_path, "java", ".java")
    assert _compile_all(tmp_path, files) == "", statements


@pytest.mark.model
def test_every_statement_with_the_model_compiles(model_settings, tmp_path):
    files, statements = written(CASES, model_settings, tmp_path, "java", ".java")
    assert _compile_all(tmp_path, files) == "", statements
