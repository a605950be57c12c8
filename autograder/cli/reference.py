"""``gdgrade reference ...``: look at the trusted reference runs, schedules and lessons.

gdgrade reference run OPTIMIZER --problem NAME --steps N [--lr X] [--param k=v ...]
    [--schedule NAME --schedule-param k=v ...] [--json | --plot FILE.png]
gdgrade reference schedule NAME --steps N --param k=v ... [--json | --plot FILE.png]
gdgrade reference lesson NAME [--json | --plot FILE.png]
gdgrade reference list [problems|optimizers|schedules|lessons|mistakes]
"""

from __future__ import annotations

import argparse
import functools
import inspect
import json
import sys
from pathlib import Path

import numpy as np

from autograder.cli.exits import ExitCode
from autograder.errors import UsageError
from reference.hyperparameters import hyperparameters
from reference.lessons import LESSON_RUNS, lesson_run
from reference.mistakes import MISTAKES
from reference.optimizers import OPTIMIZERS, get_optimizer
from reference.problems import PROBLEMS, get_problem
from reference.schedules import SCHEDULES, make_schedule, schedule_function
from reference.trajectory import Trajectory, run

CATALOGS = ("problems", "optimizers", "schedules", "lessons", "mistakes")
_SHOWN_ROWS = 5


def parse_value(text: str):
    """'true'/'false' -> bool, '3' -> int, '0.9' -> float, 'a,b' -> list of those, else str."""
    if "," in text:
        return [parse_value(part) for part in text.split(",") if part]
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    for convert in (int, float):
        try:
            return convert(text)
        except ValueError:
            pass
    return text


def parse_params(pairs: list[str] | None, flag: str) -> dict:
    """``["momentum=0.9", "betas=0.9,0.999"]`` -> ``{"momentum": 0.9, "betas": [0.9, 0.999]}``."""
    params = {}
    for pair in pairs or []:
        key, separator, value = pair.partition("=")
        if not separator or not key or not value:
            raise UsageError(f"{flag} takes key=value, got {pair!r}")
        if key in params:
            raise UsageError(f"{flag} {key} is given twice")
        params[key] = parse_value(value)
    return params


def _output_options(parser: argparse.ArgumentParser) -> None:
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="print the numbers as JSON")
    output.add_argument("--plot", type=Path, metavar="FILE.png", help="write a plot")


def _positive_int(text: str) -> int:
    value = int(text) if text.lstrip("-").isdigit() else None
    if value is None or value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text!r}")
    return value


def _reference_errors(handler):
    """The references raise ValueError for unknown names and impossible values: usage errors here."""

    @functools.wraps(handler)
    def run_handler(arguments: argparse.Namespace) -> int:
        try:
            return handler(arguments)
        except UsageError:
            raise
        except ValueError as error:
            raise UsageError(str(error)) from None

    return run_handler


def add_parsers(commands) -> None:
    """Register ``reference`` and its subcommands on the top-level subparsers."""
    reference = commands.add_parser("reference", help="inspect the reference solutions")
    actions = reference.add_subparsers(dest="action", required=True)

    run_parser = actions.add_parser("run", help="run an optimizer on a problem")
    run_parser.add_argument("optimizer", help=f"one of: {', '.join(OPTIMIZERS)}")
    run_parser.add_argument("--problem", required=True, help=f"one of: {', '.join(PROBLEMS)}")
    run_parser.add_argument("--steps", type=_positive_int, required=True)
    run_parser.add_argument("--lr", type=float, help="learning rate (default: the optimizer's)")
    run_parser.add_argument("--param", action="append", metavar="KEY=VALUE", help="optimizer hyperparameter")
    run_parser.add_argument("--schedule", help=f"one of: {', '.join(SCHEDULES)}")
    run_parser.add_argument("--schedule-param", action="append", metavar="KEY=VALUE")
    _output_options(run_parser)
    run_parser.set_defaults(handler=_reference_errors(run_optimizer_command))

    schedule_parser = actions.add_parser("schedule", help="print or plot a learning-rate schedule")
    schedule_parser.add_argument("name", help=f"one of: {', '.join(SCHEDULES)}")
    schedule_parser.add_argument("--steps", type=_positive_int, required=True)
    schedule_parser.add_argument("--param", action="append", metavar="KEY=VALUE")
    _output_options(schedule_parser)
    schedule_parser.set_defaults(handler=_reference_errors(schedule_command))

    lesson_parser = actions.add_parser("lesson", help="reproduce a lesson's experiment")
    lesson_parser.add_argument("name", help=f"one of: {', '.join(LESSON_RUNS)}")
    _output_options(lesson_parser)
    lesson_parser.set_defaults(handler=_reference_errors(lesson_command))

    list_parser = actions.add_parser("list", help="list what the references know")
    list_parser.add_argument("catalog", nargs="?", choices=CATALOGS)
    list_parser.set_defaults(handler=_reference_errors(list_command))


# --- run ---------------------------------------------------------------------------------------


