"""Hidden probes whose values are drawn at grading time, from a secret the course keeps.

The built-in specs ship with gdgrade, so a student can read every probe in them. A hidden
probe may therefore give a *range* instead of a value, and the grader draws the value
from the course secret when it grades::

    { label = "hidden", problem = { one_of = ["tricky", "elliptic"] }, steps = 12,
      lr = { between = [0.005, 0.05], log = true }, hparams = { momentum = { between = [0.5, 0.9] } },
      hidden = true }

Knowing the spec tells a student the ranges, not the values, so outputs cannot be hard-coded.
The same secret always draws the same values (results stay reproducible); a different
secret draws others. Public probes never draw: the student must be able to see them.

Draws may stand for ``problem``, ``steps``, ``lr``, ``grad_scale`` and any single value in
``hparams``, ``params`` and ``schedule.params``. Both ends of every range are validated at load.
"""

from __future__ import annotations

import copy
import hashlib
import math
import os
import random
import secrets
from dataclasses import dataclass, replace
from pathlib import Path

from autograder.errors import UsageError

DRAWABLE = ("problem", "steps", "lr", "grad_scale")
NESTED = ("hparams", "params")
PUBLIC_SECRET = "gdgrade-public-draw"  # library use without a secret: reproducible, but not secret


@dataclass(frozen=True)
class Draw:
    """A value drawn at grading time: uniform (or log-uniform) between two ends, or one of a list."""

    low: float | int | None = None
    high: float | int | None = None
    log: bool = False
    choices: tuple = ()

    def value(self, rng: random.Random):
        """The value for one draw from ``rng``."""
        if self.choices:
            return rng.choice(self.choices)
        if isinstance(self.low, int) and isinstance(self.high, int):
            return rng.randint(self.low, self.high)
        if self.log:
            return math.exp(rng.uniform(math.log(self.low), math.log(self.high)))
        return rng.uniform(self.low, self.high)

    def ends(self) -> tuple:
        """The two extreme values, for validating the spec at load."""
        return (self.choices[0], self.choices[-1]) if self.choices else (self.low, self.high)


def is_draw(value) -> bool:
    """Whether a TOML value asks for a draw (``{ between = ... }`` or ``{ one_of = ... }``)."""
    return isinstance(value, dict) and bool(value) and set(value) <= {"between", "log", "one_of"}


def parse_draw(value: dict, field: str, where) -> Draw:
    """A Draw from its TOML table; SpecError naming the field when it is malformed."""
    if "one_of" in value:
        choices = value["one_of"]
        if set(value) != {"one_of"} or not isinstance(choices, list) or not choices:
            raise where.error(field, "one_of must be a non-empty list, alone")
        return Draw(choices=tuple(choices))
    ends, log = value.get("between"), value.get("log", False)
    numbers = isinstance(ends, list) and len(ends) == 2 and all(_number(e) for e in ends)
    if not numbers or ends[0] > ends[1] or not isinstance(log, bool) or (log and ends[0] <= 0):
        problem = "between must be [low, high] numbers with low <= high (and > 0 for log)"
        raise where.error(field, f"{problem}, got {ends!r}")
    return Draw(low=ends[0], high=ends[1], log=log)


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _paths(table: dict):
    """(path, value) for every place in a probe table that may hold a draw."""
    for key in DRAWABLE:
        if key in table:
            yield (key,), table[key]
    for group in NESTED:
        if isinstance(table.get(group), dict):
            yield from (((group, key), value) for key, value in table[group].items())
    schedule = table.get("schedule")
    if isinstance(schedule, dict) and isinstance(schedule.get("params"), dict):
        yield from ((("schedule", "params", key), value) for key, value in schedule["params"].items())


