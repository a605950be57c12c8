"""Our own fidelity corpus: honest submissions in the styles students write, and the usual mistakes.

Each :class:`Submission` is a file as a student hands it in (a notebook, an nbconvert or
jupytext export, a zip or a folder with helper modules), built from the assignment's solution
notebook with the student's code in place of the solution's. A correct one must get full
marks; a wrong one must lose points and, where ``mistake`` is given, be told that mistake (the
catalog id of a failing check's diagnosis). ``python -m tests.fidelity.report`` grades them all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tests.fidelity import build as b

SPECS = Path(__file__).parent / "specs"
EXAMPLES = Path(__file__).resolve().parents[2] / "autograder" / "examples" / "cs231n"


@dataclass(frozen=True)
class Submission:
    """One handed-in submission and what the grader must make of it."""

    name: str
    spec: str  # a built-in assignment id, or a spec file in tests/fidelity/specs
    file: str  # what it is handed in as: name.ipynb, name.py, name.zip, or a folder name
    make: Callable[[], object]  # its content: bytes, text, a notebook, or {relative path: content}
    correct: bool = True
    mistake: str | None = None  # for a wrong one, the catalog id the grader must name

    def spec_source(self) -> str:
        """How a batch loads the spec."""
        path = SPECS / f"{self.spec}.toml"
        return str(path) if path.is_file() else f"builtin:{self.spec}"


GD, MB, MOM, ADA, SCH, TOR = (
    "01-gradient-descent", "02-minibatch", "03-momentum", "04-adaptive", "05-schedules", "06-pytorch",
)  # fmt: skip


def _solution(assignment: str, **cells: str):
    return b.replaced(b.solution(assignment), {f"{key.replace('__', '-')}": code for key, code in cells.items()})


def _code(assignment: str, **cells: str) -> Callable[[], object]:
    return lambda: _solution(assignment, **{f"{key}__code": code for key, code in cells.items()})


def right(name: str, spec: str, file: str, make: Callable[[], object]) -> Submission:
    """A correct submission."""
    return Submission(name, spec, file, make)


def wrong(name: str, spec: str, file: str, make: Callable[[], object], mistake: str | None = None) -> Submission:
    """A wrong submission, with the mistake the grader must name (if any)."""
    return Submission(name, spec, file, make, correct=False, mistake=mistake)


# --- 01 gradient descent -----------------------------------------------------------------------------

PREDICT_LOOP = """def predict(w, x):
    x = np.asarray(x, dtype=float)
    out = np.empty_like(x)
    for i in range(len(x)):
        out[i] = w[0] + w[1] * x[i]
    return out
"""
MSE_GRAD_TORCH = """def mse_grad(w, x, y):
    import torch
    w_t = torch.tensor(np.asarray(w, dtype=float), requires_grad=True)
    loss = ((w_t[1] * torch.as_tensor(x) + w_t[0] - torch.as_tensor(y)) ** 2).mean()
    loss.backward()
    return w_t.grad
"""
GD_TQDM = """from tqdm.auto import tqdm


def gradient_descent(grad_fn, w0, lr, n_steps):
    w = np.array(w0, dtype=float)
    history = [w]
    for _ in tqdm(range(n_steps), desc="GD"):
        w = w - lr * grad_fn(w)
        history.append(w)
    return history
"""
GD_PREALLOCATED = """def gradient_descent(grad_fn, w0, lr, n_steps):
    path = np.zeros((n_steps + 1, len(w0)))
    path[0] = w0
    for k in range(n_steps):
        path[k + 1] = path[k] - lr * np.asarray(grad_fn(path[k].copy()))
    return path
"""
NUMERICAL_EYE = """def numerical_grad(f, w, h=1e-5):
    w = np.asarray(w, dtype=float)
    return np.array([(f(w + h * e) - f(w - h * e)) / (2 * h) for e in np.eye(len(w))])
"""
GD_TOLIST = """def gradient_descent(grad_fn, w0, lr, n_steps):
    w = list(map(float, w0))
    rows = [w]
    for _ in range(n_steps):
        g = grad_fn(np.array(w))
        w = [wi - lr * gi for wi, gi in zip(w, g)]
        rows.append(w)
    return rows
"""
MAIN_GUARD = """

if __name__ == "__main__":
    print(gradient_descent(lambda w: 2 * w, np.array([1.0, 2.0]), 0.1, 3))
"""
ENVIRONMENT_CELL = "import scipy.optimize\nimport pandas as pd\nimport seaborn as sns\nfrom sklearn.linear_model import LinearRegression"

GD_CASES = [
    right("gd-solution", GD, "gd-solution.ipynb", lambda: b.solution(GD)),
    right("gd-nbconvert", GD, "gd-nbconvert.py", lambda: b.nbconvert_script(b.solution(GD))),
    right("gd-percent", GD, "gd-percent.py", lambda: b.percent_script(b.solution(GD))),
    right("gd-windows-editor", GD, "gd-windows.py", lambda: b.windows_bytes(b.percent_script(b.solution(GD)))),
    right("gd-windows-notebook", GD, "gd-windows.ipynb", lambda: b.windows_bytes(b.notebook_bytes(b.solution(GD)))),
    right("gd-big-figures", GD, "gd-figures.ipynb", lambda: b.with_big_outputs(b.solution(GD))),
    right("gd-tqdm-list-history", GD, "gd-tqdm.ipynb", _code(GD, gradient_descent=GD_TQDM)),
    right("gd-student-environment", GD, "gd-env.ipynb", lambda: b.with_cell(b.solution(GD), ENVIRONMENT_CELL)),
    right("gd-copied-cells", GD, "gd-copied.ipynb", lambda: b.without_metadata(b.solution(GD))),
    right(
        "gd-loops-and-torch-gradient",
        GD,
        "gd-loops.ipynb",
        _code(GD, predict=PREDICT_LOOP, mse_grad=MSE_GRAD_TORCH, gradient_descent=GD_PREALLOCATED),
    ),
    right(
        "gd-vectorised-alternatives",
        GD,
        "gd-alternatives.ipynb",
        _code(
            GD,
            predict="def predict(w, x):\n    return np.polyval([w[1], w[0]], x)\n",
            mse_loss="def mse_loss(w, x, y):\n    return np.square(predict(w, x) - y).mean()\n",
            numerical_grad=NUMERICAL_EYE,
            gradient_descent=GD_TOLIST,
        ),
    ),
    right("gd-main-guard-script", GD, "gd-script.py", lambda: b.percent_script(b.solution(GD)) + MAIN_GUARD),
    wrong(
        "gd-swapped-parameters",
        GD,
        "gd-swapped.ipynb",
        _code(GD, predict="def predict(w, x):\n    return w[0] * np.asarray(x) + w[1]\n"),
        "predict-swapped-parameters",
    ),
    wrong(
        "gd-summed-loss",
        GD,
        "gd-summed.py",
        lambda: b.nbconvert_script(
            _solution(GD, mse_loss__code="def mse_loss(w, x, y):\n    return float(np.sum((predict(w, x) - y) ** 2))\n")
        ),
    ),
    wrong(
        "gd-gradient-without-two-over-n",
        GD,
        "gd-two-n.ipynb",
        _code(
            GD,
            mse_grad="""def mse_grad(w, x, y):
    r = predict(w, x) - y
    return np.array([np.sum(r), np.sum(r * x)])
