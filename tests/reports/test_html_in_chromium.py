"""The HTML feedback page, rendered in headless Chromium: every plot image loads."""

import shutil
import subprocess
from pathlib import Path

import pytest

from autograder.assignment import builtin_spec
from autograder.engine.grade import grade
from autograder.reports.html import html_report
from autograder.results import SubmissionResult
from tests.conftest import load_module

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium package is not installed")
EXAMPLE = Path(__file__).resolve().parents[2] / "autograder" / "examples" / "cs231n" / "bob_no_bias_correction.py"
# Sets the title once the page has loaded: how many images there are and how many decoded.
PROBE = """<script>window.addEventListener('load', () => {
  const images = [...document.images];
  const good = images.filter(i => i.complete && i.naturalWidth > 0).length;
  document.title = `images ${good}/${images.length}`;
});</script>"""


def _result() -> SubmissionResult:
    graded = grade(builtin_spec("cs231n-optim"), vars(load_module(EXAMPLE)))
    return SubmissionResult(str(EXAMPLE), "bob", graded, execution={"issues": []})


def _rendered(tmp_path: Path, text: str) -> subprocess.CompletedProcess:
    page = tmp_path / "page.html"
    page.write_text(text.replace("</body>", PROBE + "</body>"), encoding="utf-8")
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
             "--disable-component-update", "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}",
             "--virtual-time-budget=10000", "--dump-dom"]  # fmt: skip
    result = subprocess.run([CHROMIUM, *flags, page.as_uri()], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    return result


def test_feedback_page_renders_with_all_plots_loaded(tmp_path):
    result = _rendered(tmp_path, html_report(_result()))
    title = result.stdout.split("<title>", 1)[1].split("</title>", 1)[0]
    loaded, total = (int(n) for n in title.removeprefix("images ").split("/"))
    assert total >= 4 and loaded == total, title
    assert "Bias correction is missing" in result.stdout


def test_a_late_student_s_page_shows_the_penalty_and_the_final_score(tmp_path):
    from autograder.course.gradebook import ScoreRow

    graded = _result()
    late = ScoreRow("bob", "graded", graded.score, graded.score, graded.max_score, seconds_late=7200)
    shown = _rendered(tmp_path, html_report(graded, late)).stdout
    assert f"<h1>bob: 0 / 15 (after the late penalty; {graded.score:g} before it)</h1>" in shown
    assert f"Late by 2.0 h: the late penalty takes {graded.score:g} of the {graded.score:g} points" in shown
