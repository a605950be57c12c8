"""A check kind registered from outside gdgrade is validated and graded like a built-in one."""

import numpy as np
import pytest

from autograder.assignment import parse_spec
from autograder.engine.checks import CHECK_KINDS, register
from autograder.engine.grade import grade
from autograder.engine.probe import ProbeOutcome, observe, require
from autograder.errors import SpecError

KIND = "norm-at-most"


def _norm_probe(check, probe, question, student_code, language) -> ProbeOutcome:
    value = observe(student_code, "read_value", question).result
    bound = probe.params["bound"] * check.options.get("scale", 1.0)
    norm = float(np.linalg.norm(value))
    return ProbeOutcome(probe, norm <= bound, f"{probe.label}: norm {norm:g}, at most {bound:g}")


def _validate(probe, question) -> None:
    require(isinstance(probe.params.get("bound"), (int, float)), "bound must be a number")


@pytest.fixture
def custom_kind():
    register(KIND, ("value",), _norm_probe, _validate, options={"scale": float})
    yield KIND
    del CHECK_KINDS[KIND]


def _spec(check: dict):
    question = {"id": "small", "convention": "variable", "symbol": "w", "reference": "lesson",
                "checks": [check | {"points": 2}]}  # fmt: skip
    return parse_spec({"id": "custom", "questions": [question]})


def test_a_registered_kind_is_graded(custom_kind):
    spec = _spec({"kind": custom_kind, "scale": 2.0, "probes": [{"label": "norm", "params": {"bound": 1.0}}]})
    assert grade(spec, {"w": np.array([1.0, 1.0])}).score == 2
    failed = grade(spec, {"w": np.array([3.0, 0.0])})
    assert failed.score == 0 and "norm 3, at most 2" in failed.checks[0].message


def test_a_registered_kind_validates_its_probes_and_options_at_load(custom_kind):
    with pytest.raises(SpecError, match="bound must be a number"):
        _spec({"kind": custom_kind, "probes": [{"label": "norm", "params": {"bound": "big"}}]})
    with pytest.raises(SpecError, match="scale"):
        _spec({"kind": custom_kind, "scale": "twice", "probes": [{"label": "norm", "params": {"bound": 1.0}}]})
    with pytest.raises(SpecError, match="window"):
        _spec({"kind": custom_kind, "window": 3, "probes": [{"label": "norm", "params": {"bound": 1.0}}]})


def test_an_unregistered_kind_is_a_spec_error():
    with pytest.raises(SpecError, match=KIND):
        _spec({"kind": KIND, "probes": [{"label": "norm", "params": {"bound": 1.0}}]})


def test_the_public_api_is_reached_from_the_package(custom_kind):
    import autograder

    assert autograder.register_check_kind is register and "grade" in dir(autograder)
    spec = _spec({"kind": custom_kind, "probes": [{"label": "n", "params": {"bound": 1.0}}]})
    assert autograder.grade(spec, {"w": np.zeros(3)}).score == 2
    with pytest.raises(AttributeError, match="no attribute 'grading'"):
        autograder.grading  # noqa: B018
