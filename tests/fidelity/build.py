"""Writing submissions the ways students hand them in: notebooks, exports, encodings, bundles.

Every corpus case starts from an assignment's solution notebook (or a source file) and is
changed as a student's work would be: a solution cell replaced by the student's code, a cell
added, the notebook exported to a script by nbconvert or written as jupytext percent cells,
saved with a byte-order mark and CRLF, with large outputs kept, or zipped with helper modules.
"""

from __future__ import annotations

import copy
import io
import zipfile
from pathlib import Path

import nbformat
from nbconvert.exporters import ScriptExporter

from assignments import source_notebook

BIG_FIGURE_BYTES = 21 * 1024**2


def solution(assignment: str):
    """A copy of the assignment's solution notebook."""
    return copy.deepcopy(nbformat.read(source_notebook(assignment), as_version=4))


def replaced(notebook, cells: dict[str, str]):
    """The notebook with the solution cells named by grade_id (``adam-code``) holding new code."""
    notebook = copy.deepcopy(notebook)
    found = set()
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in cells:
            cell.source, cell.outputs = cells[grade_id], []
            found.add(grade_id)
    missing = set(cells) - found
    if missing:
        raise KeyError(f"no cells {sorted(missing)} in the notebook")
    return notebook


def with_cell(notebook, source: str, first: bool = True):
    """The notebook with one more code cell (the student's own), first or last."""
    notebook = copy.deepcopy(notebook)
    cell = nbformat.v4.new_code_cell(source)
    notebook.cells.insert(0 if first else len(notebook.cells), cell)
    return notebook


def without_metadata(notebook):
    """Cells copied into a fresh notebook: no nbgrader metadata, no tags (everything runs)."""
    return nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell(c.source) if c.cell_type == "code" else nbformat.v4.new_markdown_cell(c.source)
               for c in notebook.cells],
        metadata={"language_info": {"name": "python"}},
    )  # fmt: skip


def with_big_outputs(notebook):
    """The notebook with a 21 MiB embedded figure in its first code cell's outputs."""
    notebook = copy.deepcopy(notebook)
    figure = nbformat.from_dict(
        {"output_type": "display_data", "metadata": {}, "data": {"image/png": "iVBORw0KGgo" + "A" * BIG_FIGURE_BYTES}}
    )
    next(cell for cell in notebook.cells if cell.cell_type == "code").outputs = [figure]
    return notebook


def nbconvert_script(notebook) -> str:
    """What ``jupyter nbconvert --to script`` writes (``# In[ ]:`` markers, markdown as comments)."""
    notebook = copy.deepcopy(notebook)
    notebook.metadata.setdefault("language_info", {"name": "python", "file_extension": ".py"})
    notebook.metadata["language_info"].setdefault("file_extension", ".py")
    body, _ = ScriptExporter().from_notebook_node(notebook)
    return body


def percent_script(notebook) -> str:
    """A jupytext / VS Code percent script: ``# %%`` before each code cell, markdown as comments."""
    parts = []
    for cell in notebook.cells:
        if cell.cell_type == "code":
            parts.append("# %%\n" + cell.source)
        else:
            parts.append("# %% [markdown]\n" + "\n".join("# " + line for line in cell.source.split("\n")))
    return "\n\n".join(parts) + "\n"


def notebook_bytes(notebook) -> bytes:
    """The notebook as a file holds it."""
    return nbformat.writes(notebook).encode("utf-8")


def windows_bytes(text: str | bytes) -> bytes:
    """Text saved by a Windows editor: a UTF-8 byte-order mark and CRLF line endings."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    return b"\xef\xbb\xbf" + data.replace(b"\n", b"\r\n")


def zip_bytes(members: dict[str, bytes]) -> bytes:
    """A zip archive of ``members`` (relative path -> bytes), as an LMS download holds it."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def write(folder: Path, name: str, content) -> Path:
    """Write a file (bytes, text or a notebook) or a folder (a dict of relative paths) under ``folder``."""
    path = folder / name
    if isinstance(content, dict) and "nbformat" not in content:
        for relative, data in content.items():
            write(path, relative, data)
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(notebook_bytes(content))
    return path
