"""Loss surfaces and datasets the lessons optimise, each with an analytic gradient.

Every problem works on a flat float64 parameter vector ``w``. Dataset problems also
expose ``loss_on(w, idx)`` / ``grad_on(w, idx)``: the mean loss and its gradient over
the examples ``idx``, which is what mini-batch and stochastic gradient descent use.

Parameter layout for the linear models follows the lessons: ``w = [w0, w1]`` and the
prediction is ``w1 * x + w0`` (intercept first).
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np

from reference.problem import Problem, Vector


def _frozen(values) -> Vector:
    array = np.array(values, dtype=np.float64)
    array.setflags(write=False)
    return array


# --- linear regression on (x, y) pairs: the lessons' MSE ------------------------------


def linear_predict(w: Vector, x: Vector) -> Vector:
    """The lessons' linear model: ``w1 * x + w0`` for every input."""
    return w[1] * np.asarray(x) + w[0]


def _linear_residuals(w: Vector, x: Vector, y: Vector) -> Vector:
    return linear_predict(w, x) - y


def _linear_mse(w: Vector, x: Vector, y: Vector) -> float:
    return float(np.mean(_linear_residuals(w, x, y) ** 2))


def _linear_mse_grad(w: Vector, x: Vector, y: Vector) -> Vector:
    """Gradient of mean((w1 x + w0 - y)^2): (2/N) sum r * [1, x]."""
    residual = _linear_residuals(w, x, y)
    return np.array([2.0 * np.mean(residual), 2.0 * np.mean(residual * x)])


def _least_squares(x: Vector, y: Vector) -> Vector:
    design = np.column_stack([np.ones_like(x), x])
    solution, *_ = np.linalg.lstsq(design, y, rcond=None)
    return _frozen(solution)


def _dataset_problem(name: str, description: str, x, y, start, minimum, loss, grad) -> Problem:
    x, y = _frozen(x), _frozen(y)
    return Problem(
        name=name,
        description=description,
        loss=lambda w: loss(w, x, y),
        grad=lambda w: grad(w, x, y),
        start=_frozen(start),
        minimum=minimum(x, y) if callable(minimum) else minimum,
        n_samples=int(x.shape[0]),
        loss_on=lambda w, idx: loss(w, x[idx], y[idx]),
        grad_on=lambda w, idx: grad(w, x[idx], y[idx]),
        data=(x, y),
    )


def tiny_regression() -> Problem:
    """Three points X = 0, 1, 3 and Y = -1, 1, 5 (lesson 001); exact fit y = 2x - 1."""
    return _dataset_problem(
        "tiny-regression",
        "MSE of w1*x + w0 on X=(0,1,3), Y=(-1,1,5); start w=[0, 1]",
        [0.0, 1.0, 3.0],
        [-1.0, 1.0, 5.0],
        start=[0.0, 1.0],
        minimum=_least_squares,
        loss=_linear_mse,
        grad=_linear_mse_grad,
    )


def linear_regression_data(seed: int = 42, n: int = 200) -> tuple[Vector, Vector]:
    """The lessons' data set: x ~ N(0, 1), y = 3x + 2 + 0.5 N(0, 1).

    Drawn exactly as the lesson draws it, from the legacy global-state generator
    ``np.random.seed(seed)``: first all of x, then all of the noise.
    """
    legacy = np.random.RandomState(seed)
    x = legacy.randn(n)
    y = 3.0 * x + 2.0 + legacy.randn(n) * 0.5
    return x, y


def linear_regression() -> Problem:
    """y = 3x + 2 with noise 0.5, n = 200, seed 42 (lesson 000); start w=[0, 0]."""
    x, y = linear_regression_data()
    return _dataset_problem(
        "linear-regression",
        "MSE of w1*x + w0 on the lessons' y = 3x + 2 + noise (n=200, seed 42)",
        x,
        y,
        start=[0.0, 0.0],
        minimum=_least_squares,
        loss=_linear_mse,
        grad=_linear_mse_grad,
    )


