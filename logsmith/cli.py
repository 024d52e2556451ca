"""The `logsmith` command: parses arguments and hands each subcommand to the module that owns it."""

from __future__ import annotations

import argparse
import importlib
import sys

# subcommand -> (module, help). Each module exposes add_arguments(parser) and run(args) -> int.
SUBCOMMANDS = {
    "serve": ("logsmith.server.main", "run the language server (stdio, or --tcp HOST:PORT)"),
    "suggest": ("logsmith.batch", "find places that should log and propose statements"),
    "model": ("logsmith.models", "list, install, verify the local models"),
    "report": ("logsmith.report", "acceptance and latency report from the audit store"),
    "audit": ("logsmith.audit", "export or verify the audit trail"),
}


def build_parser() -> argparse.ArgumentParser:
    from logsmith import __version__

    parser = argparse.ArgumentParser(prog="logsmith", description="Writes log statements for Python code, locally.")
    parser.add_argument("--version", action="version", version=f"logsmith {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module_name, help_text) in SUBCOMMANDS.items():
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue
        command = sub.add_parser(name, help=help_text, description=help_text)
        module.add_arguments(command)
        command.set_defaults(run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return 2
    try:
        return int(args.run(args) or 0)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
