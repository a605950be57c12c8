"""A Korean assignment's feedback is Korean: messages, cell problems and the page around them."""

import html
import re
from types import SimpleNamespace

import nbformat
import numpy as np
import pytest

from assignments import source_notebook
from autograder.assignment import builtin_spec
from autograder.engine.student_code import Request, check_result, mutated_calls
from autograder.errors import SubmissionError
from autograder.messages import localise
from autograder.reports.html import html_report
from autograder.sandbox.backends import Limits, Sandbox, preload_for
from autograder.sandbox.remote import RemoteSession
from autograder.submission import grade_submission
from tests.student.test_boundary import REQUEST, in_kernel, momentum_init, momentum_step

ASSIGNMENT = "04-adaptive"
# Words that stay as they are: Python's own names, and the identifiers of the spec and reference.
KEPT = re.compile(r"[\w.]*_[\w.]*(\(\))?|\w+\(\)|\w+Error|\b(gdgrade|lr|input|student)\b")


def _broken_notebook(path):
    """Adam without bias correction, an unfilled stub, a missing function, input() and a raise."""
    notebook = nbformat.read(source_notebook(ASSIGNMENT), as_version=4)
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        if "def adam_step" in cell.source:
            cell.source = cell.source.replace("m_hat", "m").replace("v_hat", "v")
        if "def adagrad_step" in cell.source:
            stub = "def adagrad_step(w, g, state, lr=0.01, eps=1e-10):\n    raise NotImplementedError\n"
            cell.source = cell.source.split("def adagrad_step")[0] + stub
        cell.source = cell.source.replace("def rmsprop_step", "def rmsprop_update")
    asks, raises = "name = input('name?')", "raise KeyError(7)"
    notebook.cells[3:3] = [nbformat.v4.new_code_cell(asks), nbformat.v4.new_code_cell(raises)]
    nbformat.write(notebook, path)
    return path


@pytest.fixture(scope="module")
def shown(tmp_path_factory):
    """Everything the student reads: the error, each cell problem, each check, and the page's text."""
    spec = builtin_spec(ASSIGNMENT)
    path = _broken_notebook(tmp_path_factory.mktemp("korean") / "student.ipynb")
    sandbox = Sandbox("bwrap", Limits(cell_timeout=30), preload=preload_for(spec))
    result = grade_submission(path, spec, sandbox)
    tags = re.sub(r"<style.*?</style>|<img[^>]*>|<[^>]+>", " ", html_report(result, language="ko"), flags=re.S)
    page = html.unescape(tags)  # the text as the browser shows it (&quot; is a quote, not a word)
    issues = [issue["message"] for issue in result.execution["issues"]]
    messages = [result.error or "", *issues, *(check.message for check in result.checks)]
    return spec, result, messages, page


@pytest.mark.sandbox
def test_every_message_and_the_page_are_korean(shown):
    spec, result, messages, page = shown
    identifiers = {q.id for q in spec.questions} | {c.kind for q in spec.questions for c in q.checks}
    identifiers |= {p.problem for q in spec.questions for c in q.checks for p in c.probes if p.problem}
    identifiers |= {"closed", "loop", "adaptive", result.student}
    for text in [*messages, page]:
        words = re.findall(r"[A-Za-z]{2,}", KEPT.sub(" ", text))
        english = [word for word in words if word not in identifiers]
        assert english == [], f"English in a Korean assignment's feedback: {english} in {text[:300]!r}"
    assert any("아직 구현되지 않았습니다" in m for m in messages) and any("키보드 입력" in m for m in messages)
    assert any("rmsprop_step" in m and "정의되어 있지 않습니다" in m for m in messages)


@pytest.mark.sandbox
def test_no_message_says_a_sentence_twice_or_a_ratio_of_nothing(shown):
    _, _, messages, _ = shown
    for message in messages:
        sentences = [s.strip() for s in re.split(r"(?<=[.다])\s+", message) if s.strip()]
        assert len(sentences) == len(set(sentences)), message
        assert not re.search(r"\b0배|inf배|\b0x\b|infx", message), message


