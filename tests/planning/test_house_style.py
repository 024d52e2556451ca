"""A file with no logger yet gets the module logger its project's modules use: the same name
(`LOG`, `log`, `_LOGGER`), unless that name is already taken at the cursor; and the module runs
with it: `import logging` is added unless a top-level `import` binds the name `logging`."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import logsmith
from logsmith.settings import Settings
from logsmith.text_edits import apply_edits

TEMPLATE = Settings(use_model=False)

NEW_FILE = (
    "import os\n"
    "\n"
    "\n"
    "def remove(path, audit):\n"
    "    try:\n"
    "        os.remove(path)\n"
    "    except OSError as exc:\n"
    "        \n"
    "        raise\n"
)
CURSOR = (7, 8)


def project(tmp_path, name: str, files: int = 2):
    (tmp_path / "pyproject.toml").write_text("")
    for number in range(files):
        (tmp_path / f"module{number}.py").write_text(textwrap.dedent(
            f"""\
            import logging

            {name} = logging.getLogger(__name__)


            def work{number}(item):
                {name}.info("Working on %s", item)
            """
        ))
    # one module with the common name does not outvote the project
    (tmp_path / "odd.py").write_text(
        'import logging\nlogger = logging.getLogger(__name__)\nlogger.debug("odd")\n'
    )
    target = tmp_path / "cleanup.py"
    target.write_text(NEW_FILE)
    return target


def written_module(source: str, top, row: int = CURSOR[0], indent: int = CURSOR[1]) -> str:
    """`source` with the suggestion `top` at (row, indent) and its setup edits applied."""
    lines = source.split("\n")
    lines[row] = " " * indent + top.statement
    return apply_edits("\n".join(lines), list(top.additional_edits))


def suggested(target, source: str = NEW_FILE):
    return logsmith.suggest(source, *CURSOR, path=str(target), settings=TEMPLATE)[0]


def test_the_added_logger_takes_the_name_the_project_uses(tmp_path):
    target = project(tmp_path, "LOG")
    top = suggested(target)
    assert top.logger == "LOG" and top.statement.startswith("LOG.")
    written = written_module(NEW_FILE, top)
    assert written.startswith("import logging\nimport os\n\nLOG = logging.getLogger(__name__)\n")
    ast.parse(written)
    assert "logger" not in written


def test_a_name_taken_at_the_cursor_leaves_the_added_logger_its_usual_name(tmp_path):
    target = project(tmp_path, "audit")  # the function's own parameter is called audit
    top = suggested(target)
    assert top.logger == "logger" and top.statement.startswith("logger.")
    assert "\nlogger = logging.getLogger(__name__)\n" in written_module(NEW_FILE, top)


def test_without_a_project_the_added_logger_is_called_logger(tmp_path):
    target = tmp_path / "alone.py"
    target.write_text(NEW_FILE)
    top = suggested(target)
    assert top.logger == "logger"
    assert "\nlogger = logging.getLogger(__name__)\n" in written_module(NEW_FILE, top)


def module_with_setup(source: str, row: int, indent: int) -> str:
    """`source` with the template's first suggestion at (row, indent) and its setup edits applied."""
    top = logsmith.suggest(source, row, indent, settings=TEMPLATE)[0]
    return written_module(source, top, row, indent)


HANDLER = (
    "{imports}\n"
    "\n"
    "\n"
    "def close(stream):\n"
    "    {inner}try:\n"
    "        stream.close()\n"
    "    except OSError:\n"
    "        \n"
    "        raise\n"
)


@pytest.mark.parametrize("imports, inner, adds_import", [
    ("from logging import Handler", "", True),        # binds Handler, not logging
    ("import logging as logging_module", "", True),   # binds logging_module
    ("import os", "import logging\n    ", True),      # bound inside the function only
    ("import logging.handlers", "", False),           # binds logging itself
])
def test_the_added_logger_reads_a_module_the_file_binds(imports, inner, adds_import):
    source = HANDLER.format(imports=imports, inner=inner)
    row = source.split("\n").index("        ")
    written = module_with_setup(source, row, 8)
    assert (re.search(r"^import logging$", written, re.MULTILINE) is not None) is adds_import
    assert "\nlogger = logging.getLogger(__name__)\n" in written
    exec(compile(written, "handler.py", "exec"), {"__name__": "handler"})


