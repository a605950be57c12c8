"""Reading a submission: a notebook (any nbformat version nbformat can upgrade) or a .py file.

Both are read as Python and VS Code read them: a UTF-8 byte-order mark is dropped and CRLF
line endings become LF. A ``.py`` file is split into cells at ``# %%`` (jupytext, VS Code,
Spyder) and ``# In[ ]:`` (``jupyter nbconvert --to script``) markers, so that one failing
line costs its cell only, as it would in the notebook.

What is run is the student's code without the lines that only make sense on the student's
machine: the self-check (``from autograder.selfcheck import checker``, ``check = checker(...)``,
``check(...)``) and ``pip install`` magics (a grading kernel has no network). Those lines
become blank lines, so line numbers in messages stay the student's.

Limits count what is run: a notebook's saved outputs (embedded figures, say) are dropped
before its code is measured against :data:`MAX_CODE_BYTES`; the file itself may be up to
:data:`MAX_FILE_BYTES`.
"""

from __future__ import annotations

import ast
import json
import re
import warnings
from pathlib import Path

import nbformat

from autograder.bundles import is_bundle, read_bundle
from autograder.errors import SubmissionError

MAX_FILE_BYTES = 100 * 1024**2  # outputs included; read at all only below this
MAX_CODE_BYTES = 20 * 1024**2  # the code that is run
SUBMISSION_SUFFIXES = (".ipynb", ".py", ".zip")  # what gdgrade grades (and folders of them)
SUBMISSION_KINDS = ", ".join(SUBMISSION_SUFFIXES)  # as messages list them
SKIP_TAGS = {"skip-execution", "gdgrade-skip"}
CELL_MARKER = re.compile(r"^#\s*(%%|In\s*\[[^\]]*\]\s*:)")
PIP_LINE = re.compile(r"""^\s*([!%]\s*pip3?\s+install\b|get_ipython\(\)\.(system|run_line_magic)\(\s*['"]pip)""")
SELF_CHECK_IMPORT = re.compile(r"^\s*(from\s+autograder(\.selfcheck)?\s+import\b|import\s+autograder\b)")
CHECKER_BINDING = re.compile(r"^\s*(\w+)\s*=\s*(autograder\.selfcheck\.|autograder\.)?checker\s*\(")


def is_submission_file(path: str | Path) -> bool:
    """Whether a file's name makes it a submission (.ipynb, .py or .zip, in any case)."""
    return Path(path).suffix.lower() in SUBMISSION_SUFFIXES


def _read_bytes(path: Path) -> bytes:
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise SubmissionError(f"cannot read {path.name}: {error.strerror or error}") from None
    if len(raw) > MAX_FILE_BYTES:
        raise SubmissionError(
            f"{path.name} is over {MAX_FILE_BYTES // 1024**2} MiB; the limit is that, outputs included"
        )
    return raw


def _decoded(raw: bytes, name: str) -> str:
    try:
        text = raw.decode("utf-8-sig")  # a byte-order mark is not part of the text
    except UnicodeDecodeError as error:
        raise SubmissionError(f"{name} is not UTF-8 text (byte {error.start})") from None
    if not text.strip():
        raise SubmissionError(f"{name} is empty")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def python_cells(text: str) -> list[str]:
    """A .py file's cells: split at ``# %%`` and ``# In[ ]:`` lines (one cell if it has none)."""
    cells, current = [], []
    for line in text.split("\n"):
        if CELL_MARKER.match(line):
            cells.append("\n".join(current))
            current = []
        current.append(line)
    cells.append("\n".join(current))
    return [cell for cell in cells if cell.strip()] or [text]


def _notebook_from_json(text: str, name: str):
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            notebook = nbformat.reads(text, as_version=4)
        _warn_once_with_the_name(caught, name)
    except Exception as error:  # nbformat raises several kinds for malformed documents
        raise SubmissionError(not_a_notebook(text, name, error)) from None
    language = notebook.metadata.get("language_info", {}).get("name", "python")
    if language != "python":
        raise SubmissionError(f"{name} is a {language} notebook; gdgrade grades Python")
    return notebook


