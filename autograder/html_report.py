"""Per-submission HTML feedback: the score, every check's verdict and diagnosis, and plots.

Plots are drawn from the result JSON's series (the student's and the reference's numbers
for the probe shown) and embedded as PNG data, so one self-contained file per student.
"""

from __future__ import annotations

import base64
import html
import io

import numpy as np

from reference.problems import PROBLEMS, get_problem
from reference.trajectory import Trajectory

STYLE = """
body { font-family: sans-serif; max-width: 980px; margin: 2em auto; color: #222; }
table { border-collapse: collapse; margin: 0.6em 0; }
td, th { border: 1px solid #ccc; padding: 4px 8px; text-align: left; vertical-align: top; }
.passed { color: #17672b; } .failed { color: #a11; }
.diagnosis { background: #fff6e0; padding: 6px 10px; border-left: 4px solid #e0a000; }
img { max-width: 100%; }
"""


def _png(draw) -> str:
    buffer = io.BytesIO()
    draw(buffer)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def _trajectory(params: np.ndarray, problem) -> Trajectory:
    with np.errstate(all="ignore"):
        losses = plottable([problem.loss(w) for w in params])
    steps = max(len(params) - 1, 0)
    return Trajectory(params, losses, np.zeros(steps), np.zeros((steps, params.shape[1])))


PLOTTABLE = 1e100  # beyond this a run has blown up; plotting it would only break the axes


def plottable(values) -> np.ndarray:
    """Numbers for a plot: missing, non-finite and absurdly large values become gaps (NaN)."""
    array = np.array([np.nan if v is None else v for v in np.ravel(values)], dtype=float).reshape(np.shape(values))
    with np.errstate(invalid="ignore"):
        array[~(np.abs(array) < PLOTTABLE)] = np.nan
    return array


def plot_images(check: dict) -> list[str]:
    """PNG data URLs for a check's series; none when there is nothing to plot (or it cannot be drawn)."""
    try:
        return _plot_images(check)
    except Exception:  # a plot is never worth a feedback page
        return []


def _plot_images(check: dict) -> list[str]:
    from autograder.plots import plot_lines, plot_runs  # matplotlib: only when a page is drawn

    series = check.get("series")
    if not series or not series.get("student"):
        return []
    student, reference = plottable(series["student"]), plottable(series["reference"])
    if not np.isfinite(student).any() and not np.isfinite(reference).any():
        return []
    title = check["name"]
    if series["kind"] == "lrs":
        return [_png(lambda out: plot_lines({"yours": student, "reference": reference}, out, title, "learning rate"))]
    if series.get("problem") in PROBLEMS and student.ndim == 2 and student.shape == reference.shape:
        problem = get_problem(series["problem"])
        runs = {"yours": _trajectory(student, problem), "reference": _trajectory(reference, problem)}
        return [_png(lambda out: plot_runs(runs, problem, out, f"{title} on {problem.name}"))]
    return []


def _check_section(check: dict) -> str:
    state = "passed" if check["passed"] else "failed"
    parts = [
        f"<h3 class='{state}'>{html.escape(check['name'])}: {check['score']:g} / {check['max_score']:g}</h3>",
        f"<p>{html.escape(check['message'])}</p>",
    ]
    if check.get("diagnosis") and check["diagnosis"]["message"] not in check["message"]:
        parts.append(f"<p class='diagnosis'>{html.escape(check['diagnosis']['message'])}</p>")
    if check.get("rows"):
        rows = "".join(
            f"<tr><td>{r['step']}</td><td>{_numbers(r['student'])}</td><td>{_numbers(r['reference'])}</td></tr>"
            for r in check["rows"]
        )
        parts.append(f"<table><tr><th>step</th><th>yours</th><th>reference</th></tr>{rows}</table>")
    parts += [f"<img alt='{html.escape(check['name'])} plot' src='{src}'>" for src in plot_images(check)]
    return "\n".join(parts)


def _numbers(values: list) -> str:
    return html.escape(", ".join(f"{v:.6g}" if isinstance(v, (float, int)) else str(v) for v in values))


def html_report(payload: dict) -> str:
    """A complete HTML page for one submission's result."""
    issues = payload.get("execution", {}).get("issues", [])
    header = [
        f"<h1>{html.escape(payload['student'])}: {payload['score']:g} / {payload['max_score']:g}</h1>",
        f"<p>Assignment {html.escape(payload['assignment'])}.</p>",
    ]
    if payload.get("error"):
        header.append(f"<p class='failed'>{html.escape(payload['error'])}</p>")
    if issues:
        items = "".join(f"<li>{html.escape(issue['message'])}</li>" for issue in issues)
        header.append(f"<p>While running your notebook:</p><ul>{items}</ul>")
    summary = "".join(
        f"<tr><td>{html.escape(c['name'])}</td><td class='{'passed' if c['passed'] else 'failed'}'>"
        f"{c['score']:g} / {c['max_score']:g}</td></tr>"
        for c in payload["checks"]
    )
    body = header + [f"<table><tr><th>check</th><th>score</th></tr>{summary}</table>"]
    body += [_check_section(check) for check in payload["checks"]]
    title = f"gdgrade: {html.escape(payload['student'])}"
    return f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title><style>{STYLE}</style></head>" + (
        "<body>" + "\n".join(body) + "</body></html>"
    )
