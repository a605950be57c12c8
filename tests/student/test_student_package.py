"""The code that runs beside student code: what it may import, and that it computes no answer."""

import ast
import subprocess
import sys
import textwrap
from pathlib import Path

import autograder.student
from autograder.sandbox.remote import package_sources

PACKAGE = Path(autograder.student.__file__).parent
ALLOWED = {"numpy", "torch", "IPython"}  # torch and IPython only inside functions, when used


def _imports(path: Path) -> list[tuple[str, bool]]:
    """(module, at module level) for every import in a file; relative imports as '.name'."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top = {id(node) for node in tree.body}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, id(node) in top) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module is None:  # from . import name
            found += [("." * node.level + alias.name, id(node) in top) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            found.append(("." * node.level + node.module, id(node) in top))
    return found


def test_the_package_imports_only_the_standard_library_numpy_and_itself():
    for path in sorted(PACKAGE.glob("*.py")):
        for module, at_top in _imports(path):
            top = module.split(".")[0]
            if module.startswith(".") or top in sys.stdlib_module_names or top == "__future__":
                continue
            assert top in ALLOWED, f"{path.name} imports {module}"
            assert top == "numpy" or not at_top, f"{path.name} imports {module} at module level"


def test_importing_it_loads_nothing_of_the_grader_or_the_reference():
    code = textwrap.dedent(
        """
        import sys
        import autograder.student.endpoint, autograder.student.prepare
        tops = ("reference", "autograder", "assignments", "torch")
        loaded = sorted(m for m in sys.modules if m.split(".")[0] in tops)
        print(loaded)
        """
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    loaded = eval(done.stdout)
    assert all(m == "autograder" or m.startswith("autograder.student") for m in loaded), loaded


def test_every_module_is_sent_after_the_modules_it_needs():
    names = [name for name, _ in package_sources()]
    assert set(names) == {p.stem for p in PACKAGE.glob("*.py")} - {"__init__", "prepare"}
    for index, name in enumerate(names):
        needed = {m.lstrip(".") for m, _ in _imports(PACKAGE / f"{name}.py") if m.startswith(".")}
        assert needed <= set(names[:index]), (name, needed)


def test_no_reference_code_is_in_the_package():
    for path in PACKAGE.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "reference." not in text.replace("reference's", ""), path.name


def test_locating_a_forbidden_submodule_imports_nothing():
    code = textwrap.dedent(
        """
        import sys
        from autograder.student.calls import module_location
        where = module_location("torch.optim"), module_location("torch.optim.sgd"), module_location("no.such")
        print("torch" in sys.modules, where[0].endswith("/torch/optim/"), where[1].endswith("/optim/sgd.py"), where[2])
        """
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "False True True None", done.stderr


def test_torch_is_seeded_and_deterministic_when_first_imported_after_preparing():
    code = textwrap.dedent(
        """
        import sys
        from autograder.student.prepare import prepare_kernel
        prepare_kernel(seed=0)
        assert "torch" not in sys.modules
        import torch
        print(torch.initial_seed(), torch.are_deterministic_algorithms_enabled(), torch.backends.cudnn.allow_tf32)
        """
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "0 True False", done.stderr
