"""Every case of the hostile corpus holds, graded in one sandboxed batch with a correct submission."""

import pytest

from autograder.sandbox.backends import Sandbox
from tests.hostile.corpus import CASES, FULL
from tests.hostile.report import LIMITS, grade_corpus, selected_cases, table

pytestmark = pytest.mark.sandbox


@pytest.fixture(scope="module")
def graded(request, tmp_path_factory):
    cases = selected_cases(request)
    rows, failures = grade_corpus(tmp_path_factory.mktemp("corpus"), Sandbox("bwrap", LIMITS), 2, cases)
    print(table(rows))
    return {row.case.name: row for row in rows}, failures


def test_the_corpus_covers_every_category():
    categories = {case.category for case in CASES}
    assert categories == {"reference", "resources", "escape", "tampering", "broken", "boundary"}
    assert len(CASES) >= 40


def test_no_case_is_a_grader_failure(graded):
    _, failures = graded
    assert not failures


@pytest.mark.parametrize("name", [case.name for case in CASES])
def test_each_case_gets_the_expected_score_and_message(graded, name):
    rows, _ = graded
    row = rows[name]
    assert row.score == row.case.score, row.seen
    if row.case.says:
        assert row.case.says in row.seen, row.seen
    assert row.in_time, f"graded in {row.payload['seconds']} s, more than {row.case.seconds} s"
    assert row.case.holds is None or row.case.holds(row.payload), row.payload


def test_the_correct_submission_keeps_full_marks_next_to_all_of_them(graded):
    rows, _ = graded
    assert rows["correct"].score == FULL and "FAILED" not in rows["correct"].seen
