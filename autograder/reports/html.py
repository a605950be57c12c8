"""Per-submission HTML feedback: the score, every check's verdict and diagnosis, and plots.

Plots are drawn from the numbers the result carries (the student's and the reference's,
for the probe shown: parameters, losses or lrs) and embedded as PNG data, so each page is
one self-contained file. Nothing is recomputed here: a report only shows a result. The page
says once how steps are numbered (step 0 is the start point), and each check which probe
its table and plot are of.
"""

from __future__ import annotations

import base64
import html
import io

import numpy as np

from autograder.messages import say
from autograder.reports.fonts import font_face_css
from autograder.results import CheckResult, Comparison, SubmissionResult

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


def plot_images(check: CheckResult, language: str = "en") -> list[str]:
    """PNG data URLs for a check's series; none when there is nothing to plot (or it cannot be drawn)."""
    try:
        return _plot_images(check, language)
    except Exception:  # a plot is never worth a feedback page
        return []


def _plot_images(check: CheckResult, language: str) -> list[str]:
    from autograder.reports.plots import plot_lines, plot_progress  # matplotlib: only when a page is drawn

    series = check.series
    if not series or not series.get("student"):
        return []
    lines = {"yours": plottable(series["student"]), "reference": plottable(series["reference"])}
    if not any(np.isfinite(values).any() for values in lines.values()):
        return []
    words = {key: say(f"page {key}", language) for key in ("yours", "reference", "step", "loss")}
    title, steps = check.full_name, series.get("steps")
    if series["kind"] in ("lrs", "losses"):
        label = say("page lr" if series["kind"] == "lrs" else "page loss", language)
        log = series["kind"] == "losses"
        return [_png(lambda out: plot_lines(lines, out, title, label, log=log, words=words, steps=steps))]
    losses = {k: plottable(v) for k, v in series["losses"].items()} if series.get("losses") else None
    losses = {"yours": losses["student"], "reference": losses["reference"]} if losses else None
    mine, theirs = lines["yours"], lines["reference"]
    paths = lines if mine.ndim == 2 and mine.shape[1:] == (2,) and mine.shape == theirs.shape else None
    if not losses and not paths:
        return []
    heading = say("page on", language, title=title, problem=series.get("problem"))
    return [_png(lambda out: plot_progress(losses, paths, out, heading, words=words, steps=steps))]


def _table(check: CheckResult, language: str) -> str:
    comparison = check.comparison
    if comparison is None or check.passed or not comparison.rows:
        return ""
    return rows_table(comparison, language)


def rows_table(comparison: Comparison, language: str, theirs: str = "page yours") -> str:
    """A comparison's rows as an HTML table: step (or input), the student's numbers (headed
    ``theirs``: "yours" on a student's page) and the reference's."""
    rows = "".join(f"<tr><td>{r.step}</td><td>{_numbers(r.student)}</td><td>{_numbers(r.reference)}</td></tr>"
                   for r in comparison.rows)  # fmt: skip
    first = "page input" if comparison.rows_are == "inputs" else "page step"
    heads = "".join(f"<th>{html.escape(say(key, language))}</th>" for key in (first, theirs, "page reference"))
    return f"<table><tr>{heads}</tr>{rows}</table>"


def _check_section(check: CheckResult, language: str) -> str:
    state = "passed" if check.passed else "failed"
    name = html.escape(check.full_name)
    parts = [f"<h3 class='{state}'>{name}: {check.score:g} / {check.max_score:g}</h3>",
             f"<p>{html.escape(check.message)}</p>"]  # fmt: skip
    if check.diagnosis and check.diagnosis.message not in check.message:
        parts.append(f"<p class='diagnosis'>{html.escape(check.diagnosis.message)}</p>")
    shown = [_table(check, language)] + [f"<img alt='{name} plot' src='{src}'>" for src in plot_images(check, language)]
    if any(shown) and check.shown_probe:
        parts.append(f"<p class='shown'>{html.escape(say('page shown', language, label=check.shown_probe))}</p>")
    return "\n".join(part for part in parts + shown if part)


