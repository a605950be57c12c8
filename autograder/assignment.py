"""Loading an assignment: parse its spec, then validate it against the registries.

This is how every part of gdgrade gets a spec (the CLI, batches, the self-check): the
structure is parsed by :mod:`autograder.spec`, then each question's calling convention and
each check's kind (built in or registered, see :func:`autograder.engine.checks.register`)
says whether it accepts what the spec asks of it. A bad spec raises SpecError at load,
naming the file, the question, the check and the field.
"""

from __future__ import annotations

from pathlib import Path

from autograder.engine.checks import CHECK_KINDS
from autograder.engine.conventions import CONVENTIONS
from autograder.hidden_draws import extremes
from autograder.spec import (
    _CHECK_FIELDS,
    AssignmentSpec,
    CheckSpec,
    QuestionSpec,
    Where,
    builtin_spec_path,
    read_spec,
    spec_from_data,
)


def parse_spec(data: dict, source: str = "<memory>") -> AssignmentSpec:
    """An AssignmentSpec from already-parsed TOML data, validated."""
    return validate(spec_from_data(data, source))


def load_spec(path: str | Path) -> AssignmentSpec:
    """Read and validate a spec file; any problem raises SpecError naming the file."""
    return validate(read_spec(path))


def builtin_spec(assignment_id: str) -> AssignmentSpec:
    """A spec shipped with gdgrade: a course assignment (``04-adaptive``) or ``cs231n-optim``."""
    return load_spec(builtin_spec_path(assignment_id))


def validate(spec: AssignmentSpec) -> AssignmentSpec:
    """The spec itself, once every question fits its convention and every check its kind."""
    for question in spec.questions:
        where = Where(spec.source, question.id)
        if question.convention not in CONVENTIONS:
            raise where.error(
                "convention", f"must be one of {', '.join(sorted(CONVENTIONS))}, got {question.convention!r}"
            )
        CONVENTIONS[question.convention].validate(question, where)
        for index, check in enumerate(question.checks):
            _validate_check(
                question, check, index, Where(spec.source, question.id, f"check {index + 1} ({check.kind})")
            )
    return spec


def _validate_check(question: QuestionSpec, check: CheckSpec, index: int, where: Where) -> None:
    if check.kind not in CHECK_KINDS:
        raise where.error("kind", f"must be one of {', '.join(sorted(CHECK_KINDS))}, got {check.kind!r}")
    kind, family = CHECK_KINDS[check.kind], CONVENTIONS[question.convention].family
    _validate_options(check, kind.options, where)
    if family not in kind.families:
        message = f"{check.kind} checks do not apply to convention {question.convention} ({family})"
        raise where.error(f"checks[{index}].kind", message)
    for number, probe in enumerate(check.probes):
        try:
            for variant in extremes(probe):
                kind.validate_probe(variant, question)
        except (ValueError, KeyError, TypeError) as error:
            message = error.args[0] if error.args else repr(error)
            raise where.error(f"checks[{index}].probes[{number}]", str(message)) from None


def _validate_options(check: CheckSpec, options: dict, where: Where) -> None:
    """Each kind types its own options; anything else is not a known field."""
    allowed = _CHECK_FIELDS | set(options)
    for key, value in check.options.items():
        if key == "name":
            continue
        if key not in options:
            raise where.error(key, f"is not a known field; known: {', '.join(sorted(allowed))}")
        types = options[key] if isinstance(options[key], tuple) else (options[key],)
        if isinstance(value, bool) or not isinstance(value, types):
            raise where.error(key, f"must be {' or '.join(t.__name__ for t in types)}, got {value!r}")
