"""The one-use kernel pool: the next kernel boots while the current one is used."""

import os

import pytest
from nbclient.util import run_sync

from autograder.sandbox.backends import Sandbox
from autograder.sandbox.pool import KernelPool, pool_for

pytestmark = pytest.mark.sandbox


def test_take_hands_out_a_booted_kernel_and_boots_the_next_one():
    pool = KernelPool(Sandbox("bwrap"))
    try:
        work, first = pool.take()
        assert first.km.has_kernel and len(pool._waiting) == 1
        waiting_session = pool._waiting[0][1]
        assert waiting_session.km.has_kernel and waiting_session is not first  # one kernel per submission
        assert run_sync(first.km.is_alive)()
        first.close()
        work.cleanup()
        assert not first.km.has_kernel
    finally:
        pool.close()
    assert not pool._waiting


def test_each_process_has_its_own_pool():
    sandbox = Sandbox("bwrap")
    assert pool_for(sandbox) is pool_for(sandbox)
    assert pool_for(sandbox).owner == os.getpid()
    pool_for(sandbox).close()