""",
        ),
        "gd-dropped-two-over-n",
    ),
    wrong(
        "gd-sequential-update",
        GD,
        "gd-sequential.ipynb",
        _code(
            GD,
            gradient_descent="""def gradient_descent(grad_fn, w0, lr, n_steps):
    w = np.array(w0, dtype=float)
    path = [w.copy()]
    for _ in range(n_steps):
        w[1] = w[1] - lr * grad_fn(w)[1]
        w[0] = w[0] - lr * grad_fn(w)[0]
        path.append(w.copy())
    return np.array(path)
""",
        ),
        "gd-sequential-update",
    ),
    wrong(
        "gd-aliased-trajectory",
        GD,
        "gd-aliased.ipynb",
        _code(
            GD,
            gradient_descent="""def gradient_descent(grad_fn, w0, lr, n_steps):
    w = np.array(w0, dtype=float)
    path = [w]
    for _ in range(n_steps):
        w -= lr * grad_fn(w)
        path.append(w)
    return np.array(path)
""",
        ),
        "gd-aliased-trajectory",
    ),
]

# --- 02 mini-batch ----------------------------------------------------------------------------------

BATCHES_LISTS = """def make_batches(n, batch_size, rng):
    order = rng.permutation(n).tolist()
    return [order[i : i + batch_size] for i in range(0, n, batch_size)]
"""
MINIBATCH_TQDM = """from tqdm import tqdm


def minibatch_gd(grad_fn, w0, lr, batches):
    w = np.array(w0, dtype=float)
    out = [w]
    for idx in tqdm(batches, leave=False):
        w = w - lr * grad_fn(w, idx)
        out.append(w)
    return np.stack(out)
"""
BATCHES_NP_SPLIT = """def make_batches(n, batch_size, rng):
    return np.split(rng.permutation(n), np.arange(batch_size, n, batch_size))
"""
RUN_EPOCHS_LOOP = """def run_epochs(grad_fn, w0, lr, n, batch_size, n_epochs, rng):
    w = np.array(w0, dtype=float)
    rows = [w.copy()]
    for epoch in range(n_epochs):
        for idx in make_batches(n, batch_size, rng):
            w = w - lr * grad_fn(w, idx)
        rows.append(w.copy())
    return np.vstack(rows)
"""
MB_CASES = [
    right("mb-solution", MB, "mb-solution.ipynb", lambda: b.solution(MB)),
    right("mb-nbconvert", MB, "mb-nbconvert.py", lambda: b.nbconvert_script(b.solution(MB))),
    right(
        "mb-lists-and-tqdm", MB, "mb-lists.ipynb", _code(MB, make_batches=BATCHES_LISTS, minibatch_gd=MINIBATCH_TQDM)
    ),
    right("mb-windows-percent", MB, "mb-windows.py", lambda: b.windows_bytes(b.percent_script(b.solution(MB)))),
    right(
        "mb-split-and-loops",
        MB,
        "mb-split.py",
        lambda: b.nbconvert_script(
            _solution(MB, make_batches__code=BATCHES_NP_SPLIT, run_epochs__code=RUN_EPOCHS_LOOP)
        ),
    ),
    wrong(
        "mb-drops-last",
        MB,
        "mb-drops.ipynb",
        _code(
            MB,
            make_batches="""def make_batches(n, batch_size, rng):
    order = rng.permutation(n)
    return [order[i : i + batch_size] for i in range(0, n - batch_size + 1, batch_size)]
""",
        ),
        "minibatch-drops-last",
    ),
    wrong(
        "mb-array-split",
        MB,
        "mb-split.ipynb",
        _code(
            MB,
            make_batches="""def make_batches(n, batch_size, rng):
    return np.array_split(rng.permutation(n), int(np.ceil(n / batch_size)))
""",
        ),
        "minibatch-unequal-sizes",
    ),
    wrong(
        "mb-no-shuffle",
        MB,
        "mb-no-shuffle.py",
        lambda: b.percent_script(
            _solution(
                MB,
                make_batches__code="""def make_batches(n, batch_size, rng):
    order = np.arange(n)
    return [order[i : i + batch_size] for i in range(0, n, batch_size)]
""",
            )
        ),
        "minibatch-no-shuffle",
    ),
    wrong(
        "mb-with-replacement",
        MB,
        "mb-replacement.ipynb",
        _code(
            MB,
            make_batches="""def make_batches(n, batch_size, rng):
    return [rng.choice(n, batch_size) for _ in range(int(np.ceil(n / batch_size)))]
""",
        ),
        "minibatch-with-replacement",
    ),
]

# --- 03 momentum ------------------------------------------------------------------------------------

MOMENTUM_LIST = """def momentum_init(w):
    return [0.0 * np.asarray(w, dtype=float)]


def momentum_step(w, g, state, lr, momentum=0.9):
    v = momentum * state[0] - lr * g
    return [w + v, [v]]
"""
MOMENTUM_STACKED = """def momentum_init(w):
    return np.zeros(len(w))


def momentum_step(w, g, state, lr, momentum=0.9):
    v = momentum * state - lr * np.asarray(g)
    return np.stack([w + v, v])
"""
MOMENTUM_TORCH = """import torch


def momentum_init(w):
    return torch.zeros(len(w), dtype=torch.float64)


def momentum_step(w, g, state, lr, momentum=0.9):
    v = momentum * state - lr * torch.as_tensor(g)
    return torch.as_tensor(w) + v, v
"""
NESTEROV_DICT = """def nesterov_init(w):
    return {"velocity": np.zeros_like(w, dtype=float)}


def nesterov_step(w, grad_fn, state, lr, momentum=0.9):
    ahead = w + momentum * state["velocity"]
    velocity = momentum * state["velocity"] - lr * grad_fn(ahead)
    return w + velocity, {"velocity": velocity}
"""
MOMENTUM_NAMEDTUPLE_F32 = """from typing import NamedTuple


class Velocity(NamedTuple):
    v: np.ndarray


