"""The grader's side of the sandbox boundary: a namespace whose functions run in the kernel.

``RemoteNamespace`` looks like a dict of the student's symbols, so the engine's adapters
and checks work unchanged. Each call becomes one small cell run in the kernel; arguments
and results cross as plain data (see :mod:`autograder.kernel_runtime`), and the decision
about the grade is made here, outside the kernel.
"""

from __future__ import annotations

import functools
import importlib
import json
import secrets
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from autograder import kernel_runtime
from autograder.errors import SubmissionError, raised_message
from autograder.kernel import KernelDiedError, KernelSession
from autograder.kernel_runtime import MIME, BoundaryError, decode, encode
from autograder.student_runs import OPERATIONS, question_data
from autograder.timing import phase
from reference import problems

DEFAULT_CALL_TIMEOUT = 10.0
PROBLEM_FUNCTIONS = ("grad", "loss", "grad_on", "loss_on", "loss_and_grad")


# What the kernel gets, in import order: the runtime, and what student operations run on
# (the adapters and the pure-numpy parts of the reference they drive). Their source is sent
# in; the grader's files are never mounted in the sandbox.
KERNEL_MODULES = (
    "autograder.errors",
    "autograder.kernel_runtime",
    "autograder.guard",
    "reference.hyperparameters",
    "reference.transforms",
    "reference.optimizers",
    "reference.problems",
    "reference.schedules",
    "reference.trajectory",
    "autograder.adapters",
    "autograder.student_runs",
)


@functools.cache
def _module_sources() -> dict[str, str]:
    return {name: Path(importlib.import_module(name).__file__).read_text(encoding="utf-8") for name in KERNEL_MODULES}


@functools.cache  # the same for every submission: read and built once per grading process
def _runtime_install_code() -> str:
    """Cell that installs the kernel endpoint with the modules it needs, under their own names."""
    return "\n".join(
        [
            "import sys as _gdgrade_sys, types as _gdgrade_types",
            "def _gdgrade_module(name, source):",
            "    package, _, leaf = name.rpartition('.')",
            "    if package not in _gdgrade_sys.modules or not hasattr(_gdgrade_sys.modules[package], '__gdgrade__'):",
            "        parent = _gdgrade_sys.modules[package] = _gdgrade_types.ModuleType(package)",
            "        parent.__path__, parent.__gdgrade__ = [], True",
            "    module = _gdgrade_types.ModuleType(name)",
            "    _gdgrade_sys.modules[name] = module  # dataclasses look their module up here",
            "    exec(compile(source, '<' + name + '>', 'exec'), module.__dict__)",
            "    setattr(_gdgrade_sys.modules[package], leaf, module)",
            "    return module",
            f"for _gdgrade_name, _gdgrade_source in {_module_sources()!r}.items():",
            "    _gdgrade_module(_gdgrade_name, _gdgrade_source)",
            "_gdgrade_runtime = _gdgrade_sys.modules['autograder.kernel_runtime']",
            "_gdgrade_endpoint = _gdgrade_runtime.KernelEndpoint(",
            "    globals(),",
            "    _gdgrade_sys.modules['reference.problems'],",
            "    {'student_run': _gdgrade_sys.modules['autograder.student_runs'].kernel_side},",
            ")",
            "def _gdgrade_reply(nonce):",
            "    _gdgrade_runtime.reply(_gdgrade_endpoint, nonce)",
            "del _gdgrade_name, _gdgrade_source",
        ]
    )


@dataclass(frozen=True)
class RemoteResult:
    """A call's value, and whether the student changed an input array in place."""

    value: object
    mutated: bool


