"""The fidelity corpus: honest work in every style gets full marks; the usual mistakes lose points, named."""

from collections import Counter

import pytest

from tests.fidelity.corpus import CORPUS
from tests.fidelity.report import grade_corpus, summary

pytestmark = pytest.mark.sandbox


@pytest.fixture(scope="module")
def verdicts(tmp_path_factory):
    return grade_corpus(tmp_path_factory.mktemp("fidelity"), workers=2)


def test_the_corpus_is_as_large_as_promised():
    assert sum(s.correct for s in CORPUS) >= 60 and sum(not s.correct for s in CORPUS) >= 40
    assert len({s.name for s in CORPUS}) == len(CORPUS)
    assert set(Counter(s.spec for s in CORPUS)) >= {"01-gradient-descent", "02-minibatch", "03-momentum",
                                                    "04-adaptive", "05-schedules", "06-pytorch", "cs231n-optim",
                                                    "dlai-optimization"}  # fmt: skip


def test_every_correct_submission_gets_full_marks(verdicts):
    unfair = [v for v in verdicts if v.submission.correct and not v.full_marks]
    assert not unfair, summary(verdicts)


def test_every_wrong_submission_loses_points(verdicts):
    kept = [v for v in verdicts if not v.submission.correct and v.full_marks]
    assert not kept, summary(verdicts)


def test_every_known_mistake_is_named(verdicts):
    unnamed = [v for v in verdicts if v.submission.mistake and not v.named]
    assert not unnamed, summary(verdicts)
