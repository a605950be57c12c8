"""The student's code in a sandboxed kernel, as a :class:`~autograder.engine.student_code.StudentCode`.

After the notebook's cells have run, :meth:`RemoteSession.install` sends the
:mod:`autograder.student` package into the kernel as source (its module list comes from
the package itself). Each request is then one round trip: the operation runs there, and
only plain data comes back. Everything that comes back is untrusted: replies are checked
field by field, a reply that does not fit is the submission's result ("cannot be
graded"), never a crash of the grader. Callbacks (a gradient at the student's point) are
answered here, from the reference problems, and only for the request that lent them.
"""

from __future__ import annotations

import ast
import functools
import json
import secrets
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from autograder import student as student_package
from autograder.engine.student_code import (
    SURFACE_FUNCTIONS,
    Lent,
    Observed,
    Request,
    check_result,
    mutated_calls,
    question_data,
)
from autograder.errors import KernelDiedError, SubmissionError
from autograder.sandbox.channel import Caps
from autograder.sandbox.kernel import KernelSession
from autograder.student.calls import FAULT_KINDS
from autograder.student.codec import MIME, BoundaryError, clean_text, decode, encode
from autograder.student.endpoint import REQUEST_FIELD
from autograder.timing import phase
from reference.problem import Problem

PACKAGE = "_gdgrade_student"  # the package's name inside the kernel
SENT_SEPARATELY = ("__init__", "prepare")  # prepare runs before the student's cells
INSTALL_CELL = f"""def _gdgrade_install():
    import json, sys, types
    from IPython import get_ipython
    shell = get_ipython()
    request = json.loads(shell.kernel.get_parent("shell")["content"]["{REQUEST_FIELD}"])
    sources = request["modules"]
    package = types.ModuleType("{PACKAGE}")
    package.__path__ = []
    sys.modules["{PACKAGE}"] = package
    modules = []
    for name, source in sources:
        module = types.ModuleType("{PACKAGE}." + name)
        module.__package__ = "{PACKAGE}"
        sys.modules[module.__name__] = module
        exec(compile(source, "<gdgrade:" + name + ">", "exec"), module.__dict__)
        setattr(package, name, module)
        modules.append(module)
    for name in request.get("warm", []):  # what the submission imports, imported before any timed call
        try:
            __import__(name)
        except BaseException:
            pass
    return sys.modules["{PACKAGE}.endpoint"].install(shell, modules)
_gdgrade_serve = _gdgrade_install()
del _gdgrade_install"""
INSTALL_SECONDS = 60  # the most installing the package (and warming imports) may take
REPLY_CAPS = Caps(messages=20_000, total_bytes=512 * 1024**2, message_bytes=256 * 1024**2)
ENVIRONMENT_KEYS = ("python", "numpy", "torch", "device")


def _relative_imports(source: str) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            found |= {node.module} if node.module else {alias.name for alias in node.names}
    return found


@functools.cache  # the same for every submission: read once per grading process
def package_sources() -> tuple[tuple[str, str], ...]:
    """The student package's modules as (name, source), each after the modules it imports."""
    folder = Path(student_package.__file__).parent
    files = [path for path in sorted(folder.glob("*.py")) if path.stem not in SENT_SEPARATELY]
    sources = {path.stem: path.read_text(encoding="utf-8") for path in files}
    ordered: list[str] = []

    def place(name: str) -> None:
        if name not in ordered:
            for needed in sorted(_relative_imports(sources[name]) & set(sources)):
                place(needed)
            ordered.append(name)

    for name in sources:
        place(name)
    return tuple((name, sources[name]) for name in ordered)