def not_a_notebook(text: str, name: str, error: Exception) -> str:
    """Why nbformat could not read ``text``, in one line: cut off (a save or an upload that
    stopped early), JSON broken at a line and column, or JSON that is not a notebook."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as broken:
        if broken.msg.startswith("Unterminated string") or not text[broken.pos :].strip():
            last = text.rstrip("\n").count("\n") + 1
            return f"{name} is cut off: its JSON stops at line {last} before the notebook ends"
        where = f"line {broken.lineno}, column {broken.colno}"
        return f"{name} is not a notebook: its JSON breaks at {where} ({broken.msg})"
    except RecursionError:  # nested too deeply to read at all (nbformat could not either)
        return f"{name} is not a notebook: its JSON is nested too deeply to read"
    if not isinstance(document, dict):
        return f"{name} is not a notebook: its JSON is a {type(document).__name__}, not a notebook's object"
    return f"{name} is not a valid notebook: {_first_line(error)}"


def _first_line(error: Exception) -> str:
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


def _warn_once_with_the_name(caught, name: str) -> None:
    """nbformat's warnings about a file, each said once and with the file's name; cells without
    ids (older Jupyter, Colab) are left unsaid: ids play no part in grading."""
    said = set()
    for warning in caught:
        text = str(warning.message).split(".")[0]
        if type(warning.message).__name__ == "MissingIDFieldWarning" or text in said:
            continue
        said.add(text)
        warnings.warn(f"{name}: {text}", UserWarning, stacklevel=3)


def notebook_from_bytes(raw: bytes, name: str):
    """A version-4 notebook from a file's bytes (a ``.py`` name: one cell per ``# %%`` section)."""
    text = _decoded(raw, name)
    if name.lower().endswith(".py"):
        notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in python_cells(text)])
    else:
        notebook = _notebook_from_json(text, name)
    code = sum(len(_source(cell).encode("utf-8", "replace")) for cell in notebook.cells if cell.cell_type == "code")
    if code > MAX_CODE_BYTES:
        limit = MAX_CODE_BYTES // 1024**2
        raise SubmissionError(f"{name} holds {code / 1024**2:.0f} MiB of code; the limit is {limit} MiB")
    return notebook


def load_submission(path: str | Path):
    """A version-4 notebook for a notebook or ``.py`` file.

    Anything unreadable raises SubmissionError with a message the student can act on.
    """
    path = Path(path)
    return notebook_from_bytes(_read_bytes(path), path.name)


def read_submission(path: str | Path):
    """``(notebook, files)``: what runs, and the helper files a bundle puts beside it (else none)."""
    path = Path(path)
    if not is_bundle(path):
        return load_submission(path), {}
    bundle = read_bundle(path)
    if bundle.entry is None:
        cell = nbformat.v4.new_code_cell(f"from {bundle.module} import *")
        return nbformat.v4.new_notebook(cells=[cell]), bundle.files
    return notebook_from_bytes(bundle.entry, bundle.entry_name), bundle.files


def parsed_cells(sources: list[str]) -> list[ast.Module]:
    """Each cell's syntax tree, IPython magics turned into plain calls; unparsable cells skipped."""
    from IPython.core.inputtransformer2 import TransformerManager

    transformer, trees = TransformerManager(), []
    for source in sources:
        try:
            trees.append(ast.parse(transformer.transform_cell(source)))
        except (SyntaxError, ValueError):
            continue
    return trees


def defined_names(cells) -> set[str]:
    """The names code cells bind at top level (functions, classes, assignments, imports);
    cells that do not parse are skipped."""
    trees = parsed_cells([_source(cell) for cell in cells if cell.cell_type == "code"])
    return {name for tree in trees for node in tree.body for name in _bound_names(node)}


def imported_modules(sources: list[str]) -> set[str]:
    """Every module name the code imports anywhere (inside functions too), absolute imports
    only; cells that do not parse are skipped."""
    names: set[str] = set()
    for node in (node for tree in parsed_cells(sources) for node in ast.walk(tree)):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def _bound_names(node: ast.stmt) -> set[str]:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {node.name}
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return {(alias.asname or alias.name).split(".")[0] for alias in node.names}
    targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
    return {
        name.id for target in targets if target is not None for name in ast.walk(target) if isinstance(name, ast.Name)
    }


