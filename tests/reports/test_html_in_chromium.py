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


def test_feedback_page_renders_with_all_plots_loaded(tmp_path):
    page = tmp_path / "bob.html"
    page.write_text(html_report(_result()).replace("</body>", PROBE + "</body>"), encoding="utf-8")
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
             "--disable-component-update", "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}",
             "--virtual-time-budget=10000", "--dump-dom"]  # fmt: skip
    result = subprocess.run([CHROMIUM, *flags, page.as_uri()], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    title = result.stdout.split("<title>", 1)[1].split("</title>", 1)[0]
    loaded, total = (int(n) for n in title.removeprefix("images ").split("/"))
    assert total >= 4 and loaded == total, title
    assert "Bias correction is missing" in result.stdout