def momentum_init(w):
    return Velocity(np.zeros(np.shape(w), dtype=np.float32))


def momentum_step(w, g, state, lr, momentum=0.9):
    v = np.float32(momentum) * state.v - np.float32(lr) * np.asarray(g, dtype=np.float32)
    return np.asarray(w, dtype=np.float32) + v, Velocity(v)
"""
NESTEROV_LIST = """def nesterov_init(w):
    return [0.0] * len(w)


def nesterov_step(w, grad_fn, state, lr, momentum=0.9):
    v = np.asarray(state)
    g = grad_fn(np.asarray(w) + momentum * v)
    v = momentum * v - lr * g
    return list(np.asarray(w) + v), list(v)
"""
MOM_CASES = [
    right("mom-solution", MOM, "mom-solution.ipynb", lambda: b.solution(MOM)),
    right("mom-nbconvert", MOM, "mom-nbconvert.py", lambda: b.nbconvert_script(b.solution(MOM))),
    right("mom-list-returns", MOM, "mom-lists.ipynb", _code(MOM, momentum=MOMENTUM_LIST)),
    right("mom-stacked-array", MOM, "mom-stacked.ipynb", _code(MOM, momentum=MOMENTUM_STACKED)),
    right("mom-torch-tensors", MOM, "mom-torch.ipynb", _code(MOM, momentum=MOMENTUM_TORCH)),
    right(
        "mom-dict-state-nesterov",
        MOM,
        "mom-dict.py",
        lambda: b.percent_script(_solution(MOM, nesterov__code=NESTEROV_DICT)),
    ),
    right("mom-namedtuple-float32", MOM, "mom-namedtuple.ipynb", _code(MOM, momentum=MOMENTUM_NAMEDTUPLE_F32)),
    right("mom-nesterov-list", MOM, "mom-nesterov-list.ipynb", _code(MOM, nesterov=NESTEROV_LIST)),
    wrong(
        "mom-lr-twice",
        MOM,
        "mom-lr-twice.ipynb",
        _code(
            MOM,
            momentum="""def momentum_init(w):
    return np.zeros_like(w, dtype=float)


def momentum_step(w, g, state, lr, momentum=0.9):
    v = momentum * state + lr * g
    return w - lr * v, v
""",
        ),
        "momentum-lr-twice",
    ),
    wrong(
        "mom-velocity-not-kept",
        MOM,
        "mom-not-kept.ipynb",
        _code(
            MOM,
            momentum="""def momentum_init(w):
    return np.zeros_like(w, dtype=float)


def momentum_step(w, g, state, lr, momentum=0.9):
    v = momentum * state - lr * g
    return w + v, state
""",
        ),
        "momentum-velocity-not-kept",
    ),
    wrong(
        "mom-ema-form",
        MOM,
        "mom-ema.ipynb",
        _code(
            MOM,
            momentum="""def momentum_init(w):
    return np.zeros_like(w, dtype=float)


def momentum_step(w, g, state, lr, momentum=0.9):
    v = momentum * state + (1 - momentum) * g
    return w - lr * v, v
""",
        ),
        "momentum-ema-form",
    ),
    wrong(
        "mom-state-in-place",
        MOM,
        "mom-in-place.ipynb",
        _code(
            MOM,
            momentum="""def momentum_init(w):
    return {"v": np.zeros_like(w, dtype=float)}


def momentum_step(w, g, state, lr, momentum=0.9):
    state["v"] *= momentum
    state["v"] -= lr * g
    return w + state["v"], state
""",
        ),
        "state-updated-in-place",
    ),
    wrong(
        "mom-nesterov-torch-form",
        MOM,
        "mom-nesterov-torch.ipynb",
        _code(
            MOM,
            nesterov="""def nesterov_init(w):
    return np.zeros_like(w, dtype=float)


def nesterov_step(w, grad_fn, state, lr, momentum=0.9):
    g = grad_fn(w)
    b = momentum * state + g
    return w - lr * (g + momentum * b), b
""",
        ),
        "nesterov-torch-form",
    ),
    wrong(
        "mom-nesterov-no-look-ahead",
        MOM,
        "mom-no-look-ahead.ipynb",
        _code(
            MOM,
            nesterov="""def nesterov_init(w):
    return np.zeros_like(w, dtype=float)


def nesterov_step(w, grad_fn, state, lr, momentum=0.9):
    v = momentum * state - lr * grad_fn(w)
    return w + v, v
""",
        ),
        "nesterov-no-look-ahead",
    ),
]

# --- 04 adaptive ------------------------------------------------------------------------------------

ADAM_LAZY_TORCH = """def adam_init(w):
    return {"t": 0, "m": np.zeros_like(w, dtype=float), "v": np.zeros_like(w, dtype=float)}


def adam_step(w, g, state, lr=0.001, betas=(0.9, 0.999), eps=1e-8):
    import torch  # only to accept tensors as well

    if isinstance(g, torch.Tensor):
        g = g.detach().numpy()
    b1, b2 = betas
    t = state["t"] + 1
    m = b1 * state["m"] + (1 - b1) * g
    v = b2 * state["v"] + (1 - b2) * g**2
    return w - lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps), {"t": t, "m": m, "v": v}
"""
ADAM_DATACLASS = """from dataclasses import dataclass, replace


@dataclass(frozen=True)
class AdamState:
    t: int
    m: np.ndarray
    v: np.ndarray


def adam_init(w):
    return AdamState(0, np.zeros_like(w, dtype=float), np.zeros_like(w, dtype=float))


def adam_step(w, g, state, lr=0.001, betas=(0.9, 0.999), eps=1e-8):
    t = state.t + 1
    m = betas[0] * state.m + (1 - betas[0]) * g
    v = betas[1] * state.v + (1 - betas[1]) * np.square(g)
    step = lr * m / (1 - betas[0] ** t) / (np.sqrt(v / (1 - betas[1] ** t)) + eps)
    return w - step, replace(state, t=t, m=m, v=v)
"""
ADAGRAD_LIST = """def adagrad_init(w):
    return [np.zeros(np.shape(w))]


def adagrad_step(w, g, state, lr=0.01, eps=1e-10):
    s = state[0] + np.asarray(g) ** 2
    return [np.asarray(w) - lr * np.asarray(g) / (np.sqrt(s) + eps), [s]]
"""
RMSPROP_FLOAT32 = """def rmsprop_init(w):
    return np.zeros(np.shape(w), dtype=np.float32)


def rmsprop_step(w, g, state, lr=0.01, alpha=0.99, eps=1e-8):
    w, g = np.asarray(w, dtype=np.float32), np.asarray(g, dtype=np.float32)
    s = np.float32(alpha) * state + np.float32(1 - alpha) * g * g
    return w - np.float32(lr) * g / (np.sqrt(s) + np.float32(eps)), s
