"""The boundary: the same numbers here and in a kernel, and every verdict decided by the grader."""

import json

import numpy as np
import pytest

from autograder.assignment import parse_spec
from autograder.engine.student_code import LocalStudent, Request, mutated_calls, question_data
from autograder.errors import SubmissionError
from autograder.sandbox.remote import Callbacks, describe, observed
from autograder.student.codec import decode, digest, encode
from autograder.student.endpoint import serve
from reference.problems import get_problem


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
REQUEST = Request("replay", QUESTION, ARGS)


def in_kernel(namespace, request=REQUEST):
    """What the kernel replies to a request, decoded as the grader decodes it."""
    question, args = question_data(request.question), encode(list(request.args))
    payload = {"operation": request.operation, "question": question, "args": args}
    reply = serve(namespace, decode(encode(payload)))
    return json.loads(json.dumps(reply))


def test_a_replay_gives_the_same_numbers_here_and_in_the_kernel():
    namespace = {"momentum_init": momentum_init, "momentum_step": momentum_step}
    here = LocalStudent(namespace).run(REQUEST)
    there = observed(in_kernel(namespace), REQUEST)
    np.testing.assert_array_equal(here.result, there.result)
    assert here.result.shape == (4, 2) and there.dtypes == {"float64"} and there.mutated == here.mutated == ()


def test_in_place_changes_are_decided_from_what_the_grader_sent():
    sloppy = {"momentum_init": momentum_init, "momentum_step": sloppy_step}
    reply = in_kernel(sloppy)
    assert observed(reply, REQUEST).mutated[0] == "momentum_step()"
    assert LocalStudent(sloppy).run(REQUEST).mutated[0] == "momentum_step()"
    # a kernel that claims every input came back unchanged, without the fingerprints to show it
    reply["inputs"] = [["momentum_step()", []]] * 3
    assert observed(reply, REQUEST).mutated  # the empty record is not what the grader sent
    reply["inputs"] = reply["inputs"][:1]
    with pytest.raises(SubmissionError, match="does not fit") as caught:
        observed(reply, REQUEST)
    assert caught.value.kind == "tampered"


def test_the_students_failures_come_back_as_data_with_a_kind():
    broken = {"momentum_init": momentum_init, "momentum_step": broken_step}
    reply = in_kernel(broken)
    assert reply["fault"]["kind"] == "raised" and "raised ZeroDivisionError: oops" in reply["fault"]["message"]
    with pytest.raises(SubmissionError, match="raised ZeroDivisionError") as caught:
        observed(reply, REQUEST)
    assert caught.value.kind == "raised"
    with pytest.raises(SubmissionError, match="momentum_init is not defined"):
        LocalStudent({"momentum_step": momentum_step}).run(REQUEST)


def test_replies_from_a_tampered_kernel_are_checked_before_use():
    good = in_kernel({"momentum_init": momentum_init, "momentum_step": momentum_step})
    for result, words in [
        (None, "got NoneType"),
        (encode(np.zeros((3, 2))), "shape (4, 2), got a float64 array of shape (3, 2)"),
        (encode(np.full((4, 2), 7, dtype=np.int64)), "expected a float array"),
        ({"__ndarray__": "AAAA", "dtype": "float64", "shape": [4, 2]}, "does not fit shape"),
        ({"__ndarray__": "!!", "dtype": "object", "shape": [1]}, "refusing array dtype"),
        ([[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]], "nested too deeply"),
    ]:
        with pytest.raises(SubmissionError, match=words.replace("(", r"\(").replace(")", r"\)")):
            observed({**good, "result": result}, REQUEST)
    with pytest.raises(SubmissionError, match="malformed"):
        observed({**good, "inputs": "everything is fine"}, REQUEST)
    with pytest.raises(SubmissionError, match="changed"):
        observed({**good, "tampered": "the grader's code in the kernel was changed"}, REQUEST)


def test_a_fingerprint_depends_on_dtype_shape_and_bytes():
    assert digest(np.zeros(2)) == digest(np.zeros(2)) != digest(np.zeros(3))
    assert digest(np.zeros(2)) != digest(np.zeros(2, dtype=np.float32)) != digest(np.zeros((2, 1)))
    assert mutated_calls(Request("schedule_lrs", QUESTION, ({}, 3)), np.zeros(3), [["x", ["y"]]]) == ()


def test_callbacks_answer_only_their_own_request_and_sane_arguments():
    problem = get_problem("linear-regression")
    callbacks = Callbacks("tok", {problem.name: problem})

    def ask(**question):
        base = {"token": "tok", "seq": 1, "surface": problem.name, "fn": "grad", "args": encode([np.zeros(2)])}
        return json.loads(callbacks.answer(json.dumps(base | question)))

    np.testing.assert_array_equal(decode(ask()["result"]), problem.grad(np.zeros(2)))
    assert "no running request" in ask(token="other")["error"]
    assert "no running request" in ask(surface="elliptic")["error"]
    assert "lends no function" in ask(fn="__class__")["error"]
    assert "2 numbers" in ask(args=encode([np.zeros(5)]))["error"]
    assert "example indices" in ask(fn="grad_on", args=encode([np.zeros(2), np.array([0, 999])]))["error"]
    assert "example indices" in ask(fn="grad_on", args=encode([np.zeros(2), np.array([0.5])]))["error"]
    assert ask(fn="grad_on", args=encode([np.zeros(2), np.array([0, 1])]))["seq"] == 1
    assert json.loads(callbacks.answer("not json"))["error"] and callbacks.answered == 2


def test_a_surface_lends_data_and_function_names_only():
    description = describe(get_problem("tiny-regression"))
    assert set(description) == {"name", "n_samples", "data", "functions"}
    assert description["functions"] == ["loss", "grad", "loss_on", "grad_on", "loss_and_grad"]
    json.dumps(encode(description))  # plain data: nothing callable crosses
