"""One execute_request to a sandboxed kernel, read stream-wise under caps and a hard deadline.

The grader never trusts the kernel to stop on time or to say sensible things:

* **Deadline.** When a run passes its time, the kernel is interrupted; if it has not
  finished :data:`INTERRUPT_GRACE` seconds later (a student can block signals), the kernel
  is killed. Nothing a submission does can hold the grader longer than that.
* **Caps.** Every IOPub message (display data, streams, errors, comm messages, status) is
  counted in messages and bytes as it arrives; what passes a cap, or any single message
  larger than ``message_bytes``, is dropped before it is even parsed, so output is never
  buffered whole. ZeroMQ itself drops messages over :data:`MAX_MESSAGE_BYTES`.
* **Malformed messages** (bad JSON, missing fields, a reply to another request) are counted
  and ignored; they are the submission's doing, never a crash of the grader.

Grader requests may let the kernel ask questions back over the stdin channel (a callback
for a gradient, say); ``on_input(prompt) -> answer`` answers them.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import zmq
from jupyter_client.blocking import BlockingKernelClient
from nbclient.util import run_sync

MAX_MESSAGE_BYTES = 256 * 1024**2  # a hard bound on one message in the grader's memory
INTERRUPT_GRACE = 2.0  # seconds between an interrupt at the deadline and killing the kernel
REPLY_GRACE = 1.0  # seconds to wait for IOPub's idle status after the execute_reply
ALIVE_CHECK = 0.1  # seconds of silence between checks that the kernel still runs
DELIMITER = b"<IDS|MSG>"


@dataclass(frozen=True)
class Caps:
    """How much one execution may send the grader before the rest is dropped unread."""

    messages: int = 20_000
    total_bytes: int = 64 * 1024**2
    message_bytes: int = 8 * 1024**2


@dataclass
class Execution:
    """What one execute_request did, as far as the grader could tell."""

    error: tuple[str, str] | None = None  # (ename, evalue) of the first error
    replies: list = field(default_factory=list)  # content of display messages of the asked-for type
    timed_out: bool = False
    died: bool = False
    dropped: int = 0  # messages over a cap, unread
    malformed: int = 0
    messages: int = 0
    bytes: int = 0


class GraderClient(BlockingKernelClient):
    """A kernel client whose sockets refuse messages over MAX_MESSAGE_BYTES."""

    def _create_connected_socket(self, channel: str, identity: bytes | None = None):
        url = self._make_url(channel)
        sock = self.context.socket({"shell": zmq.DEALER, "iopub": zmq.SUB, "stdin": zmq.DEALER,
                                    "hb": zmq.REQ, "control": zmq.DEALER}[channel])  # fmt: skip
        sock.linger = 0
        sock.setsockopt(zmq.MAXMSGSIZE, MAX_MESSAGE_BYTES)
        if identity:
            sock.identity = identity
        sock.connect(url)
        return sock


HEADER_BYTES = 64 * 1024  # a header or parent header bigger than this is not one
ESSENTIAL = ("status", "execute_reply", "input_request")  # always read: they end a run or ask for input


def _small_json(frame: bytes, limit: int) -> dict | None:
    if len(frame) > limit:
        return None
    try:
        value = json.loads(frame)
    except (ValueError, TypeError, UnicodeDecodeError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def _parse(frames: list[bytes], content_limit: int) -> tuple[dict, dict, dict] | None:
    """(header, parent header, content) of a raw message; None if malformed.

    A content frame over ``content_limit`` is not parsed: its content reads as empty.
    """
    try:
        start = frames.index(DELIMITER) + 1
        header_frame, parent_frame, _, content_frame = frames[start + 1 : start + 5]
    except ValueError:
        return None
    header, parent = _small_json(header_frame, HEADER_BYTES), _small_json(parent_frame, HEADER_BYTES)
    if header is None or parent is None:
        return None
    content = _small_json(content_frame, content_limit) if len(content_frame) <= content_limit else {}
    return None if content is None else (header, parent, content)


def _message_type(frames: list[bytes]) -> str | None:
    try:
        header = _small_json(frames[frames.index(DELIMITER) + 2], HEADER_BYTES)
    except (ValueError, IndexError):
        return None
    return header.get("msg_type") if header else None


class _Reading:
    """The state of one execution while its messages arrive."""

    def __init__(self, msg_id: str, caps: Caps, mime: str | None, on_input):
        self.msg_id, self.caps, self.mime, self.on_input = msg_id, caps, mime, on_input
        self.outcome = Execution()
        self.replied = self.idle = False

    def admit(self, frames: list[bytes]) -> tuple[dict, dict, dict] | None:
        """The parsed message, or None when it is over a cap (dropped unread) or malformed."""
        size = sum(len(frame) for frame in frames)
        self.outcome.messages += 1
        self.outcome.bytes += size
        over = self.outcome.messages > self.caps.messages or self.outcome.bytes > self.caps.total_bytes
        essential = _message_type(frames) in ESSENTIAL
        if (over or size > self.caps.message_bytes) and not essential:
            self.outcome.dropped += 1
            return None
        parsed = _parse(frames, self.caps.message_bytes)
        if parsed is None:
            self.outcome.malformed += 1
        return parsed

    def on_iopub(self, header: dict, parent: dict, content: dict) -> None:
        if parent.get("msg_id") != self.msg_id:
            return
        kind = header.get("msg_type")
        if kind == "status" and content.get("execution_state") == "idle":
            self.idle = True
        elif kind == "error" and self.outcome.error is None:
            self.outcome.error = (str(content.get("ename")), str(content.get("evalue")))
        elif kind == "display_data" and self.mime is not None:
            data = content.get("data")
            if isinstance(data, dict) and self.mime in data:
                self.outcome.replies.append(data[self.mime])

    def on_shell(self, header: dict, parent: dict, content: dict) -> None:
        if parent.get("msg_id") == self.msg_id and header.get("msg_type") == "execute_reply":
            self.replied = True
            if content.get("status") == "error" and self.outcome.error is None:
                self.outcome.error = (str(content.get("ename")), str(content.get("evalue")))


class KernelChannel:
    """The grader's connection to one kernel: execute code, read what comes back."""

    def __init__(self, km):
        self.km = km
        self.client = GraderClient(**km.get_connection_info(session=True), connection_file=km.connection_file)
        self.client.start_channels(hb=False)
        self.alive_checked = time.monotonic()

    def close(self) -> None:
        """Close the sockets."""
        self.client.stop_channels()

    def alive(self) -> bool:
        """Whether the kernel process still runs."""
        return self.km.has_kernel and run_sync(self.km.is_alive)()

    def wait_for_ready(self, timeout: float) -> None:
        """Return once the kernel answers kernel_info and IOPub delivers; RuntimeError if not."""
        deadline = time.monotonic() + timeout
        while not self._answers():
            if not self.alive():
                raise RuntimeError("the kernel died before it was ready")
            if time.monotonic() > deadline:
                raise RuntimeError(f"the kernel did not answer within {timeout:g} s")
        while self.client.iopub_channel.socket.poll(5):  # drop what is already queued
            self.client.iopub_channel.socket.recv_multipart()

    def _answers(self) -> bool:
        self.client.kernel_info()
        shell, iopub = self.client.shell_channel.socket, self.client.iopub_channel.socket
        if not shell.poll(1000):
            return False
        parsed = _parse(shell.recv_multipart(), HEADER_BYTES)
        if parsed is None or parsed[0].get("msg_type") != "kernel_info_reply":
            return False
        return bool(iopub.poll(200))  # a status message: IOPub is subscribed

    def execute(self, code: str, timeout: float, *, attached: dict | None = None, allow_stdin: bool = False,
                on_input: Callable[[str], str] | None = None, store_history: bool = False, caps: Caps = Caps(),
                mime: str | None = None) -> Execution:  # fmt: skip
        """Run ``code``; ``attached`` rides in the request's content (it is not compiled)."""
        content = {"code": code, "silent": False, "store_history": store_history, "user_expressions": {},
                   "allow_stdin": allow_stdin, "stop_on_error": True, **(attached or {})}  # fmt: skip
        message = self.client.session.msg("execute_request", content)
        self.client.shell_channel.send(message)
        reading = _Reading(message["header"]["msg_id"], caps, mime, on_input)
        self._read(reading, time.monotonic() + timeout)
        return reading.outcome

    def _read(self, reading: _Reading, deadline: float) -> None:
        client = self.client
        sockets = {client.iopub_channel.socket: reading.on_iopub, client.shell_channel.socket: reading.on_shell,
                   client.stdin_channel.socket: self._answer_input(reading)}  # fmt: skip
        poller = zmq.Poller()
        for socket in sockets:
            poller.register(socket, zmq.POLLIN)
        interrupted, replied_at = False, None
        while not (reading.replied and reading.idle):
            now = time.monotonic()
            if reading.replied and replied_at is None:
                replied_at = now
            if replied_at is not None and now - replied_at > REPLY_GRACE:
                return  # the reply came; an idle status that never follows changes nothing
            if now >= deadline:
                if interrupted:
                    reading.outcome.timed_out = reading.outcome.died = True
                    self.kill()
                    return
                interrupted, deadline = True, now + INTERRUPT_GRACE
                reading.outcome.timed_out = True
                self.interrupt()
                continue
            ready = dict(poller.poll(max(1, int(min(deadline - now, ALIVE_CHECK) * 1000))))
            if not ready:
                if not self.alive():
                    reading.outcome.died = True
                    return
                continue
            for socket in ready:
                parsed = reading.admit(socket.recv_multipart())
                if parsed is not None:
                    sockets[socket](*parsed)

    def _answer_input(self, reading: _Reading):
        def on_stdin(header: dict, parent: dict, content: dict) -> None:
            if header.get("msg_type") != "input_request":
                return
            prompt = content.get("prompt")
            answer = reading.on_input(prompt) if reading.on_input and isinstance(prompt, str) else ""
            self.client.input(answer)

        return on_stdin

    def interrupt(self) -> None:
        """Ask the kernel to interrupt what it runs (it may ignore this)."""
        with contextlib.suppress(RuntimeError, OSError):
            run_sync(self.km.interrupt_kernel)()

    def kill(self) -> None:
        """Kill the kernel's whole process group now (its connection stays, for a restart)."""
        if self.km.has_kernel:
            run_sync(self.km.shutdown_kernel)(now=True, restart=True)
