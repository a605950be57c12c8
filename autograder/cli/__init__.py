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
from importlib import metadata

from autograder.cli import assignment, ci, course, grade, reference, spec
from autograder.cli.exits import ExitCode
from autograder.errors import InfrastructureError, SpecError, UsageError

# Every result is written whole as soon as it is graded, so an interrupted batch loses nothing.
INTERRUPTED = "interrupted: every result finished so far is kept; run the same command again to resume"


class _DefaultsShown(argparse.HelpFormatter):
    """Help that gives every option's default, unless its text already says it or it has none."""

    def _get_help_string(self, action):
        text = action.help or ""
        if "default" in text or action.default in (None, False, argparse.SUPPRESS) or not action.option_strings:
            return text
        return f"{text} (default: %(default)s)"


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", _DefaultsShown)
        super().__init__(*args, **kwargs)

    def error(self, message: str):  # argparse's own usage errors, in one line
        raise UsageError(message)


HINT = "try 'gdgrade demo' to grade the built-in examples, or 'gdgrade COMMAND --help'"


def installed_version() -> str:
    """gdgrade's version as installed (its distribution's metadata)."""
    try:
        return metadata.version("gdgrade")
    except metadata.PackageNotFoundError:
        return "unknown (not installed)"


def build_parser() -> argparse.ArgumentParser:
    """The ``gdgrade`` parser with all its subcommands."""
    parser = _Parser(prog="gdgrade", description="Grading and exercises for gradient-descent courses.",
                     epilog=HINT)  # fmt: skip
    parser.add_argument("--version", action="version", version=f"gdgrade {installed_version()}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for module in (reference, spec, grade, assignment, course, ci):
        module.add_parsers(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``gdgrade`` console script; returns the exit code."""
    argv = sys.argv[1:] if argv is None else argv
    if not argv:
        build_parser().print_usage(sys.stderr)
        return _fail(HINT, ExitCode.USAGE)
    try:
        arguments = build_parser().parse_args(argv)
        return int(arguments.handler(arguments))
    except KeyboardInterrupt:
        return _fail(INTERRUPTED, ExitCode.INTERRUPTED)
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
