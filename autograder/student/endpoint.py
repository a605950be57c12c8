"""The kernel's end of the boundary: answer one grader request, ask the grader for callbacks.

A request rides in the content of the execute_request that runs ``_gdgrade_serve(nonce)``
(:data:`REQUEST_FIELD`); the reply is one display message of the :data:`~.codec.MIME` type
carrying the nonce. While an operation runs, a callback (a surface's ``grad``, say) asks
the grader for its value over Jupyter's stdin channel, the way ``input()`` asks a user, and
waits for the answer: the numbers a check is graded against never exist in the kernel.

The same :func:`serve` runs in-process for a self-check, with callbacks that are plain
function calls.
"""

from __future__ import annotations

import contextlib
import json
import sys
import threading

from .calls import Calls, StudentCodeError
from .codec import MIME, BoundaryError, clean_text, decode, encode
from .operations import perform

REQUEST_FIELD = "gdgrade_request"
SURFACE_FUNCTIONS = ("loss", "grad", "loss_on", "grad_on", "loss_and_grad")


class Surface:
    """A loss surface the grader lends: its data as arrays, its functions as callbacks."""

    def __init__(self, description: dict, ask):
        self.name = str(description.get("name"))
        self.n_samples = description.get("n_samples")
        data = description.get("data")
        self.data = tuple(data) if data is not None else None
        for function in description.get("functions", ()):
            if function in SURFACE_FUNCTIONS:
                setattr(self, function, _callback(ask, self.name, function))

    def __repr__(self) -> str:
        return f"<surface {self.name}>"


def _callback(ask, surface: str, function: str):
    def callback(*args):
        return ask(surface, function, args)

    callback.__name__ = callback.__qualname__ = function
    return callback


class GraderLine:
    """Questions from the kernel to the grader during one request, over the stdin channel.

    Each question carries the request's token and a sequence number; an answer for another
    question (one that arrives after its caller gave up, say) is dropped.
    """

    def __init__(self, kernel, token: str):
        self.kernel, self.token, self.asked = kernel, token, 0
        self.lock = threading.Lock()

    def ask(self, surface: str, function: str, args) -> object:
        """The grader's value of ``surface.function(*args)``; ValueError if it refuses."""
        with self.lock:
            self.asked += 1
            question = {"token": self.token, "seq": self.asked, "surface": surface, "fn": function,
                        "args": encode(list(args))}  # fmt: skip
            answer = self._round_trip(json.dumps(question), self.asked)
        if "error" in answer:
            raise ValueError(str(answer["error"]))
        return decode(answer.get("result"))

    def _round_trip(self, prompt: str, seq: int) -> dict:
        kernel = self.kernel
        content = {"prompt": prompt, "password": False}
        kernel.session.send(kernel.stdin_socket, "input_request", content, kernel.get_parent("shell"),
                            ident=kernel._parent_ident["shell"])  # fmt: skip
        while True:
            if not kernel.stdin_socket.poll(1000):
                continue
            _, message = kernel.session.recv(kernel.stdin_socket)
            try:
                answer = json.loads(message["content"]["value"])
            except (TypeError, KeyError, ValueError):
                continue
            if isinstance(answer, dict) and answer.get("seq") == seq:
                return answer


def serve(namespace, request: dict, ask=None) -> dict:
    """Run one requested operation; every outcome is a plain-data reply."""
    question = request["question"]
    calls = Calls(float(question["time_limit"]), tuple(question["forbidden"]))

    def resolve(marker: dict):
        if "__surface__" in marker:
            return Surface(decode(marker["__surface__"]), ask)
        lent = marker.get("__callback__")
        if isinstance(lent, dict) and lent.get("fn") in SURFACE_FUNCTIONS:
            return getattr(Surface(decode(lent.get("surface")), ask), lent["fn"])
        raise BoundaryError(f"unexpected marker {sorted(marker)[:3]}")

    try:
        result = perform(namespace, question, request["operation"], decode(request["args"], resolve), calls)
        reply = {"result": encode(result)}
    except StudentCodeError as fault:
        reply = {"fault": {"kind": fault.kind, "message": clean_text(fault.message)}}
    except BoundaryError as error:
        reply = {"fault": {"kind": "returned", "message": clean_text(f"the result cannot be graded: {error}")}}
    except Exception as error:  # what the student's code did to the kernel is the submission's doing
        message = f"the grader's code in the kernel failed ({type(error).__name__}: {error})"
        reply = {"fault": {"kind": "broken", "message": clean_text(message)}}
    return reply | {"dtypes": sorted(calls.dtypes), "inputs": calls.inputs}


def environment() -> dict:
    """What the kernel says it runs with (the grader labels this as the kernel's claim)."""
    import importlib.metadata
    import platform

    import numpy as np

    info = {"python": platform.python_version(), "numpy": np.__version__, "torch": None, "device": "cpu"}
    with contextlib.suppress(importlib.metadata.PackageNotFoundError):
        info["torch"] = importlib.metadata.version("torch")
    torch = sys.modules.get("torch")
    if torch is not None and torch.cuda.is_available():
        info["device"] = f"cuda ({torch.cuda.get_device_name(0)})"
    return info


def _snapshot(modules) -> list:
    """Every function and class of the shim's modules, to see later whether any was replaced."""
    found = []
    for module in modules:
        for name, value in list(vars(module).items()):
            if callable(value):
                found.append((module, name, value, getattr(value, "__code__", None)))
    return found


def _intact(snapshot) -> bool:
    return all(vars(m).get(name) is value and getattr(value, "__code__", None) is code
               for m, name, value, code in snapshot)  # fmt: skip


def install(shell, modules):
    """The kernel's ``_gdgrade_serve(nonce)``: answers the request attached to the running cell."""
    kernel, namespace, snapshot = shell.kernel, shell.user_ns, _snapshot(modules)
    from IPython.display import display

    def answer(nonce: str) -> None:
        request = json.loads(kernel.get_parent("shell")["content"][REQUEST_FIELD])
        if request.get("action") == "environment":
            reply = {"result": encode(environment())}
        else:
            reply = serve(namespace, request, GraderLine(kernel, str(request.get("token"))).ask)
        if not _intact(snapshot):
            reply["tampered"] = "the grader's code in the kernel was changed while the student's code ran"
        display({MIME: {"nonce": nonce, **reply}}, raw=True)

    return answer
