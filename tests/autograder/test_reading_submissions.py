"""Reading submissions as Python and VS Code would: cells, encodings, self-check lines, limits, bundles."""

import io
import json
import zipfile

import nbformat
import pytest

from autograder.bundles import folder_is_bundle, read_bundle
from autograder.errors import SubmissionError
from autograder.notebooks import (
    MAX_CODE_BYTES,
    load_submission,
    python_cells,
    read_submission,
    runnable_source,
    student_notebook,
)

PERCENT = (
    "# %%\nimport numpy as np\n\n# %%\ndef predict(w, x):\n    return w[1] * x + w[0]\n\n# %% [markdown]\n# notes\n"
)
NBCONVERT = "#!/usr/bin/env python\n# coding: utf-8\n\n# In[1]:\n\n\nimport numpy as np\n\n\n# In[ ]:\n\n\nx = 1\n"


def test_percent_cells_and_nbconvert_cells_become_cells():
    assert [c.splitlines()[1] for c in python_cells(PERCENT)] == ["import numpy as np", "def predict(w, x):", "# notes"]
    cells = python_cells(NBCONVERT)
    assert len(cells) == 3 and "import numpy" in cells[1] and "x = 1" in cells[2]


def test_a_file_without_markers_is_one_cell():
    assert python_cells("x = 1\ny = 2\n") == ["x = 1\ny = 2\n"]


def _write(tmp_path, name, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_byte_order_mark_and_crlf_are_read_as_python_reads_them(tmp_path):
    text = "\ufeff# %%\r\nx = 1\r\n# %%\r\ny = 2\r\n".encode()
    notebook = load_submission(_write(tmp_path, "s.py", text))
    assert [c.source for c in notebook.cells] == ["# %%\nx = 1", "# %%\ny = 2\n"]
    document = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("a = 1\r\nb = 2")])
    data = b"\xef\xbb\xbf" + nbformat.writes(document).replace("\n", "\r\n").encode()
    cells = student_notebook(load_submission(_write(tmp_path, "n.ipynb", data))).cells
    assert cells[0].source == "a = 1\nb = 2"


def test_self_check_and_pip_lines_are_blanked_and_line_numbers_kept():
    source = (
        "from autograder.selfcheck import checker\ncheck = checker('01-gradient-descent')\n"
        "def predict(w, x):\n    return w[1] * x + w[0]\ncheck(\n    'predict',\n)\n!pip install tqdm\n"
    )
    runnable = runnable_source(source, {"check"})
    assert runnable.split("\n") == ["", "", "def predict(w, x):", "    return w[1] * x + w[0]", "", "", "", "", ""]


def test_a_students_own_check_function_is_kept_when_no_self_check_is_used():
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("def check(x):\n    return x\ncheck(3)")])
    assert student_notebook(notebook).cells[0].source == "def check(x):\n    return x\ncheck(3)"


def test_nbconvert_magics_for_pip_are_blanked():
    source = "get_ipython().system('pip install tqdm')\nget_ipython().run_line_magic('pip', 'install x')\ny = 1"
    assert runnable_source(source, set()) == "\n\ny = 1"


def test_the_size_limit_counts_code_not_saved_outputs(tmp_path):
    figure = {"output_type": "display_data", "metadata": {}, "data": {"image/png": "A" * (21 * 1024**2)}}
    cell = nbformat.v4.new_code_cell("x = 1", outputs=[nbformat.from_dict(figure)])
    heavy = _write(tmp_path, "figures.ipynb", nbformat.writes(nbformat.v4.new_notebook(cells=[cell])).encode())
    assert heavy.stat().st_size > 21 * 1024**2
    assert load_submission(heavy).cells[0].source == "x = 1"
    code = nbformat.v4.new_code_cell("#" * (MAX_CODE_BYTES + 10))
    too_much = _write(tmp_path, "code.ipynb", nbformat.writes(nbformat.v4.new_notebook(cells=[code])).encode())
    with pytest.raises(SubmissionError, match="MiB of code; the limit is 20 MiB"):
        load_submission(too_much)