# --- logistic regression ----------------------------------------------------------------


def _sigmoid(z: Vector) -> Vector:
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def _logistic_loss(w: Vector, features: Vector, labels: Vector) -> float:
    """Mean binary cross-entropy, written with logaddexp so it never overflows."""
    logits = features @ w
    return float(np.mean(np.logaddexp(0.0, logits) - labels * logits))


def _logistic_grad(w: Vector, features: Vector, labels: Vector) -> Vector:
    return features.T @ (_sigmoid(features @ w) - labels) / labels.shape[0]


def _newton_minimum(features: Vector, labels: Vector) -> Vector:
    """The unique minimiser of the (strictly convex) logistic loss, by Newton's method."""
    w = np.zeros(features.shape[1])
    for _ in range(50):
        p = _sigmoid(features @ w)
        hessian = features.T @ (features * (p * (1 - p))[:, None]) / labels.shape[0]
        step = np.linalg.solve(hessian, _logistic_grad(w, features, labels))
        w = w - step
        if np.max(np.abs(step)) < 1e-14:
            break
    return _frozen(w)


def logistic_regression(seed: int = 0, n: int = 200) -> Problem:
    """Two Gaussian features plus an intercept column; labels ~ Bernoulli(sigmoid(x.w*)).

    Generated with ``np.random.default_rng(seed)``; true weights w* = [-0.5, 2.0, -1.0]
    (intercept first). Parameters are ``[bias, w1, w2]``; start at zero.
    """
    rng = np.random.default_rng(seed)
    features = np.column_stack([np.ones(n), rng.standard_normal((n, 2))])
    true_w = np.array([-0.5, 2.0, -1.0])
    labels = (rng.random(n) < _sigmoid(features @ true_w)).astype(np.float64)
    return _dataset_problem(
        "logistic-regression",
        "mean cross-entropy of a 2-feature logistic model (n=200, seed 0)",
        features,
        labels,
        start=[0.0, 0.0, 0.0],
        minimum=_newton_minimum,
        loss=_logistic_loss,
        grad=_logistic_grad,
    )


# --- analytic surfaces --------------------------------------------------------------------


def elliptic() -> Problem:
    """10 w1^2 + w2^2: a narrow valley where plain GD zig-zags (lesson 000)."""
    return Problem(
        name="elliptic",
        description="10*w1^2 + w2^2; start (3, 3); minimum (0, 0)",
        loss=lambda w: float(10.0 * w[0] ** 2 + w[1] ** 2),
        grad=lambda w: np.array([20.0 * w[0], 2.0 * w[1]]),
        start=_frozen([3.0, 3.0]),
        minimum=_frozen([0.0, 0.0]),
    )


def tricky() -> Problem:
    """10 w1^2 + 0.5 w2^2 + 3 sin(2 w1) cos(w2): an ellipse with ripples (lesson 000).

    Non-convex with several local minima, so no single minimum is recorded.
    """
    return Problem(
        name="tricky",
        description="10*w1^2 + 0.5*w2^2 + 3*sin(2*w1)*cos(w2); start (3, 3)",
        loss=lambda w: float(10.0 * w[0] ** 2 + 0.5 * w[1] ** 2 + 3.0 * np.sin(2.0 * w[0]) * np.cos(w[1])),
        grad=lambda w: np.array(
            [
                20.0 * w[0] + 6.0 * np.cos(2.0 * w[0]) * np.cos(w[1]),
                w[1] - 3.0 * np.sin(2.0 * w[0]) * np.sin(w[1]),
            ]
        ),
        start=_frozen([3.0, 3.0]),
    )


def quadratic() -> Problem:
    """(w - 5)^2 in one dimension, started at -3 (lesson 000's schedule experiment)."""
    return Problem(
        name="quadratic",
        description="(w - 5)^2; start -3; minimum 5",
        loss=lambda w: float((w[0] - 5.0) ** 2),
        grad=lambda w: np.array([2.0 * (w[0] - 5.0)]),
        start=_frozen([-3.0]),
        minimum=_frozen([5.0]),
    )


