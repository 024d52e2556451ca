"""eval/'s layout: a package per purpose, each saying what it owns, no import cycle between its
modules, and every `python -m eval...` command its code and documents give runs a module that
exists."""

from __future__ import annotations

import ast
import importlib.util
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EVAL = ROOT / "eval"
PACKAGES = ("corpus", "bench", "fit", "report", "checks")
COMMAND = re.compile(r"python -m (eval(?:\.\w+)+)")


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(path): path for path in EVAL.rglob("*.py") if "reports" not in path.parts}


def _imports(path: Path, modules: dict[str, Path]) -> set[str]:
    """The eval modules `path` imports, anywhere in it (a function's imports too)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return {name for name in found if name in modules and not modules[name].name == "__init__.py"}


def test_every_package_says_what_it_owns():
    for name in ("", *PACKAGES):
        init = EVAL / name / "__init__.py"
        assert ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))), init
    assert {path.parent.name for path in EVAL.glob("*/*.py")} == set(PACKAGES)
    top = sorted(path.name for path in EVAL.glob("*.py"))
    assert top == ["__init__.py", "metrics.py", "run.py"]


def test_no_import_cycle_between_eval_modules():
    modules = _modules()
    graph = {name: _imports(path, modules) for name, path in modules.items()}
    done: set[str] = set()

    def visit(name: str, path: tuple[str, ...]) -> None:
        assert name not in path, " -> ".join((*path[path.index(name):], name))
        if name in done:
            return
        for imported in sorted(graph[name]):
            visit(imported, (*path, name))
        done.add(name)

    for name in sorted(graph):
        visit(name, ())


def test_every_documented_command_names_a_module_that_exists():
    texts = [path for path in _modules().values()]
    texts += [EVAL / "README.md", ROOT / "CONTRIBUTING.md", ROOT / "Makefile",
              *(ROOT / "tests" / "eval").glob("*.py")]
    commands = {(module, path.relative_to(ROOT)) for path in texts
                for module in COMMAND.findall(path.read_text(encoding="utf-8"))}
    assert commands
    missing = {(module, str(path)) for module, path in commands
               if importlib.util.find_spec(module) is None}
    assert not missing
