"""The ``flambeau`` command line.

Each sub-command lives in its own module under ``flambeau.commands`` and exposes
``register(subparsers)``, which adds its parser and sets ``func`` (called with the parsed
arguments, returning an exit code). Add a command by listing its module in ``COMMANDS``.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from . import __version__

__all__ = ["COMMANDS", "build_parser", "main"]

COMMANDS = [
    "flambeau.commands.check",
    "flambeau.commands.datasets",
    "flambeau.commands.demo",
    "flambeau.commands.list",
    "flambeau.commands.results",
    "flambeau.commands.run",
    "flambeau.commands.sweep",
    "flambeau.commands.serve",
    "flambeau.commands.signatures",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="flambeau", description="flambeau: a small neural-network library in NumPy.")
    parser.add_argument("--version", action="version", version=f"flambeau {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "func", None) is None:
        parser.print_help()
        return 0
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