"""
ADAMW_TORCH_OPS = """import torch


def adamw_init(w):
    z = torch.zeros(len(w), dtype=torch.float64)
    return (0, z, z.clone())


def adamw_step(w, g, state, lr=0.001, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01):
    t, m, v = state
    t += 1
    g = torch.as_tensor(g)
    w = torch.as_tensor(w) * (1 - lr * weight_decay)
    m = betas[0] * m + (1 - betas[0]) * g
    v = betas[1] * v + (1 - betas[1]) * g * g
    denom = (v / (1 - betas[1] ** t)).sqrt() + eps
    return w - lr * (m / (1 - betas[0] ** t)) / denom, (t, m, v)
"""


ADAGRAD_TUPLE = """def adagrad_init(w):
    return (np.zeros_like(w, dtype=float),)


def adagrad_step(w, g, state, lr=0.01, eps=1e-10):
    (total,) = state
    total = total + np.square(g)
    return w - lr * g / (np.sqrt(total) + eps), (total,)
"""
ADAMW_EXPLICIT = """def adamw_init(w):
    return (0, np.zeros_like(w, dtype=float), np.zeros_like(w, dtype=float))


def adamw_step(w, g, state, lr=0.001, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01):
    t, m, v = state
    t += 1
    m = betas[0] * m + (1 - betas[0]) * g
    v = betas[1] * v + (1 - betas[1]) * g * g
    m_hat, v_hat = m / (1 - betas[0] ** t), v / (1 - betas[1] ** t)
    w = w - lr * weight_decay * w
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), (t, m, v)
"""
RMSPROP_KEYS = """def rmsprop_init(w):
    return {"v": np.zeros(len(w)), "steps": 0}


def rmsprop_step(w, g, state, lr=0.01, alpha=0.99, eps=1e-8):
    v = state["v"] * alpha + (1.0 - alpha) * (g**2)
    return w - lr * g / (v**0.5 + eps), {"v": v, "steps": state["steps"] + 1}
"""


def _adam(body: str) -> str:
    return (
        """def adam_init(w):
    return {"t": 0, "m": np.zeros_like(w, dtype=float), "v": np.zeros_like(w, dtype=float)}


def adam_step(w, g, state, lr=0.001, betas=(0.9, 0.999), eps=1e-8):
    b1, b2 = betas
"""
        + body
    )


ADA_CASES = [
    right("ada-solution", ADA, "ada-solution.ipynb", lambda: b.solution(ADA)),
    right("ada-nbconvert", ADA, "ada-nbconvert.py", lambda: b.nbconvert_script(b.solution(ADA))),
    right("ada-lazy-torch-import", ADA, "ada-lazy-torch.ipynb", _code(ADA, adam=ADAM_LAZY_TORCH)),
    right("ada-dataclass-state", ADA, "ada-dataclass.ipynb", _code(ADA, adam=ADAM_DATACLASS)),
    right("ada-list-returns", ADA, "ada-lists.ipynb", _code(ADA, adagrad=ADAGRAD_LIST)),
    right("ada-float32", ADA, "ada-float32.ipynb", _code(ADA, rmsprop=RMSPROP_FLOAT32)),
    right(
        "ada-torch-ops", ADA, "ada-torch-ops.py", lambda: b.percent_script(_solution(ADA, adamw__code=ADAMW_TORCH_OPS))
    ),
    right(
        "ada-copied-cells-windows",
        ADA,
        "ada-copied.ipynb",
        lambda: b.windows_bytes(b.notebook_bytes(b.without_metadata(b.solution(ADA)))),
    ),
    right("ada-tuple-states", ADA, "ada-tuples.ipynb", _code(ADA, adagrad=ADAGRAD_TUPLE, adamw=ADAMW_EXPLICIT)),
    right(
        "ada-rmsprop-named-keys",
        ADA,
        "ada-rms-keys.py",
        lambda: b.percent_script(_solution(ADA, rmsprop__code=RMSPROP_KEYS)),
    ),
    wrong(
        "ada-adagrad-eps-inside",
        ADA,
        "ada-eps-inside.ipynb",
        _code(
            ADA,
            adagrad="""def adagrad_init(w):
    return np.zeros_like(w, dtype=float)


def adagrad_step(w, g, state, lr=0.01, eps=1e-10):
    s = state + g * g
    return w - lr * g / np.sqrt(s + eps), s
""",
        ),
        "adagrad-eps-inside-sqrt",
    ),
    wrong(
        "ada-rmsprop-lr-for-one-minus-alpha",
        ADA,
        "ada-rms-lr.ipynb",
        _code(
            ADA,
            rmsprop="""def rmsprop_init(w):
    return np.zeros_like(w, dtype=float)


def rmsprop_step(w, g, state, lr=0.01, alpha=0.99, eps=1e-8):
    s = alpha * state + lr * g * g
    return w - lr * g / (np.sqrt(s) + eps), s
""",
        ),
        "rmsprop-lr-for-one-minus-alpha",
    ),
    wrong(
        "ada-rmsprop-no-one-minus-alpha",
        ADA,
        "ada-rms-alpha.ipynb",
        _code(
            ADA,
            rmsprop="""def rmsprop_init(w):
    return np.zeros_like(w, dtype=float)


def rmsprop_step(w, g, state, lr=0.01, alpha=0.99, eps=1e-8):
    s = alpha * state + g * g
    return w - lr * g / (np.sqrt(s) + eps), s
""",
        ),
        "rmsprop-missing-one-minus-alpha",
    ),
    wrong(
        "ada-adam-no-bias-correction",
        ADA,
        "ada-no-bias.ipynb",
        _code(
            ADA,
            adam=_adam("""    m = b1 * state["m"] + (1 - b1) * g
    v = b2 * state["v"] + (1 - b2) * g * g
    return w - lr * m / (np.sqrt(v) + eps), {"t": state["t"] + 1, "m": m, "v": v}
"""),
        ),
        "adam-no-bias-correction",
    ),
    wrong(
        "ada-adam-efficient-form",
        ADA,
        "ada-efficient.ipynb",
        _code(
            ADA,
            adam=_adam("""    t = state["t"] + 1
    m = b1 * state["m"] + (1 - b1) * g
    v = b2 * state["v"] + (1 - b2) * g * g
    step_size = lr * np.sqrt(1 - b2**t) / (1 - b1**t)
    return w - step_size * m / (np.sqrt(v) + eps), {"t": t, "m": m, "v": v}
