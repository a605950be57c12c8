"""A check shows the table and plot of the probe its message names, and says which probe that is."""

from autograder.assignment import parse_spec
from autograder.engine.grade import grade
from autograder.results import CheckResult
from tests.engine.test_named_mistakes import ADAM, _efficient_adam
from tests.support import synthetic

SHORT = {"label": "plain, 10 steps", "problem": "tricky", "steps": 10, "lr": 0.05}
# tiny gradients tell Adam's efficient form from the reference: only this probe needs the accepted form
LONG = {"label": "tiny gradients, 60 steps", "problem": "elliptic", "steps": 60, "lr": 0.05, "grad_scale": 1e-6}


def _check(long_hidden: bool) -> CheckResult:
    probes = [SHORT, {**LONG, "hidden": long_hidden}]
    question = {"id": "q", "convention": "functional", "symbol": synthetic.FUNCTIONAL, "reference": "adam",
                "hparams": ADAM, "accept": [{"reference": "adam-efficient"}],
                "checks": [{"kind": "replay", "points": 1, "probes": probes}]}  # fmt: skip
    return grade(parse_spec({"id": "shown", "questions": [question]}), _efficient_adam()).checks[0]


def test_a_passing_check_plots_the_probe_its_note_names():
    check = _check(long_hidden=False)
    assert check.passed and f"{LONG['label']}: matches adam-efficient" in check.message
    assert check.shown_probe == LONG["label"]
    assert len(check.series["student"]) == LONG["steps"] + 1 and check.series["problem"] == "elliptic"


def test_a_hidden_probe_s_note_names_nothing_and_the_public_probe_is_shown():
    check = _check(long_hidden=True)
    assert check.passed and check.message == "passed (2 probes)"  # the hidden label stays secret
    assert check.shown_probe == SHORT["label"] and len(check.series["student"]) == SHORT["steps"] + 1


def test_the_shown_probe_survives_the_result_json():
    stored = _check(long_hidden=False).to_json()
    assert stored["shown_probe"] == LONG["label"] and CheckResult.from_json(stored).shown_probe == LONG["label"]
    older = {key: value for key, value in stored.items() if key != "shown_probe"}  # a result written before it
    assert CheckResult.from_json(older).shown_probe is None


def test_a_public_failure_is_reported_even_when_a_hidden_probe_fails_first():
    wrong = synthetic.functional_student(synthetic.reference_factory("adam"))
    step = wrong["opt_step"]
    wrong["opt_step"] = lambda w, g, state, lr=1e-3, **hparams: step(w, g, state, lr=2 * lr, **hparams)
    probes = [{**LONG, "hidden": True, "grad_scale": 1.0}, SHORT]
    question = {"id": "q", "convention": "functional", "symbol": synthetic.FUNCTIONAL, "reference": "adam",
                "hparams": ADAM, "checks": [{"kind": "replay", "points": 1, "probes": probes}]}  # fmt: skip
    check = grade(parse_spec({"id": "order", "questions": [question]}), wrong).checks[0]
    assert not check.passed and not check.hidden_failure
    assert check.message.startswith(SHORT["label"]) and check.shown_probe == SHORT["label"]
