"""The instructor's whole flow, scripted: init, release, collect, autograde, feedback, export,
re-run, and a run killed halfway then resumed. Once on SQLite, once on a real PostgreSQL."""

import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.course.conftest import notebook_with, write_download

pytestmark = pytest.mark.sandbox

ASSIGNMENT = "01-gradient-descent"
ON_TIME, LATE = (2026, 11, 20, 10, 0, 0), (2026, 11, 22, 9, 30, 0)
DUE = "2026-11-21 23:59:00 UTC"
ROSTER = "id,first_name,last_name\n" + "".join(
    f"{s},{s.title()},{last}\n" for s, last in [("alice", "Kim"), ("bob", "Lee"), ("carol", "Park"),
                                               ("dave", "Choi"), ("erin", "Jung"), ("frank", "Yoon")]
)  # fmt: skip
EXPECTED = {  # student: (status, raw score, late penalty, final score)
    "alice": ("graded", 10, 0, 10),  # correct
    "bob": ("graded", 8, 0, 8),  # mse_grad without the 2: loses its 2 points
    "carol": ("graded", 0, 0, 0),  # the kernel dies in her notebook
    "dave": ("missing", 0, 0, 0),  # on the roster, nothing submitted
    "erin": ("graded", 10, 10, 0),  # correct but late; the course's penalty is "zero"
    "frank": ("graded", 0, 0, 0),  # not a notebook at all
}


def gdgrade(*arguments, cwd: Path, check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [sys.executable, "-m", "autograder.cli", *arguments], cwd=cwd, capture_output=True, text=True, timeout=600
    )
    if check:
        assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    return done


def _download(path: Path) -> Path:
    correct = notebook_with(ASSIGNMENT)
    buggy = notebook_with(ASSIGNMENT, {"mse_grad-code": ("2.0 * np.mean(residual), 2.0 *", "np.mean(residual),")})
    crashing = notebook_with(ASSIGNMENT, extra_cell="import os\nos._exit(1)")
    return write_download(path, {
        "alice_01-gradient-descent.ipynb": (correct, ON_TIME),
        "bob_01-gradient-descent.ipynb": (buggy, ON_TIME),
        "carol_01-gradient-descent.ipynb": (crashing, ON_TIME),
        "erin_01-gradient-descent.ipynb": (correct, LATE),
        "frank_01-gradient-descent.ipynb": ('{"cells": [ oops', ON_TIME),
        "readme.txt": ("not a submission", ON_TIME),
    })  # fmt: skip


def _exported(course: Path) -> dict[str, tuple]:
    text = gdgrade("export", ASSIGNMENT, cwd=course).stdout
    numbers = ("raw_score", "late_penalty", "score")
    return {r["student"]: (r["status"], *(float(r[n]) for n in numbers)) for r in csv.DictReader(io.StringIO(text))}