def rosenbrock(a: float = 1.0, b: float = 100.0) -> Problem:
    """(a - x)^2 + b (y - x^2)^2, the banana valley; start (-1.2, 1), minimum (a, a^2)."""
    return Problem(
        name="rosenbrock",
        description=f"({a} - x)^2 + {b}*(y - x^2)^2; start (-1.2, 1); minimum ({a}, {a * a})",
        loss=lambda w: float((a - w[0]) ** 2 + b * (w[1] - w[0] ** 2) ** 2),
        grad=lambda w: np.array(
            [
                -2.0 * (a - w[0]) - 4.0 * b * w[0] * (w[1] - w[0] ** 2),
                2.0 * b * (w[1] - w[0] ** 2),
            ]
        ),
        start=_frozen([-1.2, 1.0]),
        minimum=_frozen([a, a * a]),
    )


def saddle() -> Problem:
    """w1^2 + w2^4/4 - w2^2/2: a saddle at the origin between minima (0, +-1).

    Started at (1, 1e-3), just off the saddle's ridge, so a method's escape speed shows.
    """
    return Problem(
        name="saddle",
        description="w1^2 + w2^4/4 - w2^2/2; saddle at (0,0); minima (0, +-1); start (1, 1e-3)",
        loss=lambda w: float(w[0] ** 2 + 0.25 * w[1] ** 4 - 0.5 * w[1] ** 2),
        grad=lambda w: np.array([2.0 * w[0], w[1] ** 3 - w[1]]),
        start=_frozen([1.0, 1e-3]),
        minimum=_frozen([0.0, 1.0]),
    )


def bowl(dim: int) -> Problem:
    """0.5 * sum_i c_i w_i^2 with curvatures c_i evenly spread over [1, 10]; start at ones.

    One problem per size (``bowl-2`` ... ``bowl-1000000``): what the growth benchmark
    grades on, to see how grading time grows with the parameter count.
    """
    curvature = _frozen(np.linspace(1.0, 10.0, dim))
    return Problem(
        name=f"bowl-{dim}",
        description=f"0.5 * sum(c_i w_i^2), {dim} parameters, c from 1 to 10; start ones; minimum 0",
        loss=lambda w: float(0.5 * np.dot(curvature * w, w)),
        grad=lambda w: curvature * w,
        start=_frozen(np.ones(dim)),
        minimum=_frozen(np.zeros(dim)),
    )


BOWL_SIZES = (2, 10, 100, 1_000, 10_000, 100_000, 1_000_000)


def _torch_mlp() -> Problem:
    from reference.torch_mirror import mlp_problem  # torch is imported only when asked for

    return mlp_problem()


PROBLEMS: dict[str, Callable[[], Problem]] = {
    "tiny-regression": tiny_regression,
    "linear-regression": linear_regression,
    "logistic-regression": logistic_regression,
    "elliptic": elliptic,
    "tricky": tricky,
    "quadratic": quadratic,
    "rosenbrock": rosenbrock,
    "saddle": saddle,
    "torch-mlp": _torch_mlp,
    **{f"bowl-{size}": functools.partial(bowl, size) for size in BOWL_SIZES},
}


_BUILT: dict[str, Problem] = {}


def get_problem(name: str) -> Problem:
    """The named problem (built once; problems are immutable); unknown names raise ValueError."""
    if name not in PROBLEMS:
        known = ", ".join(sorted(PROBLEMS))
        raise ValueError(f"unknown problem {name!r}; known problems: {known}")
    if name not in _BUILT:
        _BUILT[name] = PROBLEMS[name]()
    return _BUILT[name]


def built_problems() -> dict[str, Problem]:
    """The problems built so far, by name."""
    return dict(_BUILT)