"""),
        ),
        "adam-efficient-form",
    ),
    wrong(
        "ada-adam-global-counter",
        ADA,
        "ada-global-t.ipynb",
        _code(
            ADA,
            adam="""t = 0


def adam_init(w):
    return {"m": np.zeros_like(w, dtype=float), "v": np.zeros_like(w, dtype=float)}


def adam_step(w, g, state, lr=0.001, betas=(0.9, 0.999), eps=1e-8):
    global t
    t += 1
    m = betas[0] * state["m"] + (1 - betas[0]) * g
    v = betas[1] * state["v"] + (1 - betas[1]) * g * g
    return w - lr * (m / (1 - betas[0] ** t)) / (np.sqrt(v / (1 - betas[1] ** t)) + eps), {"m": m, "v": v}
""",
        ),
        "state-outside-init",
    ),
    wrong(
        "ada-adam-global-lr",
        ADA,
        "ada-global-lr.ipynb",
        _code(
            ADA,
            adam="""learning_rate = 0.003


def adam_init(w):
    return {"t": 0, "m": np.zeros_like(w, dtype=float), "v": np.zeros_like(w, dtype=float)}


def adam_step(w, g, state, lr=0.001, betas=(0.9, 0.999), eps=1e-8):
    t = state["t"] + 1
    m = betas[0] * state["m"] + (1 - betas[0]) * g
    v = betas[1] * state["v"] + (1 - betas[1]) * g * g
    step = learning_rate * (m / (1 - betas[0] ** t)) / (np.sqrt(v / (1 - betas[1] ** t)) + eps)
    return w - step, {"t": t, "m": m, "v": v}
""",
        ),
        "lr-not-the-argument",
    ),
    wrong(
        "ada-adam-lr-for-one-minus-beta1",
        ADA,
        "ada-adam-lr.ipynb",
        _code(
            ADA,
            adam=_adam("""    t = state["t"] + 1
    m = b1 * state["m"] + lr * g
    v = b2 * state["v"] + (1 - b2) * g * g
    return w - lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps), {"t": t, "m": m, "v": v}
"""),
        ),
    ),
    wrong(
        "ada-adamw-as-l2",
        ADA,
        "ada-adamw-l2.ipynb",
        _code(
            ADA,
            adamw="""def adamw_init(w):
    return adam_init(w)


def adamw_step(w, g, state, lr=0.001, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01):
    return adam_step(w, g + weight_decay * w, state, lr, betas, eps)
""",
        ),
        "adamw-as-l2",
    ),
    wrong(
        "ada-adamw-decay-after-step",
        ADA,
        "ada-adamw-after.ipynb",
        _code(
            ADA,
            adamw="""def adamw_init(w):
    return adam_init(w)


def adamw_step(w, g, state, lr=0.001, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01):
    new_w, new_state = adam_step(w, g, state, lr, betas, eps)
    return new_w * (1 - lr * weight_decay), new_state
""",
        ),
        "adamw-decay-after-step",
    ),
    wrong(
        "ada-adamw-decay-without-lr",
        ADA,
        "ada-adamw-no-lr.py",
        lambda: b.nbconvert_script(
            _solution(
                ADA,
                adamw__code="""def adamw_init(w):
    return adam_init(w)


def adamw_step(w, g, state, lr=0.001, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01):
    return adam_step(w * (1 - weight_decay), g, state, lr, betas, eps)
""",
            )
        ),
        "adamw-decay-without-lr",
    ),
]

# --- 05 schedules -----------------------------------------------------------------------------------

TRAIN_LOGGING_NEXT_LR = """def train_with_schedule(grad_fn, w0, schedule, n_steps):
    w = np.array(w0, dtype=float)
    path, lrs = [w.copy()], []
    for k in range(n_steps):
        lrs.append(schedule(k))
        w = w - lrs[-1] * grad_fn(w)
        path.append(w.copy())
    print("next lr would be", schedule(n_steps))
    return np.array(path)
"""
RANGE_TEST_LISTS = """def lr_range_test(loss_and_grad, w0, lr_min, lr_max, n_steps):
    ratio = (lr_max / lr_min) ** (1 / (n_steps - 1))
    lrs, losses, w = [], [], np.array(w0, dtype=float)
    for i in range(n_steps):
        lr = lr_min * ratio**i
        loss, grad = loss_and_grad(w)
        lrs.append(lr)
        losses.append(loss)
        w = w - lr * grad
    return lrs, losses
"""
COSINE_NUMPY = """def cosine_annealing(step, lr0, T_max, eta_min=0.0):
    return float(eta_min + 0.5 * (lr0 - eta_min) * (1 + np.cos(np.pi * step / T_max)))
"""


STEP_FLOOR = """def step_decay(step, lr0, step_size, gamma=0.5):
    return lr0 * math.pow(gamma, math.floor(step / step_size))
"""
EXP_POW = """def exponential_decay(step, lr0, gamma):
    return lr0 * math.exp(step * math.log(gamma))
"""
WARMUP_COSINE_INLINE = """def warmup_cosine(step, lr0, warmup_steps, total_steps, eta_min=0.0):
    if step < warmup_steps:
        return lr0 * (step + 1) / warmup_steps
    progress = (step - warmup_steps) / (total_steps - warmup_steps)
    return eta_min + 0.5 * (lr0 - eta_min) * (1 + math.cos(math.pi * progress))
"""
CYCLIC_NUMPY = """def cyclical_lr(step, base_lr, max_lr, step_size_up, mode="triangular", gamma=1.0):
    cycle = np.floor(1 + step / (2 * step_size_up))
    x = np.abs(step / step_size_up - 2 * cycle + 1)
    scale = {"triangular": 1.0, "triangular2": 1 / 2 ** (cycle - 1), "exp_range": gamma**step}[mode]
    return base_lr + (max_lr - base_lr) * np.maximum(0, 1 - x) * scale
