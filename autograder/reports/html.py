"""Per-submission HTML feedback: the score, every check's verdict and diagnosis, and plots.

Plots are drawn from the numbers the result carries (the student's and the reference's,
for the probe shown: parameters, losses or lrs) and embedded as PNG data, so each page is
one self-contained file. Nothing is recomputed here: a report only shows a result.
"""

from __future__ import annotations

import base64
import html
import io

import numpy as np

from autograder.reports.fonts import font_face_css
from autograder.results import CheckResult, SubmissionResult

STYLE = """
body { font-family: sans-serif; max-width: 980px; margin: 2em auto; color: #222; }
table { border-collapse: collapse; margin: 0.6em 0; }
td, th { border: 1px solid #ccc; padding: 4px 8px; text-align: left; vertical-align: top; }
.passed { color: #17672b; } .failed { color: #a11; }
.diagnosis { background: #fff6e0; padding: 6px 10px; border-left: 4px solid #e0a000; }
img { max-width: 100%; }
"""
PLOTTABLE = 1e100  # beyond this a run has blown up; plotting it would only break the axes


def plottable(values) -> np.ndarray:
    """Numbers for a plot: missing, non-finite and absurdly large values become gaps (NaN)."""
    array = np.array([np.nan if v is None else v for v in np.ravel(values)], dtype=float).reshape(np.shape(values))
    with np.errstate(invalid="ignore"):
        array[~(np.abs(array) < PLOTTABLE)] = np.nan
    return array


def _png(draw) -> str:
    buffer = io.BytesIO()
    draw(buffer)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def plot_images(check: CheckResult) -> list[str]:
    """PNG data URLs for a check's series; none when there is nothing to plot (or it cannot be drawn)."""
    try:
        return _plot_images(check)
    except Exception:  # a plot is never worth a feedback page
        return []


def _plot_images(check: CheckResult) -> list[str]:
    from autograder.reports.plots import plot_lines, plot_progress  # matplotlib: only when a page is drawn

    series = check.series
    if not series or not series.get("student"):
        return []
    lines = {"yours": plottable(series["student"]), "reference": plottable(series["reference"])}
    if not any(np.isfinite(values).any() for values in lines.values()):
        return []
    title = check.full_name
    if series["kind"] in ("lrs", "losses"):
        label = "learning rate" if series["kind"] == "lrs" else "loss"
        return [_png(lambda out: plot_lines(lines, out, title, label, log=series["kind"] == "losses"))]
    losses = {k: plottable(v) for k, v in series["losses"].items()} if series.get("losses") else None
    losses = {"yours": losses["student"], "reference": losses["reference"]} if losses else None
    mine, theirs = lines["yours"], lines["reference"]
    paths = lines if mine.ndim == 2 and mine.shape[1:] == (2,) and mine.shape == theirs.shape else None
    if not losses and not paths:
        return []
    return [_png(lambda out: plot_progress(losses, paths, out, f"{title} on {series.get('problem')}"))]


def _table(check: CheckResult) -> str:
    comparison = check.comparison
    if comparison is None or check.passed or not comparison.rows:
        return ""
    rows = "".join(f"<tr><td>{r.step}</td><td>{_numbers(r.student)}</td><td>{_numbers(r.reference)}</td></tr>"
                   for r in comparison.rows)  # fmt: skip
    return f"<table><tr><th>step</th><th>yours</th><th>reference</th></tr>{rows}</table>"


def _check_section(check: CheckResult) -> str:
    state = "passed" if check.passed else "failed"
    name = html.escape(check.full_name)
    parts = [f"<h3 class='{state}'>{name}: {check.score:g} / {check.max_score:g}</h3>",
             f"<p>{html.escape(check.message)}</p>"]  # fmt: skip
    if check.diagnosis and check.diagnosis.message not in check.message:
        parts.append(f"<p class='diagnosis'>{html.escape(check.diagnosis.message)}</p>")
    parts.append(_table(check))
    parts += [f"<img alt='{name} plot' src='{src}'>" for src in plot_images(check)]
    return "\n".join(part for part in parts if part)


def _numbers(values: list) -> str:
    return html.escape(", ".join(f"{v:.6g}" if isinstance(v, (float, int)) else str(v) for v in values))


def html_report(result: SubmissionResult) -> str:
    """A complete HTML page for one submission's result."""
    issues = result.execution.get("issues", [])
    header = [f"<h1>{html.escape(result.student)}: {result.score:g} / {result.max_score:g}</h1>",
              f"<p>Assignment {html.escape(result.assignment)}.</p>"]  # fmt: skip
    if result.error:
        header.append(f"<p class='failed'>{html.escape(result.error)}</p>")
    if issues:
        items = "".join(f"<li>{html.escape(str(issue.get('message')))}</li>" for issue in issues)
        header.append(f"<p>While running your notebook:</p><ul>{items}</ul>")
    summary = "".join(f"<tr><td>{html.escape(c.full_name)}</td><td class='{'passed' if c.passed else 'failed'}'>"
                      f"{c.score:g} / {c.max_score:g}</td></tr>" for c in result.checks)  # fmt: skip
    body = header + [f"<table><tr><th>check</th><th>score</th></tr>{summary}</table>"]
    body += [_check_section(check) for check in result.checks]
    return page(f"gdgrade: {html.escape(result.student)}", "\n".join(body))


def page(title: str, body: str, language: str | None = None) -> str:
    """A complete page: the style, a font for its Hangul (if it has any), and the body."""
    fonts = font_face_css(title + body)
    lang = f" lang='{language}'" if language else ""
    head = f"<head><meta charset='utf-8'><title>{title}</title><style>{STYLE}{fonts}</style></head>"
    return f"<!DOCTYPE html><html{lang}>{head}<body>{body}</body></html>"
