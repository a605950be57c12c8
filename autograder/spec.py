"""Assignment specs: one TOML file per assignment, parsed into typed, frozen objects.

An instructor writes a new assignment as a spec, not Python::

    id = "my-adam"
    language = "ko"                      # feedback language: en or ko

    [[questions]]
    id = "adam"
    convention = "functional"            # how the student's code is called
    symbol = { init = "adam_init", step = "adam_step" }
    reference = "adam"                   # the reference it is graded against
    forbidden = ["torch.optim"]

    [[questions.checks]]
    kind = "replay"
    points = 4
    probes = [{ problem = "tricky", steps = 12, lr = 0.05 },
              { problem = "elliptic", steps = 10, grad_scale = 1e-6, hidden = true }]

This module only parses structure: types, required fields, ranges of plain values. It is
a leaf: what a check kind or a calling convention accepts is validated against their
registries by :mod:`autograder.assignment`, which is how specs are loaded. Any mistake in a
spec raises :class:`SpecError` at load, naming the file, the question, the check and the field.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import math
import sys
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from autograder.errors import SpecError
from autograder.hidden_draws import split_draws

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

LANGUAGES = ("en", "ko")


@dataclass(frozen=True)
class Tolerance:
    """``|s - r| <= atol + rtol * |r|``, elementwise (see :mod:`autograder.engine.compare`)."""

    rtol: float
    atol: float


@dataclass(frozen=True)
class ProbeSpec:
    """One probe: what the check runs on. Unused fields keep their defaults."""

    label: str
    hidden: bool = False
    problem: str | None = None
    steps: int = 10
    lr: float | None = None
    hparams: dict[str, Any] = field(default_factory=dict)
    schedule: tuple[str, dict[str, Any]] | None = None
    grad_scale: float = 1.0
    params: dict[str, Any] = field(default_factory=dict)
    draws: tuple = ()  # (path, Draw) pairs a hidden probe draws at grading time (see hidden_draws)


@dataclass(frozen=True)
class CheckSpec:
    """A check of one kind, its points, its probes and an optional tolerance override."""

    kind: str
    points: float
    probes: tuple[ProbeSpec, ...]
    tolerance: Tolerance | None = None
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """The check's display name."""
        return self.options.get("name", self.kind)


@dataclass(frozen=True)
class QuestionSpec:
    """A question: which student symbols, called how, graded against which reference."""

    id: str
    convention: str
    symbols: dict[str, str]
    reference: str
    checks: tuple[CheckSpec, ...]
    title: str = ""
    hparams: dict[str, Any] = field(default_factory=dict)
    names: dict[str, Any] = field(default_factory=dict)
    forbidden: tuple[str, ...] = ()
    accept: tuple[tuple[str, dict[str, Any]], ...] = ()
    time_limit: float = 10.0

    @property
    def points(self) -> float:
        """Total points of the question's checks."""
        return sum(check.points for check in self.checks)


