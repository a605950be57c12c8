"""The feedback page: plots where the student's line shows on the reference's, steps numbered as
the tables number them, and the page says how steps count and which probe each check shows."""

import base64
import io

import matplotlib.pyplot as plt
import numpy as np
import pytest
from PIL import Image

from autograder.engine.probe import series
from autograder.messages import say
from autograder.reports import plots
from autograder.reports.html import html_report, plot_images
from autograder.results import CheckResult, Comparison, GradeResult, Row, SubmissionResult

NAVY = np.array([0x1D, 0x35, 0x57])  # STYLES["yours"]: what must stay visible on top of the reference
PALE = np.array([0xF9, 0xCD, 0xA5])  # STYLES["reference"] at its alpha, over white
STEPS = np.linspace(0.0, 1.0, 30)
PATH = np.column_stack([np.cos(3 * STEPS), np.sin(3 * STEPS)])
LOSSES = np.exp(-3 * STEPS) + 0.01


def _check(plot: dict, passed: bool = True, comparison: Comparison | None = None) -> CheckResult:
    return CheckResult("q", "replay", 1.0 if passed else 0.0, 1.0, passed, "passed (1 probe)", None, comparison, 1, 1,
                       plot, shown_probe="elliptic, lr 0.04")  # fmt: skip


AGREEING = {  # a passing check of each kind a page plots: the student's numbers are the reference's
    "params": series("params", PATH, PATH, "elliptic", losses=(LOSSES, LOSSES)),
    "lrs": series("lrs", LOSSES, LOSSES),
    "losses": series("losses", LOSSES, LOSSES),
}
PANELS = {"params": 2, "lrs": 1, "losses": 1}


def _pixels(data_url: str) -> np.ndarray:
    png = base64.b64decode(data_url.split(",", 1)[1])
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)


def _near(image: np.ndarray, colour: np.ndarray) -> np.ndarray:
    return np.abs(image - colour).sum(axis=2) < 60


@pytest.mark.parametrize("kind", sorted(AGREEING))
def test_where_the_lines_agree_both_show_in_every_panel(kind):
    (image,) = [_pixels(url) for url in plot_images(_check(AGREEING[kind]))]
    width = image.shape[1] // PANELS[kind]
    for panel in range(PANELS[kind]):
        part = image[:, panel * width : (panel + 1) * width]
        # a legend's sample line is some 60 such pixels; the student's dashed line over the reference, hundreds
        assert _near(part, NAVY).sum() > 300, (kind, panel, "the student's line is hidden")
        assert _near(part, PALE).sum() > 300, (kind, panel, "the reference's line is hidden")


@pytest.fixture
def drawn(monkeypatch):
    """The figures feedback plots draw, kept instead of saved."""
    figures = []
    monkeypatch.setattr(plots, "_save", lambda figure, path, tight=True: figures.append(figure))
    yield figures
    for figure in figures:
        plt.close(figure)


@pytest.mark.parametrize("kind", sorted(AGREEING))
def test_every_feedback_line_is_drawn_in_its_style(kind, drawn):
    plot_images(_check(AGREEING[kind]))
    (figure,) = drawn
    for axis in figure.axes:
        lines = {line.get_label(): line for line in axis.get_lines()}
        yours, reference = lines["yours"], lines["reference"]
        assert yours.get_zorder() > reference.get_zorder() and yours.get_linewidth() < reference.get_linewidth()
        assert yours.get_linestyle() == "--" and reference.get_alpha() < 1


def test_the_x_axis_is_numbered_as_the_table_is(drawn):
    every_epoch = [0, 7, 14, 21]
    plot = series("params", PATH[:4], PATH[:4], "linear-regression", losses=(LOSSES[:4], LOSSES[:4]), steps=every_epoch)
    plot_images(_check(plot))
    loss_axis = drawn[0].axes[0]
    assert [list(line.get_xdata()) for line in loss_axis.get_lines()] == [every_epoch, every_epoch]


def _page(checks, language="en") -> str:
    result = SubmissionResult("s.ipynb", "sam", GradeResult("a", tuple(checks)), execution={"issues": []})
    return html_report(result, language=language)


FAILED = Comparison(False, 1, 0, 1.0, 1.0, (Row(0, [1.0], [1.0]), Row(1, [2.0], [1.5])))


@pytest.mark.parametrize("language", ["en", "ko"])
def test_the_page_says_how_steps_count_and_which_probe_each_check_shows(language):
    page = _page([_check(AGREEING["params"], passed=False, comparison=FAILED)], language)
    assert page.count(say("page steps", language)) == 1
    assert say("page shown", language, label="elliptic, lr 0.04").replace('"', "&quot;") in page
    assert say("page lr steps", language) not in page  # no learning rates shown


def test_a_page_showing_learning_rates_says_how_they_are_numbered():
    assert say("page lr steps", "en") in _page([_check(AGREEING["lrs"])]).replace("&#x27;", "'")


def test_a_page_with_no_table_or_plot_says_nothing_of_steps():
    bare = CheckResult("q", "property", 1.0, 1.0, True, "passed (1 probe)", None, None, 1, 1, shown_probe="p")
    page = _page([bare])
    assert say("page steps", "en") not in page and "Shown below" not in page


def test_a_gradient_check_s_table_numbers_inputs_not_steps():
    from autograder.assignment import builtin_spec
    from autograder.engine.grade import grade
    from tests.assignments.helpers import solution_namespace

    doubled = "_right = mse_grad\ndef mse_grad(w, x, y):\n    return 2 * _right(w, x, y)"
    result = grade(builtin_spec("01-gradient-descent"), solution_namespace("01-gradient-descent", doubled))
    (failed,) = [check for check in result.checks if check.name == "gradient" and not check.passed]
    assert failed.comparison.rows_are == "inputs"
    assert CheckResult.from_json(failed.to_json()).comparison.rows_are == "inputs"
    page = _page([failed], "ko")
    assert "<th>입력</th>" in page and "<th>스텝</th>" not in page
    assert say("page steps", "ko") not in page  # no steps on the page, so nothing said of them
