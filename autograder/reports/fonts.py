"""Korean that renders everywhere: a Hangul font for plots and for HTML pages, with no system font.

The font is NanumGothic (SIL Open Font License), as the ``koreanize-matplotlib`` package ships
it; gdgrade only reads the file (importing that package would change matplotlib's settings,
and it needs distutils). Plots draw Latin text with matplotlib's own DejaVu Sans and fall back
to NanumGothic for Hangul. A page embeds the subset of the font its own text needs (a few
kilobytes), so it renders in a browser that has no Korean font.
"""

from __future__ import annotations

import base64
import functools
import importlib.util
import io
import logging
from pathlib import Path

FAMILY = "NanumGothic"
PAGE_FAMILY = "gdgrade-ko"


@functools.cache
def korean_font() -> Path | None:
    """The NanumGothic file, or None when the font package is missing."""
    spec = importlib.util.find_spec("koreanize_matplotlib")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "fonts" / "NanumGothic.ttf"
    return path if path.is_file() else None


@functools.cache
def use_korean_in_plots() -> bool:
    """Let matplotlib draw Hangul (once per process); False when no font is available."""
    path = korean_font()
    if path is None:
        return False
    import matplotlib
    from matplotlib import font_manager

    font_manager.fontManager.addfont(str(path))
    matplotlib.rcParams["font.family"] = ["DejaVu Sans", FAMILY]  # Latin first, Hangul from the fallback
    matplotlib.rcParams["axes.unicode_minus"] = False
    return True


def _needs_font(text: str) -> str:
    """The characters of ``text`` beyond ASCII and Latin-1, sorted: what a subset must carry."""
    return "".join(sorted({c for c in text if ord(c) > 0xFF}))


@functools.lru_cache(maxsize=64)
def _subset(characters: str) -> bytes:
    from fontTools import subset

    logging.getLogger("fontTools").setLevel(logging.ERROR)  # not "TSI5 NOT subset" on every page

    font = subset.load_font(str(korean_font()), subset.Options())
    subsetter = subset.Subsetter(subset.Options())
    subsetter.populate(text=characters)
    subsetter.subset(font)
    buffer = io.BytesIO()
    font.save(buffer)
    return buffer.getvalue()


def font_face_css(text: str) -> str:
    """CSS that gives ``text``'s Hangul a font (an embedded subset), or '' when none is needed."""
    characters = _needs_font(text)
    if not characters or korean_font() is None:
        return ""
    data = base64.b64encode(_subset(characters)).decode("ascii")
    source = f"url(data:font/ttf;base64,{data}) format('truetype')"
    return (f"@font-face {{ font-family: '{PAGE_FAMILY}'; src: {source}; }}\n"
            f"body {{ font-family: Arial, 'DejaVu Sans', '{PAGE_FAMILY}', sans-serif; }}\n")  # fmt: skip
