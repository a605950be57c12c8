"""Code that runs inside the student's kernel, and the plain-data codec both sides share.

The grader imports this module; the sandboxed kernel gets its source text (it must not
import anything from gdgrade, whose code is not mounted there). Values cross the
boundary as JSON only: numbers, strings, lists, tuples, dicts with string keys and
arrays (base64 bytes with an allowlisted dtype and a shape). Never pickle. Objects that
are not plain data stay in the kernel and travel as references.
"""

from __future__ import annotations

import base64
import contextlib
import importlib.util
import json
import math
import os
import sys

import numpy as np

MIME = "application/vnd.gdgrade.result+json"
DTYPES = {
    "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
    "float16", "float32", "float64",
}  # fmt: skip


class BoundaryError(ValueError):
    """A value that cannot cross the boundary, or a malformed message."""


# --- the codec ------------------------------------------------------------------------------------


def _encode_array(array: np.ndarray) -> dict:
    if array.dtype.name not in DTYPES:
        raise BoundaryError(f"arrays of dtype {array.dtype} cannot be sent")
    data = np.ascontiguousarray(array)
    return {
        "__ndarray__": base64.b64encode(data.tobytes()).decode(),
        "dtype": data.dtype.name,
        "shape": list(data.shape),
    }


def is_tensor(value) -> bool:
    """A torch tensor (checked by type, so proxies that answer any attribute are not one)."""
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(value, torch.Tensor)


def encode(value, keep=None):
    """Plain data as JSON-able structures; ``keep(obj) -> marker`` handles anything else."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value) if math.isfinite(value) else {"__float__": repr(float(value))}
    if isinstance(value, np.ndarray):
        return _encode_array(value)
    if is_tensor(value):
        return _encode_array(value.detach().cpu().numpy())
    if isinstance(value, list):
        return [encode(item, keep) for item in value]
    if isinstance(value, tuple):
        return {"__tuple__": [encode(item, keep) for item in value]}
    if isinstance(value, dict) and all(isinstance(key, str) for key in value):
        return {"__dict__": {key: encode(item, keep) for key, item in value.items()}}
    if keep is not None:
        return keep(value)
    raise BoundaryError(f"a {type(value).__name__} cannot be sent across the sandbox boundary")


def _decode_array(marker: dict) -> np.ndarray:
    if marker.get("dtype") not in DTYPES:
        raise BoundaryError(f"refusing array dtype {marker.get('dtype')!r}")
    raw = base64.b64decode(marker["__ndarray__"], validate=True)
    return np.frombuffer(raw, dtype=marker["dtype"]).reshape(marker["shape"]).copy()


def decode(value, resolve=None):
    """The inverse of :func:`encode`; ``resolve(marker)`` turns references into objects."""
    if isinstance(value, list):
        return [decode(item, resolve) for item in value]
    if not isinstance(value, dict):
        return value
    if "__ndarray__" in value:
        return _decode_array(value)
    if "__float__" in value:
        return float(value["__float__"])
    if "__tuple__" in value:
        return tuple(decode(item, resolve) for item in value["__tuple__"])
    if "__dict__" in value:
        return {key: decode(item, resolve) for key, item in value["__dict__"].items()}
    if resolve is not None:
        return resolve(value)
    raise BoundaryError(f"unexpected marker {sorted(value)}")


# --- forbidden APIs, detected at run time ---------------------------------------------------------


def module_location(module_name: str) -> str | None:
    """The file or directory (with a trailing separator) a module's code lives in.

    Nothing is imported to find out: ``find_spec("torch.optim")`` would import torch, which
    costs a numpy-only kernel seconds. A submodule is looked for inside its package's folder.
    """
    top, *rest = module_name.split(".")
    try:
        spec = importlib.util.find_spec(top)
    except (ImportError, ValueError):
        return None
    if spec is None:
        return None
    if not spec.submodule_search_locations:
        return os.path.realpath(spec.origin) if spec.origin and not rest else None
    folder = os.path.join(os.path.realpath(next(iter(spec.submodule_search_locations))), *rest)
    if os.path.isdir(folder):
        return folder + os.sep
    return folder + ".py" if rest and os.path.isfile(folder + ".py") else None


@contextlib.contextmanager
def watch_calls(module_names):
    """Yield a list that receives the first forbidden module called while inside."""
    locations = {name: module_location(name) for name in module_names}
    locations = {name: where for name, where in locations.items() if where}
    hits = []
    if not locations:
        yield hits
        return

    def profile(frame, event, arg):
        if event == "call" and not hits:
            filename = frame.f_code.co_filename
            for name, location in locations.items():
                if filename == location or filename.startswith(location):
                    hits.append(name)

    previous = sys.getprofile()
    sys.setprofile(profile)
    try:
        yield hits
    finally:
        sys.setprofile(previous)


# --- helpers that must run next to the student's objects -----------------------------------------


class TorchOptimizerState:
    """The parameter and the student's optimizer; stays in the kernel, travels by reference."""

    def __init__(self, parameter, optimizer):
        self.parameter, self.optimizer = parameter, optimizer


