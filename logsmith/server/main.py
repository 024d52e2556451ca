"""`logsmith serve`: run the language server on stdio (the default) or on a TCP port.

On stdio the protocol owns the process's original stdin and stdout; before the server starts,
file descriptor 1 is pointed at stderr and 0 at /dev/null, so nothing else (a library's print, a
child process, native code) can write into the protocol stream or steal its input. The protocol
keeps private duplicates of the original descriptors. TCP binds to 127.0.0.1 unless a host is given.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

DEFAULT_HOST = "127.0.0.1"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--stdio", action="store_true", help="talk LSP over standard input and output (the default)"
    )
    parser.add_argument(
        "--tcp",
        metavar="[HOST:]PORT",
        help=f"listen on a TCP port instead; the host defaults to {DEFAULT_HOST} "
        "(this machine only)",
    )
    parser.add_argument(
        "--log-file", type=Path, metavar="FILE", help="write the server log here instead of stderr"
    )
    parser.add_argument(
        "--log-level",
        default="INFO",
        choices=("DEBUG", "INFO", "WARNING", "ERROR"),
        help="server log level (default INFO)",
    )


def parse_address(value: str) -> tuple[str, int]:
    """`PORT`, `HOST:PORT` or `[IPv6]:PORT` -> (host, port); a bare port binds to 127.0.0.1."""
    host, _, port = value.rpartition(":")
    host = host.strip("[]") or DEFAULT_HOST
    try:
        number = int(port)
    except ValueError:
        raise ValueError(f"--tcp wants [HOST:]PORT, got {value!r}") from None
    if not 0 <= number <= 65535:
        raise ValueError(f"--tcp port must be between 0 and 65535, got {number}")
    return host, number


def take_stdio():
    """Private binary streams on the original stdin/stdout; fd 0 -> /dev/null, fd 1 -> stderr."""
    protocol_in = os.fdopen(os.dup(0), "rb")
    protocol_out = os.fdopen(os.dup(1), "wb")
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    sys.stdout.flush()
    os.dup2(2, 1)
    sys.stdin = open(os.devnull)
    sys.stdout = sys.stderr
    return protocol_in, protocol_out


def configure_logging(level: str, log_file: Path | None) -> None:
    handler = (
        logging.FileHandler(log_file, encoding="utf-8")
        if log_file
        else logging.StreamHandler(sys.stderr)
    )
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    if level != "DEBUG":  # pygls logs every message body at INFO
        logging.getLogger("pygls").setLevel(logging.WARNING)


def run(args: argparse.Namespace) -> int:
    address = None
    if args.tcp:
        try:
            address = parse_address(args.tcp)
        except ValueError as exc:
            print(f"logsmith serve: {exc}", file=sys.stderr)
            return 2
    try:
        configure_logging(args.log_level, args.log_file)
    except OSError as exc:
        print(f"logsmith serve: cannot open the log file: {exc}", file=sys.stderr)
        return 2
    streams = None if address else take_stdio()

    from logsmith.server.app import create_server

    server = create_server()
    log = logging.getLogger("logsmith.server")
    try:
        if address:
            logging.getLogger("pygls.server").setLevel(logging.INFO)  # it names the bound address
            log.info("logsmith language server listening on %s:%d", *address)
            server.start_tcp(*address)
        else:
            assert streams is not None  # taken above when there is no address
            server.start_io(*streams)
    finally:
        server.stop()
        server.recorder.close()
    return 0