class RemoteSession:
    """Requests into one kernel, all within one grading budget."""

    def __init__(self, kernel: KernelSession, budget_seconds: float):
        self.kernel = kernel
        self.deadline = time.monotonic() + budget_seconds
        self.budget = budget_seconds
        self.calls = 0
        self.warm: list[str] = []  # imported again after a restart, so they cost no call its limit

    def install(self, warm: list[str] = ()) -> None:
        """Install the student package in the kernel (after the student's cells have run), and
        import the installed modules the submission imports (``warm``), so that a lazy
        ``import torch`` inside a graded function costs none of that function's time limit.
        It takes from the grading budget, like every request: a stalled import ends there."""
        self.warm = list(warm)
        request = {"modules": package_sources(), "warm": self.warm}
        seconds = min(INSTALL_SECONDS, self.deadline - time.monotonic())
        outcome = self.kernel.run_extra(INSTALL_CELL, seconds, request=request)
        if outcome.error or outcome.timed_out:
            detail = clean_text(outcome.error[1] if outcome.error else f"it did not finish within {seconds:.0f} s", 300)
            raise SubmissionError(f"the grader could not attach to the kernel: {detail}", kind="tampered")

    def request(self, payload: dict, what: str, seconds: float, on_input=None) -> dict:
        """One round trip; returns the reply (untrusted). The submission's failures raise SubmissionError."""
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise SubmissionError(f"grading ran out of its {self.budget:g} s before {what} could run", kind="timeout")
        timeout, nonce = min(seconds, remaining), secrets.token_hex(12)
        self.calls += 1
        try:
            outcome = self.kernel.run_extra(
                f"_gdgrade_serve({nonce!r})", timeout, request=payload, allow_stdin=on_input is not None,
                on_input=on_input, caps=REPLY_CAPS, mime=MIME,
            )  # fmt: skip
        except KernelDiedError:
            raise SubmissionError(f"the kernel is gone, so {what} could not run", kind="raised") from None
        if outcome.timed_out:
            stopped = " (it ignored the interrupt, so the kernel was restarted)" if outcome.died else ""
            if outcome.died:
                self._recover()
            raise SubmissionError(f"{what} did not return within {timeout:g} s{stopped}", kind="timeout")
        replies = [r for r in outcome.replies if isinstance(r, dict) and r.get("nonce") == nonce]
        if len(replies) > 1:
            raise SubmissionError(f"{what}: the kernel sent more than one answer (tampered with?)", kind="tampered")
        if not replies:
            detail = f" ({clean_text(outcome.error[0], 80)})" if outcome.error else ""
            raise SubmissionError(f"{what} produced no answer{detail}; did it break the kernel?", kind="tampered")
        return replies[0]

    def _recover(self) -> None:
        """After a kill at a deadline: a fresh kernel, the notebook run again, the package back in."""
        try:
            if self.kernel.recover(self.deadline):
                self.install(warm=self.warm)
        except SubmissionError:
            pass  # the later requests say that the kernel is gone

    def environment(self) -> dict:
        """What the kernel says it runs with, each value capped (it is the kernel's claim, not a fact)."""
        try:
            reply = self.request({"action": "environment"}, "reading the kernel's environment", 10)
            claimed = decode(reply.get("result"))
        except (SubmissionError, BoundaryError):
            return {}
        if not isinstance(claimed, dict):
            return {}
        return {key: clean_text(claimed[key], 100) for key in ENVIRONMENT_KEYS if claimed.get(key) is not None}


def describe(problem: Problem) -> dict:
    """What the student's side gets of a problem: its data and the names of its functions."""
    data = [np.asarray(part) for part in problem.data] if problem.data is not None else None
    functions = [name for name in SURFACE_FUNCTIONS if getattr(problem, name, None) is not None]
    return {"name": problem.name, "n_samples": problem.n_samples, "data": data, "functions": functions}


class Callbacks:
    """Answers the kernel's callbacks for one request: only its token, only the lent functions."""

    ARITY = {"loss": 1, "grad": 1, "loss_and_grad": 1, "loss_on": 2, "grad_on": 2}

    def __init__(self, token: str, lent: dict[str, Problem]):
        self.token, self.lent, self.answered = token, lent, 0

    def answer(self, prompt: str) -> str:
        """The JSON answer to one callback prompt (an error answer when it does not fit)."""
        try:
            question = json.loads(prompt)
            seq = question["seq"] if isinstance(question, dict) else None
        except (ValueError, KeyError, TypeError):
            return json.dumps({"seq": None, "error": "not a gdgrade question"})
        try:
            value = self._value(question)
        except (BoundaryError, ValueError, TypeError, KeyError, IndexError) as error:
            return json.dumps({"seq": seq, "error": clean_text(error, 300)})
        self.answered += 1
        return json.dumps({"seq": seq, "result": encode(value)})

    def _value(self, question: dict):
        if question.get("token") != self.token or question.get("surface") not in self.lent:
            raise ValueError("this callback belongs to no running request")
        problem, function = self.lent[question["surface"]], question.get("fn")
        if function not in self.ARITY or getattr(problem, function, None) is None:
            raise ValueError(f"{problem.name} lends no function {function!r}")
        args = decode(question.get("args"))
        if not isinstance(args, list) or len(args) != self.ARITY[function]:
            raise ValueError(f"{function}() takes {self.ARITY[function]} argument(s)")
        with np.errstate(all="ignore"):
            return getattr(problem, function)(*self._arguments(problem, args))

    @staticmethod
    def _arguments(problem: Problem, args: list) -> list:
        w = np.asarray(args[0], dtype=np.float64)
        if w.size != problem.dim:
            raise ValueError(f"w must have {problem.dim} numbers, got shape {w.shape}")
        if len(args) == 1:
            return [w.reshape(problem.dim)]
        idx = np.asarray(args[1])
        in_range = not idx.size or 0 <= idx.min() <= idx.max() < problem.n_samples
        if idx.ndim != 1 or idx.dtype.kind not in "iu" or not in_range:
            raise ValueError(f"idx must be a 1-D array of example indices in 0..{problem.n_samples - 1}")
        return [w.reshape(problem.dim), idx]