def torch_device() -> str:
    """``cuda`` when the kernel has a GPU, else ``cpu``."""
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def torch_optimizer_start(cls, theta, hparams):
    """Build the student's torch optimizer on one float64 parameter, on the GPU if there is one."""
    import torch

    if not (isinstance(cls, type) and issubclass(cls, torch.optim.Optimizer)):
        raise TypeError(f"{getattr(cls, '__name__', cls)} is not a torch.optim.Optimizer subclass")
    values = np.asarray(theta, dtype=np.float64)
    parameter = torch.tensor(values, device=torch_device(), requires_grad=True)
    return TorchOptimizerState(parameter, cls([parameter], **hparams))


def torch_optimizer_step(state, theta, grad, lr):
    """Set the parameter to ``theta`` and its gradient to ``grad``, step, return the parameter."""
    import torch

    parameter, optimizer = state.parameter, state.optimizer
    with torch.no_grad():
        parameter.copy_(torch.from_numpy(np.asarray(theta, dtype=np.float64)).to(parameter.device))
    parameter.grad = torch.from_numpy(np.array(grad, dtype=np.float64)).to(parameter.device)
    optimizer.param_groups[0]["lr"] = lr
    optimizer.step()
    return parameter.detach().cpu().numpy().copy()


def torch_scheduler_lrs(cls, lr, params, n_steps):
    """The lr each of ``n_steps`` updates uses under the student's scheduler class."""
    import torch

    parameter = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.SGD([parameter], lr=lr)
    scheduler = cls(optimizer, **params)
    used = []
    for _ in range(n_steps):
        used.append(float(optimizer.param_groups[0]["lr"]))
        optimizer.step()
        scheduler.step()
    return used


def _mlp(initial, hidden: int, device: str):
    """The reference MLP shape (1 -> hidden -> 1, tanh) in float64, holding ``initial``."""
    import torch

    model = torch.nn.Sequential(torch.nn.Linear(1, hidden), torch.nn.Tanh(), torch.nn.Linear(hidden, 1))
    model = model.double().to(device)
    with torch.no_grad():
        vector = torch.tensor(np.array(initial, dtype=np.float64), device=device)  # a copy: training writes to it
        torch.nn.utils.vector_to_parameters(vector, model.parameters())
    return model


def torch_train_losses(train, setup: dict):
    """Call the student's ``train(model, optimizer, loss_fn, X, y, n_steps, scheduler)``.

    ``setup`` fixes everything else, so the reference can rebuild the same run: the
    initial weights, data, optimizer class and options, and an optional scheduler.
    Returns the losses ``train`` returned, as floats.
    """
    import torch

    device = torch_device()
    model = _mlp(setup["initial"], int(setup["hidden"]), device)
    x, y = (torch.from_numpy(np.asarray(setup[k], dtype=np.float64)).to(device) for k in ("x", "y"))
    optimizer_class = getattr(torch.optim, setup["optimizer"])
    optimizer = optimizer_class(model.parameters(), lr=setup["lr"], **setup.get("hparams", {}))
    scheduler = None
    if setup.get("scheduler"):
        scheduler_class = getattr(torch.optim.lr_scheduler, setup["scheduler"])
        scheduler = scheduler_class(optimizer, **setup.get("scheduler_params", {}))
    losses = train(model, optimizer, torch.nn.MSELoss(), x, y, int(setup["n_steps"]), scheduler)
    return [float(loss.detach().cpu()) if hasattr(loss, "detach") else float(loss) for loss in losses]