def _schedule_for(arguments, optimizer_lr: float):
    """The schedule of ``run``; a schedule with an ``lr`` parameter gets the run's lr."""
    schedule_params = parse_params(arguments.schedule_param, "--schedule-param")
    if arguments.schedule is None:
        if schedule_params:
            raise UsageError("--schedule-param needs --schedule")
        return None
    accepted = hyperparameters(schedule_function(arguments.schedule))
    if "lr" in accepted:
        schedule_params.setdefault("lr", optimizer_lr)
    elif arguments.lr is not None:
        raise UsageError(f"schedule {arguments.schedule} sets its own lr range; drop --lr")
    return make_schedule(arguments.schedule, **schedule_params)


def run_optimizer_command(arguments) -> int:
    """``gdgrade reference run``."""
    params = parse_params(arguments.param, "--param")
    if "lr" in params:
        raise UsageError("give the learning rate as --lr, not --param lr=...")
    problem = get_problem(arguments.problem)
    optimizer = get_optimizer(arguments.optimizer, **params)
    lr = optimizer.lr if arguments.lr is None else arguments.lr
    schedule = _schedule_for(arguments, lr)
    trajectory = run(optimizer, problem, arguments.steps, lr=lr, schedule=schedule)
    title = f"{arguments.optimizer} on {problem.name}"
    return _emit({arguments.optimizer: trajectory}, problem, arguments, title)


def _emit(runs: dict[str, Trajectory], problem, arguments, title: str) -> int:
    for label, trajectory in runs.items():
        _warn_if_diverged(label, trajectory)
    if arguments.json:
        payload = next(iter(runs.values())).to_json() if len(runs) == 1 else {k: t.to_json() for k, t in runs.items()}
        print(json.dumps(payload))
    elif arguments.plot:
        from autograder.reports.plots import plot_runs

        plot_runs(runs, problem, arguments.plot, title)
        print(f"wrote {arguments.plot}")
    else:
        for label, trajectory in runs.items():
            print(format_table(label, trajectory))
    return ExitCode.GRADED


def _warn_if_diverged(label: str, trajectory: Trajectory) -> None:
    bad = np.flatnonzero(~np.all(np.isfinite(trajectory.params), axis=1))
    if bad.size:
        print(f"warning: {label} diverged: parameters are not finite from step {bad[0]}", file=sys.stderr)


def format_table(label: str, trajectory: Trajectory) -> str:
    """The first and last few steps as ``step | loss | lr | params`` rows."""
    n = trajectory.n_steps
    shown = sorted(set(range(min(_SHOWN_ROWS, n + 1))) | set(range(max(n + 1 - _SHOWN_ROWS, 0), n + 1)))
    lines = [
        f"{label}: {n} steps, final loss {trajectory.final_loss:.6g}",
        f"{'step':>6}  {'loss':>14}  {'lr':>11}  params",
    ]
    previous = -1
    for step in shown:
        if step != previous + 1:
            lines.append(f"{'...':>6}")
        lr = f"{trajectory.lrs[step]:.5g}" if step < n else "-"
        params = np.array2string(trajectory.params[step][:6], precision=6, separator=", ")
        lines.append(f"{step:>6}  {trajectory.losses[step]:>14.8g}  {lr:>11}  {params}")
        previous = step
    return "\n".join(lines)


# --- schedule, lesson, list -----------------------------------------------------------------------


def schedule_command(arguments) -> int:
    """``gdgrade reference schedule``."""
    schedule = make_schedule(arguments.name, **parse_params(arguments.param, "--param"))
    lrs = np.array([schedule(step) for step in range(arguments.steps)])
    if arguments.json:
        print(json.dumps({"lrs": lrs.tolist()}))
    elif arguments.plot:
        from autograder.reports.plots import plot_schedule

        plot_schedule(lrs, arguments.plot, f"{arguments.name} schedule")
        print(f"wrote {arguments.plot}")
    else:
        print("\n".join(f"{step:>6}  {lr:.10g}" for step, lr in enumerate(lrs)))
    return ExitCode.GRADED


def lesson_command(arguments) -> int:
    """``gdgrade reference lesson``: a lesson's experiment, every run of it."""
    runs = lesson_run(arguments.name)
    problem = get_problem(LESSON_RUNS[arguments.name].problem)
    return _emit(runs, problem, arguments, f"lesson run {arguments.name}")


def list_command(arguments) -> int:
    """``gdgrade reference list``: names and one-line descriptions."""
    listings = {
        "problems": lambda: [f"{name}: {get_problem(name).description}" for name in PROBLEMS],
        "optimizers": lambda: [f"{name}: {_signature(factory)}" for name, factory in OPTIMIZERS.items()],
        "schedules": lambda: [f"{name}: {_signature(fn, skip=('step',))}" for name, fn in SCHEDULES.items()],
        "lessons": lambda: [f"{name} ({entry.problem}): {entry.description}" for name, entry in LESSON_RUNS.items()],
        "mistakes": lambda: [f"{m.id} ({m.kind}, {m.target}): {m.en}" for m in MISTAKES],
    }
    for catalog in [arguments.catalog] if arguments.catalog else CATALOGS:
        print(f"{catalog}:")
        print("\n".join(f"  {line}" for line in listings[catalog]()))
    return ExitCode.GRADED


def _signature(function, skip: tuple[str, ...] = ()) -> str:
    return ", ".join(
        name if default is inspect.Parameter.empty else f"{name}={default}"
        for name, default in hyperparameters(function, skip).items()
    )
