"""Batch progress: a live bar on a terminal, plain lines with counts and an ETA in a log."""

import io
import re
from types import SimpleNamespace

from autograder.batch import Progress


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _result(score: float):
    return SimpleNamespace(score=score, max_score=10, error=None)  # what Progress reads of a result


def test_in_a_log_each_submission_is_one_line_with_the_counts_and_an_eta():
    log = io.StringIO()
    progress = Progress(3, stream=log)
    progress.update("alice", _result(10), reused=True)
    progress.update("bob", _result(4))
    progress.update("carol", None)
    progress.close()
    lines = log.getvalue().splitlines()
    assert lines[0].startswith("[1/3] alice: 10/10 (already graded)")
    assert lines[1].startswith("[2/3] bob: 4/10") and "not full marks: 1" in lines[1]
    assert lines[2].startswith("[3/3] carol: grader failure") and "not full marks: 2, ETA 0 s" in lines[2]
    assert "\r" not in log.getvalue()


def test_on_a_terminal_a_live_bar_counts_what_was_graded_now():
    terminal = _Terminal()
    progress = Progress(4, stream=terminal)
    progress.update("alice", _result(10), reused=True)
    progress.update("bob", _result(10))
    progress.update("carol", _result(3))
    progress.close()
    shown = terminal.getvalue()
    assert "[1/4] alice: 10/10 (already graded)" in shown and "[3/4] carol: 3/10" in shown
    assert re.search(r"3/4 \[", shown) and "submission" in shown and "not full marks: 1" in shown
