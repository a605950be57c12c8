"""Reading a submission: a notebook (any nbformat version nbformat can upgrade) or a .py file."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat

from autograder.errors import SubmissionError

MAX_SUBMISSION_BYTES = 20 * 1024**2
SKIP_TAGS = {"skip-execution", "gdgrade-skip"}


def _read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise SubmissionError(f"cannot read {path.name}: {error.strerror or error}") from None
    if len(raw) > MAX_SUBMISSION_BYTES:
        raise SubmissionError(f"{path.name} is {len(raw) / 1024**2:.0f} MiB; the limit is 20 MiB")
    if not raw.strip():
        raise SubmissionError(f"{path.name} is empty")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise SubmissionError(f"{path.name} is not UTF-8 text (byte {error.start})") from None


def load_submission(path: str | Path):
    """A version-4 notebook for ``path``; a .py file becomes a one-cell notebook.

    Anything unreadable raises SubmissionError with a message the student can act on.
    """
    path = Path(path)
    text = _read_text(path)
    if path.suffix == ".py":
        return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(text)])
    try:
        notebook = nbformat.reads(text, as_version=4)
    except (json.JSONDecodeError, nbformat.reader.NotJSONError) as error:
        raise SubmissionError(f"{path.name} is not a notebook (invalid JSON: {error})") from None
    except Exception as error:  # nbformat raises several kinds for malformed documents
        raise SubmissionError(f"{path.name} is not a valid notebook: {error}") from None
    language = notebook.metadata.get("language_info", {}).get("name", "python")
    if language != "python":
        raise SubmissionError(f"{path.name} is a {language} notebook; gdgrade grades Python")
    return notebook


def is_student_code(cell) -> bool:
    """Code cells to run: not skipped by tag, not nbgrader's locked test cells."""
    if cell.cell_type != "code":
        return False
    if SKIP_TAGS & set(cell.metadata.get("tags", [])):
        return False
    grading = cell.metadata.get("nbgrader", {})
    return not (grading.get("grade") and not grading.get("solution"))


def student_notebook(notebook):
    """A copy holding only the cells gdgrade runs (outputs cleared).

    Each cell remembers its 1-based position in the student's notebook, so messages say
    "cell 7" about the cell the student sees as the seventh.
    """
    cells = []
    for position, cell in enumerate(notebook.cells, start=1):
        if is_student_code(cell):
            cells.append(nbformat.v4.new_code_cell(cell.source, metadata={"gdgrade": {"cell": position}}))
    return nbformat.v4.new_notebook(cells=cells)


def cell_number(cell, index: int) -> int:
    """The cell's 1-based position in the student's own notebook (``index + 1`` if unknown)."""
    return cell.metadata.get("gdgrade", {}).get("cell", index + 1)
