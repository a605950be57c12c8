"""What a first week with gdgrade hit, each as the person saw it: broken files, the batch
table's notes, short flags, a misspelt symbol, code-cell numbers and file permissions."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import nbformat
import pytest

from assignments import source_notebook
from autograder.cli import main
from autograder.cli.ci import ignore_reports
from autograder.journal import replace_atomically, write_atomically
from autograder.messages import localise, say
from autograder.notebooks import load_submission, student_notebook
from autograder.reports import write_text

pytestmark = pytest.mark.sandbox
ASSIGNMENT = "01-gradient-descent"


def _solution() -> nbformat.NotebookNode:
    return nbformat.read(source_notebook(ASSIGNMENT), as_version=4)


INSERTED_AT = 4  # after a markdown, two code cells and a markdown cell: the third code cell


def _with_cell(path: Path, source: str) -> Path:
    """The solution notebook with one more code cell, its third, after a markdown cell."""
    notebook = _solution()
    notebook.cells.insert(INSERTED_AT, nbformat.v4.new_code_cell(source))
    nbformat.write(notebook, path)
    return path


def _grade(capsys, *arguments) -> tuple[int, str, str]:
    code = main(["grade", *map(str, arguments), "--assignment", ASSIGNMENT])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _row(table: str, student: str) -> str:
    return next(line for line in table.splitlines() if line.startswith(f"{student} "))


# Broken files: one clear line each, the whole text in the results


def test_a_truncated_notebook_is_called_cut_off_in_one_whole_line(tmp_path, capsys):
    whole = source_notebook(ASSIGNMENT).read_text(encoding="utf-8")
    (tmp_path / "cut.ipynb").write_text(whole[: len(whole) // 3], encoding="utf-8")
    code, out, _ = _grade(capsys, tmp_path / "cut.ipynb", "-o", tmp_path / "out")
    assert code == 0
    note = _row(out, "cut").split(None, 3)[3]
    assert note.startswith("cut.ipynb 파일이 잘려 있습니다") and note.endswith("멈춥니다"), note  # Korean, not cut
    stored = json.loads((tmp_path / "out" / "results" / "cut.json").read_text())
    assert stored["error"] == note
    # the load error is said once, as the submission's error; each check only says it was not graded
    assert {check["message"] for check in stored["checks"]} == {say("not graded", "ko")}


@pytest.mark.parametrize(
    "text, expected",
    [
        ('{"cells": [,]}', "its JSON breaks at line 1, column 12"),
        ("[1, 2]", "its JSON is a list, not a notebook's object"),
        ('{"cells": [{"cell_type": "code", "source": "x = 1', "is cut off: its JSON stops at line 1"),
    ],
)
def test_broken_json_says_where_in_one_line(tmp_path, text, expected):
    path = tmp_path / "broken.ipynb"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(Exception) as raised:
        load_submission(path)
    message = str(raised.value)
    assert expected in message and "\n" not in message and "Notebook does not appear" not in message
    assert localise(message, "ko") != message  # a Korean assignment says it in Korean


def test_an_explicit_txt_is_refused_as_a_folder_passes_it_over(tmp_path, capsys):
    notebook = _solution()
    folder = tmp_path / "class"
    folder.mkdir()
    nbformat.write(notebook, folder / "alice.ipynb")
    nbformat.write(notebook, folder / "notes.txt")  # JSON inside: it must still not be graded
    nbformat.write(notebook, tmp_path / "bob.txt")
    code, out, err = _grade(capsys, tmp_path / "bob.txt", folder, "-o", tmp_path / "out", "-q")
    assert code == 0
    assert "refused" in err and "bob.txt: a .txt file is not a submission" in err
    assert "not graded: 1 file(s) in the given folders are not submissions" in err and "notes.txt" in err
    assert _row(out, "alice").split()[1] == "10" and "bob" not in out and "notes" not in out


def test_json_nested_too_deeply_is_a_broken_notebook_not_a_grader_failure(tmp_path, capsys):
    (tmp_path / "deep.ipynb").write_text("[" * 100_000, encoding="utf-8")
    code, out, err = _grade(capsys, tmp_path / "deep.ipynb", "-o", tmp_path / "out", "-q")
    assert code == 0 and "grader failure" not in out + err
    assert "deep.ipynb는 노트북이 아닙니다: JSON이 너무 깊이 중첩되어 읽을 수 없습니다" in _row(out, "deep")


def test_a_students_own_error_text_is_not_taken_for_a_file_problem():
    text = "adam_step raised ValueError: batch is empty"
    assert localise(text, "ko") == "adam_step에서 ValueError 오류가 났습니다: batch is empty"
    assert localise("notes 1.ipynb is empty", "ko") == "notes 1.ipynb 파일이 비어 있습니다"


def test_control_characters_never_reach_the_instructors_terminal():
    from autograder.batch import one_line

    assert one_line("a\x1b[1Ab\u202ec\td\x85e\nsecond line") == "a?[1Ab?c d?e…"


def test_check_names_a_load_error_once(tmp_path, capsys):
    whole = source_notebook(ASSIGNMENT).read_text(encoding="utf-8")
    (tmp_path / "cut.ipynb").write_text(whole[:2000], encoding="utf-8")
    code = main(["check", str(tmp_path / "cut.ipynb"), "--assignment", ASSIGNMENT])
    out = capsys.readouterr().out
    assert code == 1
    assert out.count("잘려 있습니다") == 1 and out.count("채점하지 못했습니다") == 1
    assert out.count("✗") == 6  # every check still says it failed


def test_check_refuses_a_file_that_is_not_a_notebook(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("{}", encoding="utf-8")
    assert main(["check", str(tmp_path / "notes.txt"), "--assignment", ASSIGNMENT]) == 2
    assert "notes.txt is not a notebook; gdgrade check reads .ipynb, .py, .zip files" in capsys.readouterr().err


# The batch table's note column


@pytest.mark.parametrize(
    "source, expected",
    [
        ("while True:\n    pass", "코드 셀 3이 제한 시간 2초를 넘겼습니다"),
        ("answer = input('lr? ')", "코드 셀 3이 키보드 입력(input())을 기다렸습니다"),
        ("import no_such_module_anywhere", "코드 셀 3에서 ModuleNotFoundError가 났습니다"),
    ],
)
def test_cell_problems_show_in_the_note_column(tmp_path, capsys, source, expected):
    path = _with_cell(tmp_path / "kim.ipynb", source)
    code, out, _ = _grade(capsys, path, "-o", tmp_path / "out", "--cell-timeout", "2", "-q")
    assert code == 0
    assert expected in _row(out, "kim"), out


def test_a_long_note_ends_at_a_word_with_an_ellipsis_and_the_results_keep_all(tmp_path, capsys):
    long_text = " ".join(["word"] * 60)
    path = _with_cell(tmp_path / "kim.ipynb", f"raise ValueError({long_text!r})")
    _, out, _ = _grade(capsys, path, "-o", tmp_path / "out", "-q")
    note = _row(out, "kim").split(None, 3)[3]
    assert note.endswith("…") and len(note) <= 100 and not note.endswith("wor…")
    issues = json.loads((tmp_path / "out" / "results" / "kim.json").read_text())["execution"]["issues"]
    assert long_text in issues[0]["message"]


# Short flags, -q and -v


def test_quiet_prints_no_progress_and_verbose_every_failed_check(tmp_path, capsys):
    path = _with_cell(tmp_path / "kim.ipynb", "")
    notebook = nbformat.read(path, as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell("def predict(X, w):\n    return X @ w + 1.0"))
    nbformat.write(notebook, path)
    _, quiet_out, quiet_err = _grade(capsys, path, "-o", tmp_path / "quiet", "-q")
    assert "[1/1]" not in quiet_err and "kim" in quiet_out
    _, loud_out, _ = _grade(capsys, path, "-o", tmp_path / "loud", "-v", "--force")
    assert "kim:\n  ✗ predict/function" in loud_out
    assert (tmp_path / "quiet" / "results" / "kim.json").is_file()  # -o is --out
    assert main(["grade", str(path), "--assignment", ASSIGNMENT, "-q", "-v"]) == 2


def test_a_symbol_no_submission_defines_is_called_a_likely_typo(tmp_path, capsys):
    spec = Path(source_notebook(ASSIGNMENT)).parent / "spec.toml"
    misspelt = tmp_path / "spec.toml"
    misspelt.write_text(spec.read_text(encoding="utf-8").replace('"mse_loss"', '"mse_los"'), encoding="utf-8")
    for name in ("alice", "bob"):
        nbformat.write(_solution(), tmp_path / f"{name}.ipynb")
    main(["grade", str(tmp_path / "alice.ipynb"), str(tmp_path / "bob.ipynb"), "--spec", str(misspelt),
          "-o", str(tmp_path / "out"), "-q"])  # fmt: skip
    err = capsys.readouterr().err
    assert "warning: no submission defines mse_los: is the spec's symbol misspelt?" in err
    main(["grade", str(tmp_path / "alice.ipynb"), str(tmp_path / "bob.ipynb"), "--assignment", ASSIGNMENT,
          "-o", str(tmp_path / "right"), "-q"])  # fmt: skip
    assert "no submission defines" not in capsys.readouterr().err


# Code cells are numbered as Jupyter numbers them


def test_cells_are_numbered_among_code_cells_only():
    notebook = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("# 과제"),
            nbformat.v4.new_code_cell("import numpy as np"),
            nbformat.v4.new_markdown_cell("설명"),
            nbformat.v4.new_markdown_cell("더 설명"),
            nbformat.v4.new_code_cell("x = 1"),
        ]
    )
    numbers = [cell.metadata["gdgrade"]["cell"] for cell in student_notebook(notebook).cells]
    assert numbers == [1, 2]


def test_a_failing_cell_after_markdown_is_called_by_its_code_cell_number(tmp_path, capsys):
    path = _with_cell(tmp_path / "kim.ipynb", "raise RuntimeError('here')")
    code_cells_before = sum(cell.cell_type == "code" for cell in _solution().cells[:INSERTED_AT])
    _, out, _ = _grade(capsys, path, "-o", tmp_path / "out", "-q")
    assert f"코드 셀 {code_cells_before + 1}에서 RuntimeError 오류가 났습니다" in _row(out, "kim")
    assert code_cells_before + 1 != INSERTED_AT + 1  # the markdown cells are not counted


# Files gdgrade writes


def test_every_report_file_of_a_run_has_the_same_permissions(tmp_path):
    write_atomically(tmp_path / "result.json", {"a": 1})
    write_text(tmp_path / "page.html", "<p>x</p>")
    modes = {stat.S_IMODE(path.stat().st_mode) for path in tmp_path.iterdir()}
    assert len(modes) == 1 and modes.pop() & 0o044, "results and pages are readable alike"
    replace_atomically(tmp_path / "cache" / "reference.npz", lambda handle: handle.write(b"x"), mode="wb")
    assert stat.S_IMODE((tmp_path / "cache" / "reference.npz").stat().st_mode) == 0o600  # hidden answers stay private


def test_demo_writes_every_file_with_one_mode(tmp_path, capsys):
    assert main(["demo", "-o", str(tmp_path / "out"), "-q"]) == 0
    modes = {stat.S_IMODE(path.stat().st_mode) for path in (tmp_path / "out").rglob("*") if path.is_file()}
    assert len(modes) == 1, modes


def test_ci_init_keeps_gdgrade_s_reports_out_of_the_repository(tmp_path):
    gitignore = tmp_path / ".gitignore"
    gitignore.write_text("build/\ngdgrade-out\n", encoding="utf-8")
    ignore_reports(gitignore)
    ignore_reports(gitignore)  # a second run adds nothing
    lines = gitignore.read_text(encoding="utf-8").splitlines()
    assert lines == ["build/", "gdgrade-out", "# gdgrade's reports", "gdgrade-report/"]


# gdgrade check names a slow cell


class _Timer:
    """A timer the test fires by hand: no waiting."""

    made: list = []

    def __init__(self, seconds, function):
        self.seconds, self.function, self.cancelled = seconds, function, False
        _Timer.made.append(self)

    def start(self):
        pass

    def cancel(self):
        self.cancelled = True


def test_a_slow_cell_is_named_in_the_assignments_language_and_the_notice_is_cancelled_after():
    import io

    from autograder.sandbox.slow_cells import announcing_slow_cells, watching

    stream, _Timer.made = io.StringIO(), []
    with announcing_slow_cells(after=5.0, stream=stream, language="ko", timer=_Timer):
        with watching(3, "# 학습\nfor epoch in range(100):\n    train()", limit=60):
            (slow,) = _Timer.made
            slow.function()  # the cell is still running when the timer fires
        with watching(4, "x = 1", limit=3):  # a limit below the delay: nothing to say
            pass
    with watching(5, "y = 2", limit=60):  # outside check: batches say nothing per cell
        pass
    assert slow.seconds == 5.0 and slow.cancelled and len(_Timer.made) == 1
    assert (
        stream.getvalue()
        == "코드 셀 3이 아직 실행 중입니다(for epoch in range(100):). 최대 60초까지 걸릴 수 있습니다\n"
    )


# gdgrade check and grading see the same folder


def test_a_file_beside_the_notebook_is_seen_neither_by_check_nor_by_grade(tmp_path, capsys):
    notebook = _solution()
    for cell in notebook.cells:  # the solution's predict works only if data.txt can be read
        if cell.cell_type == "code" and "def predict" in cell.source:
            cell.source = cell.source.replace("def predict", "OFFSET = float(open('data.txt').read())\ndef predict")
    nbformat.write(notebook, tmp_path / "kim.ipynb")
    (tmp_path / "data.txt").write_text("0.0", encoding="utf-8")
    main(["check", str(tmp_path / "kim.ipynb"), "--fail-under", "0"])
    checked = capsys.readouterr().out
    _, graded, _ = _grade(capsys, tmp_path / "kim.ipynb", "-o", tmp_path / "out", "-q")
    assert "FileNotFoundError" in checked and "FileNotFoundError" in _row(graded, "kim")
    score = _row(graded, "kim").split()[1]
    assert "점수: " in checked and "predict/function  0/1" in checked and score != "10"


def test_a_symbol_a_failed_cell_would_have_defined_is_not_suspected_of_a_typo():
    from autograder.errors import SubmissionError
    from autograder.sandbox.remote import KernelStudent

    blamed = KernelStudent(None, why_missing=lambda name: "because code cell 1 raised ModuleNotFoundError")
    explained = blamed._explained(SubmissionError("predict is not defined", kind="missing"))
    assert "because code cell 1" in str(explained) and not blamed.missing
    nowhere = KernelStudent(None, why_missing=lambda name: "")
    nowhere._explained(SubmissionError("mse_los is not defined", kind="missing"))
    assert nowhere.missing == {"mse_los"}


def test_an_error_text_cannot_forge_a_row_or_move_the_cursor_in_the_table(tmp_path, capsys):
    import unicodedata

    forged = "x\\x9b1A\\u202e\\x1b[2K\\rbob          10   10\\x85alice 10 10\\nbob 10 10"
    path = _with_cell(tmp_path / "kim.ipynb", f'raise ValueError("{forged}")')
    _, out, _ = _grade(capsys, path, "-o", tmp_path / "out", "-q")
    table = out.split("\n\n")[0].splitlines()
    assert len(table) == 3 and table[2].startswith("kim ") and "ValueError 오류가 났습니다: x" in table[2]
    assert not [c for c in out if c != "\n" and unicodedata.category(c) in ("Cc", "Cf")]
    assert not [line for line in out.splitlines() if line.startswith(("bob", "alice"))]  # text, never a row
