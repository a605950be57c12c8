"""The on-disk reference cache: computed once per spec, shared across processes, never in the way."""

from pathlib import Path

import numpy as np
import pytest

from autograder.assignment import builtin_spec
from autograder.engine import reference_cache
from autograder.engine.grade import grade
from autograder.engine.reference_cache import ReferenceCache, cache_for, remembered_array, using
from autograder.hidden_draws import PUBLIC_SECRET, with_drawn_probes
from tests.conftest import load_module

EXAMPLE = Path(__file__).resolve().parents[2] / "autograder" / "examples" / "cs231n" / "alice_correct.py"


def counted(value):
    calls = []

    def compute():
        calls.append(1)
        return (np.asarray(value, dtype=float),)

    return compute, calls


def test_an_entry_is_computed_once_then_read_back_from_disk(tmp_path):
    path = tmp_path / "spec.npz"
    compute, calls = counted([1.0, 2.0])
    first = ReferenceCache(path)
    assert first.remember("q|probe|reference run", compute)[0].tolist() == [1.0, 2.0]
    first.remember("q|probe|reference run", compute)
    first.save()
    assert len(calls) == 1 and path.is_file()
    again = ReferenceCache(path)  # another worker, or the next run
    assert again.remember("q|probe|reference run", compute)[0].tolist() == [1.0, 2.0]
    assert len(calls) == 1


def test_entries_with_several_arrays_keep_their_order(tmp_path):
    path = tmp_path / "spec.npz"
    cache = ReferenceCache(path)
    parts = tuple(np.arange(n, dtype=float) for n in range(1, 13))  # 12 parts: "10" must not sort before "2"
    cache.remember("run", lambda: parts)
    cache.save()
    loaded = ReferenceCache(path).remember("run", lambda: pytest.fail("recomputed"))
    assert [len(part) for part in loaded] == list(range(1, 13))


def test_saves_merge_with_what_another_process_wrote(tmp_path):
    path = tmp_path / "spec.npz"
    one, two = ReferenceCache(path), ReferenceCache(path)
    one.remember("a", lambda: (np.ones(2),))
    two.remember("b", lambda: (np.zeros(2),))
    one.save()
    two.save()
    merged = ReferenceCache(path)
    assert merged.remember("a", lambda: pytest.fail("lost"))[0].tolist() == [1.0, 1.0]
    assert merged.remember("b", lambda: pytest.fail("lost"))[0].tolist() == [0.0, 0.0]


def test_cached_arrays_cannot_be_changed_by_a_caller(tmp_path):
    cache = ReferenceCache(tmp_path / "spec.npz")
    array = cache.remember("a", lambda: (np.ones(3),))[0]
    with pytest.raises(ValueError):
        array[0] = 5.0


def test_a_damaged_file_is_ignored_and_replaced(tmp_path):
    path = tmp_path / "spec.npz"
    path.write_bytes(b"not a zip file")
    compute, calls = counted([3.0])
    cache = ReferenceCache(path)
    assert cache.remember("a", compute)[0].tolist() == [3.0] and calls == [1]
    cache.save()
    assert ReferenceCache(path).remember("a", compute)[0].tolist() == [3.0] and calls == [1]


def test_an_unwritable_cache_folder_only_costs_speed(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache folder should be")
    cache = ReferenceCache(blocker / "references" / "spec.npz")
    assert cache.remember("a", lambda: (np.ones(1),))[0].tolist() == [1.0]
    cache.save()  # does not raise
    assert cache.unsaved


def test_big_and_non_numeric_results_are_not_stored(tmp_path, monkeypatch):
    monkeypatch.setattr(reference_cache, "MAX_ENTRY_BYTES", 80)
    cache = ReferenceCache(tmp_path / "spec.npz")
    cache.remember("big", lambda: (np.ones(11),))
    cache.remember("text", lambda: (np.array(["a"]),))
    cache.remember("small", lambda: (np.ones(10),))
    assert len(cache.entries) == 1


def test_without_an_active_cache_everything_is_computed(tmp_path):
    compute, calls = counted([1.0])
    remembered_array("a", lambda: compute()[0])
    remembered_array("a", lambda: compute()[0])
    assert len(calls) == 2


def test_grading_fills_the_cache_once_per_spec_and_reuses_it(tmp_path, monkeypatch):
    monkeypatch.setenv("GDGRADE_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(reference_cache, "_OPEN", {})
    spec = builtin_spec("cs231n-optim")
    student = load_module(EXAMPLE)
    first = grade(spec, vars(student))
    files = list(tmp_path.glob("*.npz"))
    drawn = with_drawn_probes(spec, PUBLIC_SECRET)  # the numbers depend on the hidden probes' drawn values
    assert len(files) == 1 and drawn.fingerprint() in files[0].name
    assert first.score == first.max_score
    computed = []
    monkeypatch.setattr(reference_cache, "_OPEN", {})  # a fresh process: only the file remains
    original = ReferenceCache.remember

    def spy(self, key, compute):
        return original(self, key, lambda: computed.append(key) or compute())

    monkeypatch.setattr(ReferenceCache, "remember", spy)
    again = grade(spec, vars(student))
    assert again.to_json()["checks"] == first.to_json()["checks"]
    assert computed == []  # every reference number came from the file


def test_the_file_name_changes_with_the_spec(tmp_path, monkeypatch):
    monkeypatch.setenv("GDGRADE_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(reference_cache, "_OPEN", {})
    with using(cache_for(builtin_spec("cs231n-optim"))) as one, using(cache_for(builtin_spec("04-adaptive"))) as two:
        assert one.path != two.path and one.path.parent == tmp_path