def _notebook_bytes(*sources: str) -> bytes:
    return nbformat.writes(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])).encode()


def _zip(tmp_path, members: dict[str, bytes], name="hw.zip"):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, data in members.items():
            archive.writestr(member, data)
    return _write(tmp_path, name, buffer.getvalue())


def test_a_zip_with_a_notebook_and_a_package_runs_the_notebook_with_the_package_beside_it(tmp_path):
    path = _zip(tmp_path, {"hw/run.ipynb": _notebook_bytes("from cs231n.optim import adam"),
                           "hw/cs231n/__init__.py": b"", "hw/cs231n/optim.py": b"def adam(): pass\n",
                           "hw/__MACOSX/._run.ipynb": b"junk"})  # fmt: skip
    notebook, files = read_submission(path)
    assert notebook.cells[0].source == "from cs231n.optim import adam"
    assert set(files) == {"cs231n/__init__.py", "cs231n/optim.py"}


def test_a_zip_of_only_a_package_imports_its_one_module(tmp_path):
    bundle = read_bundle(_zip(tmp_path, {"cs231n/__init__.py": b"", "cs231n/optim.py": b"x = 1\n"}))
    assert bundle.entry is None and bundle.module == "cs231n.optim"
    notebook, _ = read_submission(tmp_path / "hw.zip")
    assert notebook.cells[0].source == "from cs231n.optim import *"


@pytest.mark.parametrize(
    "members, message",
    [
        ({"../evil.py": b"x = 1"}, "a path outside itself"),
        ({"/etc/passwd": b"x"}, "a path outside itself"),
        ({"a.ipynb": _notebook_bytes("x = 1"), "b.ipynb": _notebook_bytes("y = 1")}, "2 .ipynb files at its top"),
        ({"notes.txt": b"hello"}, "no notebook or Python file to run"),
        ({"big.py": b"0" * (21 * 1024**2)}, "compresses suspiciously well"),
    ],
)
def test_bad_zips_are_refused_with_the_reason(tmp_path, members, message):
    with pytest.raises(SubmissionError, match=message):
        read_bundle(_zip(tmp_path, members))


def test_a_zipped_symbolic_link_is_refused(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("run.py", "x = 1")
        link = zipfile.ZipInfo("secret.py")
        link.external_attr = 0o120777 << 16
        archive.writestr(link, "/etc/shadow")
    with pytest.raises(SubmissionError, match="symbolic link"):
        read_bundle(_write(tmp_path, "s.zip", buffer.getvalue()))


def test_a_folder_is_a_bundle_only_when_its_one_notebook_imports_code_beside_it(tmp_path):
    bundle = tmp_path / "alice"
    (bundle / "helpers").mkdir(parents=True)
    (bundle / "helpers" / "__init__.py").write_text("")
    (bundle / "hw.ipynb").write_bytes(_notebook_bytes("from helpers import tools"))
    assert folder_is_bundle(bundle)
    batch = tmp_path / "batch"
    batch.mkdir()
    (batch / "alice.ipynb").write_bytes(_notebook_bytes("import numpy"))
    (batch / "bob.py").write_text("x = 1")
    assert not folder_is_bundle(batch)
    notebook, files = read_submission(bundle)
    assert notebook.cells[0].source == "from helpers import tools" and set(files) == {"helpers/__init__.py"}
    assert json.loads(nbformat.writes(notebook))["nbformat"] == 4


def test_cells_without_ids_are_read_without_a_warning():
    import json
    import warnings

    from autograder.notebooks import notebook_from_bytes

    cell = {"cell_type": "code", "source": "x = 1", "metadata": {}, "outputs": [], "execution_count": None}
    document = {"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}  # 4.5 wants ids
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any warning fails the test
        notebook = notebook_from_bytes(json.dumps(document).encode(), "colab.ipynb")
    assert notebook.cells[0].source == "x = 1"
