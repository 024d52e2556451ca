"""A file with no logger yet gets the module logger its project's modules use: the same name
(`LOG`, `log`, `_LOGGER`), unless that name is already taken at the cursor; and the module runs
with it: `import logging` is added unless a top-level `import` binds the name `logging`."""

from __future__ import annotations

import ast
import textwrap

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


def suggested(target, source: str = NEW_FILE):
    return logsmith.suggest(source, *CURSOR, path=str(target), settings=TEMPLATE)[0]


def test_the_added_logger_takes_the_name_the_project_uses(tmp_path):
    target = project(tmp_path, "LOG")
    top = suggested(target)
    assert top.logger == "LOG" and top.statement.startswith("LOG.")
    (setup,) = top.additional_edits
    assert "import logging" in setup.new_text and "LOG = logging.getLogger(__name__)" in setup.new_text
    lines = NEW_FILE.split("\n")
    lines[CURSOR[0]] = " " * CURSOR[1] + top.statement
    written = apply_edits("\n".join(lines), [setup])
    ast.parse(written)
    assert "logger" not in written


def test_a_name_taken_at_the_cursor_leaves_the_added_logger_its_usual_name(tmp_path):
    target = project(tmp_path, "audit")  # the function's own parameter is called audit
    top = suggested(target)
    assert top.logger == "logger" and top.statement.startswith("logger.")
    (setup,) = top.additional_edits
    assert "logger = logging.getLogger(__name__)" in setup.new_text


def test_without_a_project_the_added_logger_is_called_logger(tmp_path):
    target = tmp_path / "alone.py"
    target.write_text(NEW_FILE)
    top = suggested(target)
    assert top.logger == "logger"
    assert "logger = logging.getLogger(__name__)" in top.additional_edits[0].new_text


def module_with_setup(source: str, row: int, indent: int) -> str:
    """`source` with the template's first suggestion at (row, indent) and its setup edits applied."""
    top = logsmith.suggest(source, row, indent, settings=TEMPLATE)[0]
    lines = source.split("\n")
    lines[row] = " " * indent + top.statement
    return apply_edits("\n".join(lines), list(top.additional_edits))


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
    assert ("import logging\n\nlogger = logging.getLogger(__name__)" in written) is adds_import
    exec(compile(written, "handler.py", "exec"), {"__name__": "handler"})