class RemoteSession:
    """Sends requests to the kernel endpoint and reads its replies."""

    def __init__(self, kernel: KernelSession):
        self.kernel = kernel
        self._calls = 0
        self._generators: dict[int, tuple[np.random.Generator, str]] = {}

    def generator_name(self, generator: np.random.Generator) -> str:
        """The kernel-side name of a grader's Generator: one kernel copy per grader object.

        The session keeps the object alive, so its id cannot be reused by a later Generator
        (which would silently get the old one's advanced state in the kernel).
        """
        known = self._generators.get(id(generator))
        if known is None or known[0] is not generator:
            known = (generator, f"rng-{len(self._generators) + 1}")
            self._generators[id(generator)] = known
        return known[1]

    def outgoing(self, value) -> dict:
        """Markers for the non-plain things the grader sends: kernel objects, generators, problems."""
        if isinstance(value, np.random.Generator):
            return {"__rng__": self.generator_name(value), "state": value.bit_generator.state}
        return _outgoing(value)

    def install(self) -> None:
        """Install the endpoint in the kernel (after the student's cells have run)."""
        outputs = self.kernel.run_extra(_runtime_install_code(), 60)
        errors = [o for o in outputs if o.get("output_type") == "error"]
        if errors:
            raise SubmissionError(f"the grader could not attach to the kernel: {errors[0].get('evalue')}")

    def request(self, payload: dict, what: str, timeout: float = DEFAULT_CALL_TIMEOUT) -> dict:
        """One round trip; raises SubmissionError for time-outs, dead kernels and errors."""
        nonce = secrets.token_hex(12)
        self._calls += 1
        try:
            outputs = self.kernel.run_extra(f"_gdgrade_reply({nonce!r})", timeout, attached=json.dumps(payload))
        except KernelDiedError as died:
            raise SubmissionError(f"the kernel died while running {what}: {died}") from None
        replies = [
            o["data"][MIME] for o in outputs if o.get("output_type") == "display_data" and MIME in o.get("data", {})
        ]
        replies = [r for r in replies if isinstance(r, dict) and r.get("nonce") == nonce]
        if not replies:
            timed_out = any(o.get("ename") == "GdgradeCellTimeout" for o in outputs if o.get("output_type") == "error")
            if timed_out:
                raise SubmissionError(f"{what} did not return within {timeout:g} s")
            raise SubmissionError(f"{what} produced no answer (did it end the process or break the kernel?)")
        return replies[-1]

    def probe(self, payload: dict, what: str, timeout: float) -> dict:
        """A request into the student's code (timed as probes); what it raised is the student's."""
        with phase("probes"):
            reply = self.request(payload, what, timeout)
        if not reply.get("ok"):
            raise SubmissionError(raised_message(what, str(reply.get("type")), str(reply.get("message"))))
        return reply

    def environment(self) -> dict:
        """Versions and the torch device inside the kernel."""
        reply = self.request({"action": "environment"}, "reading the kernel's environment")
        try:
            environment = decode(reply.get("result")) if reply.get("ok") else {}
        except BoundaryError:
            return {}
        return environment if isinstance(environment, dict) else {}

    @property
    def calls(self) -> int:
        """How many round trips were made."""
        return self._calls


class RemoteObject:
    """A function, class or object that lives in the kernel."""

    def __init__(self, session: RemoteSession, target: list, label: str):
        object.__setattr__(self, "_session", session)
        object.__setattr__(self, "_target", target)
        object.__setattr__(self, "_label", label)

    def remote_call(self, what: str, timeout: float, forbidden: tuple, args: tuple, kwargs: dict) -> RemoteResult:
        """Call it in the kernel under the question's time limit and API ban."""
        session = self._session
        try:
            payload = {
                "action": "call",
                "target": self._target,
                "args": encode(list(args), session.outgoing),
                "kwargs": encode(dict(kwargs), session.outgoing),
                "forbidden": list(forbidden),
            }
        except BoundaryError as error:
            raise SubmissionError(f"{what}: {error}") from None
        reply = session.probe(payload, what, timeout or DEFAULT_CALL_TIMEOUT)
        if reply.get("forbidden"):
            raise SubmissionError(f"{what} uses {reply['forbidden']}, which this question forbids")
        try:
            value = decode(reply.get("result"), lambda marker: _incoming(session, marker, what))
        except BoundaryError as error:
            raise SubmissionError(f"{what} returned something that cannot be graded: {error}") from None
        return RemoteResult(value, bool(reply.get("mutated")))

    def __call__(self, *args, **kwargs):
        return self.remote_call(self._label, DEFAULT_CALL_TIMEOUT, (), args, kwargs).value

    def __getattr__(self, attribute: str) -> RemoteObject:
        if attribute.startswith("__"):
            raise AttributeError(attribute)
        return RemoteObject(self._session, [*self._target, attribute], f"{self._label}.{attribute}")

    def __setattr__(self, attribute: str, value) -> None:
        payload = {
            "action": "setattr",
            "target": self._target,
            "attr": attribute,
            "value": encode(value, self._session.outgoing),
        }
        with phase("probes"):
            reply = self._session.request(payload, f"setting {self._label}.{attribute}")
        if not reply.get("ok"):
            raise SubmissionError(
                f"setting {self._label}.{attribute} raised {reply.get('type')}: {reply.get('message')}"
            )

    def __repr__(self) -> str:
        return f"<remote {self._label}>"


