"""Gradescope's ``results.json`` for one submission (score, execution_time, output, tests)."""

from __future__ import annotations

from autograder.results import CheckResult, SubmissionResult


def _output(check: CheckResult) -> str:
    output = check.message
    if check.diagnosis and check.diagnosis.message not in output:
        output += f"\n\n{check.diagnosis.message}"
    return output


def gradescope_results(result: SubmissionResult) -> dict:
    """Gradescope's results.json for one submission."""
    tests = [
        {"name": check.full_name, "number": str(number), "score": round(check.score, 4), "max_score": check.max_score,
         "status": "passed" if check.passed else "failed", "output": _output(check), "visibility": "visible"}
        for number, check in enumerate(result.checks, start=1)
    ]  # fmt: skip
    summary = f"gdgrade: {result.score:g} / {result.max_score:g}"
    if result.error:
        summary += f"\n{result.error}"
    return {"score": round(result.score, 4), "execution_time": round(result.seconds, 3), "output": summary,
            "visibility": "visible", "stdout_visibility": "hidden", "tests": tests}  # fmt: skip
