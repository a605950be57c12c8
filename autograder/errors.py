"""Whose fault it was: the submission's, the spec's, or the infrastructure's.

A failed comparison is not an exception: it is a check result. These exceptions are for
things that stop a check from running at all.
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


class SpecError(GdgradeError):
    """The assignment spec is invalid; the message names the file, question and field."""


class InfrastructureError(GdgradeError):
    """The grader itself failed; never turned into a student's zero."""


def raised_message(what: str, error_type: str, message: str) -> str:
    """What the student sees when their function raised; an unfilled stub says so plainly."""
    if error_type == "NotImplementedError":
        return f"{what} is not implemented yet (it still raises NotImplementedError)"
    return f"{what} raised {error_type}: {message}"
