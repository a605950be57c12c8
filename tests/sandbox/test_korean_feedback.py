"""A Korean assignment's feedback is Korean: messages, cell problems and the page around them."""

import re

import nbformat
import pytest

from assignments import source_notebook
from autograder.assignment import builtin_spec
from autograder.reports.html import html_report
from autograder.sandbox.backends import Limits, Sandbox, preload_for
from autograder.submission import grade_submission

pytestmark = pytest.mark.sandbox
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
    page = re.sub(r"<style.*?</style>|<img[^>]*>|<[^>]+>", " ", html_report(result, language="ko"), flags=re.S)
    issues = [issue["message"] for issue in result.execution["issues"]]
    messages = [result.error or "", *issues, *(check.message for check in result.checks)]
    return spec, result, messages, page


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


def test_no_message_says_a_sentence_twice_or_a_ratio_of_nothing(shown):
    _, _, messages, _ = shown
    for message in messages:
        sentences = [s.strip() for s in re.split(r"(?<=[.다])\s+", message) if s.strip()]
        assert len(sentences) == len(set(sentences)), message
        assert not re.search(r"\b0배|inf배|\b0x\b|infx", message), message
