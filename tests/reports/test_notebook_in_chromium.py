"""A student's released notebook after ``check()``, as Jupyter shows it: run in a kernel, drawn in Chromium.

The released 01 notebook gets a correct ``predict`` and an ``mse_loss`` that sums instead of
averaging, and one mistyped ``check``; nbclient runs it in this environment's python3 kernel,
nbconvert turns it into HTML and headless Chromium reads back what each cell's output shows.
"""

import html
import json
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest

from autograder.course.release import PIP_LINE, release_assignment
from reference.mistakes import get_mistake

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium package is not installed")
ASSIGNMENT = "01-gradient-descent"
PREDICT = "def predict(w, x):\n    return w[1] * np.asarray(x) + w[0]\n"
SUMMED_MSE = "def mse_loss(w, x, y):\n    return float(np.sum((predict(w, x) - y) ** 2))\n"
MISTYPED = 'check("mse-loss")'
# Once the page has loaded: each code cell's source and the text its output area shows, as JSON.
PROBE = """<script>window.addEventListener('load', () => {
  const cells = [...document.querySelectorAll('.jp-CodeCell')].map(cell => ({
    source: cell.querySelector('.jp-InputArea-editor').innerText,
    shown: [...cell.querySelectorAll('.jp-OutputArea-output')].map(o => o.innerText).join('\\n'),
  }));
  const pre = document.createElement('pre');
  pre.id = 'shown';
  pre.textContent = JSON.stringify(cells);
  document.body.appendChild(pre);
});</script>"""


def _student_notebook(folder: Path) -> nbformat.NotebookNode:
    """The released notebook up to the mse_loss check, filled in as a student would, plus a typo."""
    notebook = nbformat.read(release_assignment(ASSIGNMENT, folder / "release"), as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":  # the set-up cell's pip line: gdgrade is already here
            cell.source = "\n".join(line for line in cell.source.split("\n") if not PIP_LINE.match(line))
            if cell.source.startswith("def predict"):
                cell.source = PREDICT
            elif cell.source.startswith("def mse_loss"):
                cell.source = SUMMED_MSE
    last = next(i for i, cell in enumerate(notebook.cells) if cell.source == 'check("mse_loss")')
    notebook.cells = [*notebook.cells[: last + 1], nbformat.v4.new_code_cell(MISTYPED)]
    return notebook


def _executed_html(folder: Path) -> str:
    from nbclient import NotebookClient
    from nbconvert import HTMLExporter

    notebook = _student_notebook(folder)
    client = NotebookClient(notebook, kernel_name="python3", timeout=120, allow_errors=True,
                            resources={"metadata": {"path": str(folder)}})  # fmt: skip
    client.execute()
    body, _ = HTMLExporter().from_notebook_node(notebook)
    return body


@pytest.fixture(scope="module")
def cells(tmp_path_factory) -> dict[str, str]:
    """Each code cell's source -> the text Chromium shows in its output."""
    folder = tmp_path_factory.mktemp("notebook")
    page = folder / "notebook.html"
    page.write_text(_executed_html(folder).replace("</body>", PROBE + "</body>"), encoding="utf-8")
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
             "--disable-component-update", "--disable-sync", f"--user-data-dir={folder / 'profile'}",
             "--virtual-time-budget=10000", "--dump-dom"]  # fmt: skip
    done = subprocess.run([CHROMIUM, *flags, page.as_uri()], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    shown = done.stdout.split('<pre id="shown">', 1)[1].split("</pre>", 1)[0]
    return {cell["source"].strip(): cell["shown"] for cell in json.loads(html.unescape(shown))}


def _no_traceback_into_gdgrade(shown: str) -> None:
    for trace in ("Traceback", "File ", ".py:", "autograder", "selfcheck", "site-packages", "---->"):
        assert trace not in shown, f"{trace!r} in what the cell shows:\n{shown}"


def test_a_passing_check_shows_its_verdicts_in_korean_and_nothing_more(cells):
    shown = cells['check("predict")']
    assert shown.splitlines() == ["✓ predict/function  1/1  통과", "점수: 1/1"], shown
    assert "GradeResult(" not in shown and "CheckOutcome" not in shown and "<check:" not in shown


def test_a_failing_check_shows_the_failed_verdict_and_the_diagnosis_without_a_traceback(cells):
    shown = cells['check("mse_loss")']
    diagnosis = get_mistake("mse-summed").ko
    assert "✗ mse_loss/function  0/1  실패" in shown and "점수: 0/1" in shown
    error = shown.split("CheckFailedError: ", 1)[1]
    assert error.startswith("검사 1개를 통과하지 못했습니다:\n✗ mse_loss/function: ") and diagnosis in error, shown
    _no_traceback_into_gdgrade(shown)


def test_a_mistyped_check_says_so_in_one_line_without_a_traceback(cells):
    shown = cells[MISTYPED]
    assert shown.strip().splitlines() == [
        "UsageError: 01-gradient-descent에는 'mse-loss' 문제가 없습니다. "
        "다음 가운데 하나를 쓰세요: gradient_descent, mse_grad, mse_loss, numerical_grad, predict"
    ], shown
    _no_traceback_into_gdgrade(shown)


def test_the_page_is_the_released_notebook_with_the_students_code(cells):
    sources = "\n".join(cells)
    assert "BEGIN SOLUTION" not in sources and "raise NotImplementedError" not in sources.split(MISTYPED)[0]
    assert PREDICT.strip() in cells and SUMMED_MSE.strip() in cells
