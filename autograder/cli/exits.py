"""The exit codes every ``gdgrade`` command shares."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """What a ``gdgrade`` command's exit status means.

    * ``GRADED`` (0): the work was done, whatever the scores.
    * ``NOT_PASSING`` (1): the work was done and a score is below ``--fail-under`` (for
      ``gdgrade check`` without it: some public check failed).
    * ``USAGE`` (2): what was asked for cannot be done (an option, a file, a spec); one line says why.
    * ``INFRASTRUCTURE`` (3): gdgrade itself failed somewhere (a submission it could not grade,
      a report it could not write, a gradebook it could not reach); what was graded is kept,
      and running the command again retries only what is missing.
    * ``INTERRUPTED`` (130): stopped by Ctrl-C (SIGINT); what was graded is kept, as for 3.
    """

    GRADED = 0
    NOT_PASSING = 1
    USAGE = 2
    INFRASTRUCTURE = 3
    INTERRUPTED = 130
