"""--cluster: the same jobs on a Dask distributed cluster (a LocalCluster here)."""

from pathlib import Path

import pytest

from autograder.batch import grade_batch
from autograder.sandbox.backends import Limits, Sandbox

distributed = pytest.importorskip("dask.distributed", reason="the dask extra is not installed")
pytestmark = pytest.mark.sandbox
EXAMPLES = Path(__file__).resolve().parents[2] / "autograder" / "examples" / "cs231n"


def test_a_local_dask_cluster_grades_the_examples(tmp_path):
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, host="127.0.0.1"
    )
    with cluster:
        outcome = grade_batch(
            sorted(EXAMPLES.iterdir()), "builtin:cs231n-optim", Sandbox("bwrap", Limits(cell_timeout=20)),
            tmp_path, cluster=cluster.scheduler_address,
        )  # fmt: skip
    scores = {result.student: result.score for result in outcome.results}
    assert scores == {"alice_correct": 15, "bob_no_bias_correction": 10, "carol_notebook": 15, "dave_typo": 11}
    assert len(list((tmp_path / "results").glob("*.json"))) == 4


def test_an_unreachable_scheduler_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="cannot reach the Dask scheduler at tcp://127.0.0.1:1"):
        grade_batch([EXAMPLES / "alice_correct.py"], "builtin:cs231n-optim", Sandbox("none"), tmp_path,
                    cluster="tcp://127.0.0.1:1")  # fmt: skip