"""


def _suggest(body: str) -> str:
    return "def suggest_lr(lrs, losses, skip_start=10, skip_end=5):\n" + body


SCH_CASES = [
    right("sch-solution", SCH, "sch-solution.ipynb", lambda: b.solution(SCH)),
    right("sch-nbconvert", SCH, "sch-nbconvert.py", lambda: b.nbconvert_script(b.solution(SCH))),
    right("sch-logs-the-next-lr", SCH, "sch-next-lr.ipynb", _code(SCH, train_with_schedule=TRAIN_LOGGING_NEXT_LR)),
    right(
        "sch-lists-and-numpy-cosine",
        SCH,
        "sch-lists.ipynb",
        _code(SCH, lr_range_test=RANGE_TEST_LISTS, cosine_annealing=COSINE_NUMPY),
    ),
    right("sch-percent-windows", SCH, "sch-windows.py", lambda: b.windows_bytes(b.percent_script(b.solution(SCH)))),
    right(
        "sch-math-variants",
        SCH,
        "sch-math.ipynb",
        _code(SCH, step_decay=STEP_FLOOR, exponential_decay=EXP_POW, warmup_cosine=WARMUP_COSINE_INLINE),
    ),
    right("sch-cyclical-numpy", SCH, "sch-cyclic.ipynb", _code(SCH, cyclical_lr=CYCLIC_NUMPY)),
    wrong(
        "sch-cosine-clamped",
        SCH,
        "sch-clamped.ipynb",
        _code(
            SCH,
            cosine_annealing="""def cosine_annealing(step, lr0, T_max, eta_min=0.0):
    step = min(step, T_max)
    return eta_min + (lr0 - eta_min) * (1 + math.cos(math.pi * step / T_max)) / 2
""",
        ),
        "cosine-clamped-past-t-max",
    ),
    wrong(
        "sch-warmup-from-zero",
        SCH,
        "sch-warmup.ipynb",
        _code(
            SCH,
            linear_warmup="""def linear_warmup(step, lr0, warmup_steps):
    return lr0 * min(1.0, step / warmup_steps)
""",
        ),
    ),
    wrong(
        "sch-range-test-stops-early",
        SCH,
        "sch-stops.ipynb",
        _code(
            SCH,
            lr_range_test="""def lr_range_test(loss_and_grad, w0, lr_min, lr_max, n_steps):
    lrs = lr_min * (lr_max / lr_min) ** (np.arange(n_steps) / (n_steps - 1))
    w, losses = np.array(w0, dtype=float), []
    for lr in lrs:
        loss, grad = loss_and_grad(w)
        losses.append(loss)
        if loss > 4 * min(losses):
            break
        w = w - lr * grad
    return lrs[: len(losses)], np.array(losses)
""",
        ),
        "range-test-stops-early",
    ),
    wrong(
        "sch-range-test-linear",
        SCH,
        "sch-linear.ipynb",
        _code(
            SCH,
            lr_range_test="""def lr_range_test(loss_and_grad, w0, lr_min, lr_max, n_steps):
    lrs = np.linspace(lr_min, lr_max, n_steps)
    w, losses = np.array(w0, dtype=float), []
    for lr in lrs:
        loss, grad = loss_and_grad(w)
        losses.append(loss)
        w = w - lr * grad
    return lrs, np.array(losses)
""",
        ),
        "range-test-linear-spacing",
    ),
    wrong(
        "sch-suggest-np-diff",
        SCH,
        "sch-diff.ipynb",
        _code(
            SCH,
            suggest_lr=_suggest("""    end = len(losses) - skip_end
    return float(np.asarray(lrs)[skip_start:end][np.argmin(np.diff(np.asarray(losses)[skip_start:end]))])
"""),
        ),
    ),
    wrong(
        "sch-suggest-lowest-loss",
        SCH,
        "sch-lowest.ipynb",
        _code(
            SCH,
            suggest_lr=_suggest("""    return float(np.asarray(lrs)[np.argmin(losses)])
"""),
        ),
        "suggest-lr-lowest-loss",
    ),
    wrong(
        "sch-suggest-no-skip",
        SCH,
        "sch-no-skip.ipynb",
        _code(
            SCH,
            suggest_lr=_suggest("""    return float(np.asarray(lrs)[np.argmin(np.gradient(np.asarray(losses, dtype=float)))])
"""),
        ),
        "suggest-lr-no-skip",
    ),
]

# --- 06 PyTorch -------------------------------------------------------------------------------------

TRAIN_TQDM = """from tqdm.auto import trange


def train(model, optimizer, loss_fn, X, y, n_steps, scheduler=None):
    history = []
    for _ in trange(n_steps, disable=True):
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(X), y)
        loss.backward()
        optimizer.step()
        if scheduler:
            scheduler.step()
        history.append(float(loss))
    return history
"""
SGD_OWN_STATE_KEYS = """class SGDMomentum(torch.optim.Optimizer):
    def __init__(self, params, lr=0.01, momentum=0.9, weight_decay=0.0):
        super().__init__(params, {"lr": lr, "momentum": momentum, "weight_decay": weight_decay})

    @torch.no_grad()
    def step(self, closure=None):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                d = p.grad + group["weight_decay"] * p
                buf = self.state[p].get("buf")
                buf = d.clone() if buf is None else group["momentum"] * buf + d
                self.state[p]["buf"] = buf
                p.sub_(group["lr"] * buf)
"""
ADAM_TORCH_FUNCTIONAL_OPS = """class Adam(torch.optim.Optimizer):
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay))

    def step(self, closure=None):
        with torch.no_grad():
            for group in self.param_groups:
                b1, b2 = group["betas"]
                for p in group["params"]:
                    if p.grad is None:
                        continue
                    g = p.grad + group["weight_decay"] * p
                    state = self.state[p]
                    t = state.get("t", 0) + 1
                    m = b1 * state.get("m", torch.zeros_like(p)) + (1 - b1) * g
                    v = b2 * state.get("v", torch.zeros_like(p)) + (1 - b2) * g * g
                    state.update(t=t, m=m, v=v)
                    p.copy_(p - group["lr"] * (m / (1 - b1**t)) / ((v / (1 - b2**t)).sqrt() + group["eps"]))
"""
TOR_CASES = [
    right("tor-solution", TOR, "tor-solution.ipynb", lambda: b.solution(TOR)),
    right("tor-nbconvert", TOR, "tor-nbconvert.py", lambda: b.nbconvert_script(b.solution(TOR))),
    right("tor-tqdm-and-own-state", TOR, "tor-own.ipynb", _code(TOR, train=TRAIN_TQDM, SGDMomentum=SGD_OWN_STATE_KEYS)),
    right("tor-adam-functional-ops", TOR, "tor-adam-ops.ipynb", _code(TOR, Adam=ADAM_TORCH_FUNCTIONAL_OPS)),
    right("tor-percent-windows", TOR, "tor-windows.py", lambda: b.windows_bytes(b.percent_script(b.solution(TOR)))),
    wrong(
        "tor-no-zero-grad",
        TOR,
        "tor-no-zero.ipynb",
        _code(
            TOR,
            train="""def train(model, optimizer, loss_fn, X, y, n_steps, scheduler=None):
    losses = []
    for _ in range(n_steps):
        loss = loss_fn(model(X), y)
        loss.backward()
        optimizer.step()
        if scheduler is not None:
            scheduler.step()
        losses.append(loss.item())
    return losses
