"""Student operations: the same numbers whether they run here or inside the kernel."""

import numpy as np
import pytest

from autograder.errors import SubmissionError
from autograder.guard import Guard
from autograder.kernel_runtime import decode, encode
from autograder.spec import parse_spec
from autograder.student_runs import OPERATIONS, kernel_side, question_data, student_run


def momentum_init(w):
    return np.zeros_like(w)


def momentum_step(w, g, v, lr=0.01, momentum=0.9):
    v = momentum * v + g
    return w - lr * v, v


def sloppy_step(w, g, v, lr=0.01, momentum=0.9):
    w -= lr * g  # changes the caller's array
    return w, v


def broken_step(w, g, v, lr=0.01, momentum=0.9):
    raise ZeroDivisionError("oops")


QUESTION = parse_spec(
    {
        "id": "t",
        "questions": [
            {
                "id": "sgd",
                "convention": "functional",
                "symbol": {"init": "momentum_init", "step": "momentum_step"},
                "reference": "sgd",
                "hparams": {"momentum": 0.9},
                "checks": [{"kind": "replay", "points": 1, "probes": [{"problem": "tricky", "steps": 3}]}],
            }
        ],
    }
).questions[0]
ARGS = ({"lr": 0.1, "momentum": 0.9}, np.ones((3, 2)), np.zeros(2), np.full(3, 0.1))


def in_kernel(namespace, operation, args):
    """What the kernel does with a request, with the reply decoded as the grader decodes it."""
    request = {"question": question_data(QUESTION), "operation": operation, "args": encode(list(args))}
    reply = kernel_side(namespace, decode(encode(request)))
    return reply, decode(reply.get("result"))


def test_a_replay_gives_the_same_numbers_here_and_in_the_kernel():
    namespace = {"momentum_init": momentum_init, "momentum_step": momentum_step}
    here = student_run(namespace, QUESTION, Guard(), "replay_params", *ARGS)
    reply, there = in_kernel(namespace, "replay_params", ARGS)
    np.testing.assert_array_equal(here, there)
    assert here.shape == (4, 2) and reply["dtypes"] == ["float64"] and reply["mutations"] == []


def test_in_place_changes_and_errors_come_back_as_data():
    sloppy = {"momentum_init": momentum_init, "momentum_step": sloppy_step}
    reply, _ = in_kernel(sloppy, "replay_params", ARGS)
    assert reply["mutations"] and "momentum_step()" in reply["mutations"][0]
    broken = {"momentum_init": momentum_init, "momentum_step": broken_step}
    reply, _ = in_kernel(broken, "replay_params", ARGS)
    assert "raised ZeroDivisionError" in reply["error"] and "oops" in reply["error"]
    with pytest.raises(SubmissionError, match="raised ZeroDivisionError"):
        student_run(broken, QUESTION, Guard(), "replay_params", *ARGS)


def test_each_operation_states_how_many_student_calls_it_makes():
    assert OPERATIONS["replay_params"].calls(*ARGS) == 4
    assert OPERATIONS["gradients_at"].calls("tricky", [np.zeros(2)] * 5) == 5
    assert OPERATIONS["epochs_of_batches"].calls(10, 3, 0, 4) == 4


def test_results_from_a_tampered_kernel_are_checked_before_use():
    replay = OPERATIONS["replay_params"]
    assert replay.flaw(np.zeros((4, 2)), ARGS) is None
    assert "shape (4, 2), got NoneType" in replay.flaw(None, ARGS)
    assert "got a float64 array of shape (3, 2)" in replay.flaw(np.zeros((3, 2)), ARGS)
    assert "got a <U1 array" in replay.flaw(np.array([["a", "b"]] * 4), ARGS)
    epochs = OPERATIONS["epochs_of_batches"]
    assert epochs.flaw([[np.arange(3), np.arange(2)]], ()) is None
    assert "list of epochs" in epochs.flaw({"x": 1}, ())
    assert "integer index arrays" in epochs.flaw([[np.zeros(3)]], ())
