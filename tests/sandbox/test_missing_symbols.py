"""A function missing because its cell failed says which cell and why, in the sandbox."""

import pytest

from autograder.assignment import builtin_spec
from autograder.sandbox.backends import Sandbox
from autograder.submission import grade_submission

pytestmark = pytest.mark.sandbox

SCRIPT = """# %%
import numpy as np
import not_a_module_anyone_has

def predict(w, x):
    return w[1] * np.asarray(x) + w[0]

# %%
def mse_loss(w, x, y):
    return float(np.mean((predict(w, x) - y) ** 2))
"""


def test_a_symbol_whose_cell_failed_names_the_cell_and_the_missing_module(tmp_path):
    path = tmp_path / "export.py"
    path.write_text(SCRIPT, encoding="utf-8")
    result = grade_submission(path, builtin_spec("01-gradient-descent"), Sandbox("bwrap"), include_hidden=False)
    messages = {check.question: check.message for check in result.checks}
    assert "predict is not defined because cell 1 raised ModuleNotFoundError" in messages["predict"]
    assert "the grading environment does not have it" in messages["predict"]
    # the second cell ran on its own: mse_loss is defined, and fails only because predict is missing
    assert "mse_loss is not defined" not in messages["mse_loss"]
    assert "gradient_descent is not defined (an earlier cell failed" in messages["gradient_descent"]
