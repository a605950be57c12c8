"""The course's six assignments, one folder each.

Every folder ``NN-name/`` holds the nbgrader source notebook ``NN-name.ipynb`` (solutions
inside ``### BEGIN SOLUTION`` regions) and ``spec.toml``, the checks gdgrade grades it
with (public and hidden probes). ``gdgrade release`` turns the source notebook into the
student version.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).parent
ASSIGNMENTS = (
    "01-gradient-descent",
    "02-minibatch",
    "03-momentum",
    "04-adaptive",
    "05-schedules",
    "06-pytorch",
)


def assignment_dir(name: str) -> Path:
    """The folder of a shipped assignment; ValueError names the known ones."""
    if name not in ASSIGNMENTS:
        raise ValueError(f"no assignment {name!r}; the course has: {', '.join(ASSIGNMENTS)}")
    return ROOT / name


def source_notebook(name: str) -> Path:
    """The nbgrader source notebook (with solutions) of an assignment."""
    return assignment_dir(name) / f"{name}.ipynb"


def spec_path(name: str) -> Path:
    """The spec file of an assignment."""
    return assignment_dir(name) / "spec.toml"
