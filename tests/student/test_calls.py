"""Calls into student code: tampering and forbidden use outrank how the call ended."""

import sys
import time

import pytest

from autograder.student.calls import Calls, StudentCodeError


def _removes_the_hook_then(ending):
    def student():
        sys.setprofile(None)
        ending()

    return student


def _raise():
    raise ValueError("half-imported module")


def _sleep():
    time.sleep(5)


@pytest.mark.parametrize("ending", [_raise, _sleep, lambda: None], ids=["raises", "runs over", "returns"])
def test_a_removed_hook_is_tampering_however_the_call_ends(ending):
    calls = Calls(time_limit_seconds=0.5, forbidden=["json"])
    with pytest.raises(StudentCodeError) as raised:
        calls.call("momentum_step()", _removes_the_hook_then(ending))
    assert raised.value.kind == "tampered" and "hook was removed or replaced" in str(raised.value)


def test_a_forbidden_use_is_named_even_when_the_call_then_raises():
    def student():
        import json

        json.dumps({})
        raise RuntimeError("after the forbidden call")

    with pytest.raises(StudentCodeError) as raised:
        Calls(forbidden=["json"]).call("momentum_step()", student)
    assert raised.value.kind == "forbidden" and "uses json" in str(raised.value)


def test_an_honest_failure_keeps_its_own_message():
    with pytest.raises(StudentCodeError) as raised:
        Calls(forbidden=["json"]).call("momentum_step()", _raise)
    assert raised.value.kind == "raised" and "half-imported module" in str(raised.value)


def _busy_calls(seconds):
    def student():
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            abs(-1)  # calls, so the profile hook runs all the time

    return student


def test_a_timeout_inside_the_watched_call_is_a_timeout_not_tampering():
    for _ in range(5):  # the alarm lands somewhere different each time
        with pytest.raises(StudentCodeError) as raised:
            Calls(time_limit_seconds=0.2, forbidden=["json"]).call("momentum_step()", _busy_calls(5))
        assert raised.value.kind == "timeout", raised.value.message


def test_a_limit_that_falls_inside_an_import_never_cuts_it(tmp_path, monkeypatch):
    (tmp_path / "slow_to_import.py").write_text("import time\ntime.sleep(0.8)\nVALUE = 3\n")
    monkeypatch.syspath_prepend(str(tmp_path))

    def student():
        import slow_to_import

        return slow_to_import.VALUE

    try:
        assert Calls(time_limit_seconds=0.3, forbidden=["json"]).call("momentum_step()", student) == 3
    except StudentCodeError as timed_out:  # the limit may land just after the import: the module is whole
        assert timed_out.kind == "timeout"
    assert sys.modules["slow_to_import"].VALUE == 3
    with pytest.raises(StudentCodeError) as raised:
        Calls(time_limit_seconds=0.4).call("momentum_step()", _busy_calls(1))
    assert raised.value.kind == "timeout"