class LrTable:
    """A schedule handed to a student's training loop: ``table(step)`` is the lr of update ``step``."""

    def __init__(self, lrs):
        self.lrs = [float(lr) for lr in lrs]

    def __call__(self, step):
        if not 0 <= int(step) < len(self.lrs):
            last = len(self.lrs) - 1
            raise ValueError(
                f"schedule({step}) was asked for, but the updates are 0..{last}: update k uses schedule(k)"
            )
        return self.lrs[int(step)]

    def __repr__(self) -> str:
        return f"schedule over {len(self.lrs)} steps"


HELPERS = {
    "torch_optimizer_start": torch_optimizer_start,
    "torch_optimizer_step": torch_optimizer_step,
    "torch_scheduler_lrs": torch_scheduler_lrs,
    "torch_train_losses": torch_train_losses,
}


# --- preparing the kernel before student code runs ------------------------------------------------


class CappedStream:
    """Passes writes through until ``limit`` characters, then drops them with one notice."""

    def __init__(self, stream, limit: int):
        self._stream, self._left, self._noted = stream, limit, False

    def write(self, text):
        if self._left > 0:
            self._left -= len(text)
            return self._stream.write(text)
        if not self._noted:
            self._noted = True
            self._stream.write("\n[gdgrade: output truncated]\n")
        return len(text)

    def __getattr__(self, name):
        return getattr(self._stream, name)


def make_torch_deterministic(torch, seed: int) -> None:
    """Seed torch, prefer deterministic algorithms, and turn TF32 off."""
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True, warn_only=True)
    torch.backends.cudnn.benchmark = False
    torch.backends.cudnn.deterministic = True
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False


class SeedTorchOnImport:
    """A meta-path finder that prepares torch the moment code first imports it.

    A kernel for a numpy assignment never imports torch (about 1.5 s of CPU), yet a student
    who does import it still gets a seeded, deterministic torch.
    """

    def __init__(self, seed: int):
        self.seed = seed

    def find_spec(self, name, path=None, target=None):
        if name != "torch":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec("torch")
        if spec is not None and spec.loader is not None:
            load = spec.loader.exec_module

            def exec_module(module):
                load(module)
                make_torch_deterministic(module, self.seed)

            spec.loader.exec_module = exec_module
        return spec


def prepare_kernel(seed: int = 0, output_limit: int = 1_000_000) -> None:
    """Seeds, deterministic torch with TF32 off (now, or when first imported), an output cap."""
    import random

    random.seed(seed)
    np.random.seed(seed)
    if "torch" in sys.modules:
        make_torch_deterministic(sys.modules["torch"], seed)
    else:
        sys.meta_path.insert(0, SeedTorchOnImport(seed))
    sys.stdout = CappedStream(sys.stdout, output_limit)
    sys.stderr = CappedStream(sys.stderr, output_limit)
    shell = sys.modules["IPython"].get_ipython() if "IPython" in sys.modules else None
    if shell is not None:  # one-line errors: formatting a deep recursion's traceback can take minutes
        shell.InteractiveTB.set_mode(mode="Minimal")


def installed_version(package: str) -> str | None:
    """A package's installed version, from its metadata (importing torch costs seconds)."""
    import importlib.metadata

    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


def environment() -> dict:
    """What the kernel runs with: versions and the torch device student code gets.

    torch is not imported for this: a kernel whose notebook never loaded it reports the
    installed version and the CPU.
    """
    info = {"python": sys.version.split()[0], "numpy": np.__version__, "torch": None, "device": "cpu"}
    torch = sys.modules.get("torch")
    if torch is None:
        return info | {"torch": installed_version("torch")}
    info["torch"] = torch.__version__
    if torch.cuda.is_available():
        info["device"] = f"cuda ({torch.cuda.get_device_name(0)})"
    return info