def _source(cell) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def is_student_code(cell) -> bool:
    """Code cells to run: not skipped by tag, not nbgrader's locked test cells."""
    if cell.cell_type != "code":
        return False
    if SKIP_TAGS & set(cell.metadata.get("tags", [])):
        return False
    grading = cell.metadata.get("nbgrader", {})
    return not (grading.get("grade") and not grading.get("solution"))


def checker_names(sources: list[str]) -> set[str]:
    """The names the notebook binds to ``checker(...)`` (usually ``check``)."""
    return {
        match.group(1) for source in sources for line in source.split("\n") if (match := CHECKER_BINDING.match(line))
    }


def _top_level_spans(source: str, checkers: set[str]) -> list[tuple[int, int]] | None:
    """Line spans (1-based, inclusive) of top-level self-check statements; None if it is not plain Python."""
    lines = source.split("\n")
    plain = "\n".join("" if line.startswith(("!", "%")) else line for line in lines)  # magics parse as blank
    try:
        tree = ast.parse(plain)
    except (SyntaxError, ValueError):
        return None
    spans = []
    for node in tree.body:
        if _is_self_check(node, checkers):
            spans.append((node.lineno, node.end_lineno or node.lineno))
    return spans


def _is_self_check(node: ast.stmt, checkers: set[str]) -> bool:
    if isinstance(node, ast.ImportFrom):
        return (node.module or "").split(".")[0] == "autograder"
    if isinstance(node, ast.Import):
        return all(alias.name.split(".")[0] == "autograder" for alias in node.names)
    call = node.value if isinstance(node, (ast.Expr, ast.Assign)) else None
    if not isinstance(call, ast.Call):
        return False
    function = call.func
    name = (
        function.id if isinstance(function, ast.Name) else function.attr if isinstance(function, ast.Attribute) else ""
    )
    return name == "checker" or (isinstance(function, ast.Name) and name in checkers)


def runnable_source(source: str, checkers: set[str]) -> str:
    """The cell's code with self-check and ``pip install`` lines blanked (line numbers kept)."""
    lines = source.split("\n")
    spans = _top_level_spans(source, checkers)
    if spans is None:  # IPython syntax (magics): judge line by line, top-level lines only
        spans = [(n, n) for n, line in enumerate(lines, start=1) if _is_self_check_line(line, checkers)]
    for first, last in spans:
        lines[first - 1 : last] = [""] * (last - first + 1)
    return "\n".join("" if PIP_LINE.match(line) and not line.startswith((" ", "\t")) else line for line in lines)


def _is_self_check_line(line: str, checkers: set[str]) -> bool:
    if line.startswith((" ", "\t")):
        return False
    calls_checker = any(re.match(rf"^{re.escape(name)}\s*\(.*\)\s*$", line) for name in checkers)
    return bool(SELF_CHECK_IMPORT.match(line) or CHECKER_BINDING.match(line) or calls_checker)


def student_notebook(notebook):
    """A copy holding only the cells gdgrade runs, as they are run (outputs cleared).

    Each cell remembers its 1-based number among the notebook's code cells (markdown cells
    are not counted, as Jupyter does not number them): "code cell 7" is the seventh code
    cell from the top.
    """
    sources = [_source(cell).replace("\r\n", "\n") for cell in notebook.cells]
    checkers = checker_names(sources) | _called_names(sources)
    cells = []
    for number, (cell, source) in enumerate(_code_cells(notebook.cells, sources), start=1):
        if is_student_code(cell):
            code = runnable_source(source, checkers)
            cells.append(nbformat.v4.new_code_cell(code, metadata={"gdgrade": {"cell": number}}))
    return nbformat.v4.new_notebook(cells=cells)


def _code_cells(cells, sources: list[str]) -> list[tuple]:
    """(cell, source) of each code cell, in order."""
    return [(cell, source) for cell, source in zip(cells, sources, strict=True) if cell.cell_type == "code"]


def _called_names(sources: list[str]) -> set[str]:
    """``check`` when the notebook imports the self-check but binds it in a cell gdgrade skips."""
    imports = any(SELF_CHECK_IMPORT.match(line) for source in sources for line in source.split("\n"))
    return {"check"} if imports else set()


def cell_number(cell, index: int) -> int:
    """The cell's 1-based number among the student's code cells (``index + 1`` if unknown)."""
    return cell.metadata.get("gdgrade", {}).get("cell", index + 1)