class KernelStudent:
    """The student's code in a sandboxed kernel: each request is one round trip.

    ``why_missing(name)`` may say why a symbol the kernel lacks is missing (a cell that
    failed before defining it); it is added to the "is not defined" fault.
    """

    def __init__(self, session: RemoteSession, why_missing: Callable[[str], str] | None = None):
        self.session, self.why_missing = session, why_missing
        self.missing: set[str] = set()  # the symbols the kernel said it lacks

    def run(self, request: Request) -> Observed:
        """Run the request in the kernel; check what comes back before anyone uses it."""
        token, lent = secrets.token_hex(8), {}

        def lend(value):
            if isinstance(value, Problem):
                lent[value.name] = value
                return {"__surface__": encode(describe(value))}
            if isinstance(value, Lent):
                lent[value.problem.name] = value.problem
                return {"__callback__": {"surface": encode(describe(value.problem)), "fn": value.function}}
            raise BoundaryError(f"a {type(value).__name__} cannot be sent into the sandbox")

        payload = {"operation": request.operation, "question": question_data(request.question), "token": token,
                   "args": encode(list(request.args), lend)}  # fmt: skip
        callbacks = Callbacks(token, lent) if lent else None
        with phase("probes"):
            reply = self.session.request(payload, request.what, request.seconds(), callbacks and callbacks.answer)
        try:
            return observed(reply, request)
        except SubmissionError as fault:
            raise self._explained(fault) from None

    def _explained(self, fault: SubmissionError) -> SubmissionError:
        """A missing symbol's fault with the failed cell to blame; one that no cell defines is
        noted in ``missing`` (a batch where every submission lacks it suspects the spec)."""
        name, _, rest = str(fault).partition(" is not defined")
        if fault.kind != "missing" or rest:
            return fault
        reason = self.why_missing(name) if self.why_missing is not None else ""
        if not reason:
            self.missing.update(name.split(", "))
            return fault
        return SubmissionError(f"{fault} {reason}", kind=fault.kind)


def observed(reply: dict, request: Request) -> Observed:
    """An Observed from a kernel's reply, or the SubmissionError the reply amounts to."""
    what = request.what
    if reply.get("tampered"):
        raise SubmissionError(f"{what}: {clean_text(reply['tampered'], 300)}", kind="tampered")
    fault = reply.get("fault")
    if fault is not None:
        kind = fault.get("kind") if isinstance(fault, dict) and fault.get("kind") in FAULT_KINDS else "raised"
        message = fault.get("message") if isinstance(fault, dict) else fault
        raise SubmissionError(clean_text(message, 2000), kind=kind)
    try:
        result = decode(reply.get("result"))
    except (BoundaryError, RecursionError) as error:
        raise SubmissionError(f"{what} returned something that cannot be graded: {error}", kind="returned") from None
    check_result(request, result)
    return Observed(result, _dtypes(reply.get("dtypes")), mutated_calls(request, result, _calls(reply, what)))


def _dtypes(claimed) -> frozenset[str]:
    if not isinstance(claimed, list):
        return frozenset()
    return frozenset(d for d in claimed[:32] if isinstance(d, str) and len(d) <= 32)


def _calls(reply: dict, what: str) -> list:
    reported = reply.get("inputs", [])
    fits = isinstance(reported, list) and all(
        isinstance(entry, list) and len(entry) == 2 and isinstance(entry[1], list) for entry in reported
    )
    if not fits:
        message = f"{what}: the record of calls from the kernel is malformed (tampered with?)"
        raise SubmissionError(message, kind="tampered")
    return reported
