"""Schedule checks: the student's learning rate at every 0-based step, against the reference.

The lr at step k is ``schedule(k)``, the one the update from step k to step k + 1 uses (torch's
scheduler after k ``step()`` calls), so tables, messages and plots number it k, and a wrong lr
at step k shows in an optimizer's parameters from step k + 1.
"""

from __future__ import annotations

import numpy as np

from autograder.engine.checks.registry import register
from autograder.engine.probe import ProbeOutcome, observe, require, series, tolerance_for
from autograder.engine.verdict import Mistakes, judge
from reference.mistakes import mistakes_for
from reference.schedules import SCHEDULES, make_schedule


def _validate(probe, question) -> None:
    require(question.reference in SCHEDULES, f"reference {question.reference!r} is not a schedule")
    make_schedule(question.reference, **probe.params)


def _schedule_probe(check, probe, question, student_code, language) -> ProbeOutcome:
    """The student's lr for every 0-based step of the probe's range, against the reference."""
    expected_fn = make_schedule(question.reference, **probe.params)
    expected = np.array([expected_fn(k) for k in range(probe.steps)])
    observed = observe(student_code, "schedule_lrs", question, probe.params, probe.steps)

    def produce(mistake):
        variant = mistake.build(question.reference, **probe.params, **mistake.probe.knobs)
        return np.array([variant(k) for k in range(probe.steps)])

    candidates = [m for m in mistakes_for(question.reference) if m.kind == "schedule"]
    return judge(probe, observed.result, expected, tolerance_for(check, observed.dtypes), language,
                 mistakes=Mistakes(candidates, produce), plot=series("lrs", observed.result, expected))  # fmt: skip


register("schedule", ("schedule",), _schedule_probe, _validate)
