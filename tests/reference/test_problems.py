import numpy as np
import pytest

from reference.problems import BOWL_SIZES, PROBLEMS, get_problem, linear_regression_data


def numerical_gradient(loss, w, h=1e-6):
    grad = np.zeros_like(w)
    for i in range(w.size):
        step = np.zeros_like(w)
        step[i] = h
        grad[i] = (loss(w + step) - loss(w - step)) / (2 * h)
    return grad


SMALL = [name for name in sorted(PROBLEMS) if get_problem(name).dim <= 100]  # a difference per parameter


@pytest.mark.parametrize("name", SMALL)
def test_analytic_gradient_matches_numerical(name, rng):
    problem = get_problem(name)
    points = [problem.start] + [problem.start + rng.normal(scale=0.5, size=problem.dim) for _ in range(3)]
    for w in points:
        np.testing.assert_allclose(problem.grad(w), numerical_gradient(problem.loss, w), rtol=1e-6, atol=1e-6)


WITH_MINIMUM = [
    "tiny-regression",
    "linear-regression",
    "logistic-regression",
    "elliptic",
    "quadratic",
    "rosenbrock",
    "saddle",
    "bowl-2",
    "bowl-1000000",
]


@pytest.mark.parametrize("size", BOWL_SIZES)
def test_every_bowl_gradient_matches_a_directional_difference(size, rng):
    problem = get_problem(f"bowl-{size}")
    w, direction, h = problem.start + rng.normal(size=size), rng.normal(size=size), 1e-5
    difference = (problem.loss(w + h * direction) - problem.loss(w - h * direction)) / (2 * h)
    assert problem.dim == size
    assert np.dot(problem.grad(w), direction) == pytest.approx(difference, rel=1e-6)


@pytest.mark.parametrize("name", WITH_MINIMUM)
def test_recorded_minimum_is_stationary(name):
    problem = get_problem(name)
    np.testing.assert_allclose(problem.grad(np.array(problem.minimum)), 0.0, atol=1e-9)


@pytest.mark.parametrize("name", ["tiny-regression", "linear-regression", "logistic-regression", "torch-mlp"])
def test_batch_gradients_average_to_the_full_gradient(name, rng):
    problem = get_problem(name)
    w = problem.start + rng.normal(scale=0.3, size=problem.dim)
    everything = np.arange(problem.n_samples)
    np.testing.assert_allclose(problem.grad_on(w, everything), problem.grad(w), rtol=1e-12, atol=1e-14)
    halves = np.array_split(rng.permutation(problem.n_samples), 2)
    weighted = sum(len(h) * problem.grad_on(w, h) for h in halves) / problem.n_samples
    np.testing.assert_allclose(weighted, problem.grad(w), rtol=1e-10, atol=1e-12)


def test_tiny_regression_is_the_lessons_three_points():
    problem = get_problem("tiny-regression")
    np.testing.assert_array_equal(problem.start, [0.0, 1.0])
    np.testing.assert_allclose(problem.minimum, [-1.0, 2.0], atol=1e-12)  # y = 2x - 1 fits exactly
    assert problem.loss(problem.minimum) == pytest.approx(0.0, abs=1e-20)
    # f(x) = 1x + 0 on (0,-1), (1,1), (3,5): residuals 1, 0, -2 -> MSE 5/3
    assert problem.loss(problem.start) == pytest.approx(5.0 / 3.0)


def test_linear_regression_draws_like_the_lesson():
    x, y = linear_regression_data()
    legacy = np.random.RandomState(42)
    np.testing.assert_array_equal(x, legacy.randn(200))  # x first, then the noise
    np.testing.assert_array_equal(y, 3 * x + 2 + legacy.randn(200) * 0.5)
    minimum = get_problem("linear-regression").minimum
    assert minimum[0] == pytest.approx(2.0, abs=0.15) and minimum[1] == pytest.approx(3.0, abs=0.15)


def test_surfaces_have_the_lessons_formulas():
    assert get_problem("elliptic").loss(np.array([1.0, 2.0])) == pytest.approx(14.0)
    w = np.array([0.3, -0.7])
    expected = 10 * 0.09 + 0.5 * 0.49 + 3 * np.sin(0.6) * np.cos(-0.7)
    assert get_problem("tricky").loss(w) == pytest.approx(expected)
    assert get_problem("quadratic").loss(np.array([-3.0])) == pytest.approx(64.0)
    assert get_problem("rosenbrock").loss(np.array([1.0, 1.0])) == 0.0
    saddle = get_problem("saddle")
    np.testing.assert_allclose(saddle.grad(np.zeros(2)), 0.0)  # the saddle point itself
    assert saddle.loss(saddle.minimum) == pytest.approx(-0.25)


def test_unknown_problem_names_the_known_ones():
    with pytest.raises(ValueError, match="unknown problem 'ellipse'.*elliptic"):
        get_problem("ellipse")


def test_problem_functions_do_not_mutate_their_input():
    for name in sorted(PROBLEMS):
        problem = get_problem(name)
        w = np.array(problem.start)
        w.setflags(write=False)
        problem.loss(w)
        problem.grad(w)