def _incoming(session: RemoteSession, marker: dict, what: str) -> RemoteObject:
    if "__ref__" not in marker:
        raise BoundaryError(f"unexpected marker {sorted(marker)}")
    return RemoteObject(session, ["ref", marker["__ref__"]], f"the object {what} returned")


def _outgoing(value) -> dict:
    """Markers for kernel objects, schedules and problem functions (generators: the session's)."""
    if isinstance(value, RemoteObject):
        target = object.__getattribute__(value, "_target")
        if target[0] == "name" and len(target) == 2:  # a student's symbol, e.g. a class handed to a helper
            return {"__symbol__": target[1]}
        if target[0] != "ref" or len(target) != 2:
            raise BoundaryError("only the student's symbols and objects the kernel returned can be sent back")
        return {"__ref__": target[1]}
    if isinstance(value, kernel_runtime.LrTable):
        return {"__lrs__": value.lrs}
    for name, problem in problems.built_problems().items():
        for function_name in PROBLEM_FUNCTIONS:
            if callable(value) and getattr(problem, function_name) == value:  # == : bound methods
                return {"__problem__": name, "fn": function_name}
    raise BoundaryError(f"a {type(value).__name__} cannot be sent into the sandbox")


class RemoteNamespace(Mapping):
    """The student's symbols, as the kernel holds them after running the notebook."""

    def __init__(self, session: RemoteSession):
        self.session = session
        reply = session.request({"action": "names"}, "listing the notebook's names")
        self._names = set(reply.get("result") or [])

    def __getitem__(self, name: str) -> RemoteObject:
        if name not in self._names:
            raise KeyError(name)
        return RemoteObject(self.session, ["name", name], name)

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._names))

    def __len__(self) -> int:
        return len(self._names)

    def helper(self, name: str) -> RemoteObject:
        """One of the kernel runtime's helpers (they run next to the student's objects)."""
        return RemoteObject(self.session, ["helper", name], name)

    def student_run(self, question, guard, operation: str, args: tuple):
        """Perform a student operation inside the kernel: one round trip for all its calls."""
        calls = OPERATIONS[operation].calls(*args)
        limits = self.session.kernel.sandbox.limits
        timeout = min(question.time_limit * max(calls, 1) + 5, limits.submission_timeout)
        what = ", ".join(f"{symbol}()" for symbol in question.symbols.values())
        payload = {"action": "student_run", "question": question_data(question), "operation": operation}
        try:
            payload["args"] = encode(list(args))
        except BoundaryError as error:
            raise SubmissionError(f"{what}: {error}") from None
        reply = self.session.probe(payload, what, timeout)
        guard.dtypes.update(str(dtype) for dtype in reply.get("dtypes") or [])
        guard.mutations += [str(what) for what in reply.get("mutations") or []]
        if "error" in reply:
            raise SubmissionError(str(reply["error"]))
        try:
            result = decode(reply.get("result"))
        except BoundaryError as error:
            raise SubmissionError(f"{what} returned something that cannot be graded: {error}") from None
        flaw = OPERATIONS[operation].flaw(result, args)
        if flaw is not None:
            raise SubmissionError(f"{what} returned something that cannot be graded: {flaw}")
        return result

    def value(self, name: str):
        """A notebook variable's value, as plain data."""
        with phase("probes"):
            reply = self.session.request({"action": "value", "name": name}, f"reading {name}")
        if not reply.get("ok"):
            raise SubmissionError(f"{name} cannot be read: {reply.get('message')}")
        return decode(reply.get("result"))
