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
    assert "predict가 정의되지 않았습니다. 원인: 코드 셀 1에서 ModuleNotFoundError가 났습니다" in messages["predict"]
    assert "채점 환경에 없는 모듈입니다" in messages["predict"]
    # the second cell ran on its own: mse_loss is defined, and fails only because predict is missing
    assert "mse_loss가 정의" not in messages["mse_loss"]
    # nothing defines gradient_descent: no failed cell is blamed for it
    assert messages["gradient_descent"] == "gradient_descent가 정의되어 있지 않습니다"
