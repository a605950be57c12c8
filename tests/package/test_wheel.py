"""The built wheel works outside the repository: demo, release, grade, and a released notebook's self-check.

The wheel is installed (not editable) into a fresh virtual environment whose dependencies come
from this one through a ``.pth`` line (the test must not download torch again); everything
gdgrade itself needs, from specs to notebooks to examples, must come from the wheel. Commands run
from a folder outside the repository with a PATH that does not hold the environment's ``bin``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager

ROOT = Path(__file__).resolve().parents[2]
BARE_PATH = "/usr/bin:/bin"  # no virtual environment's bin on it


def _run(*command, cwd: Path, timeout: int = 600) -> subprocess.CompletedProcess:
    environment = {**os.environ, "PATH": BARE_PATH}
    environment.pop("VIRTUAL_ENV", None)
    done = subprocess.run([str(c) for c in command], cwd=cwd, env=environment, capture_output=True, text=True,
                          timeout=timeout)  # fmt: skip
    assert done.returncode == 0, f"{command}: {done.stdout[-3000:]}{done.stderr[-3000:]}"
    return done


GDGRADE_OWN = ("gdgrade-", "__editable__", "__editable___gdgrade", "autograder", "reference", "assignments")


def _dependencies(folder: Path) -> Path:
    """This environment's packages without gdgrade itself, as links in ``folder``: pip in the fresh
    environment must neither see gdgrade installed nor touch this environment's files."""
    folder.mkdir()
    for entry in Path(sysconfig.get_path("purelib")).iterdir():
        if not entry.name.startswith(GDGRADE_OWN) and entry.suffix != ".pth":
            (folder / entry.name).symlink_to(entry)
    return folder


def _fresh_environment(folder: Path) -> Path:
    """A new venv that sees this environment's dependencies, but no gdgrade."""
    subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True, timeout=300)
    python = folder / "bin" / "python"
    site = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], check=True,
                          capture_output=True, text=True).stdout.strip()  # fmt: skip
    dependencies = _dependencies(folder.parent / f"{folder.name}-dependencies")
    (Path(site) / "gdgrade-test-dependencies.pth").write_text(f"{dependencies}\n", encoding="utf-8")
    missing = subprocess.run([python, "-c", "import autograder"], cwd=folder.parent, capture_output=True)
    assert missing.returncode != 0, "the fresh environment must not see gdgrade before it is installed"
    return python


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    done = subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--wheel", "--sdist", "--outdir", str(dist),
                           str(ROOT)], capture_output=True, text=True, timeout=600)  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert len(list(dist.glob("*.tar.gz"))) == 1
    return next(dist.glob("*.whl"))


def test_the_wheel_carries_every_data_file(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for assignment in ("01-gradient-descent", "04-adaptive", "06-pytorch"):
        assert (
            f"assignments/{assignment}/spec.toml" in names and f"assignments/{assignment}/{assignment}.ipynb" in names
        )
    assert {"autograder/specs/cs231n-optim.toml", "autograder/examples/cs231n/carol_notebook.ipynb",
            "autograder/sandbox/forkserver_main.py", "autograder/student/endpoint.py"} <= names  # fmt: skip
    assert not any(name.startswith("tests/") for name in names)


def test_demo_release_grade_and_checker_from_an_installed_wheel(wheel, tmp_path):
    python = _fresh_environment(tmp_path / "venv")
    _run(python, "-m", "pip", "install", "--no-deps", "--no-index", "-q", wheel, cwd=tmp_path)
    gdgrade, outside = tmp_path / "venv" / "bin" / "gdgrade", tmp_path / "elsewhere"
    outside.mkdir()
    demo = _run(gdgrade, "demo", "--out", "out", "--sandbox", "none", cwd=outside)
    assert "alice_correct" in demo.stdout and len(list((outside / "out" / "results").glob("*.json"))) == 4

    _run(gdgrade, "course", "init", "course", "--student-install", wheel, cwd=outside)
    released = _run(gdgrade, "release", "04-adaptive", cwd=outside / "course")  # nbgrader runs alembic by name
    assert "released 04-adaptive" in released.stdout
    notebook = outside / "course" / "release" / "04-adaptive" / "04-adaptive.ipynb"
    assert f"%pip install -q {wheel}" in notebook.read_text(encoding="utf-8")

    graded = _run(gdgrade, "grade", outside / "course" / "source" / "04-adaptive" / "04-adaptive.ipynb",
                  "--assignment", "04-adaptive", "--sandbox", "none", "--out", "graded", cwd=outside)  # fmt: skip
    assert "04-adaptive" in graded.stdout and "12" in graded.stdout


def _student_kernel(python: Path, folder: Path) -> KernelManager:
    """A kernel of the student's environment (its own kernel spec: not this process's Python)."""
    spec = folder / "student"
    spec.mkdir(parents=True)
    argv = [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": "student", "language": "python"}))
    return KernelManager(kernel_name="student", kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(folder)]))


def test_a_released_notebooks_setup_cell_installs_the_checker_and_self_checks(wheel, tmp_path):
    """In a fresh kernel of an environment without gdgrade: the set-up cell installs it from the wheel."""
    subprocess.run([sys.executable, "-m", "autograder.cli", "release", "04-adaptive", "--out", str(tmp_path / "r"),
                    "--student-install", str(wheel)], check=True, capture_output=True, timeout=300)  # fmt: skip
    python = _fresh_environment(tmp_path / "student-venv")
    notebook = nbformat.read(tmp_path / "r" / "04-adaptive.ipynb", as_version=4)
    setup = next(cell.source for cell in notebook.cells if "checker" in cell.source)
    solution = nbformat.read(ROOT / "assignments" / "04-adaptive" / "04-adaptive.ipynb", as_version=4)
    adam = next(
        cell.source for cell in solution.cells if cell.metadata.get("nbgrader", {}).get("grade_id") == "adam-code"
    )
    manager = _student_kernel(python, tmp_path / "kernels")
    environment = {key: value for key, value in os.environ.items() if key != "VIRTUAL_ENV"}
    manager.start_kernel(cwd=str(tmp_path), env={**environment, "PATH": BARE_PATH})
    client = manager.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=120)
        outputs = []
        where = "import sys; print(sys.executable)"
        for code in (where, setup, "import numpy as np", adam, 'result = check("adam")'):
            reply = client.execute_interactive(code, timeout=300, output_hook=lambda m: outputs.append(m))
            assert reply["content"]["status"] == "ok", [m["content"] for m in outputs][-5:]
        printed = "".join(m["content"].get("text", "") for m in outputs if m["msg_type"] == "stream")
        assert printed.startswith(str(python)) and "✓ adam/replay" in printed, printed[-2000:]
        installed = subprocess.run([python, "-c", "import autograder; print(autograder.__file__)"], cwd=tmp_path,
                                   capture_output=True, text=True, check=True).stdout  # fmt: skip
        assert installed.startswith(str(tmp_path / "student-venv")), installed
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