RUFF = Path(sys.executable).parent / "ruff"


def imports_sorted(source: str) -> bool:
    """Whether isort's rules (ruff's `I`, its defaults) find the file's imports in order."""
    run = subprocess.run([str(RUFF), "check", "--isolated", "--select", "I", "--stdin-filename", "x.py", "-"],
                         input=source, capture_output=True, text=True, timeout=60)
    return run.returncode == 0


@pytest.mark.parametrize("imports, expected", [
    ("import os\nimport sys\n\nimport requests",
     "import logging\nimport os\nimport sys\n\nimport requests\n\nlogger = logging.getLogger(__name__)\n"),
    ("import abc\nimport os",
     "import abc\nimport logging\nimport os\n\nlogger = logging.getLogger(__name__)\n"),
    ("import json",
     "import json\nimport logging\n\nlogger = logging.getLogger(__name__)\n"),
    ("from datetime import datetime\n\nimport requests",
     "import logging\nfrom datetime import datetime\n\nimport requests\n\nlogger = logging.getLogger(__name__)\n"),
    ("from __future__ import annotations\n\nimport requests",
     "from __future__ import annotations\n\nimport logging\n\nimport requests\n\nlogger = logging.getLogger(__name__)\n"),
])
def test_import_logging_goes_where_isort_puts_it(imports, expected):
    source = HANDLER.format(imports=imports, inner="")
    assert imports_sorted(source)
    row = source.split("\n").index("        ")
    written = module_with_setup(source, row, 8)
    assert written.startswith(expected)
    assert imports_sorted(written)


def _every_suggestion_run(tmp_path, source: str, blank: str) -> list:
    """Each suggestion at the line that is just `blank` written into the file and run with Python:
    every run must succeed (one CompletedProcess per suggestion)."""
    row = source.split("\n").index(blank)
    suggestions = logsmith.suggest(source, row, len(blank), settings=TEMPLATE)
    assert suggestions
    runs = []
    for number, suggestion in enumerate(suggestions):
        path = tmp_path / f"module{number}.py"
        path.write_text(apply_edits(source, [suggestion.edit, *suggestion.additional_edits]))
        ran = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=60)
        assert ran.returncode == 0, (suggestion.statement, ran.stderr)
        runs.append(ran)
    return runs


def test_another_classs_logger_attribute_is_not_used_by_this_one(tmp_path):
    # checked by running the file: `self.log` is Server's, and Client has none (AttributeError
    # inside the handler)
    source = (
        "import logging\n\n\nclass Server:\n    def __init__(self):\n"
        '        self.log = logging.getLogger("server")\n\n    def close(self):\n        try:\n'
        '            open("/nonexistent/server")\n        except OSError as exc:\n'
        '            self.log.error("failed to close server: %s", exc)\n\n\nclass Client:\n'
        '    def close(self):\n        try:\n            open("/nonexistent/client")\n'
        "        except OSError as exc:\n            \n\n\nClient().close()\n"
    )
    for ran in _every_suggestion_run(tmp_path, source, "            "):
        assert "/nonexistent/client" in ran.stderr  # the statement ran and logged the error


def test_a_module_logger_assigned_below_a_module_level_statement_is_not_used(tmp_path):
    # checked by running the file: at the top of the module, `log` is assigned two lines below the
    # statement (NameError when the module is imported)
    source = (
        "import logging\nimport os\n\nlogging.basicConfig()\n"
        'PORT = int(os.environ.get("LOGSMITH_NO_SUCH_PORT", "80"))\nif PORT < 1024:\n    \n\n'
        'log = logging.getLogger("app")\n\n\ndef run(path):\n    log.info("running %s", path)\n'
    )
    assert _every_suggestion_run(tmp_path, source, "    ")
