"""The guides, followed as a new user would: every ``bash`` block runs, in order, and must succeed.

``console`` blocks (installing, Docker, a Dask cluster, a database server) cannot run here;
every ``gdgrade`` command in them must still parse. The spec reference must document every
field, convention, check kind and reference the code knows.
"""

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.cli import build_parser
from autograder.engine.checks import CHECK_KINDS
from autograder.engine.conventions import CONVENTIONS
from autograder.spec import _CHECK_FIELDS, _PROBE_FIELDS, _QUESTION_FIELDS
from reference.functions import FUNCTIONS
from reference.optimizers import OPTIMIZERS
from reference.problems import PROBLEMS
from reference.schedules import SCHEDULES

DOCS = Path(__file__).resolve().parents[2] / "docs"
GUIDES = ["instructor-guide.md", "student-guide.md", "spec-reference.md"]


def blocks(document: str, language: str) -> list[str]:
    """The fenced code blocks of one language, in order."""
    text = (DOCS / document).read_text(encoding="utf-8")
    return re.findall(rf"^```{language}\n(.*?)^```", text, flags=re.S | re.M)


def test_every_guide_has_commands_that_run():
    assert all(blocks(document, "bash") for document in GUIDES)


def _instructor_outcome(root: Path) -> None:
    course = root / "my-course"
    canvas = (course / "grades-canvas.csv").read_text(encoding="utf-8").splitlines()
    assert canvas[1].endswith(",10") and '"Kim, Alice",alice,,,,10' in canvas and '"Lee, Bob",bob,,,,0' in canvas
    assert '"Park, Carol",carol,,,,0' in canvas  # on the roster, submitted nothing
    assert (course / "feedback" / "bob" / "01-gradient-descent" / "01-gradient-descent.html").is_file()
    assert (root / "template-repo" / ".github" / "workflows" / "gdgrade.yml").is_file()


def _student_outcome(root: Path) -> None:
    assert (root / "my-work" / "04-adaptive.ipynb").is_file()


def _spec_outcome(root: Path) -> None:
    summary = (root / "spec-example-out" / "results" / "student.json").read_text(encoding="utf-8")
    assert '"score": 8.0' in summary and '"max_score": 8.0' in summary


OUTCOMES = {"instructor-guide.md": _instructor_outcome, "student-guide.md": _student_outcome,
            "spec-reference.md": _spec_outcome}  # fmt: skip


@pytest.mark.sandbox
@pytest.mark.parametrize("document", GUIDES)
def test_the_bash_blocks_run_in_order_and_do_what_the_guide_says(document, tmp_path):
    shutil.copytree(DOCS, tmp_path / "docs")
    script = "set -euo pipefail\n" + "\n".join(blocks(document, "bash"))
    environment = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(["bash", "-c", script], cwd=tmp_path, env=environment, capture_output=True, text=True,
                          timeout=900)  # fmt: skip
    assert done.returncode == 0, f"{document}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    assert "Traceback" not in done.stderr
    OUTCOMES[document](tmp_path)


def _gdgrade_lines(block: str) -> list[list[str]]:
    lines = []
    for line in block.splitlines():
        words = shlex.split(line, comments=True)
        if "gdgrade" in words and not words[0].startswith("pip"):
            lines.append(words[words.index("gdgrade") + 1 :])
    return lines


@pytest.mark.parametrize("document", GUIDES)
def test_console_commands_parse(document):
    parser = build_parser()
    for block in blocks(document, "console"):
        for arguments in _gdgrade_lines(block):
            parser.parse_args(arguments)  # raises on any unknown option or command


def test_the_spec_reference_documents_everything_the_code_knows():
    text = (DOCS / "spec-reference.md").read_text(encoding="utf-8")
    names = {"id", "title", "language", "questions", "preload"} | _QUESTION_FIELDS | _CHECK_FIELDS | _PROBE_FIELDS
    names |= set(CONVENTIONS) | set(CHECK_KINDS) | set(OPTIMIZERS) | set(SCHEDULES) | set(FUNCTIONS) | set(PROBLEMS)
    missing = sorted(name for name in names if f"`{name}`" not in text)
    assert not missing, f"undocumented: {missing}"
