import numpy as np
import pytest

from reference.optimizers import sgd
from reference.problems import get_problem
from reference.range_test import lr_range_test, range_test_lrs, suggest_lr


def test_exponential_lrs_end_exactly_at_end_lr():
    lrs = range_test_lrs(1e-5, 10.0, 50)
    assert lrs[0] == 1e-5 and lrs[-1] == pytest.approx(10.0, rel=1e-14)
    np.testing.assert_allclose(lrs[1:] / lrs[:-1], 1.32571, rtol=1e-5)  # torch-lr-finder's ratio
    np.testing.assert_allclose(np.diff(range_test_lrs(0.1, 1.0, 10, "linear")), 0.1)


def test_range_test_on_the_quadratic_stops_after_divergence_and_suggests_a_stable_lr():
    """SGD on (w - 5)^2 diverges for lr > 1; the suggestion must be a learning lr."""
    result = lr_range_test(sgd(), get_problem("quadratic"), start_lr=1e-4, end_lr=10.0, num_iter=100)
    assert len(result.lrs) < 100, "the run must stop early once the loss explodes"
    assert result.lrs[-1] > 1.0
    assert 1e-3 < result.suggested_lr < 1.0


def test_losses_are_smoothed_without_bias_correction():
    result = lr_range_test(sgd(), get_problem("elliptic"), 1e-3, 1e-2, num_iter=20, smooth_f=0.2)
    expected = [result.losses[0]]
    for loss in result.losses[1:]:
        expected.append(0.2 * loss + 0.8 * expected[-1])
    np.testing.assert_allclose(result.smoothed, expected, rtol=1e-14)


def test_suggestion_is_the_steepest_descent_after_skipping_the_ends():
    lrs = np.arange(30.0)
    losses = np.ones(30)
    losses[20:] = 0.0  # the steepest drop sits between index 19 and 20
    assert suggest_lr(lrs, losses, skip_start=10, skip_end=5) in (19.0, 20.0)
    assert suggest_lr(lrs[:12], losses[:12]) is None  # too short to suggest anything


def test_start_point_is_left_untouched():
    problem = get_problem("elliptic")
    lr_range_test(sgd(), problem, 1e-4, 1.0, num_iter=30)
    np.testing.assert_array_equal(problem.start, [3.0, 3.0])


@pytest.mark.parametrize(
    "args, message", [((1.0, 0.1, 10), "start_lr < end_lr"), ((1e-3, 1.0, 1), "num_iter must be >= 2")]
)
def test_bad_ranges_are_refused(args, message):
    with pytest.raises(ValueError, match=message):
        range_test_lrs(*args)