def split_draws(table: dict, where) -> tuple[dict, dict, tuple]:
    """The probe table at the low ends and at the high ends of its draws, and the draws themselves."""
    draws = tuple((path, parse_draw(value, ".".join(path), where)) for path, value in _paths(table) if is_draw(value))
    if draws and table.get("hidden") is not True:
        raise where.error(".".join(draws[0][0]), "only hidden probes may draw their values; public ones are shown")
    low, high = copy.deepcopy(table), copy.deepcopy(table)
    for path, draw in draws:
        _put(low, path, draw.ends()[0])
        _put(high, path, draw.ends()[1])
    return low, high, draws


def _put(table: dict, path: tuple, value) -> None:
    for key in path[:-1]:
        table = table[key]
    table[path[-1]] = value


def drawn_probe(probe, rng: random.Random, choose=None):
    """A copy of a ProbeSpec with every draw replaced by a value from ``rng`` (or ``choose(draw)``)."""
    changes, nested = {}, {group: dict(getattr(probe, group)) for group in NESTED}
    schedule = (probe.schedule[0], dict(probe.schedule[1])) if probe.schedule else None
    for path, draw in probe.draws:
        value = choose(draw) if choose else draw.value(rng)
        if len(path) == 1:
            changes[path[0]] = float(value) if path[0] in ("lr", "grad_scale") else value
        elif path[0] in NESTED:
            nested[path[0]][path[1]] = value
        else:
            schedule[1][path[2]] = value
    return replace(probe, **changes, **nested, schedule=schedule, draws=())


def extremes(probe) -> list:
    """The probe at both ends of all its draws (just the probe when it draws nothing)."""
    if not probe.draws:
        return [probe]
    return [drawn_probe(probe, None, lambda draw, end=end: draw.ends()[end]) for end in (0, 1)]


def with_drawn_probes(spec, secret: str):
    """The spec with every hidden probe's draws made, reproducibly, from ``secret``."""
    questions = []
    for question in spec.questions:
        checks = []
        for c, check in enumerate(question.checks):
            probes = tuple(
                drawn_probe(probe, _rng(secret, spec.id, question.id, c, p)) if probe.draws else probe
                for p, probe in enumerate(check.probes)
            )
            checks.append(replace(check, probes=probes))
        questions.append(replace(question, checks=tuple(checks)))
    return replace(spec, questions=tuple(questions))


def has_draws(spec) -> bool:
    """Whether any probe of the spec still waits for its draws."""
    return any(probe.draws for question in spec.questions for check in question.checks for probe in check.probes)


def _rng(secret: str, *where) -> random.Random:
    seed = hashlib.sha256("|".join(map(str, (secret, *where))).encode()).digest()
    return random.Random(int.from_bytes(seed[:8], "big"))


def secret_digest(secret: str) -> str:
    """A short fingerprint of a secret: results record this, never the secret."""
    return hashlib.sha256(f"gdgrade-secret|{secret}".encode()).hexdigest()[:16]


SECRET_ENV = "GDGRADE_SECRET"


def user_secret_path() -> Path:
    """The grading user's own secret, used when neither a file nor a course gives one."""
    base = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(base) / "gdgrade" / "secret"


def read_or_create_secret(path: Path) -> str:
    """The secret kept in ``path``, created (readable by its owner only) on first use."""
    path = Path(path)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(secrets.token_hex(32) + "\n")
    text = path.read_text(encoding="utf-8").strip()
    if not text:
        raise UsageError(f"the secret file {path} is empty")
    return text


def grading_secret(secret_file: Path | None = None, course_secret: Path | None = None) -> str:
    """The secret hidden probes are drawn from: ``--secret-file``, then $GDGRADE_SECRET, then the
    course's ``gdgrade/secret``, then the grading user's own (created on first use)."""
    if secret_file is not None:
        if not Path(secret_file).is_file():
            raise UsageError(f"--secret-file {secret_file} does not exist")
        return read_or_create_secret(secret_file)
    if os.environ.get(SECRET_ENV):
        return os.environ[SECRET_ENV]
    return read_or_create_secret(course_secret if course_secret is not None else user_secret_path())
