"""What the grader imports in the kernel before the timed calls: the installed modules a submission imports."""

from autograder.notebooks import imported_modules
from autograder.submission import modules_to_warm


def test_imports_anywhere_are_found_magics_and_broken_code_left_out():
    sources = [
        "import numpy as np\n%matplotlib inline\n",
        "def f():\n    import torch.optim\n    from scipy import linalg\n",
        "from . import sibling\n",
        "def broken(:\n    import pandas\n",
    ]
    assert imported_modules(sources) == {"numpy", "torch.optim", "scipy"}


def test_only_installed_modules_are_warmed_never_the_submission_s_own_or_gdgrade():
    sources = ["import helpers\nimport reference.optimizers\nimport no_such_module_here\n"
               "def f():\n    import json\n    import numpy\n"]  # fmt: skip
    assert modules_to_warm(sources, {"helpers.py": b"X = 1"}) == ["json", "numpy"]


class _RestartingKernel:
    """A kernel stand-in that records what the grader asks it to run, and restarts on request."""

    def __init__(self):
        self.requests = []

    def run_extra(self, code, seconds, request=None):
        from autograder.sandbox.channel import Execution

        self.requests.append(request)
        return Execution()

    def recover(self, deadline):
        return True


def test_a_restarted_kernel_imports_the_same_modules_again():
    from autograder.sandbox.remote import RemoteSession

    kernel = _RestartingKernel()
    session = RemoteSession(kernel, budget_seconds=60)
    session.install(warm=["numpy", "torch"])
    session._recover()  # what a kill at a call's deadline does
    assert [request["warm"] for request in kernel.requests] == [["numpy", "torch"], ["numpy", "torch"]]
