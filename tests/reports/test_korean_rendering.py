"""Korean renders with no Korean system font: in plots, and in pages shown by headless Chromium."""

import io
import shutil
import subprocess
import warnings

import numpy as np
import pytest
from PIL import Image

from autograder.reports.fonts import korean_font
from autograder.reports.html import page
from autograder.reports.plots import plot_lines

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# Draws two different Hangul strings with the page's font: missing glyphs would draw the same boxes.
PROBE = """<script>document.fonts.ready.then(() => {
  const draw = (text) => { const c = document.createElement('canvas'); c.width = 200; c.height = 60;
    const x = c.getContext('2d'); x.font = "40px Arial, 'DejaVu Sans', 'gdgrade-ko', sans-serif";
    x.fillText(text, 5, 45); return Array.from(x.getImageData(0, 0, 200, 60).data).join(','); };
  const differ = draw('가나') !== draw('다라');
  document.title = (document.fonts.check("40px 'gdgrade-ko'", '점수') && differ) ? 'hangul drawn' : 'boxes';
});</script>"""


def _plot(title: str) -> np.ndarray:
    buffer = io.BytesIO()
    plot_lines({"yours": np.arange(5.0), "reference": np.arange(5.0)}, buffer, title, "손실")
    return np.asarray(Image.open(io.BytesIO(buffer.getvalue())))


def test_the_font_ships_with_gdgrade():
    assert korean_font() is not None and korean_font().stat().st_size > 1_000_000


def test_plots_draw_hangul_not_boxes():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns for every glyph a font lacks
        first, second = _plot("가나다"), _plot("라마바")
    assert first.shape == second.shape and not np.array_equal(first, second)


def test_a_page_embeds_only_the_glyphs_it_needs():
    korean = page("점수", "<p>편향 보정이 빠졌습니다</p>")
    english = page("score", "<p>bias correction is missing</p>")
    assert "@font-face" in korean and "gdgrade-ko" in korean and "@font-face" not in english
    assert len(korean) < 60_000  # a subset, not the 4.6 MB font


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium package is not installed")
def test_chromium_draws_the_hangul_of_a_feedback_page(tmp_path):
    html = page("과제 04", "<h1>점수 6 / 12</h1><p>편향 보정이 빠졌습니다. 첫 스텝이 기준의 약 3.16배입니다.</p>"
                "<p>가나 다라</p>", "ko").replace("</body>", PROBE + "</body>")  # fmt: skip
    path = tmp_path / "ko.html"
    path.write_text(html, encoding="utf-8")
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", f"--user-data-dir={tmp_path / 'p'}",
             "--virtual-time-budget=10000", "--dump-dom"]  # fmt: skip
    done = subprocess.run([CHROMIUM, *flags, path.as_uri()], capture_output=True, text=True, timeout=120)
    assert "<title>hangul drawn</title>" in done.stdout, done.stdout[:500]
