"""``gdgrade spec check FILE|ID``: validate an assignment spec and summarise it."""

from __future__ import annotations

import difflib
from pathlib import Path

from assignments import ASSIGNMENTS, source_notebook
from autograder.assignment import builtin_spec, load_spec
from autograder.cli.exits import ExitCode
from autograder.errors import SpecError
from autograder.notebooks import defined_names, read_submission
from autograder.spec import AssignmentSpec


def add_parsers(commands) -> None:
    """Register ``spec`` and its ``check`` subcommand."""
    spec = commands.add_parser("spec", help="work with assignment specs")
    actions = spec.add_subparsers(dest="action", required=True)
    check = actions.add_parser("check", help="validate a spec file (or a built-in assignment id)")
    check.add_argument("spec", help="path to a spec.toml, or a built-in id such as cs231n-optim")
    check.add_argument("--notebook", type=Path, metavar="NOTEBOOK",
                       help="the source notebook whose definitions the spec's symbols must name (default: the "
                       "assignment's own, beside the spec or in the course's source/, where there is one)")  # fmt: skip
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


def source_notebook_for(spec: AssignmentSpec, spec_argument: str, given: Path | None) -> Path | None:
    """The notebook students start from: the one given, else ``ID.ipynb`` beside the spec, else
    the course's ``source/ID/ID.ipynb`` (for ``gdgrade/specs/ID.toml``), else the built-in's."""
    if given is not None:
        return given
    if Path(spec_argument).is_file():
        spec_file = Path(spec_argument).resolve()
        candidates = [spec_file.parent / f"{spec.id}.ipynb"]
        if len(spec_file.parents) > 2:  # COURSE/gdgrade/specs/ID.toml
            candidates.append(spec_file.parents[2] / "source" / spec.id / f"{spec.id}.ipynb")
        return next((path for path in candidates if path.is_file()), None)
    return source_notebook(spec.id) if spec.id in ASSIGNMENTS else None


def undefined_symbols(spec: AssignmentSpec, notebook: Path) -> list[str]:
    """One line per spec symbol the notebook never defines at top level, with a near name if any."""
    defined = defined_names(read_submission(notebook)[0].cells)
    problems = []
    for question in spec.questions:
        for symbol in question.symbols.values():
            if symbol not in defined:
                near = difflib.get_close_matches(symbol, sorted(defined), n=1)
                hint = f"; did you mean {near[0]}?" if near else ""
                problems.append(f"question {question.id}: {symbol!r} is not defined in {notebook.name}{hint}")
    return problems


def check_command(arguments) -> int:
    """Validate and summarise; a bad spec, or a symbol its notebook never defines, exits 2."""
    spec = resolve(arguments.spec)
    print(summary(spec))
    notebook = source_notebook_for(spec, arguments.spec, arguments.notebook)
    if notebook is None:
        return ExitCode.GRADED
    problems = undefined_symbols(spec, notebook)
    if problems:
        raise SpecError("the spec names what the notebook does not define (every student would get 0):\n  "
                        + "\n  ".join(problems))  # fmt: skip
    print(f"every symbol is defined in {notebook}")
    return ExitCode.GRADED
