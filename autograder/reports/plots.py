"""PNG plots (matplotlib, headless): feedback plots from a result's numbers, and reference runs.

In feedback the reference is drawn as a wide pale line and the student's as a narrow dark
dashed one on top, so that both show even where they agree.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)
import numpy as np  # noqa: E402

from autograder.reports.fonts import use_korean_in_plots  # noqa: E402
from reference.problem import Problem  # noqa: E402
from reference.trajectory import Trajectory  # noqa: E402

use_korean_in_plots()  # Hangul in titles and labels (feedback in Korean assignments)

MARGINS = {"left": 0.13, "right": 0.97, "top": 0.88, "bottom": 0.14}  # fixed: tight_layout costs more than drawing


def _save(figure, path: Path, tight: bool = True) -> None:
    if tight:
        figure.tight_layout()
    else:
        figure.subplots_adjust(**MARGINS)
    figure.savefig(path, dpi=110)
    plt.close(figure)


def _loss_axis(axis, runs: dict[str, Trajectory]) -> None:
    for label, trajectory in runs.items():
        axis.plot(trajectory.losses, label=label, linewidth=1.8)
    finite = np.concatenate([t.losses[np.isfinite(t.losses)] for t in runs.values()])
    if finite.size and finite.min() > 0:
        axis.set_yscale("log")
    axis.set_xlabel("step")
    axis.set_ylabel("loss")
    axis.grid(True, alpha=0.3)
    axis.legend()


def _path_axis(axis, runs: dict[str, Trajectory], problem: Problem) -> None:
    points = np.concatenate([t.params[np.all(np.isfinite(t.params), axis=1)] for t in runs.values()])
    low, high = points.min(axis=0), points.max(axis=0)
    margin = 0.15 * np.maximum(high - low, 1e-3)
    w1 = np.linspace(low[0] - margin[0], high[0] + margin[0], 120)
    w2 = np.linspace(low[1] - margin[1], high[1] + margin[1], 120)
    grid = np.array([[problem.loss(np.array([a, b])) for a in w1] for b in w2])
    axis.contour(w1, w2, grid, levels=25, cmap="viridis", alpha=0.6)
    for label, trajectory in runs.items():
        axis.plot(trajectory.params[:, 0], trajectory.params[:, 1], ".-", label=label, markersize=3)
    if problem.minimum is not None:
        axis.plot(*problem.minimum[:2], "k*", markersize=12, label="minimum")
    axis.set_xlabel("w[0]")
    axis.set_ylabel("w[1]")
    axis.legend(fontsize=8)


def plot_runs(runs: dict[str, Trajectory], problem: Problem, path: Path, title: str) -> None:
    """Loss curves, plus the parameter path over loss contours for 2-parameter problems."""
    two_d = problem.dim == 2
    figure, axes = plt.subplots(1, 2 if two_d else 1, figsize=(11 if two_d else 6.5, 4.5), squeeze=False)
    _loss_axis(axes[0][0], runs)
    if two_d:
        _path_axis(axes[0][1], runs, problem)
    figure.suptitle(title)
    _save(figure, path)


def plot_schedule(lrs: np.ndarray, path: Path, title: str) -> None:
    """The lr used by each 0-based step."""
    figure, axis = plt.subplots(figsize=(6.5, 4))
    axis.plot(np.arange(len(lrs)), lrs, ".-", markersize=3)
    axis.set_xlabel("step (0-based)")
    axis.set_ylabel("learning rate")
    axis.set_title(title)
    axis.grid(True, alpha=0.3)
    _save(figure, path)


STYLES = {
    "reference": {"color": "#f4a259", "linewidth": 5.0, "alpha": 0.55, "zorder": 1},
    "yours": {"color": "#1d3557", "linewidth": 1.4, "linestyle": "--", "marker": ".", "markersize": 3, "zorder": 2},
}


ENGLISH = {"reference": "reference", "yours": "yours", "step": "step", "loss": "loss"}  # a page's words


def _draw_pair(axis, points: dict[str, tuple[np.ndarray, np.ndarray]], words: dict[str, str]) -> None:
    """The reference's line and the student's, (x, y) each, in STYLES: every feedback plot draws through here."""
    for label in ("reference", "yours"):
        if label in points:
            axis.plot(*points[label], label=words[label], **STYLES[label])


def _draw(axis, lines: dict[str, np.ndarray], log: bool, words: dict[str, str], steps=None) -> None:
    values = {label: np.asarray(line, dtype=float) for label, line in lines.items()}
    _draw_pair(axis, {label: (_x(steps, len(line)), line) for label, line in values.items()}, words)
    finite = np.concatenate(list(values.values()))
    finite = finite[np.isfinite(finite)]
    if log and finite.size and finite.min() > 0:
        axis.set_yscale("log")
    axis.grid(True, alpha=0.3)
    axis.legend()


def _x(steps, count: int) -> np.ndarray:
    """The x axis: the rows' step numbers when given, else step k for row k."""
    return np.arange(count) if steps is None else np.asarray(steps[:count], dtype=float)


def plot_lines(lines: dict[str, np.ndarray], path, title: str, ylabel: str, log: bool = False, words=None,
               steps=None) -> None:  # fmt: skip
    """The student's and the reference's numbers over the steps (lrs, losses); ``words``
    names the lines and the axis in the page's language (English by default); ``steps``
    numbers the rows when row k is not step k."""
    words = words or ENGLISH
    figure, axis = plt.subplots(figsize=(6.5, 4))
    _draw(axis, lines, log, words, steps)
    axis.set_xlabel(words["step"])
    axis.set_ylabel(ylabel)
    axis.set_title(title)
    _save(figure, path, tight=False)


def plot_progress(losses: dict[str, np.ndarray] | None, paths: dict[str, np.ndarray] | None, path, title: str,
                  words=None, steps=None) -> None:  # fmt: skip
    """Loss curves and, for two parameters, the path through the parameter plane (``words``
    and ``steps`` as in plot_lines)."""
    words = words or ENGLISH
    panels = [kind for kind, data in (("losses", losses), ("paths", paths)) if data]
    figure, axes = plt.subplots(1, len(panels), figsize=(5.5 * len(panels), 4.5), squeeze=False)
    for axis, kind in zip(axes[0], panels, strict=True):
        if kind == "losses":
            _draw(axis, losses, True, words, steps)
            axis.set(xlabel=words["step"], ylabel=words["loss"])
        else:
            planes = {label: np.asarray(points, dtype=float) for label, points in paths.items()}
            _draw_pair(axis, {label: (plane[:, 0], plane[:, 1]) for label, plane in planes.items()}, words)
            axis.set(xlabel="w[0]", ylabel="w[1]")
            axis.legend(fontsize=8)
    figure.suptitle(title)
    _save(figure, path)


def plot_histogram(values, path, title: str, xlabel: str) -> None:
    """How many students scored in each tenth of 0..100%."""
    figure, axis = plt.subplots(figsize=(6.5, 3.6))
    axis.hist(np.clip(np.asarray(values, dtype=float), 0, 100), bins=np.linspace(0, 100, 11), color="#457b9d",
              edgecolor="white")  # fmt: skip
    axis.set_xlabel(xlabel)
    axis.set_ylabel("students")
    axis.set_title(title)
    axis.grid(True, axis="y", alpha=0.3)
    _save(figure, path, tight=False)
