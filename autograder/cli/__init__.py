"""The ``gdgrade`` command line: one parser, one place where errors become exit codes.

Each command module registers its subcommands and handlers; a handler turns parsed options
into plain values and calls the library. No command module imports another: the options
more than one command takes live in :mod:`autograder.cli.options`. Errors reach :func:`main`
as gdgrade's own exceptions (see :mod:`autograder.errors`) and leave it as one line and an
:class:`~autograder.cli.exits.ExitCode`, never a traceback.
"""

from __future__ import annotations

import argparse
import sys

from autograder.cli import assignment, ci, course, grade, reference, spec
from autograder.cli.exits import ExitCode
from autograder.errors import InfrastructureError, SpecError, UsageError


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse's own usage errors, in one line
        raise UsageError(message)


def build_parser() -> argparse.ArgumentParser:
    """The ``gdgrade`` parser with all its subcommands."""
    parser = _Parser(prog="gdgrade", description="Grading and exercises for gradient-descent courses.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for module in (reference, spec, grade, assignment, course, ci):
        module.add_parsers(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``gdgrade`` console script; returns the exit code."""
    try:
        arguments = build_parser().parse_args(argv)
        return int(arguments.handler(arguments))
    except (UsageError, SpecError) as error:
        return _fail(f"error: {error}", ExitCode.USAGE)
    except InfrastructureError as error:
        return _fail(str(error), ExitCode.INFRASTRUCTURE)
    except OSError as error:
        where = f": {error.filename}" if error.filename else ""
        return _fail(f"error: {error.strerror or error}{where}", ExitCode.USAGE)


def _fail(message: str, code: ExitCode) -> int:
    print(f"gdgrade: {message}", file=sys.stderr)
    return code