# --- the kernel side of a call ---------------------------------------------------------------------


class KernelEndpoint:
    """Lives in the kernel: resolves targets, runs calls, keeps non-plain results by reference."""

    def __init__(self, namespace: dict, problems=None, actions: dict | None = None):
        self.namespace, self.problems, self.objects = namespace, problems, {}
        self.actions = actions or {}  # more request kinds: action -> handler(namespace, request) -> reply

    def keep(self, obj) -> dict:
        ref = f"obj-{len(self.objects) + 1}"
        self.objects[ref] = obj
        return {"__ref__": ref}

    def resolve(self, marker: dict):
        if "__ref__" in marker:
            return self.objects[marker["__ref__"]]
        if "__rng__" in marker:
            ref = marker["__rng__"]
            if ref not in self.objects:
                generator = np.random.Generator(np.random.PCG64())
                generator.bit_generator.state = marker["state"]
                self.objects[ref] = generator
            return self.objects[ref]
        if "__symbol__" in marker:
            return self.namespace[marker["__symbol__"]]
        if "__lrs__" in marker:
            return LrTable(marker["__lrs__"])
        if "__problem__" in marker:
            return getattr(self.problems.get_problem(marker["__problem__"]), marker["fn"])
        raise BoundaryError(f"unexpected marker {sorted(marker)}")

    def target(self, spec: list):
        kind, *path = spec
        if kind == "name":
            return self.namespace[path[0]]
        if kind == "helper":
            return HELPERS[path[0]]
        obj = self.objects[path[0]]
        return getattr(obj, path[1]) if len(path) > 1 else obj

    def handle(self, request: dict) -> dict:
        """Run one request; every outcome, errors included, is a plain-data reply."""
        try:
            return {"ok": True, **self._run(request)}
        except KeyboardInterrupt:  # the grader's time limit interrupted the call: let it say so
            raise
        except BaseException as error:  # the student's code may raise anything, even SystemExit
            return {"ok": False, "type": type(error).__name__, "message": str(error)[:2000]}

    def _run(self, request: dict) -> dict:
        action = request["action"]
        if action in self.actions:
            return self.actions[action](self.namespace, request)
        if action == "names":
            return {"result": sorted(k for k in self.namespace if not k.startswith("_"))}
        if action == "environment":
            return {"result": encode(environment())}
        if action == "value":
            return {"result": encode(self.namespace[request["name"]])}
        if action == "setattr":
            setattr(self.target(request["target"]), request["attr"], decode(request["value"], self.resolve))
            return {"result": None}
        args = decode(request["args"], self.resolve)
        kwargs = decode(request["kwargs"], self.resolve)
        before = [a.copy() for a in args if isinstance(a, np.ndarray)]
        with watch_calls(request.get("forbidden", [])) as hits:
            result = self.target(request["target"])(*args, **kwargs)
        if hits:
            return {"forbidden": hits[0], "result": None}
        after = [a for a in args if isinstance(a, np.ndarray)]
        mutated = any(not np.array_equal(b, a, equal_nan=True) for b, a in zip(before, after, strict=True))
        return {"result": encode(result, self.keep), "mutated": mutated}


REQUEST_FIELD = "gdgrade_request"  # where a request rides in the execute_request's content


def attached_request() -> str:
    """The grader's request, from the content of the execute_request now running (kernel side)."""
    from IPython import get_ipython

    return get_ipython().kernel.get_parent("shell")["content"][REQUEST_FIELD]


def reply(endpoint: KernelEndpoint, nonce: str) -> None:
    """Answer the attached request with a display message carrying the nonce (kernel side)."""
    from IPython.display import display

    answer = endpoint.handle(json.loads(attached_request()))
    display({MIME: {"nonce": nonce, **answer}}, raw=True)