@dataclass(frozen=True)
class AssignmentSpec:
    """A parsed assignment spec."""

    id: str
    title: str
    language: str
    questions: tuple[QuestionSpec, ...]
    source: str = "<memory>"
    preload: tuple[str, ...] | None = None  # modules kernels import before the submission arrives

    def fingerprint(self) -> str:
        """A hash of the spec's content (where it was loaded from does not count)."""
        text = json.dumps(asdict(self) | {"source": None}, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def question(self, question_id: str) -> QuestionSpec:
        """The question with this id; KeyError if there is none."""
        for question in self.questions:
            if question.id == question_id:
                return question
        raise KeyError(question_id)


class Where:
    """Builds SpecError messages that say exactly where the problem is."""

    def __init__(self, source: str, question: str | None = None, check: str | None = None):
        self.source, self.question, self.check = source, question, check

    def error(self, field_name: str, problem: str) -> SpecError:
        place = [self.source]
        if self.question:
            place.append(f"question {self.question!r}")
        if self.check:
            place.append(self.check)
        return SpecError(", ".join(place) + f", field {field_name!r}: {problem}")

    def get(self, table: dict, key: str, types, default: Any = ..., choices=None):
        if key not in table:
            if default is ...:
                raise self.error(key, "is required")
            return default
        value = table[key]
        if isinstance(value, bool) and bool not in (types if isinstance(types, tuple) else (types,)):
            raise self.error(key, f"must be {_type_names(types)}, got {value!r}")
        if not isinstance(value, types):
            raise self.error(key, f"must be {_type_names(types)}, got {value!r}")
        if choices is not None and value not in choices:
            raise self.error(key, f"must be one of {', '.join(map(str, choices))}, got {value!r}")
        return value

    def no_unknown(self, table: dict, allowed: set[str]) -> None:
        unknown = sorted(set(table) - allowed)
        if unknown:
            raise self.error(unknown[0], f"is not a known field; known: {', '.join(sorted(allowed))}")


def _type_names(types) -> str:
    names = {bool: "true or false", int: "an integer", float: "a number", str: "a string"}
    names.update({list: "a list", dict: "a table"})
    types = types if isinstance(types, tuple) else (types,)
    return " or ".join(names.get(t, t.__name__) for t in types)


_PROBE_FIELDS = {"label", "hidden", "problem", "steps", "lr", "hparams", "schedule", "grad_scale", "params"}


def _probe(table: Any, index: int, where: Where) -> ProbeSpec:
    if not isinstance(table, dict):
        raise where.error(f"probes[{index}]", "must be a table")
    where.no_unknown(table, _PROBE_FIELDS)
    low, high, draws = split_draws(table, where)
    if draws:
        _concrete_probe(high, index, where)  # the high ends must be valid values too
    return replace(_concrete_probe(low, index, where), draws=draws)


def _concrete_probe(table: dict, index: int, where: Where) -> ProbeSpec:
    steps = where.get(table, "steps", int, 10)
    if steps < 1:
        raise where.error("steps", f"must be >= 1, got {steps}")
    schedule = where.get(table, "schedule", dict, None)
    if schedule is not None:
        schedule = (where.get(schedule, "name", str), dict(where.get(schedule, "params", dict, {})))
    return ProbeSpec(
        label=where.get(table, "label", str, ""),  # none given: named in the spec's language (_named_probes)
        hidden=where.get(table, "hidden", bool, False),
        problem=where.get(table, "problem", str, None),
        steps=steps,
        lr=_learning_rate(table, where),
        hparams=_plain(where.get(table, "hparams", dict, {})),
        schedule=schedule,
        grad_scale=float(where.get(table, "grad_scale", (int, float), 1.0)),
        params=_plain(where.get(table, "params", dict, {})),
    )


def _learning_rate(table: dict, where: Where) -> float | None:
    """The probe's lr; None when it gives none (0 stays 0: it is never read as "the default")."""
    if "lr" not in table:
        return None
    lr = float(where.get(table, "lr", (int, float)))
    if not math.isfinite(lr) or lr < 0:
        raise where.error("lr", f"must be a number >= 0, got {lr!r}")
    return lr


def _plain(table: dict) -> dict:
    """TOML arrays become tuples for betas-like values, so hyperparameters stay hashable."""
    return {key: tuple(value) if isinstance(value, list) else value for key, value in table.items()}


_CHECK_FIELDS = {"kind", "points", "probes", "rtol", "atol", "name"}  # a kind's own options come on top


def _tolerance(table: dict, where: Where) -> Tolerance | None:
    if "rtol" not in table and "atol" not in table:
        return None
    values = {key: float(where.get(table, key, (int, float), 0.0)) for key in ("rtol", "atol")}
    for key, value in values.items():
        if not math.isfinite(value) or value < 0:
            raise where.error(key, f"must be a number >= 0, got {value!r}")
    return Tolerance(values["rtol"], values["atol"])


def _check(table: Any, index: int, where: Where) -> CheckSpec:
    if not isinstance(table, dict):
        raise where.error(f"checks[{index}]", "must be a table")
    kind = where.get(table, "kind", str)
    where = Where(where.source, where.question, f"check {index + 1} ({kind})")
    points = float(where.get(table, "points", (int, float)))
    if points < 0:
        raise where.error("points", f"must be >= 0, got {points}")
    probes = where.get(table, "probes", list)
    if not probes:
        raise where.error("probes", "needs at least one probe")
    options = {key: value for key, value in table.items() if key not in _CHECK_FIELDS - {"name"}}
    if "name" in options:
        where.get(table, "name", str)
    probes = tuple(_probe(p, i, where) for i, p in enumerate(probes))
    return CheckSpec(kind, points, probes, _tolerance(table, where), options)


_QUESTION_FIELDS = {
    "id", "title", "convention", "symbol", "reference", "hparams", "names",
    "forbidden", "accept", "time_limit", "checks",
}  # fmt: skip


def _symbols(table: dict, where: Where) -> dict[str, str]:
    symbol = where.get(table, "symbol", (str, dict))
    if isinstance(symbol, str):
        return {"main": symbol}
    for role, name in symbol.items():
        if not isinstance(name, str) or not name.isidentifier():
            raise where.error(f"symbol.{role}", f"must be a Python name, got {name!r}")
    return dict(symbol)


def _accepted(table: dict, where: Where) -> tuple:
    alternatives = []
    for index, entry in enumerate(where.get(table, "accept", list, [])):
        if not isinstance(entry, dict):
            raise where.error(f"accept[{index}]", "must be a table with reference and hparams")
        alternatives.append((where.get(entry, "reference", str), _plain(where.get(entry, "hparams", dict, {}))))
    return tuple(alternatives)


def _question(table: Any, index: int, source: str) -> QuestionSpec:
    if not isinstance(table, dict):
        raise SpecError(f"{source}, questions[{index}]: must be a table")
    where = Where(source, table.get("id", f"#{index + 1}"))
    where.no_unknown(table, _QUESTION_FIELDS)
    checks = where.get(table, "checks", list)
    if not checks:
        raise where.error("checks", "needs at least one check")
    question = QuestionSpec(
        id=where.get(table, "id", str),
        title=where.get(table, "title", str, ""),
        convention=where.get(table, "convention", str),
        symbols=_symbols(table, where),
        reference=where.get(table, "reference", str),
        checks=tuple(_check(c, i, where) for i, c in enumerate(checks)),
        hparams=_plain(where.get(table, "hparams", dict, {})),
        names=dict(where.get(table, "names", dict, {})),
        forbidden=tuple(where.get(table, "forbidden", list, [])),
        accept=_accepted(table, where),
        time_limit=_positive(where, table, "time_limit", 10.0),
    )
    return question


def _positive(where: Where, table: dict, key: str, default: float) -> float:
    value = float(where.get(table, key, (int, float), default))
    if not math.isfinite(value) or value <= 0:
        raise where.error(key, f"must be a positive number of seconds, got {value!r}")
    return value


def spec_from_data(data: dict, source: str = "<memory>") -> AssignmentSpec:
    """The structure of an AssignmentSpec from already-parsed TOML data (not validated against
    the registries: :func:`autograder.assignment.parse_spec` does both)."""
    where = Where(source)
    where.no_unknown(data, {"id", "title", "language", "questions", "preload"})
    questions = where.get(data, "questions", list)
    if not questions:
        raise where.error("questions", "needs at least one question")
    language = where.get(data, "language", str, "en", choices=LANGUAGES)
    parsed = _named_probes(tuple(_question(q, i, source) for i, q in enumerate(questions)), language)
    ids = [q.id for q in parsed]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise where.error("questions", f"question id {duplicates[0]!r} is used twice")
    return AssignmentSpec(
        id=where.get(data, "id", str),
        title=where.get(data, "title", str, ""),
        language=language,
        questions=parsed,
        source=source,
        preload=_preload(data, where),
    )


DEFAULT_PROBE_LABELS = {"en": "probe {number}", "ko": "검사 {number}"}


def _named_probes(questions: tuple[QuestionSpec, ...], language: str) -> tuple[QuestionSpec, ...]:
    """The questions with every probe that has no label named by its place in its check, in ``language``."""
    template = DEFAULT_PROBE_LABELS.get(language, DEFAULT_PROBE_LABELS["en"])

    def named(check: CheckSpec) -> CheckSpec:
        probes = tuple(probe if probe.label else replace(probe, label=template.format(number=index + 1))
                       for index, probe in enumerate(check.probes))  # fmt: skip
        return replace(check, probes=probes)

    return tuple(replace(question, checks=tuple(named(check) for check in question.checks)) for question in questions)


def _preload(data: dict, where: Where) -> tuple[str, ...] | None:
    if "preload" not in data:
        return None
    modules = where.get(data, "preload", list)
    for module in modules:
        if not isinstance(module, str) or not all(part.isidentifier() for part in module.split(".")):
            raise where.error("preload", f'must list module names such as "numpy", got {module!r}')
    return tuple(modules)


def read_spec(path: str | Path) -> AssignmentSpec:
    """Read a spec file's structure; any problem raises SpecError naming the file."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise SpecError(f"{path}: cannot read the spec: {error.strerror or error}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise SpecError(f"{path}: not valid TOML: {error}") from None
    return spec_from_data(data, str(path))


BUILTIN_SPECS = Path(__file__).parent / "specs"


def builtin_spec_path(assignment_id: str) -> Path:
    """Where a spec shipped with gdgrade lives: a course assignment (``04-adaptive``) or ``cs231n-optim``."""
    from assignments import ASSIGNMENTS, spec_path

    if assignment_id in ASSIGNMENTS:
        return spec_path(assignment_id)
    path = BUILTIN_SPECS / f"{assignment_id}.toml"
    if not path.is_file():
        known = builtin_ids()
        near = difflib.get_close_matches(assignment_id, known, n=1, cutoff=0.5)
        hint = f"did you mean {near[0]}? " if near else ""
        raise SpecError(f"no built-in assignment {assignment_id!r}; {hint}built-in: {', '.join(known)}")
    return path


def builtin_ids() -> list[str]:
    """The ids of every spec shipped with gdgrade."""
    from assignments import ASSIGNMENTS

    return [*ASSIGNMENTS, *sorted(p.stem for p in BUILTIN_SPECS.glob("*.toml"))]