def _kill_after_first_result(course: Path) -> None:
    """Start autograde, SIGKILL the whole run as soon as one result is on disk."""
    results = course / "gdgrade" / "results" / ASSIGNMENT / "results"
    run = subprocess.Popen(
        [sys.executable, "-m", "autograder.cli", "autograde", ASSIGNMENT], cwd=course,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 300
    while not list(results.glob("*.json")) and time.monotonic() < deadline and run.poll() is None:
        time.sleep(0.2)
    os.killpg(run.pid, signal.SIGKILL)
    run.wait()
    assert 1 <= len(list(results.glob("*.json"))) < 5, "the run was not interrupted halfway"


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_course_from_init_to_export(database, tmp_path, request):
    course = tmp_path / "course"
    (tmp_path / "roster.csv").write_text(ROSTER, encoding="utf-8")
    database_option = ["--db", request.getfixturevalue("postgres_url")] if database == "postgresql" else []
    gdgrade("course", "init", str(course), "--roster", "roster.csv", "--late-penalty", "zero", *database_option,
            cwd=tmp_path)  # fmt: skip
    for assignment in (ASSIGNMENT, "04-adaptive"):
        gdgrade("release", assignment, "--duedate", DUE, cwd=course)
        assert (course / "release" / assignment / f"{assignment}.ipynb").is_file()
    assert not list((course / "release").rglob("*.toml")), "a spec (hidden probes) reached the release folder"

    collected = gdgrade("collect", ASSIGNMENT, str(_download(tmp_path / "download.zip")), cwd=course)
    assert "5 submission(s)" in collected.stdout and "skipped readme.txt: not a notebook" in collected.stderr

    _kill_after_first_result(course)
    resumed = gdgrade("autograde", ASSIGNMENT, "--workers", "2", cwd=course)
    assert "(already graded)" in resumed.stderr
    assert _exported(course) == EXPECTED

    results = course / "gdgrade" / "results" / ASSIGNMENT / "results"
    before = {p.name: json.loads(p.read_text()) for p in results.glob("*.json")}
    again = gdgrade("autograde", ASSIGNMENT, cwd=course)
    assert again.stderr.count("(already graded)") == 5
    assert {p.name: json.loads(p.read_text()) for p in results.glob("*.json")} == before
    assert _exported(course) == EXPECTED

    assert "가장 흔한 실수:" in again.stdout and "gdgrade report" in again.stdout  # the class summary
    gdgrade("report", ASSIGNMENT, cwd=course)
    page = (course / "gdgrade" / "class-reports" / ASSIGNMENT / "class-report.html").read_text(encoding="utf-8")
    assert "반 전체가 틀린 것 (학생 5명)" in page and "gd-dropped-two-over-n" in page
    table = (course / "gdgrade" / "class-reports" / ASSIGNMENT / "class-report.csv").read_text(encoding="utf-8")
    assert "mse_grad,0.400,gd-dropped-two-over-n,1,bob" in table  # alice and erin have every point of it

    gdgrade("feedback", ASSIGNMENT, cwd=course)
    bob = (course / "feedback" / "bob" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text(encoding="utf-8")
    assert "8/10" in bob.replace(" ", "") or "8 / 10" in bob
    assert (course / "feedback" / "bob" / ASSIGNMENT / "timestamp.txt").is_file() and "late penalty" not in bob
    erin = (course / "feedback" / "erin" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text(encoding="utf-8")
    assert "0 / 10 (지각 감점 후; 감점 전 10)" in erin and "지각 감점으로 10점이 빠졌습니다" in erin
    assert "late: erin 10 -> 0 of 10 (penalty 10," in again.stdout  # autograde shows it too
    assert "no submission from 1 student(s) on the roster: dave" in again.stdout
    carol = before["carol.json"]
    assert carol["score"] == 0 and "코드 셀 3에서 커널이 죽었습니다" in carol["error"]
    assert "노트북이 아닙니다" in before["frank.json"]["error"]

    exported = course / "grades.csv"
    gdgrade("export", ASSIGNMENT, "--format", "canvas", "--out", str(exported), cwd=course)
    canvas = list(csv.reader(exported.open()))
    assert canvas[1][:2] == ["Points Possible", ""] and canvas[1][-1] == "10"
    assert ["Lee, Bob", "bob", "", "", "", "8"] in canvas


def test_autograde_on_a_dask_cluster_fills_the_same_gradebook(tmp_path):
    distributed = pytest.importorskip("dask.distributed", reason="the dask extra is not installed")
    from autograder.cli import main

    course = tmp_path / "course"
    gdgrade("course", "init", str(course), cwd=tmp_path)
    gdgrade("release", ASSIGNMENT, cwd=course)
    download = write_download(tmp_path / "dl.zip", {
        "alice.ipynb": (notebook_with(ASSIGNMENT), ON_TIME),
        "bob.ipynb": (notebook_with(ASSIGNMENT, {"predict-code": ("w[1] * np.asarray(x) + w[0]", "w[0] * x + w[1]")}),
                      ON_TIME),
    })  # fmt: skip
    gdgrade("collect", ASSIGNMENT, str(download), cwd=course)
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                       host="127.0.0.1")  # fmt: skip
    with cluster:
        assert main(["autograde", ASSIGNMENT, "--course", str(course), "--cluster", cluster.scheduler_address]) == 0
    exported = _exported(course)
    assert exported["alice"] == ("graded", 10, 0, 10)
    assert exported["bob"][1] < 10  # a swapped intercept costs predict, mse_loss and mse_grad