def _shows_numbers(check: CheckResult) -> bool:
    """Whether a check's section has a table (a failed check's rows) or a plot (its series)."""
    comparison = check.comparison
    return bool(check.series) or bool(
        comparison and comparison.rows_are == "steps" and comparison.rows and not check.passed
    )


def _step_numbering(checks, language: str) -> str:
    """How the page numbers steps, said once above the checks that show any (and for lrs, if one does)."""
    if not any(_shows_numbers(check) for check in checks):
        return ""
    lrs = any(check.series and check.series.get("kind") == "lrs" for check in checks)
    words = say("page steps", language) + (" " + say("page lr steps", language) if lrs else "")
    return f"<p class='steps'>{html.escape(words)}</p>"


def _numbers(values: list) -> str:
    return html.escape(", ".join(f"{v:.6g}" if isinstance(v, (float, int)) else str(v) for v in values))


def _final_score(result: SubmissionResult, late, language: str) -> str:
    if late is None or late.late_penalty <= 0:
        return f"{result.score:g} / {result.max_score:g}"
    return say(
        "page final", language, final=f"{late.score:g}", maximum=f"{result.max_score:g}", raw=f"{result.score:g}"
    )


def _duration(seconds: float, language: str) -> str:
    """A lateness as people say it: minutes, hours or days."""
    minutes, hours, days = ("분", "시간", "일") if language == "ko" else (" min", " h", " days")
    if seconds < 3600:
        return f"{seconds / 60:.0f}{minutes}"
    return f"{seconds / 3600:.1f}{hours}" if seconds < 86400 else f"{seconds / 86400:.1f}{days}"


def html_report(result: SubmissionResult, late=None, language: str = "en") -> str:
    """A complete HTML page for one submission's result, in the assignment's ``language``;
    ``late`` (the gradebook's ScoreRow, when the submission was late and penalised) puts the
    penalty and the final score on top."""
    issues = result.execution.get("issues", [])
    header = [f"<h1>{html.escape(result.student)}: {_final_score(result, late, language)}</h1>",
              f"<p>{html.escape(say('page assignment', language, assignment=result.assignment))}</p>"]  # fmt: skip
    if late is not None and late.late_penalty > 0:
        text = say("page late", language, late=_duration(late.seconds_late, language), penalty=f"{late.late_penalty:g}",
                   raw=f"{result.score:g}")  # fmt: skip
        header.append(f"<p class='failed late'>{text}</p>")
    if result.error:
        header.append(f"<p class='failed'>{html.escape(result.error)}</p>")
    if issues:
        items = "".join(f"<li>{html.escape(str(issue.get('message')))}</li>" for issue in issues)
        header.append(f"<p>{say('page while running', language)}</p><ul>{items}</ul>")
    summary = "".join(f"<tr><td>{html.escape(c.full_name)}</td><td class='{'passed' if c.passed else 'failed'}'>"
                      f"{c.score:g} / {c.max_score:g}</td></tr>" for c in result.checks)  # fmt: skip
    heads = f"<th>{say('page check', language)}</th><th>{say('page score', language)}</th>"
    body = header + [f"<table><tr>{heads}</tr>{summary}</table>", _step_numbering(result.checks, language)]
    body += [_check_section(check, language) for check in result.checks]
    return page(f"gdgrade: {html.escape(result.student)}", "\n".join(part for part in body if part), language)


def page(title: str, body: str, language: str | None = None) -> str:
    """A complete page: the style, a font for its Hangul (if it has any), and the body."""
    fonts = font_face_css(title + body)
    lang = f" lang='{language}'" if language else ""
    head = f"<head><meta charset='utf-8'><title>{title}</title><style>{STYLE}{fonts}</style></head>"
    return f"<!DOCTYPE html><html{lang}>{head}<body>{body}</body></html>"
