"""The hostile corpus: broken, abusive and cheating submissions, graded in one batch with a
correct one. Each case says what the student must get: a score and words in the message.

``python -m tests.hostile.report`` grades the corpus and prints case, expected, got.
The base is the 03-momentum assignment (momentum 5 points, nesterov 5 points); each
case is its solution plus one hostile cell, or with one function replaced.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import nbformat

from assignments import spec_path
from tests.assignments.helpers import graded_cells

ASSIGNMENT = "03-momentum"
FULL = 10.0
TIME_LIMIT = 2  # seconds per call of student code (the shipped spec allows 10)


@dataclass(frozen=True)
class Case:
    """One submission of the corpus and the verdict it must get."""

    name: str
    category: str
    score: float
    says: str | None  # words the student must see (None: nothing in particular)
    cells: tuple[str, ...] = ()  # appended to the solution's cells
    raw: bytes | None = None  # the file's bytes, instead of a notebook built from cells
    suffix: str = ".ipynb"
    notebook: dict | None = None  # a notebook document to write as JSON as is
    seconds: float = 60  # the most its grading may take (limits plus a small constant)
    holds: Callable[[dict], bool] | None = None  # a further condition on its result


def reports_survive(payload: dict) -> bool:
    """Every report can be written for this result (values near 1e308 included)."""
    from autograder.reports.gradescope import gradescope_results
    from autograder.reports.html import html_report
    from autograder.reports.junit import junit_xml
    from autograder.reports.tables import csv_summary
    from autograder.results import SubmissionResult

    result = SubmissionResult.from_json(payload)
    return all(bool(text) for text in (html_report(result), junit_xml([result]), csv_summary([result]),
                                       json.dumps(gradescope_results(result))))  # fmt: skip


def _slow(body: str) -> str:
    return f"def momentum_step(w, g, state, lr, momentum=0.9):\n{body}"


_V3 = {
    "nbformat": 3, "nbformat_minor": 0, "metadata": {"name": "old"},
    "worksheets": [{"cells": [{"cell_type": "code", "language": "python", "input": "\n\n".join(graded_cells(ASSIGNMENT)),
                               "outputs": [], "metadata": {}}], "metadata": {}}],
}  # fmt: skip

CASES = [
    Case("correct", "reference", FULL, None),
    # --- resource abuse ---------------------------------------------------------------------------
    Case("loop_at_top_level", "resources", FULL, "제한 시간 5초를 넘겼습니다", ("while True:\n    pass",)),
    Case("loop_in_probed_function", "resources", 5, "2초 안에 끝나지 않았습니다", (_slow("    while True:\n        pass"),)),
    Case("sleeping_function", "resources", 5, "2초 안에 끝나지 않았습니다", (_slow("    import time\n    time.sleep(60)"),)),
    Case("memory_bomb", "resources", FULL, "MemoryError 오류가 났습니다", ("hog = bytearray(32 * 1024**3)",)),
    Case("fork_bomb", "resources", FULL, "BlockingIOError 오류가 났습니다", (
        "import os, time\nwhile True:\n    if os.fork() == 0:\n        time.sleep(30)\n        os._exit(0)",)),
    Case("fills_the_disk_in_one_file", "resources", FULL, "File too large", (
        "with open('big.bin', 'wb') as f:\n    f.write(b'0' * 200 * 1024**2)",)),
    Case("fills_tmp_with_many_files", "resources", FULL, "No space left on device", (
        "for i in range(64):\n    with open(f'/tmp/fill{i}.bin', 'wb') as f:\n        f.write(b'0' * 60 * 1024**2)",)),
    Case("fills_the_work_dir_with_many_files", "resources", FULL, "No space left on device", (
        "for i in range(64):\n    with open(f'fill{i}.bin', 'wb') as f:\n        f.write(b'0' * 60 * 1024**2)",)),
    Case("prints_gigabytes", "resources", FULL, None, ("for _ in range(100_000):\n    print('x' * 20_000)",)),
    Case("deep_recursion", "resources", FULL, "RecursionError 오류가 났습니다", ("def f(n):\n    return f(n + 1)\nf(0)",)),
    Case("huge_recursion_limit", "resources", FULL, "제한 시간 5초를 넘겼습니다", (
        "import sys\nsys.setrecursionlimit(10**8)\ndef f(n):\n    return f(n + 1)\nf(0)",)),
    # --- escape and snooping ------------------------------------------------------------------------
    Case("network", "escape", FULL, "오류가 났습니다", (
        "import socket\nsocket.create_connection(('93.184.216.34', 80), timeout=2)",)),
    Case("imports_the_grader", "escape", FULL, "No module named 'reference'", ("import reference.optimizers",)),
    Case("reads_the_spec", "escape", FULL, "FileNotFoundError 오류가 났습니다", (f"open({str(spec_path(ASSIGNMENT))!r}).read()",)),
    Case("reads_another_submission", "escape", FULL, "FileNotFoundError 오류가 났습니다", ("open('{submissions}/correct.ipynb').read()",)),
    Case("reads_the_grader_home", "escape", FULL, "FileNotFoundError 오류가 났습니다", ("open('/root/.bashrc').read()",)),
    Case("writes_outside_the_work_dir", "escape", FULL, "Read-only file system", ("open('/usr/owned.txt', 'w').write('x')",)),
    Case("writes_a_fake_result", "escape", FULL, "오류가 났습니다", (
        "import json\njson.dump({'score': 999}, open('{results}/correct.json', 'w'))",)),
    Case("kills_its_parent", "escape", FULL, "Operation not permitted", ("import os, signal\nos.kill(os.getppid(), signal.SIGKILL)",)),
    Case("kills_everything_it_can", "escape", FULL, "ProcessLookupError 오류가 났습니다", ("import os, signal\nos.kill(-1, signal.SIGKILL)",)),
    # --- grade tampering ---------------------------------------------------------------------------------
    Case("patches_numpy_and_is_wrong", "tampering", 6, "속도 0에서 다시 시작", (
        "import numpy, numpy.testing\nnumpy.allclose = lambda *a, **k: True\nnumpy.array_equal = lambda *a, **k: True\n"
        "numpy.testing.assert_allclose = lambda *a, **k: None\n"
        "def momentum_step(w, g, state, lr, momentum=0.9):\n    v = momentum * state - lr * g\n    return w + v, state",)),
    Case("patches_builtins", "tampering", FULL, "코드 셀 5 다음에 커널을 다시 시작했고", (
        "import builtins\nbuiltins.isinstance = lambda *a: True\nbuiltins.float = lambda *a: 0.0",)),
    Case("patches_ipython_display", "tampering", 0, "돌려준 값의 모양이나 형식이 맞지 않습니다", (
        "import IPython.display\nreal = IPython.display.display\n"
        "def fake(*objects, **kw):\n    for o in objects:\n        if isinstance(o, dict):\n"
        "            for v in o.values():\n                if isinstance(v, dict) and 'nonce' in v:\n"
        "                    v.pop('fault', None)\n                    v.update(result=None)\n    return real(*objects, **kw)\n"
        "IPython.display.display = fake\n"
        "def momentum_step(w, g, state, lr, momentum=0.9):\n    return w, state",)),
    Case("lying_ndarray_subclass", "tampering", 6, "성분 0이 0, 기준은 0.6", (
        "class Liar(np.ndarray):\n    def __eq__(self, other):\n        return True\n"
        "    def __array__(self, *a, **k):\n        return np.asarray(self).view(np.ndarray)\n"
        "def momentum_step(w, g, state, lr, momentum=0.9):\n    return np.zeros_like(w).view(Liar), state",)),
    Case("lying_object", "tampering", 5, "숫자가 아니라 Always를 돌려주었습니다", (
        "class Always:\n    def __float__(self):\n        return 1.0\n    def __eq__(self, other):\n        return True\n"
        "def momentum_step(w, g, state, lr, momentum=0.9):\n    return Always(), state",)),
    Case("right_only_on_public_inputs", "tampering", 8.5, "숨겨진 검사가 실패했습니다", (
        "_honest = momentum_step\n"
        "def momentum_step(w, g, state, lr, momentum=0.9):\n    if lr == 0.04 and momentum == 0.9:\n"
        "        return _honest(w, g, state, lr, momentum)\n    return w, state",)),
    Case("detects_grading_from_the_stack", "tampering", 6, "기준과 달라집니다", (
        "import inspect\n_honest = momentum_step\n"
        "def momentum_step(w, g, state, lr, momentum=0.9):\n"
        "    if any('gdgrade' in f.filename or 'gdgrade' in f.function for f in inspect.stack()):\n"
        "        return w, state\n    return _honest(w, g, state, lr, momentum)",)),
    Case("redefines_check_and_test_cells", "tampering", FULL, None, (
        "check = lambda *a, **k: print('all good')\ncheck('momentum')",)),
    Case("hides_torch_optim", "tampering", 5, "이 문제에서 금지한", (
        "import importlib\n_optim = importlib.import_module('to' + 'rch.op' + 'tim')\n"
        "def momentum_step(w, g, state, lr, momentum=0.9):\n    import torch\n"
        "    p = torch.nn.Parameter(torch.tensor(np.array(w, dtype=float)))\n"
        "    o = getattr(_optim, 'S' + 'GD')([p], lr=lr, momentum=momentum)\n"
        "    p.grad = torch.tensor(np.array(g, dtype=float))\n    o.step()\n"
        "    return p.detach().numpy().copy(), state",)),
    # --- broken input ---------------------------------------------------------------------------------
    Case("invalid_json", "broken", 0, "노트북이 아닙니다: JSON이 1번째 줄 13번째 칸에서 깨져 있습니다(값이 있어야 할 자리입니다)", raw=b'{"cells": [ oops'),
    Case("empty_file", "broken", 0, "파일이 비어 있습니다", raw=b""),
    Case("binary_garbage", "broken", 0, "UTF-8 텍스트가 아닙니다", raw=bytes(range(256)) * 64),
    Case("nbformat_v3", "broken", FULL, None, notebook=_V3),
    Case("r_kernel", "broken", 0, "R 노트북입니다. gdgrade는 파이썬 노트북만 채점합니다", notebook={
        "nbformat": 4, "nbformat_minor": 5, "cells": [],
        "metadata": {"kernelspec": {"name": "ir", "language": "R", "display_name": "R"}, "language_info": {"name": "R"}},
    }),
    Case("missing_functions", "broken", 5, "nesterov_step가 정의되어 있지 않습니다", ("del nesterov_step",)),
    Case("wrong_signature", "broken", 5, "TypeError 오류가 났습니다", ("def momentum_step(w, g):\n    return w - 0.1 * g",)),
    Case("returns_nan", "broken", 6, "nan", (
        "def momentum_step(w, g, state, lr, momentum=0.9):\n    return w * np.nan, state",)),
    Case("pip_install_and_magics", "broken", FULL, None, ("!pip install --no-index nothing-here",
                                                           "%timeit -n 1 -r 1 sum(range(10))", "%%bash\necho hi")),
    Case("non_utf8_python", "broken", 0, "UTF-8 텍스트가 아닙니다", raw="x = 'café'\n".encode("latin-1"), suffix=".py"),
    Case("absurdly_long_cell", "broken", FULL, None, ("# " + "x" * 3_000_000 + "\npass",)),
    Case("oversized_code", "broken", 0, "MiB of code; the limit is 20 MiB", notebook={"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": "#" * (21 * 1024**2)}]}),
    Case("oversized_file", "broken", 0, "the limit is that, outputs included", raw=b" " * (101 * 1024**2)),
    Case("python_file", "broken", FULL, None, suffix=".py"),
    # --- nothing in the kernel computes a graded answer (trustworthy-grades issue, part 1) ------------
    Case("delegates_to_the_reference", "boundary", 5, "No module named 'reference'", (
        "def momentum_step(w, g, state, lr, momentum=0.9):\n    import reference.optimizers as R\n"
        "    optimizer = R.momentum(lr=lr, momentum=momentum)\n    return optimizer.update(w, g, state, lr)",)),
    Case("looks_up_the_reference_in_sys_modules", "boundary", 5, "KeyError", (
        "import sys\ndef momentum_step(w, g, state, lr, momentum=0.9):\n"
        "    R = sys.modules['reference.optimizers']\n    return R.momentum(lr=lr, momentum=momentum).update(w, g, state, lr)",)),
    Case("finds_no_grader_code_at_call_time", "boundary", FULL, None, (
        "import gc, sys\n_honest = momentum_step\n"
        "def _grader_code():\n"
        "    names = [m for m in list(sys.modules) if m.split('.')[0] in ('reference', 'autograder', 'assignments')]\n"
        "    code = [getattr(f, '__code__', None) for f in gc.get_objects() if callable(f)]\n"
        "    files = [c.co_filename for c in code if type(c) is type(_grader_code.__code__)]\n"
        "    return names or [f for f in files if '/reference/' in f or '/autograder/' in f or 'optimizers' in f]\n"
        "def momentum_step(w, g, state, lr, momentum=0.9):\n"
        "    new_w, new_state = _honest(w, g, state, lr, momentum)\n"
        "    return (new_w + 1000.0 if _grader_code() else new_w), new_state",)),
    # --- decisions are made outside; tampering is a result (part 2) --------------------------------------
    Case("patches_the_shim_to_hide_in_place", "tampering", 0, "changed while the student's code ran", (
        "import sys\n_honest = momentum_step\n"
        "def momentum_step(w, g, state, lr, momentum=0.9):\n"
        "    shim = sys.modules.get('_gdgrade_student.calls')\n"
        "    if shim is not None:\n        shim.digest = lambda array: 'unchanged'\n"
        "    new_w, new_state = _honest(w, g, state, lr, momentum)\n    w[:] = new_w\n    return w, new_state",)),
    Case("removes_the_profile_hook", "tampering", 5, "감시 장치가 제거되거나 바뀌었습니다", (
        "import importlib, sys\nimport numpy as np\n"
        "def momentum_step(w, g, state, lr, momentum=0.9):\n    sys.setprofile(None)\n"
        "    optim = importlib.import_module(bytes([116, 111, 114, 99, 104, 46, 111, 112, 116, 105, 109]).decode())\n"
        "    import torch\n    p = torch.nn.Parameter(torch.tensor(np.array(w, dtype=float)))\n"
        "    o = optim.SGD([p], lr=lr)\n    p.grad = torch.tensor(np.array(g, dtype=float))\n    o.step()\n"
        "    return p.detach().numpy().copy(), state",)),
    Case("torch_optim_in_a_thread", "tampering", 5, "금지한 torch.optim을 씁니다", (
        "import importlib, threading\nimport numpy as np\n"
        "def momentum_step(w, g, state, lr, momentum=0.9):\n"
        "    optim = importlib.import_module(bytes([116, 111, 114, 99, 104, 46, 111, 112, 116, 105, 109]).decode())\n"
        "    import torch\n    p = torch.nn.Parameter(torch.tensor(np.array(w, dtype=float)))\n"
        "    def work():\n        o = optim.SGD([p], lr=lr)\n"
        "        p.grad = torch.tensor(np.array(g, dtype=float))\n        o.step()\n"
        "    t = threading.Thread(target=work)\n    t.start()\n    t.join()\n"
        "    return p.detach().numpy().copy(), state",)),
    Case("lazy_import_of_torch_is_not_torch_optim", "reference", FULL, None, (
        "_honest = momentum_step\n"
        "def momentum_step(w, g, state, lr, momentum=0.9):\n    import torch  # noqa\n"
        "    return _honest(w, g, state, lr, momentum)",)),
    Case("forges_a_second_reply", "tampering", 5, "답을 두 번 이상", (
        "import re\nfrom IPython import get_ipython\nfrom IPython.display import display\n_honest = momentum_step\n"
        "def momentum_step(w, g, state, lr, momentum=0.9):\n"
        "    code = get_ipython().kernel.get_parent('shell')['content']['code']\n"
        "    nonce = re.findall(r\"'([0-9a-f]+)'\", code)\n"
        "    if nonce:\n        display({'application/vnd.gdgrade.result+json': {'nonce': nonce[0], 'result': None}}, raw=True)\n"
        "    return _honest(w, g, state, lr, momentum)",)),
    # --- limits hold from outside the kernel (part 3) ------------------------------------------------------
    Case("blocks_signals_and_sleeps", "resources", 0, "안에 끝나지 않았습니다", (
        "import signal, time\n"
        "def momentum_step(w, g, state, lr, momentum=0.9):\n"
        "    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM, signal.SIGINT})\n    time.sleep(3600)",),
        seconds=120),
    Case("stalls_the_warm_import", "resources", 0, "채점기가 커널에 연결하지 못했습니다", (  # ends with the 30 s grading budget
        "import importlib.abc, sys, time\n"
        "class Stall(importlib.abc.MetaPathFinder):\n    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'scipy':\n            time.sleep(120)\n        return None\n"
        "sys.meta_path.insert(0, Stall())\n_honest = momentum_step\n"
        "def momentum_step(w, g, state, lr, momentum=0.9):\n    import scipy  # the grader imports it first, to warm it\n"
        "    return _honest(w, g, state, lr, momentum)",)),
    Case("floods_display", "resources", FULL, "채점이 보관하는 양보다 많아", (
        "from IPython.display import display\nfor _ in range(800):\n    display({'text/plain': 'x' * 100_000}, raw=True)",)),
    Case("sends_malformed_messages", "broken", FULL, None, (
        "from IPython import get_ipython\n_honest = momentum_step\n"
        "def momentum_step(w, g, state, lr, momentum=0.9):\n    k = get_ipython().kernel\n"
        "    k.iopub_socket.send_multipart([b'x', b'<IDS|MSG>', b'sig', b'{not json', b'[1]', b'{}', b'{'])\n"
        "    k.session.send(k.iopub_socket, 'status', {}, parent=k.get_parent('shell'))\n"
        "    k.session.send(k.iopub_socket, 'display_data', {'data': 'nope'}, parent={'msg_id': 'another'})\n"
        "    return _honest(w, g, state, lr, momentum)",)),
    Case("creates_a_user_namespace", "escape", FULL, "no user namespace", (
        "import ctypes\nassert ctypes.CDLL(None, use_errno=True).unshare(0x10000000) != 0, 'unshare worked'\n"
        "raise RuntimeError('no user namespace')",)),
    # --- reports survive any numbers; hidden stays hidden; the kernel's claims are labelled (part 5) ------
    Case("claims_a_gpu", "tampering", FULL, None, (
        "import torch\ntorch.cuda.is_available = lambda: True\ntorch.cuda.get_device_name = lambda i=0: 'H100' * 2_000_000",),
        holds=lambda p: p["versions"]["device"] == "cpu" and len(str(p["execution"]["kernel_reported"])) < 1000),
    Case("returns_huge_numbers", "broken", 6, None, (
        "def momentum_step(w, g, state, lr, momentum=0.9):\n    return w * 1e308 + 1e307, state",), holds=reports_survive),
]  # fmt: skip


def write_case(case: Case, folder: Path, replacements: dict[str, str]) -> Path:
    """Write one submission into ``folder``; ``{submissions}`` and ``{results}`` are filled in."""
    path = folder / f"{case.name}{case.suffix}"
    if case.raw is not None:
        path.write_bytes(case.raw)
    elif case.notebook is not None:
        path.write_text(json.dumps(case.notebook), encoding="utf-8")
    else:
        cells = [*graded_cells(ASSIGNMENT), *(_fill(cell, replacements) for cell in case.cells)]
        if case.suffix == ".py":
            path.write_text("\n\n".join(cells), encoding="utf-8")
        else:
            notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
            notebook.metadata["language_info"] = {"name": "python"}
            nbformat.write(notebook, path)
    return path


def _fill(cell: str, replacements: dict[str, str]) -> str:
    for key, value in replacements.items():
        cell = cell.replace("{" + key + "}", value)
    return cell


def corpus_spec(folder: Path) -> Path:
    """The 03-momentum spec with a short per-call time limit, as a file a batch can load."""
    text = spec_path(ASSIGNMENT).read_text(encoding="utf-8")
    text = re.sub(r"^(forbidden = .*)$", rf"\1\ntime_limit = {TIME_LIMIT}", text, flags=re.M)
    path = folder / "corpus-spec.toml"
    path.write_text(text, encoding="utf-8")
    return path


def seen_by_student(payload: dict) -> str:
    """Everything the student is shown: the error, cell issues and every check's message."""
    issues = [issue["message"] for issue in payload.get("execution", {}).get("issues", [])]
    return " | ".join([payload.get("error") or "", *issues, *(c["message"] for c in payload["checks"])])
