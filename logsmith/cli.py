"""The `logsmith` command: parses arguments and hands each subcommand to the module that owns it.

When the reader of its output goes away early (`logsmith audit export | head -3`), every command
ends quietly, as other command-line tools do: no traceback, no message, exit status 141 (128 +
SIGPIPE, what a shell reports for a tool that SIGPIPE ended), so a pipeline under `set -o pipefail`
still sees that not everything was read.
"""

from __future__ import annotations

import argparse
import importlib
import os
import select
import sys

# subcommand -> (module, help). Each module exposes add_arguments(parser) and run(args) -> int.
SUBCOMMANDS = {
    "serve": ("logsmith.server.main", "run the language server (stdio, or --tcp HOST:PORT)"),
    "suggest": ("logsmith.batch", "find places that should log and propose statements"),
    "model": ("logsmith.model.registry", "list, install, verify the local models"),
    "report": (
        "logsmith.audit.report",
        "adoption report from the audit store, or merged from several stores and exports",
    ),
    "audit": ("logsmith.audit.export", "export or verify the audit trail"),
}


def build_parser() -> argparse.ArgumentParser:
    from logsmith import __version__

    parser = argparse.ArgumentParser(
        prog="logsmith", description="Writes log statements for Python code, locally."
    )
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


OUTPUT_CLOSED = 141
"""Exit status when standard output (or error) was closed before everything was written."""


def _closed(stream) -> bool:
    """Whether `stream` is a pipe or socket whose reading end has gone away."""
    try:
        descriptor = stream.fileno()
    except (AttributeError, OSError, ValueError):
        return False
    poller = select.poll()
    poller.register(descriptor, select.POLLOUT)
    try:
        events = poller.poll(0)
    except OSError:
        return False
    return any(mask & (select.POLLERR | select.POLLHUP) for _, mask in events)


def _end_quietly_if_closed() -> bool:
    """When standard output or error has lost its reader, point it at /dev/null, so what is still
    buffered, and Python's flush at exit, go nowhere instead of failing again; True if one had."""
    closed = [
        stream for stream in (sys.stdout, sys.stderr) if stream is not None and _closed(stream)
    ]
    if not closed:
        return False
    sink = os.open(os.devnull, os.O_WRONLY)
    try:
        for stream in closed:
            os.dup2(sink, stream.fileno())
    finally:
        os.close(sink)
    return True


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return 2
    try:
        status = int(args.run(args) or 0)
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                # here rather than at exit, where a closed pipe would print a traceback
                stream.flush()
        return status
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        if not _end_quietly_if_closed():
            # a pipe of logsmith's own (e.g. to its model worker) broke: that is a bug to show
            raise
        return OUTPUT_CLOSED


if __name__ == "__main__":
    sys.exit(main())
