"""The source layer of the forbidden-API check: aliases and disguises found, honest code never accused."""

import pytest

from autograder.engine.forbidden_scan import scan

FORBID = ("torch.optim",)


def _modules(source: str, symbol: str = "step") -> set[str]:
    return {hit.module for hit in scan([source], [symbol], FORBID)}


@pytest.mark.parametrize(
    "source",
    [
        "import torch\ndef step(w, g):\n    return torch.optim.SGD",
        "import torch.optim as o\ndef step(w, g):\n    return o.Adam([w])",
        "from torch import optim\ndef step(w, g):\n    return optim.SGD",
        "from torch.optim import Adam\ndef step(w, g):\n    return Adam([w])",
        "import importlib\n_o = importlib.import_module('to' + 'rch.op' + 'tim')\ndef step(w, g):\n    return _o",
        "import torch\ndef step(w, g):\n    return getattr(torch, 'op' + 'tim').SGD",
        "def step(w, g):\n    m = __import__('torch.optim')\n    return m",
        "def step(w, g):\n    import torch.optim as hidden\n    return hidden.SGD",
        "import torch\ndef helper():\n    return torch.optim.Adam\ndef step(w, g):\n    return helper()",
        "import torch\nclass Step(torch.optim.Adam):\n    pass\nstep = Step",
        "%matplotlib inline\nimport torch\ndef step(w, g):\n    return torch.optim.SGD",
    ],
)
def test_uses_of_a_forbidden_module_are_found_however_they_are_spelled(source):
    symbol = "Step" if "class Step" in source else "step"
    assert _modules(source, symbol) == {"torch.optim"}


@pytest.mark.parametrize(
    "source",
    [
        "def step(w, g):\n    import torch\n    return torch.tensor(w) - g",  # a lazy import of torch is fine
        "import torch\ndef compare():\n    return torch.optim.SGD\ndef step(w, g):\n    return w - g",  # an experiment
        "def step(w, g):\n    '''unlike torch.optim.SGD, no momentum'''\n    return w - g",  # words, not code
        "def step(w, g):\n    optim = 3\n    return w - g * optim",
        "import torch\ndef step(w, g):\n    return torch.nn.functional.relu(w)",
        "this is not python(",
    ],
)
def test_honest_code_is_never_accused(source):
    assert _modules(source) == set()


def test_a_submodule_ban_leaves_the_base_class_alone():
    import torch  # noqa: F401  (a torch assignment's grader has torch loaded; where it lives is looked up)

    source = "import torch\nclass Mine(torch.optim.Optimizer):\n    def step(self):\n        return torch.optim.SGD"
    hits = scan([source], ["Mine"], ("torch.optim.sgd",))
    assert [hit.module for hit in hits] == ["torch.optim.sgd"]  # SGD lives in torch.optim.sgd; Optimizer does not
    assert scan([source.replace("torch.optim.SGD", "None")], ["Mine"], ("torch.optim.sgd",)) == []
