import numpy as np
import pytest

from reference.batching import epoch_batches, full_batch_epoch, minibatch_epoch, single_sample_epoch


def test_minibatch_epoch_partitions_one_permutation():
    batches = minibatch_epoch(10, 3, np.random.default_rng(7))
    assert [len(b) for b in batches] == [3, 3, 3, 1]  # the leftover batch is kept, smaller
    np.testing.assert_array_equal(np.concatenate(batches), np.random.default_rng(7).permutation(10))


def test_each_epoch_draws_a_fresh_permutation_from_the_same_generator():
    rng = np.random.default_rng(0)
    batches = epoch_batches(8, 4, 3, np.random.default_rng(0))
    epochs = [np.concatenate(batches[i : i + 2]) for i in range(0, 6, 2)]
    for epoch in epochs:
        np.testing.assert_array_equal(epoch, rng.permutation(8))  # a student can redo it by hand
        assert sorted(epoch) == list(range(8))
    assert not np.array_equal(epochs[0], epochs[1])


def test_full_batch_uses_every_example_and_draws_nothing():
    rng = np.random.default_rng(3)
    state_before = rng.bit_generator.state
    assert len(epoch_batches(5, None, 4, rng)) == 4
    np.testing.assert_array_equal(full_batch_epoch(5)[0], np.arange(5))
    assert rng.bit_generator.state == state_before


def test_single_sample_epoch_is_batch_size_one():
    batches = single_sample_epoch(6, np.random.default_rng(1))
    assert all(len(b) == 1 for b in batches) and sorted(np.concatenate(batches)) == list(range(6))


@pytest.mark.parametrize("n, batch_size, message", [(0, 2, "at least one example"), (5, 0, "batch_size must be >= 1")])
def test_bad_sizes_are_refused(n, batch_size, message):
    with pytest.raises(ValueError, match=message):
        minibatch_epoch(n, batch_size, np.random.default_rng(0))


def test_minibatches_without_a_generator_are_refused():
    with pytest.raises(ValueError, match="need a numpy Generator"):
        epoch_batches(10, 3, 1)
