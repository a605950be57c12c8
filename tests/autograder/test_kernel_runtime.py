"""The kernel runtime's import-time behaviour: what a numpy-only kernel never pays for."""

import subprocess
import sys
import textwrap


def run_python(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_locating_a_forbidden_submodule_imports_nothing():
    out = run_python(
        """
        import sys
        from autograder.kernel_runtime import module_location
        where = module_location("torch.optim"), module_location("torch.optim.sgd"), module_location("no.such")
        print("torch" in sys.modules, where[0].endswith("/torch/optim/"), where[1].endswith("/optim/sgd.py"), where[2])
        """
    )
    assert out == "False True True None"


def test_torch_is_seeded_and_deterministic_when_first_imported_after_preparing():
    out = run_python(
        """
        import sys
        from autograder.kernel_runtime import prepare_kernel
        prepare_kernel(seed=0)
        assert "torch" not in sys.modules
        import torch
        print(torch.initial_seed(), torch.are_deterministic_algorithms_enabled(), torch.backends.cudnn.allow_tf32)
        """
    )
    assert out == "0 True False"
