"""Running an assignment's solution notebook in-process, with a student's code swapped in."""

from __future__ import annotations

import nbformat

from assignments import source_notebook


def graded_cells(assignment: str) -> list[str]:
    """Sources of the cells gdgrade runs, minus the free experiment cells (nbgrader cells only)."""
    notebook = nbformat.read(source_notebook(assignment), as_version=4)
    cells = []
    for cell in notebook.cells:
        grading = cell.metadata.get("nbgrader")
        skipped = "gdgrade-skip" in cell.metadata.get("tags", [])
        if cell.cell_type != "code" or grading is None or skipped or (grading["grade"] and not grading["solution"]):
            continue
        cells.append(cell.source)
    return cells


def solution_namespace(assignment: str, student_source: str = "") -> dict:
    """The solution's namespace after running ``student_source`` on top of it."""
    namespace: dict = {}
    for source in [*graded_cells(assignment), student_source]:
        exec(compile(source, f"<{assignment}>", "exec"), namespace)
    return namespace
