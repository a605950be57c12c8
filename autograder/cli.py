"""The ``gdgrade`` command line.

Usage errors (unknown names, bad values, impossible combinations) print one line,
``gdgrade: error: ...``, and exit with code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import sys

from autograder import (
    assignment_command,
    ci_command,
    course_command,
    grade_command,
    reference_command,
    spec_command,
)

USAGE_ERROR = 2


class UsageError(Exception):
    """A problem with what the user asked for; reported in one line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse's own usage errors, in one line
        raise UsageError(message)


def build_parser() -> argparse.ArgumentParser:
    """The ``gdgrade`` parser with all its subcommands."""
    parser = _Parser(prog="gdgrade", description="Grading and exercises for gradient-descent courses.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    reference_command.add_parser(commands)
    spec_command.add_parser(commands)
    grade_command.add_parsers(commands)
    assignment_command.add_parsers(commands)
    course_command.add_parsers(commands)
    ci_command.add_parsers(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``gdgrade`` console script; returns the exit code."""
    try:
        arguments = build_parser().parse_args(argv)
        return arguments.handler(arguments)
    except (UsageError, ValueError) as error:
        print(f"gdgrade: error: {error}", file=sys.stderr)
        return USAGE_ERROR
    except OSError as error:
        print(f"gdgrade: error: {error.strerror or error}: {error.filename or ''}".rstrip(": "), file=sys.stderr)
        return USAGE_ERROR


if __name__ == "__main__":
    sys.exit(main())
