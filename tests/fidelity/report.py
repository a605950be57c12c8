"""Grade the fidelity corpus in the sandbox and say how fair the grades were.

    python -m tests.fidelity.report [--workers 2] [--keep DIR]

Prints, for the correct submissions, how many got full marks, and for the wrong ones, how
many lost points and how many were told their mistake; then every submission that missed.
Exit 1 if a correct one lost a point or a wrong one did not. Figures are for our own corpus.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from autograder.batch import grade_batch
from autograder.results import SubmissionResult
from autograder.sandbox.backends import Sandbox, available_backend
from tests.fidelity import build
from tests.fidelity.corpus import CORPUS, Submission

SECRET = "fidelity-corpus"  # hidden probes run, drawn from a fixed secret


@dataclass(frozen=True)
class Verdict:
    """What the grader made of one submission."""

    submission: Submission
    result: SubmissionResult

    @property
    def full_marks(self) -> bool:
        """Every point earned."""
        return self.result.max_score > 0 and self.result.score == self.result.max_score

    @property
    def named(self) -> bool:
        """A failing check's diagnosis is the mistake the submission makes."""
        found = {check.diagnosis.id for check in self.result.checks if not check.passed and check.diagnosis}
        return self.submission.mistake in found

    @property
    def any_named(self) -> bool:
        """Some failing check names a known mistake (whichever)."""
        return any(check.diagnosis and check.diagnosis.id for check in self.result.checks if not check.passed)

    @property
    def fair(self) -> bool:
        """Full marks for correct work; lost points (and the mistake named, where one is expected) otherwise."""
        if self.submission.correct:
            return self.full_marks
        return not self.full_marks and (self.submission.mistake is None or self.named)

    def why(self) -> str:
        """The failing checks' messages, for a report line."""
        failed = [f"{c.full_name}: {c.message}" for c in self.result.checks if not c.passed]
        return (self.result.error or "") + " | ".join(failed)[:600]


def _file_name(submission: Submission) -> str:
    suffix = Path(submission.file).suffix
    return submission.name + suffix


def grade_corpus(folder: Path, workers: int = 2, corpus=CORPUS) -> list[Verdict]:
    """Write every submission under ``folder``, grade each spec's batch, and return the verdicts."""
    by_spec: dict[str, list[Submission]] = defaultdict(list)
    for submission in corpus:
        by_spec[submission.spec_source()].append(submission)
    sandbox = Sandbox(available_backend())
    verdicts = []
    for index, (spec_source, submissions) in enumerate(sorted(by_spec.items())):
        place = folder / f"spec{index}"
        paths = {build.write(place, _file_name(s), s.make()): s for s in submissions}
        outcome = grade_batch(list(paths), spec_source, sandbox, folder / f"out{index}", workers=workers,
                              secret=SECRET)  # fmt: skip
        if outcome.infrastructure_failures:
            raise RuntimeError(f"the grader failed on {sorted(outcome.infrastructure_failures)}")
        by_name = {result.student: result for result in outcome.results}
        verdicts += [Verdict(s, by_name[Path(_file_name(s)).stem]) for s in submissions]
    return verdicts


def summary(verdicts: list[Verdict]) -> str:
    """The figures and the misses, as printed."""
    right = [v for v in verdicts if v.submission.correct]
    wrong = [v for v in verdicts if not v.submission.correct]
    expected = [v for v in wrong if v.submission.mistake]
    lines = [
        "fidelity corpus (our own, tests/fidelity): every submission graded in the sandbox, hidden probes included",
        f"  correct submissions: {sum(v.full_marks for v in right)}/{len(right)} got full marks",
        f"  wrong submissions:   {sum(not v.full_marks for v in wrong)}/{len(wrong)} lost points; "
        f"{sum(v.named for v in expected)}/{len(expected)} of those with a known mistake were told it by name",
        f"  wrong submissions told some named mistake (public checks; hidden ones say only that they failed): "
        f"{sum(v.any_named for v in wrong)}/{len(wrong)}",
    ]
    misses = [v for v in verdicts if not v.fair]
    if misses:
        lines.append("\nmisses:")
        lines += [f"  {v.submission.name} ({'correct' if v.submission.correct else 'wrong'}): "
                  f"{v.result.score:g}/{v.result.max_score:g} {v.why()}" for v in misses]  # fmt: skip
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Grade the corpus and print the figures; exit 1 if a grade was unfair."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--keep", type=Path, help="write the submissions and results here (default: a temp folder)")
    arguments = parser.parse_args(argv)
    if arguments.keep:
        verdicts = grade_corpus(arguments.keep, arguments.workers)
    else:
        with tempfile.TemporaryDirectory(prefix="gdgrade-fidelity-") as folder:
            verdicts = grade_corpus(Path(folder), arguments.workers)
    print(summary(verdicts))
    return 0 if all(v.fair for v in verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())
