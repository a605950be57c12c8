"""``gdgrade spec check FILE|ID``: validate an assignment spec and summarise it."""

from __future__ import annotations

from pathlib import Path

from autograder.assignment import builtin_spec, load_spec
from autograder.cli.exits import ExitCode
from autograder.spec import AssignmentSpec


def add_parsers(commands) -> None:
    """Register ``spec`` and its ``check`` subcommand."""
    spec = commands.add_parser("spec", help="work with assignment specs")
    actions = spec.add_subparsers(dest="action", required=True)
    check = actions.add_parser("check", help="validate a spec file (or a built-in assignment id)")
    check.add_argument("spec", help="path to a spec.toml, or a built-in id such as cs231n-optim")
    check.set_defaults(handler=check_command)


def resolve(spec_argument: str) -> AssignmentSpec:
    """A path if it names a file, otherwise a built-in assignment id."""
    return load_spec(spec_argument) if Path(spec_argument).is_file() else builtin_spec(spec_argument)


def summary(spec: AssignmentSpec) -> str:
    """One line per question: checks, probes (hidden ones counted) and points."""
    lines = [f"{spec.id}: {len(spec.questions)} questions, {sum(q.points for q in spec.questions):g} points"]
    for question in spec.questions:
        probes = [p for check in question.checks for p in check.probes]
        hidden = sum(p.hidden for p in probes)
        kinds = ", ".join(check.kind for check in question.checks)
        lines.append(
            f"  {question.id} ({question.convention} vs {question.reference}): {kinds}; "
            f"{len(probes)} probes ({hidden} hidden); {question.points:g} points"
        )
    return "\n".join(lines)


def check_command(arguments) -> int:
    """Validate and summarise; a bad spec is a one-line error with exit code 2."""
    print(summary(resolve(arguments.spec)))
    return ExitCode.GRADED
