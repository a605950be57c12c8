"""The phase clock: exclusive seconds per phase, on a fake clock."""

import pytest

from autograder import timing


@pytest.fixture
def clock(monkeypatch):
    now = [0.0]
    monkeypatch.setattr(timing.time, "perf_counter", lambda: now[0])

    def advance(seconds):
        now[0] += seconds

    return advance


def test_a_nested_phase_counts_only_for_itself(clock):
    with timing.measuring() as phases:
        with timing.phase("reference"):
            clock(1.0)
            with timing.phase("probes"):
                clock(0.25)
            clock(0.5)
        with timing.phase("probes"):
            clock(2.0)
    assert phases.seconds == {"reference": 1.5, "probes": 2.25}
    assert sum(phases.seconds.values()) == 3.75  # the phases add up to the wall time


def test_without_an_active_clock_nothing_is_recorded(clock):
    with timing.phase("probes"):
        clock(1.0)
    with timing.measuring() as phases:
        pass
    assert phases.seconds == {}


def test_clocks_do_not_leak_between_submissions(clock):
    with timing.measuring() as first, timing.phase("probes"):
        clock(1.0)
    with timing.measuring() as second, timing.phase("attach"):
        clock(0.5)
    assert first.seconds == {"probes": 1.0} and second.seconds == {"attach": 0.5}
    assert second.rounded() == {"attach": 0.5}
