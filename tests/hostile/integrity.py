"""One student, one result, for the content submitted: stale, crossed and linked submissions.

Each check builds its situation in a fresh folder, runs gdgrade as an instructor would, and
says what it expected and what happened. ``python -m tests.hostile.report`` prints them
beside the corpus; ``test_integrity.py`` runs each as a test.
"""

from __future__ import annotations

import io
import os
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from autograder.batch import collect_submissions, grade_batch, result_names
from autograder.course.collect import collect
from autograder.course.layout import Course
from autograder.course.submissions import submission_of
from autograder.sandbox.backends import Limits, Sandbox, available_backend

EXAMPLES = Path(__file__).resolve().parents[2] / "autograder" / "examples" / "cs231n"
SPEC = "builtin:cs231n-optim"


@dataclass(frozen=True)
class Outcome:
    """What one integrity check expected and what it got."""

    name: str
    expected: str
    got: str
    holds: bool


def _sandbox() -> Sandbox:
    return Sandbox(available_backend(), Limits(cell_timeout=20, submission_timeout=60, grading_timeout=60))


def _score(folder: Path, files: list[Path], out: Path) -> dict[str, float]:
    outcome = grade_batch(files, SPEC, _sandbox(), out)
    return {result.student: result.score for result in outcome.results}


def corrected_resubmission_is_regraded(folder: Path) -> Outcome:
    """A file fixed after grading gets a new grade, without --force."""
    path = folder / "bob.py"
    shutil.copy(EXAMPLES / "bob_no_bias_correction.py", path)
    before = _score(folder, [path], folder / "out")["bob"]
    shutil.copy(EXAMPLES / "alice_correct.py", path)
    after = _score(folder, [path], folder / "out")["bob"]
    got = f"{before:g}, then {after:g}"
    return Outcome("corrected_resubmission_is_regraded", "a lower score, then full marks", got, before < after == 15)


def same_file_name_in_two_runs(folder: Path) -> Outcome:
    """Two different optim.py graded one after the other never get each other's grade."""
    (folder / "a").mkdir()
    (folder / "b").mkdir()
    shutil.copy(EXAMPLES / "alice_correct.py", folder / "a" / "optim.py")
    shutil.copy(EXAMPLES / "bob_no_bias_correction.py", folder / "b" / "optim.py")
    first = _score(folder, [folder / "a" / "optim.py"], folder / "out")["optim"]
    second = _score(folder, [folder / "b" / "optim.py"], folder / "out")["optim"]
    return Outcome("same_file_name_in_two_runs", "each file its own score", f"{first:g} and {second:g}", first > second)


def colliding_ids_are_refused(folder: Path) -> Outcome:
    """victim_c.py and victim~c.py would be one student: refused, naming both."""
    paths = [folder / "victim_c.py", folder / "victim~c.py"]
    for path in paths:
        shutil.copy(EXAMPLES / "alice_correct.py", path)
    try:
        result_names(paths)
    except ValueError as error:
        named = all(str(p) in str(error) for p in paths)
        return Outcome("colliding_ids_are_refused", "refused, naming both files", str(error)[:90], named)
    return Outcome("colliding_ids_are_refused", "refused, naming both files", "merged", False)


def links_are_refused(folder: Path) -> Outcome:
    """A symbolic link (to a file the grader's user may read) and a hard link are not graded."""
    secret = folder / "outside" / "instructor_solution.py"
    secret.parent.mkdir()
    shutil.copy(EXAMPLES / "alice_correct.py", secret)
    submissions = folder / "submissions"
    submissions.mkdir()
    (submissions / "mallory.py").symlink_to(secret)
    os.link(secret, submissions / "trudy.py")
    shutil.copy(EXAMPLES / "bob_no_bias_correction.py", submissions / "bob.py")
    found = collect_submissions([str(submissions)])
    graded = sorted(p.name for p in found.submissions)
    refused = sorted(Path(p).name for p in found.refused)
    return Outcome("links_are_refused", "bob graded; mallory, trudy refused", f"graded {graded}, refused {refused}",
                   graded == ["bob.py"] and refused == ["mallory.py", "trudy.py"])  # fmt: skip


def a_linked_course_submission_is_refused(folder: Path) -> Outcome:
    """autograde: a submission that links to the instructor's source notebook is not credited."""
    source = folder / "source" / "01" / "01.ipynb"
    source.parent.mkdir(parents=True)
    source.write_text("{}", encoding="utf-8")
    submitted = folder / "submitted" / "mallory" / "01"
    submitted.mkdir(parents=True)
    (submitted / "01.ipynb").symlink_to(source)
    verdict = submission_of(submitted, "01")
    return Outcome("a_linked_course_submission_is_refused", "refused: a symbolic link", str(verdict)[:90],
                   isinstance(verdict, str) and "symbolic link" in verdict)  # fmt: skip


def _bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("alice.ipynb", "w") as member:
            for _ in range(256):
                member.write(b"\0" * (4 * 1024**2))  # 1 GiB of zeros, about 1 MiB compressed
        archive.writestr("notes.txt", b"x" * 1024)
        with open(EXAMPLES / "carol_notebook.ipynb", "rb") as handle:
            archive.writestr("carol.ipynb", handle.read())
    return buffer.getvalue()


def a_zip_bomb_is_refused_unread(folder: Path) -> Outcome:
    """collect reads only what it takes, and never a member that inflates a thousandfold."""
    (folder / "source" / "a1").mkdir(parents=True)
    (folder / "source" / "a1" / "a1.ipynb").write_text("{}", encoding="utf-8")
    (folder / "gdgrade" / "specs").mkdir(parents=True)
    (folder / "gdgrade" / "specs" / "a1.toml").write_text("", encoding="utf-8")
    download = folder / "download.zip"
    download.write_bytes(_bomb())
    report = collect(Course(folder), "a1", download)
    bomb = report.skipped.get("alice.ipynb", "")
    held = "suspiciously" in bomb and list(report.taken) == ["carol"]
    expected = "alice refused (compression), carol taken"
    return Outcome("a_zip_bomb_is_refused_unread", expected, f"{bomb}; {report.taken}", held)


CHECKS: list[Callable[[Path], Outcome]] = [
    corrected_resubmission_is_regraded,
    same_file_name_in_two_runs,
    colliding_ids_are_refused,
    links_are_refused,
    a_linked_course_submission_is_refused,
    a_zip_bomb_is_refused_unread,
]


def run_all() -> list[Outcome]:
    """Every integrity check, each in a folder of its own."""
    outcomes = []
    for check in CHECKS:
        with tempfile.TemporaryDirectory(prefix="gdgrade-integrity-") as folder:
            outcomes.append(check(Path(folder)))
    return outcomes
