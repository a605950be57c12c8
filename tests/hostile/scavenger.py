"""A submission that implements nothing and hunts for an answer in the kernel instead.

For every graded symbol of an assignment, the scavenger defines a stub that, when called,
walks ``sys.modules`` and ``gc.get_objects()``, calls every function it finds (numpy's,
torch's, the notebook's own, and gdgrade's code in the kernel) on the probe's inputs, and
returns the first result that has the right shape. The grader's promise: it scores no more
than a plainly wrong solution, in every assignment, because nothing in the kernel computes
a graded answer.
"""

from __future__ import annotations

import nbformat

from assignments import ASSIGNMENTS
from autograder.assignment import builtin_spec
from tests.assignments.helpers import graded_cells

SCAVENGE = """
import gc as _gc, sys as _sys, types as _types
import numpy as _np
_SOURCES = ("numpy", "math", "torch", "_gdgrade_student", "__main__")
_busy = []


def _candidates():
    seen, found = set(), []
    for name, module in list(_sys.modules.items()):
        if name.startswith(_SOURCES) and module is not None:
            found += [v for v in vars(module).values() if callable(v)]
    found += [o for o in _gc.get_objects() if isinstance(o, _types.FunctionType)]
    chosen = []
    for function in found:
        module = getattr(function, "__module__", "") or ""
        if id(function) in seen or not module.startswith(_SOURCES) or getattr(function, "_stub", False):
            continue
        seen.add(id(function))
        chosen.append(function)
    return chosen[:3000]


def _fits(result, args):
    if result is None or callable(result):
        return False
    first = args[0] if args else None
    if isinstance(first, _np.ndarray):
        head = result[0] if isinstance(result, (tuple, list)) and result else result
        try:
            return _np.size(head) == first.size
        except Exception:
            return False
    return True


def _scavenge(args, kwargs):
    if _busy:
        raise NotImplementedError("already scavenging")
    _busy.append(1)
    try:
        for function in _candidates():
            for attempt in (lambda: function(*args, **kwargs), lambda: function(*args)):
                try:
                    result = attempt()
                except BaseException:
                    continue
                if _fits(result, args):
                    return result
    finally:
        _busy.clear()
    raise NotImplementedError("nothing in the kernel fits")
"""

WRONG = "def _scavenge(args, kwargs):\n    raise NotImplementedError('plainly wrong')\n"


def _function_stub(name: str) -> str:
    return f"def {name}(*args, **kwargs):\n    return _scavenge(args, kwargs)\n{name}._stub = True\n"


def _torch_stub(name: str) -> str:
    return f"""import torch as _torch
class {name}(_torch.optim.Optimizer):
    _stub = True

    def __init__(self, params, **defaults):
        super().__init__(params, defaults)

    @_torch.no_grad()
    def step(self, closure=None):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    found = _scavenge((p.detach().cpu().numpy().copy(), p.grad.detach().cpu().numpy().copy()),
                                      {{"lr": group.get("lr")}})
                    p.copy_(_torch.as_tensor(_np.asarray(found[0] if isinstance(found, tuple) else found)))
"""


def stubs(assignment: str) -> str:
    """One stub per graded symbol of the assignment."""
    spec, cells = builtin_spec(assignment), []
    for question in spec.questions:
        for symbol in question.symbols.values():
            cells.append(_torch_stub(symbol) if question.convention == "torch-optimizer" else _function_stub(symbol))
    return "\n".join(cells)


def notebook(assignment: str, scavenging: bool):
    """The solution with every graded symbol replaced: by a scavenger, or by a plainly wrong stub."""
    sources = [*graded_cells(assignment), SCAVENGE if scavenging else SCAVENGE + WRONG, stubs(assignment)]
    document = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    document.metadata["language_info"] = {"name": "python"}
    return document


def write_pairs(folder) -> dict[str, tuple]:
    """For every assignment, its scavenger and plainly wrong submissions (written in ``folder``)."""
    pairs = {}
    for assignment in ASSIGNMENTS:
        paths = (folder / f"{assignment}-scavenger.ipynb", folder / f"{assignment}-wrong.ipynb")
        for path, scavenging in zip(paths, (True, False), strict=True):
            nbformat.write(notebook(assignment, scavenging), path)
        pairs[assignment] = paths
    return pairs