# --- what the grader says about a result and about the kernel, through localise ------------------------
# Python's and numpy's names for what came back stay as they are: they are what the student's code returned.
RETURNED = {"float", "int", "str", "NoneType", "list", "Stepper"}


def _question(assignment: str, question: str):
    return next(q for q in builtin_spec(assignment).questions if q.id == question)


def _refused(request: Request, result) -> str:
    with pytest.raises(SubmissionError) as caught:
        check_result(request, result)
    return str(caught.value)


def _result_faults() -> list[str]:
    """Every flaw check_result finds, and the tampering mutated_calls finds, as the grader words them."""
    adam, batches = _question("04-adaptive", "adam"), _question("02-minibatch", "make_batches")
    runner, predict = _question("02-minibatch", "minibatch_gd"), _question("01-gradient-descent", "predict")
    replay = Request("replay", adam, ({}, np.ones((3, 2)), np.zeros(2), np.full(3, 0.1)))
    epochs = Request("epochs_of_batches", batches, (10, 3, 0, 2))
    cases = Request("call_each", predict, ([(np.zeros(2), np.zeros(3))] * 2,))
    run = Request("batch_run", runner, (None, 0.1, {"batches": [[0, 1]], "epochs": 1}, np.zeros(2)))
    faults = [_refused(replay, None), _refused(replay, np.zeros((3, 2))), _refused(replay, np.zeros((4, 2), int)),
              _refused(epochs, "x"), _refused(epochs, [[[0, 1]], [[2]]]), _refused(cases, [np.zeros(3)]),
              _refused(cases, [np.zeros(3), "y"]), _refused(run, None)]  # fmt: skip
    with pytest.raises(SubmissionError) as caught:
        mutated_calls(replay, np.zeros((4, 2)), [])
    return [*faults, str(caught.value)]


def _kernel_fault() -> str:
    """What the kernel's endpoint says of a value that cannot cross the boundary (a stepper object)."""
    read = Request("read_value", REQUEST.question, ())
    return in_kernel({"momentum_init": momentum_init, "momentum_step": momentum_step}, read)["fault"]["message"]


def _attach_fault(outcome) -> str:
    session = RemoteSession(SimpleNamespace(run_extra=lambda *args, **options: outcome), 30)
    with pytest.raises(SubmissionError) as caught:
        session.install()
    return str(caught.value)


def _english(text: str) -> list[str]:
    return [w for w in re.findall(r"[A-Za-z]{2,}", KEPT.sub(" ", text)) if w not in RETURNED]


def test_what_the_grader_finds_wrong_with_a_result_is_said_in_korean():
    faults = [*_result_faults(), _kernel_fault()]
    assert len(faults) >= 10 and any("expected a float array of shape (4, 2)" in f for f in faults)
    for fault in faults:
        korean = localise(fault, "ko")
        assert re.search("[가-힣]", korean) and _english(korean) == [], f"{fault!r} became {korean!r}"
    assert "모양이 (4, 2)인 float 배열이어야 하는데 모양이 (3, 2)인 float64 배열입니다" in localise(faults[1], "ko")


def test_a_kernel_the_grader_cannot_attach_to_is_said_in_korean_with_the_kernels_own_words_kept():
    stalled = _attach_fault(SimpleNamespace(error=None, timed_out=True))
    broken = _attach_fault(SimpleNamespace(error=("NameError", "name 'json' is not defined", []), timed_out=False))
    assert stalled.startswith("the grader could not attach to the kernel")
    korean = localise(stalled, "ko")
    assert korean.startswith("채점기가 커널에 연결하지 못했습니다: ") and _english(korean) == [], korean
    assert localise(broken, "ko") == "채점기가 커널에 연결하지 못했습니다: name 'json' is not defined"
