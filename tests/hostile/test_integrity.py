"""Each integrity check holds: no result is stale, crossed, or graded from a link or a zip bomb."""

import pytest

from tests.hostile.integrity import CHECKS


@pytest.mark.parametrize("check", CHECKS, ids=lambda check: check.__name__)
def test_each_integrity_check_holds(check, tmp_path):
    outcome = check(tmp_path)
    assert outcome.holds, f"expected {outcome.expected}, got {outcome.got}"
