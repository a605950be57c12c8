"""Whose fault it was: the submission's, the spec's, the user's, or the grader's.

gdgrade's exception tree::

    GdgradeError
    ├── SubmissionError        the student's code raised, timed out, returned nonsense, used a
    │   │                      forbidden API or tampered with the grader: a failed check, never a crash
    │   └── KernelDiedError    the kernel process ended (crash, exit, limits, killed at a deadline)
    ├── SpecError              the assignment spec is wrong: the instructor's fault, named by field
    ├── UsageError             what the user asked for cannot be done (a bad option, a missing file)
    └── InfrastructureError    the grader itself failed: never turned into a student's zero, retried
    CheckFailedError           (an AssertionError) a self-check found a failing check, so that an
                               nbgrader test cell fails with it

Beside the student's code (:mod:`autograder.student`, which may import nothing of the grader)
two more exist and are translated at the boundary: ``StudentCodeError`` becomes a
SubmissionError with its kind, and ``BoundaryError`` (a value that cannot cross) becomes a
SubmissionError of kind ``returned``. A failed *comparison* is not an exception at all: it is
a check result.
"""


class GdgradeError(Exception):
    """Root of gdgrade's own errors."""


class SubmissionError(GdgradeError):
    """The student's code raised, timed out, returned the wrong thing or used a forbidden API.

    Turned into a failed check with this message; never a crash of the grader. ``kind`` is
    a fixed word (see :data:`autograder.student.calls.FAULT_KINDS`), all a hidden probe says.
    """

    def __init__(self, message: str, kind: str = "raised"):
        super().__init__(message)
        self.kind = kind


class KernelDiedError(SubmissionError):
    """The kernel process ended (crash, exit, memory or CPU limit, or killed at a deadline)."""

    def __init__(self, message: str = "the kernel died"):
        super().__init__(message, kind="raised")


class SpecError(GdgradeError):
    """The assignment spec is invalid; the message names the file, question and field."""


class UsageError(GdgradeError, ValueError):
    """What the user asked for cannot be done; reported in one line (exit code 2).

    In a notebook too (``check("typo")``): IPython shows the line, not a traceback into gdgrade.
    """

    def _render_traceback_(self) -> list[str]:
        """What IPython (Jupyter, Colab, nbgrader) shows instead of a traceback into gdgrade."""
        return _shown_alone(self)


class InfrastructureError(GdgradeError):
    """The grader itself failed; never turned into a student's zero."""


class CheckFailedError(AssertionError):
    """A self-check found a failing check (an AssertionError, so nbgrader counts the cell as failed)."""

    def _render_traceback_(self) -> list[str]:
        """What IPython (Jupyter, Colab, nbgrader) shows instead of a traceback into gdgrade."""
        return _shown_alone(self)


def _shown_alone(error: BaseException) -> list[str]:
    """An error as its name and message, the lines a notebook shows for it."""
    return f"{type(error).__name__}: {error}".splitlines()
