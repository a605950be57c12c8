"""The six assignment notebooks: nbgrader structure, release, and grading in the sandbox."""

import json
import shutil
from pathlib import Path

import nbformat
import pytest

from assignments import ASSIGNMENTS, source_notebook
from autograder.assignment import builtin_spec
from autograder.batch import grade_batch
from autograder.course.release import release_assignment
from autograder.sandbox.backends import Limits, Sandbox


def _cells(notebook, kind: str):
    cells = [c for c in notebook.cells if "nbgrader" in c.metadata]
    if kind == "test":
        return [c for c in cells if c.metadata.nbgrader["grade"] and not c.metadata.nbgrader["solution"]]
    return [c for c in cells if c.metadata.nbgrader["solution"]]


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_source_notebook_matches_its_spec(assignment):
    notebook = nbformat.read(source_notebook(assignment), as_version=4)
    nbformat.validate(notebook)
    spec = builtin_spec(assignment)
    assert notebook.metadata["gdgrade"]["assignment"] == assignment == spec.id
    tests = {cell.metadata.nbgrader["grade_id"]: cell for cell in _cells(notebook, "test")}
    assert set(tests) == {question.id for question in spec.questions}
    for question in spec.questions:
        cell = tests[question.id]
        assert cell.metadata.nbgrader["points"] == question.points
        assert f'check("{question.id}")' in cell.source
        assert "HIDDEN TESTS" not in cell.source  # hidden probes are graded outside the kernel, never in it
    solutions = "\n".join(cell.source for cell in _cells(notebook, "solution"))
    for name in {symbol for question in spec.questions for symbol in question.symbols.values()}:
        assert f"def {name}(" in solutions or f"class {name}(" in solutions, name
    assert solutions.count("### BEGIN SOLUTION") == solutions.count("### END SOLUTION") >= len(spec.questions)


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    """Every assignment released through nbgrader, next to a copy of its solution notebook."""
    root = tmp_path_factory.mktemp("assignments")
    pairs = {}
    for assignment in ASSIGNMENTS:
        folder = root / assignment
        student = release_assignment(assignment, folder / "release")
        solution = folder / "solution.ipynb"
        shutil.copy(source_notebook(assignment), solution)
        pairs[assignment] = (solution, student.rename(folder / "released.ipynb"))
    return pairs


def test_release_strips_solutions_and_hidden_checks_and_locks_cells(released):
    for assignment, (_, student) in released.items():
        text = student.read_text(encoding="utf-8")
        assert "BEGIN SOLUTION" not in text and "hidden=True" not in text and "BEGIN HIDDEN" not in text
        notebook = nbformat.read(student, as_version=4)
        assert notebook.metadata["gdgrade"]["assignment"] == assignment
        for cell in notebook.cells:
            grading = cell.metadata.get("nbgrader")
            if grading is None:  # a free experiment cell: the student's to edit
                assert cell.cell_type == "code" and "check(" not in cell.source
            elif grading["solution"]:
                assert "raise NotImplementedError()" in cell.source
            else:
                assert grading["locked"] and cell.metadata["editable"] is False and grading["checksum"]


@pytest.mark.sandbox
def test_solutions_score_full_and_released_notebooks_zero_in_the_sandbox(released, tmp_path):
    sandbox = Sandbox("bwrap", Limits(cell_timeout=120, submission_timeout=300))
    for assignment, (solution, student) in released.items():
        outcome = grade_batch([solution, student], f"builtin:{assignment}", sandbox, tmp_path / assignment, workers=2)
        assert not outcome.infrastructure_failures
        results = {Path(r.submission).stem: r.to_json() for r in outcome.results}
        full = results["solution"]
        assert full["score"] == full["max_score"] > 0, [c["message"] for c in full["checks"] if not c["passed"]]
        assert not full["execution"]["issues"], full["execution"]["issues"]
        empty = results["released"]
        assert empty["score"] == 0 and empty["max_score"] == full["max_score"]
        assert empty["execution"]["kernel_alive"]
        for check in empty["checks"]:
            assert "아직 구현되지 않았습니다" in check["message"], check["message"]
        stored = json.loads((tmp_path / assignment / "results" / "released.json").read_text())
        assert stored["score"] == 0


def test_the_04_notebook_states_the_no_bias_correction_first_step_the_grader_measures():
    import re

    import numpy as np

    from reference import optimizers
    from reference.mistakes.adam_slips import slipped_adam

    text = "".join(cell.source for cell in nbformat.read(source_notebook("04-adaptive"), as_version=4).cells)
    sentence = next(line for line in text.splitlines() if "편향 보정을 빠뜨리면" in line)
    stated = float(re.search(r"\\approx ([0-9.]+)", sentence).group(1))
    theta, gradient = np.array([1.0]), np.array([0.5])

    def first_step(optimizer):
        return abs(optimizer.update(theta, gradient, optimizer.init(theta), 0.1)[0] - theta)[0]

    ratio = first_step(slipped_adam(lr=0.1, correct_m=False, correct_v=False)) / first_step(optimizers.adam(lr=0.1))
    assert ratio == pytest.approx(stated, rel=0.01) and "커집니다" in sentence
