"""Student submissions for the six course assignments: typical mistakes and correct variants.

Each case replaces some of the solution notebook's functions with a student's version.
``expect`` maps a check (``question/check``) to the catalog diagnosis id it must get, or
to text its message must contain. Correct cases are written in another style than the
solution (other state layout, float32, loops instead of vector operations) and must get
full marks.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Case:
    """One submission: which assignment, the student's code, and what the grader must say."""

    assignment: str
    name: str
    source: str
    expect: dict[str, str] = field(default_factory=dict)

    @property
    def correct(self) -> bool:
        """Correct cases expect nothing: they must score full marks."""
        return not self.expect


GD = "01-gradient-descent"
MINIBATCH = "02-minibatch"
MOMENTUM = "03-momentum"
ADAPTIVE = "04-adaptive"
SCHEDULES = "05-schedules"
PYTORCH = "06-pytorch"

CASES = [
    # --- 01: gradient descent ------------------------------------------------------------------
    Case(GD, "swapped-parameters", "def predict(w, x):\n    return w[0] * x + w[1]\n",
         {"predict/function": "w0과 w1이 바뀌었습니다"}),
    Case(GD, "summed-loss", "def mse_loss(w, x, y):\n    return float(np.sum((w[1] * x + w[0] - y) ** 2))\n",
         {"mse_loss/function": "평균하지 않고 더했습니다"}),
    Case(GD, "gradient-without-two", """
def mse_grad(w, x, y):
    r = w[1] * x + w[0] - y
    return np.array([np.mean(r), np.mean(r * x)])
""", {"mse_grad/gradient": "해석적 그라디언트의 0.5배"}),
    Case(GD, "one-sided-difference", """
def numerical_grad(f, w, h=1e-5):
    grad = np.zeros(len(w))
    for i in range(len(w)):
        bumped = np.array(w, dtype=float)
        bumped[i] += h
        grad[i] = (f(bumped) - f(w)) / h
    return grad
""", {"numerical_grad/gradient": "중앙 차분"}),
    Case(GD, "central-difference-over-h", """
def numerical_grad(f, w, h=1e-5):
    eye = np.eye(len(w))
    return np.array([(f(w + h * e) - f(w - h * e)) / h for e in eye])
""", {"numerical_grad/gradient": "해석적 그라디언트의 2배"}),
    Case(GD, "aliased-trajectory", """
def gradient_descent(grad_fn, w0, lr, n_steps):
    w = np.array(w0, dtype=float)
    path = [w]
    for _ in range(n_steps):
        w -= lr * grad_fn(w)
        path.append(w)
    return np.array(path)
""", {"gradient_descent/closed-loop": "gd-aliased-trajectory"}),
    Case(GD, "w1-first", """
def gradient_descent(grad_fn, w0, lr, n_steps):
    w = np.array(w0, dtype=float)
    path = [w.copy()]
    for _ in range(n_steps):
        w[1] = w[1] - lr * grad_fn(w)[1]
        w[0] = w[0] - lr * grad_fn(w)[0]
        path.append(w.copy())
    return np.array(path)
""", {"gradient_descent/closed-loop": "gd-sequential-update"}),
    Case(GD, "missing-start-row", """
def gradient_descent(grad_fn, w0, lr, n_steps):
    path, w = [], np.array(w0, dtype=float)
    for _ in range(n_steps):
        w = w - lr * grad_fn(w)
        path.append(w)
    return np.array(path)
""", {"gradient_descent/closed-loop": "기대한 모양은 (31, 2)입니다"}),
    Case(GD, "mutates-w0", """
def gradient_descent(grad_fn, w0, lr, n_steps):
    path = [w0.copy()]
    for _ in range(n_steps):
        w0 -= lr * grad_fn(w0)
        path.append(w0.copy())
    return np.array(path)
""", {"gradient_descent/closed-loop": "받은 w0을 제자리에서 바꿨습니다"}),
    Case(GD, "loops-in-float32", """
def predict(w, x):
    return np.array([np.float32(w[1]) * np.float32(xi) + np.float32(w[0]) for xi in x], dtype=np.float32)

def mse_loss(w, x, y):
    total = np.float32(0.0)
    for xi, yi in zip(x, y):
        total += (np.float32(w[1]) * np.float32(xi) + np.float32(w[0]) - np.float32(yi)) ** 2
    return total / np.float32(len(x))

def mse_grad(w, x, y):
    g0 = g1 = np.float32(0.0)
    for xi, yi in zip(x, y):
        r = np.float32(w[1]) * np.float32(xi) + np.float32(w[0]) - np.float32(yi)
        g0 += 2 * r
        g1 += 2 * r * np.float32(xi)
    return np.array([g0, g1], dtype=np.float32) / np.float32(len(x))
"""),
    Case(GD, "preallocated-and-eye", """
def predict(w, x):
    return np.polyval([w[1], w[0]], x)

def numerical_grad(f, w, h=1e-5):
    w = np.asarray(w, dtype=float)
    steps = h * np.eye(w.size)
    return np.array([f(w + s) - f(w - s) for s in steps]) / (2 * h)

def gradient_descent(grad_fn, w0, lr, n_steps):
    path = np.empty((n_steps + 1, len(w0)))
    path[0] = w0
    for k in range(n_steps):
        path[k + 1] = path[k] - lr * np.asarray(grad_fn(path[k]))
    return path
"""),
    # --- 02: mini-batches ------------------------------------------------------------------------
    Case(MINIBATCH, "drops-last-batch", """
def make_batches(n, batch_size, rng):
    order = rng.permutation(n)
    return [order[i:i + batch_size] for i in range(0, n - batch_size + 1, batch_size)]
""", {"make_batches/property": "남은 예제가 빠졌습니다", "run_epochs/minibatch": "minibatch-drops-last"}),
    Case(MINIBATCH, "never-shuffles", """
def make_batches(n, batch_size, rng):
    order = np.arange(n)
    return [order[i:i + batch_size] for i in range(0, n, batch_size)]
""", {"make_batches/property": "섞지 않았습니다", "run_epochs/minibatch": "minibatch-no-shuffle"}),
    Case(MINIBATCH, "with-replacement", """
def make_batches(n, batch_size, rng):
    return [rng.integers(0, n, size=min(batch_size, n - i)) for i in range(0, n, batch_size)]
""", {"make_batches/property": "분할이 아닙니다", "run_epochs/minibatch": "기준과 달라집니다"}),
    Case(MINIBATCH, "shuffles-once", """
def run_epochs(grad_fn, w0, lr, n, batch_size, n_epochs, rng):
    batches = make_batches(n, batch_size, rng)
    w, history = np.array(w0, dtype=float), [np.array(w0, dtype=float)]
    for _ in range(n_epochs):
        w = minibatch_gd(grad_fn, w, lr, batches)[-1]
        history.append(w)
    return np.array(history)
""", {"run_epochs/minibatch": "minibatch-same-order-every-epoch"}),
    Case(MINIBATCH, "gradient-from-epoch-start", """
def minibatch_gd(grad_fn, w0, lr, batches):
    w = np.array(w0, dtype=float)
    grads = [grad_fn(w, idx) for idx in batches]
    path = [w.copy()]
    for g in grads:
        w = w - lr * g
        path.append(w)
    return np.array(path)
""", {"minibatch_gd/minibatch": "기준과 달라집니다"}),
    Case(MINIBATCH, "every-update-returned", """
def run_epochs(grad_fn, w0, lr, n, batch_size, n_epochs, rng):
    w, path = np.array(w0, dtype=float), [np.array(w0, dtype=float)]
    for _ in range(n_epochs):
        for idx in make_batches(n, batch_size, rng):
            w = w - lr * grad_fn(w, idx)
            path.append(w)
    return np.array(path)
""", {"run_epochs/minibatch": "모양 (36, 2)"}),
    Case(MINIBATCH, "split-and-float32", """
def make_batches(n, batch_size, rng):
    order = rng.permutation(n)
    return np.array_split(order, range(batch_size, n, batch_size))

def minibatch_gd(grad_fn, w0, lr, batches):
    path = np.zeros((len(batches) + 1, len(w0)), dtype=np.float32)
    path[0] = w0
    for k, idx in enumerate(batches):
        path[k + 1] = path[k] - np.float32(lr) * np.asarray(grad_fn(path[k].astype(float), idx), dtype=np.float32)
    return path

def run_epochs(grad_fn, w0, lr, n, batch_size, n_epochs, rng):
    history = [np.asarray(w0, dtype=np.float32)]
    for _ in range(n_epochs):
        history.append(minibatch_gd(grad_fn, history[-1], lr, make_batches(n, batch_size, rng))[-1])
    return np.stack(history)
"""),
    Case(MINIBATCH, "index-loop", """
def make_batches(n, batch_size, rng):
    order, batches, current = rng.permutation(n), [], []
    for index in order:
        current.append(int(index))
        if len(current) == batch_size:
            batches.append(np.array(current))
            current = []
    if current:
        batches.append(np.array(current))
    return batches

def run_epochs(grad_fn, w0, lr, n, batch_size, n_epochs, rng):
    history = np.zeros((n_epochs + 1, len(w0)))
    history[0] = w0
    for epoch in range(n_epochs):
        history[epoch + 1] = minibatch_gd(grad_fn, history[epoch], lr, make_batches(n, batch_size, rng))[-1]
    return history
"""),
    # --- 03: momentum ----------------------------------------------------------------------------
    Case(MOMENTUM, "lr-twice", """
def momentum_step(w, g, state, lr, momentum=0.9):
    v = momentum * state + lr * g
    return w - lr * v, v
""", {"momentum/replay": "momentum-lr-twice"}),
    Case(MOMENTUM, "velocity-not-kept", """
def momentum_step(w, g, state, lr, momentum=0.9):
    v = momentum * state - lr * g
    return w + v, state
""", {"momentum/replay": "momentum-velocity-not-kept"}),
    Case(MOMENTUM, "in-place-update", """
def momentum_step(w, g, state, lr, momentum=0.9):
    state *= momentum
    state -= lr * g
    w += state
    return w, state
""", {"momentum/property": "입력 w나 g를 제자리에서 바꿨습니다"}),
    Case(MOMENTUM, "nesterov-without-look-ahead", """
def nesterov_step(w, grad_fn, state, lr, momentum=0.9):
    v = momentum * state - lr * grad_fn(w)
    return w + v, v
""", {"nesterov/closed-loop": "nesterov-no-look-ahead"}),
    Case(MOMENTUM, "nesterov-look-behind", """
def nesterov_step(w, grad_fn, state, lr, momentum=0.9):
    v = momentum * state - lr * grad_fn(w - momentum * state)
    return w + v, v
""", {"nesterov/closed-loop": "기준과 달라집니다"}),
    Case(MOMENTUM, "torch-form-buffer", """
def momentum_init(w):
    return {"buffer": np.zeros(len(w)), "started": False}

def momentum_step(w, g, state, lr, momentum=0.9):
    buffer = momentum * state["buffer"] + g if state["started"] else np.array(g, dtype=float)
    return w - lr * buffer, {"buffer": buffer, "started": True}
"""),
    Case(MOMENTUM, "float32-tuples", """
def nesterov_init(w):
    return (np.zeros(len(w), dtype=np.float32),)

def nesterov_step(w, grad_fn, state, lr, momentum=0.9):
    (v,) = state
    ahead = np.asarray(w, dtype=np.float32) + np.float32(momentum) * v
    v = np.float32(momentum) * v - np.float32(lr) * np.asarray(grad_fn(ahead.astype(float)), dtype=np.float32)
    return (np.asarray(w, dtype=np.float32) + v), (v,)
"""),
    # --- 04: adaptive ----------------------------------------------------------------------------
    Case(ADAPTIVE, "adagrad-eps-inside", """
def adagrad_step(w, g, state, lr=0.01, eps=1e-10):
    total = state["sum"] + g * g
    return w - lr * g / np.sqrt(total + eps), {"sum": total}
""", {"adagrad/replay": "adagrad-eps-inside-sqrt"}),
    Case(ADAPTIVE, "rmsprop-no-one-minus-alpha", """
def rmsprop_step(w, g, state, lr=0.01, alpha=0.99, eps=1e-8):
    square_avg = alpha * state["square_avg"] + g * g
    return w - lr * g / (np.sqrt(square_avg) + eps), {"square_avg": square_avg}
""", {"rmsprop/replay": "rmsprop-missing-one-minus-alpha"}),
    Case(ADAPTIVE, "adam-no-bias-correction", """
def adam_step(w, g, state, lr=0.001, betas=(0.9, 0.999), eps=1e-8):
    b1, b2 = betas
    m = b1 * state["m"] + (1 - b1) * g
    v = b2 * state["v"] + (1 - b2) * g * g
    return w - lr * m / (np.sqrt(v) + eps), {"t": state["t"] + 1, "m": m, "v": v}
""", {"adam/replay": "adam-no-bias-correction"}),
    Case(ADAPTIVE, "adam-t-before-increment", """
def adam_step(w, g, state, lr=0.001, betas=(0.9, 0.999), eps=1e-8):
    b1, b2 = betas
    t = state["t"] + 2
    m = b1 * state["m"] + (1 - b1) * g
    v = b2 * state["v"] + (1 - b2) * g * g
    step = lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps)
    return w - step, {"t": t - 1, "m": m, "v": v}
""", {"adam/replay": "adam-t-off-by-one"}),
    Case(ADAPTIVE, "adamw-as-l2", """
def adamw_step(w, g, state, lr=0.001, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01):
    return adam_step(w, g + weight_decay * w, state, lr, betas, eps)
""", {"adamw/replay": "adamw-as-l2"}),
    Case(ADAPTIVE, "adamw-decay-without-lr", """
def adamw_step(w, g, state, lr=0.001, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01):
    return adam_step(w * (1 - weight_decay), g, state, lr, betas, eps)
""", {"adamw/replay": "adamw-decay-without-lr"}),
    Case(ADAPTIVE, "uses-torch-optim", """
import torch

def adam_init(w):
    p = torch.nn.Parameter(torch.tensor(np.array(w, dtype=float)))
    return {"p": p, "opt": torch.optim.Adam([p])}

def adam_step(w, g, state, lr=0.001, betas=(0.9, 0.999), eps=1e-8):
    p, opt = state["p"], state["opt"]
    with torch.no_grad():
        p.copy_(torch.tensor(np.array(w, dtype=float)))
    p.grad = torch.tensor(np.array(g, dtype=float))
    opt.param_groups[0].update(lr=lr, betas=betas, eps=eps)
    opt.step()
    return p.detach().numpy().copy(), state
""", {"adam/replay": "이 문제에서 금지한 torch.optim"}),
    Case(ADAPTIVE, "tuples-and-float32", """
def adam_init(w):
    zeros = np.zeros(len(w), dtype=np.float32)
    return (0, zeros, zeros)

def adam_step(w, g, state, lr=0.001, betas=(0.9, 0.999), eps=1e-8):
    t, m, v = state
    t += 1
    g32 = np.asarray(g, dtype=np.float32)
    m = np.float32(betas[0]) * m + np.float32(1 - betas[0]) * g32
    v = np.float32(betas[1]) * v + np.float32(1 - betas[1]) * g32 * g32
    denominator = np.sqrt(v) / np.float32(np.sqrt(1 - betas[1] ** t)) + np.float32(eps)
    return np.asarray(w, dtype=np.float32) - np.float32(lr / (1 - betas[0] ** t)) * m / denominator, (t, m, v)

def adamw_init(w):
    return adam_init(w)

def adamw_step(w, g, state, lr=0.001, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01):
    return adam_step(np.asarray(w, dtype=np.float32) * np.float32(1 - lr * weight_decay), g, state, lr, betas, eps)
"""),
    Case(ADAPTIVE, "elementwise-loops", """
import math

def adagrad_init(w):
    return [0.0] * len(w)

def adagrad_step(w, g, state, lr=0.01, eps=1e-10):
    total = [s + gi * gi for s, gi in zip(state, g)]
    return np.array([wi - lr * gi / (math.sqrt(s) + eps) for wi, gi, s in zip(w, g, total)]), total

def rmsprop_init(w):
    return [0.0] * len(w)

def rmsprop_step(w, g, state, lr=0.01, alpha=0.99, eps=1e-8):
    avg = [alpha * s + (1 - alpha) * gi * gi for s, gi in zip(state, g)]
    return np.array([wi - lr * gi / (math.sqrt(a) + eps) for wi, gi, a in zip(w, g, avg)]), avg
"""),
    # --- 05: schedules ---------------------------------------------------------------------------
    Case(SCHEDULES, "cosine-clamped", """
def cosine_annealing(step, lr0, T_max, eta_min=0.0):
    step = min(step, T_max)
    return eta_min + (lr0 - eta_min) * (1 + math.cos(math.pi * step / T_max)) / 2
""", {"cosine_annealing/schedule": "cosine-clamped-past-t-max"}),
    Case(SCHEDULES, "warmup-from-zero", """
def warmup_cosine(step, lr0, warmup_steps, total_steps, eta_min=0.0):
    if step < warmup_steps:
        return lr0 * step / warmup_steps
    return cosine_annealing(step - warmup_steps, lr0, total_steps - warmup_steps, eta_min)
""", {"warmup_cosine/schedule": "linear-warmup-from-zero"}),
    Case(SCHEDULES, "one-based-steps", """
def step_decay(step, lr0, step_size, gamma=0.5):
    return lr0 * gamma ** ((step + 1) // step_size)
""", {"step_decay/schedule": "scheduler-step-before-optimizer"}),
    Case(SCHEDULES, "schedule-one-ahead", """
def train_with_schedule(grad_fn, w0, schedule, n_steps):
    w, path = np.array(w0, dtype=float), [np.array(w0, dtype=float)]
    for k in range(n_steps):
        w = w - schedule(k + 1) * grad_fn(w)
        path.append(w)
    return np.array(path)
""", {"train_with_schedule/closed-loop": "scheduler-step-before-optimizer"}),
    Case(SCHEDULES, "linear-spacing", """
def lr_range_test(loss_and_grad, w0, lr_min, lr_max, n_steps):
    lrs = np.linspace(lr_min, lr_max, n_steps)
    w, losses = np.array(w0, dtype=float), []
    for lr in lrs:
        loss, g = loss_and_grad(w)
        losses.append(loss)
        w = w - lr * g
    return lrs, np.array(losses)
""", {"lr_range_test/function": "지수적으로"}),
    Case(SCHEDULES, "loss-after-update", """
def lr_range_test(loss_and_grad, w0, lr_min, lr_max, n_steps):
    lrs = lr_min * (lr_max / lr_min) ** (np.arange(n_steps) / (n_steps - 1))
    w, losses = np.array(w0, dtype=float), []
    for lr in lrs:
        w = w - lr * loss_and_grad(w)[1]
        losses.append(loss_and_grad(w)[0])
    return lrs, np.array(losses)
""", {"lr_range_test/function": "업데이트 후에"}),
    Case(SCHEDULES, "lowest-loss-suggestion", """
def suggest_lr(lrs, losses, skip_start=10, skip_end=5):
    return float(lrs[int(np.argmin(losses))])
""", {"suggest_lr/function": "손실이 가장 낮은 lr"}),
    Case(SCHEDULES, "cyclic-without-halving", """
def cyclical_lr(step, base_lr, max_lr, step_size_up, mode="triangular", gamma=1.0):
    cycle = math.floor(1 + step / (2 * step_size_up))
    x = abs(step / step_size_up - 2 * cycle + 1)
    return base_lr + (max_lr - base_lr) * max(0.0, 1 - x)
""", {"cyclical_lr/schedule": "기준과 달라집니다"}),
    Case(SCHEDULES, "numpy-arrays-everywhere", """
def step_decay(step, lr0, step_size, gamma=0.5):
    return float(np.float32(lr0) * np.float32(gamma) ** np.float32(np.floor(step / step_size)))

def exponential_decay(step, lr0, gamma):
    return float(np.exp(np.log(lr0) + step * np.log(gamma)))

def cosine_annealing(step, lr0, T_max, eta_min=0.0):
    return float(np.interp(np.cos(np.pi * step / T_max), [-1.0, 1.0], [eta_min, lr0]))

def linear_warmup(step, lr0, warmup_steps):
    return lr0 if step >= warmup_steps - 1 else lr0 * (step + 1) / warmup_steps

def train_with_schedule(grad_fn, w0, schedule, n_steps):
    lrs = [schedule(k) for k in range(n_steps)]
    path = np.empty((n_steps + 1, np.size(w0)))
    path[0] = w0
    for k, lr in enumerate(lrs):
        path[k + 1] = path[k] - lr * grad_fn(path[k])
    return path
"""),
    Case(SCHEDULES, "torch-style-cyclic", """
def cyclical_lr(step, base_lr, max_lr, step_size_up, mode="triangular", gamma=1.0):
    total = 2 * step_size_up
    cycle = 1 + step // total
    x = 1 + step / total - cycle
    height = 2 * x if x <= 0.5 else 2 * (1 - x)
    scale = {"triangular": 1.0, "triangular2": 0.5 ** (cycle - 1), "exp_range": gamma**step}[mode]
    return base_lr + (max_lr - base_lr) * height * scale

def suggest_lr(lrs, losses, skip_start=10, skip_end=5):
    lrs, losses = list(lrs)[skip_start:-skip_end], list(losses)[skip_start:-skip_end]
    slopes = np.gradient(np.array(losses))
    best = min(range(len(slopes)), key=lambda i: slopes[i])
    return float(lrs[best])
"""),
    # --- 06: PyTorch -----------------------------------------------------------------------------
    Case(PYTORCH, "no-zero-grad", """
def train(model, optimizer, loss_fn, X, y, n_steps, scheduler=None):
    losses = []
    for _ in range(n_steps):
        loss = loss_fn(model(X), y)
        loss.backward()
        optimizer.step()
        if scheduler is not None:
            scheduler.step()
        losses.append(loss.item())
    return losses
""", {"train/training": "sgd-no-zero-grad"}),
    Case(PYTORCH, "scheduler-first", """
def train(model, optimizer, loss_fn, X, y, n_steps, scheduler=None):
    losses = []
    for _ in range(n_steps):
        optimizer.zero_grad()
        loss = loss_fn(model(X), y)
        loss.backward()
        if scheduler is not None:
            scheduler.step()
        optimizer.step()
        losses.append(loss.item())
    return losses
""", {"train/training": "scheduler-step-before-optimizer"}),
    Case(PYTORCH, "adam-no-bias-correction", """
class Adam(torch.optim.Optimizer):
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay))

    @torch.no_grad()
    def step(self, closure=None):
        for group in self.param_groups:
            b1, b2 = group["betas"]
            for p in group["params"]:
                grad = p.grad + group["weight_decay"] * p
                state = self.state[p]
                if not state:
                    state["m"], state["v"] = torch.zeros_like(p), torch.zeros_like(p)
                state["m"].mul_(b1).add_(grad, alpha=1 - b1)
                state["v"].mul_(b2).addcmul_(grad, grad, value=1 - b2)
                p.addcdiv_(state["m"], state["v"].sqrt().add_(group["eps"]), value=-group["lr"])
""", {"Adam/replay": "adam-no-bias-correction"}),
    Case(PYTORCH, "sgd-lesson-momentum", """
class SGDMomentum(torch.optim.Optimizer):
    def __init__(self, params, lr=0.01, momentum=0.9, weight_decay=0.0):
        super().__init__(params, dict(lr=lr, momentum=momentum, weight_decay=weight_decay))

    @torch.no_grad()
    def step(self, closure=None):
        for group in self.param_groups:
            for p in group["params"]:
                d = p.grad + group["weight_decay"] * p
                v = self.state[p].setdefault("v", torch.zeros_like(p))
                v.mul_(group["momentum"]).sub_(group["lr"] * d)
                p.add_(v)
""", {"SGDMomentum/replay": "sgd-lesson-momentum-form"}),
    Case(PYTORCH, "wraps-torch-sgd", """
class SGDMomentum(torch.optim.Optimizer):
    def __init__(self, params, lr=0.01, momentum=0.9, weight_decay=0.0):
        super().__init__(params, dict(lr=lr, momentum=momentum, weight_decay=weight_decay))
        self.inner = torch.optim.SGD(self.param_groups[0]["params"], lr=lr, momentum=momentum,
                                     weight_decay=weight_decay)

    def step(self, closure=None):
        self.inner.param_groups[0]["lr"] = self.param_groups[0]["lr"]
        return self.inner.step(closure)
""", {"SGDMomentum/replay": "이 문제에서 금지한 torch.optim"}),
    Case(PYTORCH, "loss-after-step", """
def train(model, optimizer, loss_fn, X, y, n_steps, scheduler=None):
    losses = []
    for _ in range(n_steps):
        optimizer.zero_grad()
        loss_fn(model(X), y).backward()
        optimizer.step()
        if scheduler is not None:
            scheduler.step()
        with torch.no_grad():
            losses.append(float(loss_fn(model(X), y)))
    return losses
""", {"train/training": "기준과 달라집니다"}),
    Case(PYTORCH, "functional-state", """
class SGDMomentum(torch.optim.Optimizer):
    def __init__(self, params, lr=0.01, momentum=0.9, weight_decay=0.0):
        super().__init__(params, {"lr": lr, "momentum": momentum, "weight_decay": weight_decay})
        self.buffers = {}

    def step(self, closure=None):
        with torch.no_grad():
            for group in self.param_groups:
                for p in group["params"]:
                    d = p.grad + group["weight_decay"] * p
                    old = self.buffers.get(id(p))
                    new = d.clone() if old is None else group["momentum"] * old + d
                    self.buffers[id(p)] = new
                    p -= group["lr"] * new

def train(model, optimizer, loss_fn, X, y, n_steps, scheduler=None):
    history = torch.zeros(n_steps, dtype=torch.float64)
    for k in range(n_steps):
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(X), y)
        history[k] = loss.detach()
        loss.backward()
        optimizer.step()
        if scheduler:
            scheduler.step()
    return history.tolist()
"""),
    Case(PYTORCH, "adam-with-hat-moments", """
class Adam(torch.optim.Optimizer):
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay))

    def step(self, closure=None):
        with torch.no_grad():
            for group in self.param_groups:
                b1, b2 = group["betas"]
                for p in group["params"]:
                    g = p.grad + group["weight_decay"] * p
                    s = self.state[p]
                    t = s.get("t", 0) + 1
                    m = b1 * s.get("m", torch.zeros_like(p)) + (1 - b1) * g
                    v = b2 * s.get("v", torch.zeros_like(p)) + (1 - b2) * g * g
                    s.update(t=t, m=m, v=v)
                    p -= group["lr"] * (m / (1 - b1**t)) / ((v / (1 - b2**t)).sqrt() + group["eps"])
"""),
]  # fmt: skip
