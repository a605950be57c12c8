"""Writing results into nbgrader's gradebook: one transaction each, idempotent, manual grades kept."""

import json
import shutil
import sqlite3

import pytest
from nbgrader.api import Gradebook, MissingEntry

from autograder.assignment import builtin_spec
from autograder.cli import main
from autograder.course.gradebook import score_rows, write_gradebook
from autograder.course.layout import init_course
from autograder.course.release import release_in_course
from autograder.engine.grade import grade
from autograder.errors import InfrastructureError
from tests.assignments.helpers import solution_namespace

ASSIGNMENT = "01-gradient-descent"
NO_TWO = "def mse_grad(w, x, y):\n    r = w[1] * x + w[0] - y\n    return np.array([np.mean(r), np.mean(r * x)])\n"


@pytest.fixture(scope="module")
def released_course(tmp_path_factory):
    course = init_course(tmp_path_factory.mktemp("template") / "course", assignments=[ASSIGNMENT])
    release_in_course(course, ASSIGNMENT)
    return course


@pytest.fixture
def course(released_course, tmp_path):
    copy = shutil.copytree(released_course.root, tmp_path / "course")
    return type(released_course)(copy)


def _store(course, student: str, source: str = "") -> dict:
    payload = grade(builtin_spec(ASSIGNMENT), solution_namespace(ASSIGNMENT, source)).to_json()
    payload |= {"student": student, "error": None}
    folder = course.results_dir(ASSIGNMENT) / "results"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{student}.json").write_text(json.dumps(payload), encoding="utf-8")
    return payload


def _scores(course) -> dict:
    with Gradebook(course.db_url) as gradebook:
        return {row.student: (row.status, row.raw_score, row.score) for row in score_rows(gradebook, ASSIGNMENT)}


def test_each_question_is_a_grade_cell_and_each_check_a_comment_line(course):
    _store(course, "bob", NO_TWO)
    assert write_gradebook(course, ASSIGNMENT, ["bob"]) == 1
    with Gradebook(course.db_url) as gradebook:
        notebook = gradebook.find_submission(ASSIGNMENT, "bob").notebooks[0]
        scores = {g.name: (g.auto_score, g.max_score) for g in notebook.grades}
        comments = {c.name: c.auto_comment for c in notebook.comments}
    assert scores == {"predict": (1, 1), "mse_loss": (1, 1), "mse_grad": (0, 2), "numerical_grad": (2, 2),
                      "gradient_descent": (4, 4)}  # fmt: skip
    assert "gradient: 0/2 FAILED" in comments["mse_grad-code"] and "0.5배" in comments["mse_grad-code"]
    assert comments["predict-code"].startswith("function: 1/1 passed")


def test_writing_again_is_idempotent_and_keeps_manual_grades(course):
    _store(course, "bob", NO_TWO)
    write_gradebook(course, ASSIGNMENT, ["bob"])
    with Gradebook(course.db_url) as gradebook:
        grade_row = gradebook.find_grade("mse_grad", ASSIGNMENT, ASSIGNMENT, "bob")
        grade_row.manual_score = 1.5  # the instructor gives partial credit in formgrader
        gradebook.db.commit()
    write_gradebook(course, ASSIGNMENT, ["bob"])
    write_gradebook(course, ASSIGNMENT, ["bob"])
    with Gradebook(course.db_url) as gradebook:
        assert gradebook.find_grade("mse_grad", ASSIGNMENT, ASSIGNMENT, "bob").manual_score == 1.5
        assert len(gradebook.find_assignment(ASSIGNMENT).submissions) == 1
    assert _scores(course)["bob"] == ("graded", 9.5, 9.5)


class MidWriteError(Exception):
    """A failure in the middle of writing one submission."""


def test_a_failure_mid_write_leaves_no_half_written_submission(course, monkeypatch):
    _store(course, "alice")
    _store(course, "bob", NO_TWO)
    write_gradebook(course, ASSIGNMENT, ["alice"])

    def explode(*arguments):
        raise MidWriteError("crash after the grades were set, before the commit")

    monkeypatch.setattr("autograder.course.gradebook._apply_late_penalty", explode)
    with pytest.raises(MidWriteError):
        write_gradebook(course, ASSIGNMENT, ["bob"])
    with Gradebook(course.db_url) as gradebook, pytest.raises(MissingEntry):
        gradebook.find_submission(ASSIGNMENT, "bob")
    assert _scores(course)["alice"] == ("graded", 10, 10)  # what was written before is intact
    monkeypatch.undo()
    write_gradebook(course, ASSIGNMENT, ["bob"])
    assert _scores(course)["bob"] == ("graded", 8, 8)


def test_a_locked_gradebook_loses_nothing(course, capsys):
    _store(course, "alice")
    (course.submission_dir("alice", ASSIGNMENT)).mkdir(parents=True)
    shutil.copy(course.root / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", course.submission_dir("alice", ASSIGNMENT))
    lock = sqlite3.connect(course.root / "gradebook.db", timeout=0)
    lock.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(InfrastructureError, match="the gradebook is unavailable"):
            write_gradebook(course, ASSIGNMENT, ["alice"])
    finally:
        lock.rollback()
        lock.close()
    assert (course.results_dir(ASSIGNMENT) / "results" / "alice.json").is_file()
    write_gradebook(course, ASSIGNMENT, ["alice"])
    assert _scores(course)["alice"] == ("graded", 10, 10)


def test_autograde_exits_three_and_keeps_results_when_the_gradebook_is_locked(course, capsys):
    folder = course.submission_dir("alice", ASSIGNMENT)
    folder.mkdir(parents=True)
    _store(course, "alice")
    lock = sqlite3.connect(course.root / "gradebook.db", timeout=0)
    lock.execute("BEGIN EXCLUSIVE")
    try:
        # no notebook in alice's folder: graded without a kernel, as "no notebook in submitted/alice/..."
        assert main(["autograde", ASSIGNMENT, "--course", str(course.root), "--sandbox", "none"]) == 3
    finally:
        lock.rollback()
        lock.close()
    error = capsys.readouterr().err
    assert "the gradebook is unavailable" in error and "run autograde again" in error
    assert main(["autograde", ASSIGNMENT, "--course", str(course.root), "--sandbox", "none"]) == 0
    assert _scores(course)["alice"] == ("graded", 0, 0)
