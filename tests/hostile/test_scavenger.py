"""A stub that hunts the kernel for answers scores no more than a plainly wrong solution, everywhere."""

import pytest

from assignments import ASSIGNMENTS
from autograder.batch import grade_batch
from autograder.sandbox.backends import Limits, Sandbox
from tests.hostile.scavenger import write_pairs

pytestmark = pytest.mark.sandbox
LIMITS = Limits(cell_timeout=20, submission_timeout=60, grading_timeout=40)


@pytest.fixture(scope="module")
def scores(tmp_path_factory):
    folder = tmp_path_factory.mktemp("scavenger")
    found = {}
    for assignment, paths in write_pairs(folder).items():
        outcome = grade_batch(list(paths), f"builtin:{assignment}", Sandbox("bwrap", LIMITS), folder / assignment, 2)
        assert not outcome.infrastructure_failures, outcome.infrastructure_failures
        found[assignment] = {r.student.rsplit("-", 1)[1]: r.to_json() for r in outcome.results}
    return found


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_scavenging_the_kernel_scores_no_more_than_a_plainly_wrong_solution(scores, assignment):
    scavenger, wrong = scores[assignment]["scavenger"], scores[assignment]["wrong"]
    assert scavenger["score"] <= wrong["score"], [c["message"] for c in scavenger["checks"] if c["passed"]]