""",
        ),
    ),
    wrong(
        "tor-scheduler-first",
        TOR,
        "tor-sched-first.ipynb",
        _code(
            TOR,
            train="""def train(model, optimizer, loss_fn, X, y, n_steps, scheduler=None):
    losses = []
    for _ in range(n_steps):
        if scheduler is not None:
            scheduler.step()
        optimizer.zero_grad()
        loss = loss_fn(model(X), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses
""",
        ),
    ),
    wrong(
        "tor-lr-read-once",
        TOR,
        "tor-lr-once.ipynb",
        _code(
            TOR,
            SGDMomentum="""class SGDMomentum(torch.optim.Optimizer):
    def __init__(self, params, lr=0.01, momentum=0.9, weight_decay=0.0):
        super().__init__(params, dict(lr=lr, momentum=momentum, weight_decay=weight_decay))
        self.lr, self.momentum = lr, momentum

    @torch.no_grad()
    def step(self, closure=None):
        for group in self.param_groups:
            for p in group["params"]:
                state = self.state[p]
                buf = state.get("momentum_buffer")
                buf = p.grad.clone() if buf is None else self.momentum * buf + p.grad
                state["momentum_buffer"] = buf
                p.add_(buf, alpha=-self.lr)
""",
        ),
        "sgd-lr-read-once",
    ),
]

# --- real course code under its own specs: CS231n, deeplearning.ai, numpy and torch classes ----------

CS231N_OPTIM = (EXAMPLES / "alice_correct.py").read_text(encoding="utf-8")
CS231N_DRIVER = "import numpy as np\nfrom cs231n.optim import sgd, sgd_momentum, rmsprop, adam\n"
CS231N_SOLVER_STYLE = """import numpy as np


def sgd(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    w -= config["learning_rate"] * dw
    return w, config


def sgd_momentum(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("momentum", 0.9)
    v = config.get("velocity", np.zeros_like(w))
    v = config["momentum"] * v - config["learning_rate"] * dw
    next_w = w + v
    config["velocity"] = v
    return next_w, config


def rmsprop(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("decay_rate", 0.99)
    config.setdefault("epsilon", 1e-8)
    config.setdefault("cache", np.zeros_like(w))
    config["cache"] = config["decay_rate"] * config["cache"] + (1 - config["decay_rate"]) * dw**2
    next_w = w - config["learning_rate"] * dw / (np.sqrt(config["cache"]) + config["epsilon"])
    return next_w, config


def adam(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-3)
    config.setdefault("beta1", 0.9)
    config.setdefault("beta2", 0.999)
    config.setdefault("epsilon", 1e-8)
    config.setdefault("m", np.zeros_like(w))
    config.setdefault("v", np.zeros_like(w))
    config.setdefault("t", 0)
    config["t"] += 1
    config["m"] = config["beta1"] * config["m"] + (1 - config["beta1"]) * dw
    config["v"] = config["beta2"] * config["v"] + (1 - config["beta2"]) * (dw**2)
    mb = config["m"] / (1 - config["beta1"] ** config["t"])
    vb = config["v"] / (1 - config["beta2"] ** config["t"])
    next_w = w - config["learning_rate"] * mb / (np.sqrt(vb) + config["epsilon"])
    return next_w, config
"""
DLAI = (Path(__file__).resolve().parents[1] / "support" / "students" / "dlai_optimization.py").read_text(
    encoding="utf-8"
)


def _driver_notebook(source: str):
    import nbformat

    return nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell(source)], metadata={"language_info": {"name": "python"}}
    )


NUMPY_CLASSES = '''import numpy as np


class Momentum:
    """SGD with momentum, torch's buffer form; state kept per array, in a list."""

    def __init__(self, lr=0.01, momentum=0.9):
        self.lr, self.momentum, self.v = lr, momentum, None

    def step(self, params, grads):
        if self.v is None:
            self.v = [g.copy() for g in grads]
        else:
            for v, g in zip(self.v, grads):
                v *= self.momentum
                v += g
        for p, v in zip(params, self.v):
            p -= self.lr * v


class Adam:
    """Adam; state kept per parameter array, keyed by id()."""

    def __init__(self, lr=0.001, betas=(0.9, 0.999), eps=1e-8):
        self.lr, self.betas, self.eps, self.state, self.t = lr, betas, eps, {}, 0

    def step(self, params, grads):
        self.t += 1
        b1, b2 = self.betas
        for p, g in zip(params, grads):
            m, v = self.state.setdefault(id(p), (np.zeros_like(p), np.zeros_like(p)))
            m[:] = b1 * m + (1 - b1) * g
            v[:] = b2 * v + (1 - b2) * g * g
            p -= self.lr * (m / (1 - b1**self.t)) / (np.sqrt(v / (1 - b2**self.t)) + self.eps)
        return params
'''
YANDEX = """import numpy as np


def sgd_momentum(variables, gradients, config, state):
    state.setdefault("accumulated_grads", {})
    var_index = 0
    for current_layer_vars, current_layer_grads in zip(variables, gradients):
        for current_var, current_grad in zip(current_layer_vars, current_layer_grads):
            old_grad = state["accumulated_grads"].setdefault(var_index, np.zeros_like(current_grad))
            np.add(config["momentum"] * old_grad, config["learning_rate"] * current_grad, out=old_grad)
            current_var -= old_grad
            var_index += 1


def adam_optimizer(variables, gradients, config, state):
    state.setdefault("m", {})
    state.setdefault("v", {})
    state.setdefault("t", 0)
    state["t"] += 1
    for k in ["learning_rate", "beta1", "beta2", "epsilon"]:
        assert k in config, config.keys()
    var_index = 0
    lr_t = config["learning_rate"] * np.sqrt(1 - config["beta2"] ** state["t"]) / (1 - config["beta1"] ** state["t"])
    for current_layer_vars, current_layer_grads in zip(variables, gradients):
        for current_var, current_grad in zip(current_layer_vars, current_layer_grads):
            var_first_moment = state["m"].setdefault(var_index, np.zeros_like(current_grad))
            var_second_moment = state["v"].setdefault(var_index, np.zeros_like(current_grad))
            np.add(config["beta1"] * var_first_moment, (1 - config["beta1"]) * current_grad, out=var_first_moment)
            np.add(config["beta2"] * var_second_moment, (1 - config["beta2"]) * current_grad**2, out=var_second_moment)
            current_var -= lr_t * var_first_moment / (np.sqrt(var_second_moment) + config["epsilon"])
            var_index += 1
"""
TORCH_CLASSES = '''import torch


class SGD:
    """torch-style, not a torch.optim.Optimizer: params and their .grad."""

    def __init__(self, params, lr=0.01, momentum=0.0):
        self.params, self.lr, self.momentum = list(params), lr, momentum
        self.buffers = [None for _ in self.params]

    def zero_grad(self):
        for p in self.params:
            p.grad = None

    @torch.no_grad()
    def step(self):
        for i, p in enumerate(self.params):
            if p.grad is None:
                continue
            b = self.buffers[i]
            self.buffers[i] = p.grad.clone() if b is None else self.momentum * b + p.grad
            p -= self.lr * self.buffers[i]


class Adam(torch.optim.Optimizer):
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps))

    @torch.no_grad()
    def step(self, closure=None):
        for group in self.param_groups:
            b1, b2 = group["betas"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                s = self.state[p]
                if len(s) == 0:
                    s["step"], s["m"], s["v"] = 0, torch.zeros_like(p), torch.zeros_like(p)
                s["step"] += 1
                s["m"].mul_(b1).add_(p.grad, alpha=1 - b1)
                s["v"].mul_(b2).addcmul_(p.grad, p.grad, value=1 - b2)
                m_hat = s["m"] / (1 - b1 ** s["step"])
                v_hat = s["v"] / (1 - b2 ** s["step"])
                p.addcdiv_(m_hat, v_hat.sqrt().add_(group["eps"]), value=-group["lr"])
'''
TORCH_ONE_BUFFER = TORCH_CLASSES.replace("self.buffers = [None for _ in self.params]", "self.buffer = None").replace(
    "b = self.buffers[i]\n            self.buffers[i] = p.grad.clone() if b is None else self.momentum * b + p.grad\n"
    "            p -= self.lr * self.buffers[i]",
    "self.buffer = p.grad.clone() if self.buffer is None or self.buffer.shape != p.shape "
    "else self.momentum * self.buffer + p.grad\n            p -= self.lr * self.buffer",
)
TORCH_GLOBAL_STEP = TORCH_CLASSES.replace(
    'if len(s) == 0:\n                    s["step"], s["m"], s["v"] = 0, torch.zeros_like(p), torch.zeros_like(p)\n'
    '                s["step"] += 1',
    'if len(s) == 0:\n                    s["m"], s["v"] = torch.zeros_like(p), torch.zeros_like(p)\n'
    '                self.t = getattr(self, "t", 0) + 1\n                s["step"] = self.t',
)
NUMPY_SHARED_COUNTER = NUMPY_CLASSES.replace(
    "    def step(self, params, grads):\n        self.t += 1\n        b1, b2 = self.betas\n        for p, g in zip(params, grads):\n",
    "    def step(self, params, grads):\n        b1, b2 = self.betas\n        for p, g in zip(params, grads):\n            self.t += 1\n",
)

COURSE_CASES = [
    right("cs231n-optim-py", "cs231n-optim", "optim.py", lambda: CS231N_OPTIM),
    right("cs231n-solver-style-in-place", "cs231n-optim", "solver_style.py", lambda: CS231N_SOLVER_STYLE),
    right(
        "cs231n-zip-notebook-and-package",
        "cs231n-optim",
        "cs231n-hw.zip",
        lambda: b.zip_bytes(
            {
                "assignment2/Optimizers.ipynb": b.notebook_bytes(_driver_notebook(CS231N_DRIVER)),
                "assignment2/cs231n/__init__.py": b"",
                "assignment2/cs231n/optim.py": CS231N_OPTIM.encode(),
            }
        ),
    ),
    right(
        "cs231n-zip-package-only",
        "cs231n-optim",
        "cs231n-package.zip",
        lambda: b.zip_bytes({"cs231n/__init__.py": b"", "cs231n/optim.py": CS231N_SOLVER_STYLE.encode()}),
    ),
    right(
        "cs231n-folder-bundle",
        "cs231n-optim",
        "cs231n-folder",
        lambda: {
            "Optimizers.ipynb": _driver_notebook(CS231N_DRIVER),
            "cs231n/__init__.py": "",
            "cs231n/optim.py": CS231N_OPTIM,
        },
    ),
    right("dlai-dict-convention", "dlai-optimization", "dlai.py", lambda: DLAI),
    right("dlai-notebook", "dlai-optimization", "dlai.ipynb", lambda: _driver_notebook(DLAI)),
    right("numpy-classes-in-place", "numpy-classes", "numpy_classes.py", lambda: NUMPY_CLASSES),
    right("yandex-nested-lists", "yandex-practical-dl", "week2_optimizers.py", lambda: YANDEX),
    right("torch-classes", "torch-classes", "torch_classes.py", lambda: TORCH_CLASSES),
    right(
        "cs231n-nbconvert-of-driver",
        "cs231n-optim",
        "cs231n-driver.py",
        lambda: b.nbconvert_script(_driver_notebook(CS231N_SOLVER_STYLE)),
    ),
    right("dlai-windows", "dlai-optimization", "dlai-windows.py", lambda: b.windows_bytes(DLAI)),
    right("torch-classes-notebook", "torch-classes", "torch_classes.ipynb", lambda: _driver_notebook(TORCH_CLASSES)),
    right(
        "numpy-classes-zip",
        "numpy-classes",
        "numpy_classes.zip",
        lambda: b.zip_bytes(
            {
                "run.ipynb": b.notebook_bytes(_driver_notebook("from optimizers import Momentum, Adam")),
                "optimizers.py": NUMPY_CLASSES.encode(),
            }
        ),
    ),
    wrong(
        "cs231n-adam-no-bias-correction",
        "cs231n-optim",
        "bob.py",
        lambda: (EXAMPLES / "bob_no_bias_correction.py").read_text(encoding="utf-8"),
        "adam-no-bias-correction",
    ),
    wrong(
        "cs231n-rmsprop-keras-alpha",
        "cs231n-optim",
        "keras_alpha.py",
        lambda: CS231N_OPTIM.replace('config.setdefault("decay_rate", 0.99)', 'config["decay_rate"] = 0.9'),
        "rmsprop-alpha-0.9",
    ),
    wrong(
        "numpy-classes-shared-counter",
        "numpy-classes",
        "shared_counter.py",
        lambda: NUMPY_SHARED_COUNTER,
        "adam-step-per-tensor",
    ),
    wrong("torch-classes-one-buffer", "torch-classes", "one_buffer.py", lambda: TORCH_ONE_BUFFER),
    wrong(
        "torch-classes-global-step",
        "torch-classes",
        "global_step.py",
        lambda: TORCH_GLOBAL_STEP,
        "adam-step-per-tensor",
    ),
]

CORPUS: tuple[Submission, ...] = (*GD_CASES, *MB_CASES, *MOM_CASES, *ADA_CASES, *SCH_CASES, *TOR_CASES, *COURSE_CASES)
