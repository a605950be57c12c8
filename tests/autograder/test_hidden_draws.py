"""Hidden probes drawn from a course secret: reproducible, secret, always valid."""

import pytest

from assignments import ASSIGNMENTS
from autograder.assignment import builtin_spec, parse_spec
from autograder.engine.grade import grade
from autograder.errors import SpecError
from autograder.hidden_draws import grading_secret, has_draws, with_drawn_probes
from tests.assignments.helpers import solution_namespace


def _spec(probe: dict) -> dict:
    question = {"id": "sgd", "convention": "functional", "symbol": {"init": "i", "step": "s"}, "reference": "sgd",
                "checks": [{"kind": "replay", "points": 1, "probes": [probe]}]}  # fmt: skip
    return {"id": "d", "questions": [question]}


def _drawn(secret: str):
    spec = parse_spec(_spec({"problem": {"one_of": ["tricky", "elliptic"]}, "steps": {"between": [5, 9]},
                             "lr": {"between": [1e-3, 1e-1], "log": True}, "hidden": True}))  # fmt: skip
    return with_drawn_probes(spec, secret).questions[0].checks[0].probes[0]


def test_the_same_secret_draws_the_same_values_and_another_secret_others():
    first, again, other = _drawn("course-a"), _drawn("course-a"), _drawn("course-b")
    assert first == again and not first.draws
    assert (first.problem, first.steps, first.lr) != (other.problem, other.steps, other.lr)
    assert first.problem in ("tricky", "elliptic") and 5 <= first.steps <= 9 and 1e-3 <= first.lr <= 1e-1
    assert isinstance(first.steps, int)


@pytest.mark.parametrize(
    "probe, words",
    [
        ({"problem": "tricky", "lr": {"between": [0.01, 0.1]}}, "only hidden probes may draw"),
        ({"problem": "tricky", "lr": {"between": [0.1, 0.01]}, "hidden": True}, "low <= high"),
        ({"problem": "tricky", "lr": {"between": [0, 0.1], "log": True}, "hidden": True}, "> 0 for log"),
        ({"problem": {"one_of": []}, "hidden": True}, "non-empty list"),
        ({"problem": {"one_of": ["tricky", "nowhere"]}, "hidden": True}, "unknown problem 'nowhere'"),
        ({"problem": "tricky", "steps": {"between": [0, 3]}, "hidden": True}, "must be >= 1"),
    ],
)
def test_a_bad_draw_is_a_spec_error_naming_the_field(probe, words):
    with pytest.raises(SpecError, match=words):
        parse_spec(_spec(probe))


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_drawn_hidden_probe_keeps_the_solution_at_full_marks(assignment):
    spec = builtin_spec(assignment)
    for secret in ("s1", "s2", "s3"):
        result = grade(with_drawn_probes(spec, secret), solution_namespace(assignment))
        assert result.score == result.max_score, [c.message for c in result.checks if not c.passed]


def test_built_in_specs_draw_their_hidden_probes():
    assert all(has_draws(builtin_spec(assignment)) for assignment in ASSIGNMENTS)
    assert has_draws(builtin_spec("cs231n-optim"))


def test_the_secret_comes_from_a_file_the_environment_or_a_file_made_on_first_use(tmp_path, monkeypatch):
    monkeypatch.delenv("GDGRADE_SECRET", raising=False)
    made = tmp_path / "course" / "secret"
    first = grading_secret(course_secret=made)
    assert grading_secret(course_secret=made) == first and oct(made.stat().st_mode & 0o777) == "0o600"
    monkeypatch.setenv("GDGRADE_SECRET", "from-env")
    assert grading_secret(course_secret=made) == "from-env"
    given = tmp_path / "given"
    given.write_text("mine\n")
    assert grading_secret(given) == "mine"
    with pytest.raises(ValueError, match="does not exist"):
        grading_secret(tmp_path / "missing")
