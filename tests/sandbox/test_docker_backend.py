"""The docker backend and the grader image, against a real engine.

Marked ``docker``: they run where an engine runs and ``gdgrade-grader:latest`` exists (CI
builds it with docker/build-offline and sets GDGRADE_REQUIRE_DOCKER=1), and skip elsewhere.
"""

import csv
import dataclasses
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import pytest

from autograder.sandbox.backends import Sandbox
from autograder.sandbox.containers import LABEL, grader_label, remove_stale_containers
from autograder.sandbox.jobdir import WORK_PREFIX, remove_stale_work_folders
from tests.conftest import DOCKER_IMAGE
from tests.hostile.corpus import CASES
from tests.hostile.report import LIMITS, grade_corpus, selected_cases

pytestmark = pytest.mark.docker

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "autograder" / "examples" / "cs231n"
EXAMPLE_SCORES = {"alice_correct": 15, "bob_no_bias_correction": 10, "carol_notebook": 15, "dave_typo": 11}
COMPOSE = shutil.which("docker-compose") or str(Path(sys.executable).parent / "docker-compose")
GDGRADE = [sys.executable, "-m", "autograder.cli"]

# Inside the compose service: who the grader runs as, what it can reach and write, its privileges.
HARDENING_PROBE = """
import json, os, pathlib
status = dict(line.split(':', 1) for line in pathlib.Path('/proc/self/status').read_text().splitlines())
try:
    pathlib.Path('/opt/gdgrade/written').write_text('x')
    root_writable = True
except OSError:
    root_writable = False
interfaces = [line.split(':')[0].strip() for line in pathlib.Path('/proc/net/dev').read_text().splitlines()[2:]]
print(json.dumps({'uid': os.getuid(), 'root_writable': root_writable, 'interfaces': interfaces,
                  'capabilities': status['CapEff'].strip(), 'no_new_privileges': status['NoNewPrivs'].strip()}))
"""


def _our_containers(pid: int | None = None) -> list[str]:
    label = f"{LABEL}={grader_label()}" if pid is None else f"{LABEL}={grader_label().rsplit(':', 1)[0]}:{pid}"
    listed = subprocess.run(["docker", "ps", "-aq", "--filter", f"label={label}"],
                            capture_output=True, text=True, check=True)  # fmt: skip
    return listed.stdout.split()


def _scores(results_file: Path) -> dict[str, float]:
    return {row["student"]: row["score"] for row in json.loads(results_file.read_text())["results"]}


def _compose(environment: dict[str, str], *arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run([COMPOSE, "-f", str(ROOT / "docker-compose.yml"), "run", "--rm", *arguments],
                          capture_output=True, text=True, cwd=ROOT, env={**os.environ, **environment},
                          timeout=900, check=False)  # fmt: skip


def test_grading_with_the_docker_backend_gives_the_examples_their_scores_and_leaves_no_container(tmp_path):
    command = [*GDGRADE, "grade", str(EXAMPLES), "--assignment", "cs231n-optim", "--sandbox", "docker",
               "--out", str(tmp_path), "--json", str(tmp_path / "results.json"), "--workers", "2"]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=900, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    assert _scores(tmp_path / "results.json") == EXAMPLE_SCORES
    payload = json.loads(next((tmp_path / "results").glob("alice_correct*.json")).read_text())
    assert payload["versions"]["sandbox"] == "docker"
    left = subprocess.run(["docker", "ps", "-aq", "--filter", f"label={LABEL}"], capture_output=True, text=True)
    assert left.stdout.split() == [], "every kernel's container is removed when its job ends"


def test_the_compose_service_grades_the_examples_hardened(tmp_path):
    submissions, results = tmp_path / "submissions", tmp_path / "results"
    shutil.copytree(EXAMPLES, submissions, ignore=shutil.ignore_patterns("__pycache__"))
    results.mkdir()
    os.chown(results, 1000, 1000)  # the service runs as 1000:1000 and writes only there
    environment = {"SUBMISSIONS": str(submissions), "RESULTS": str(results), "ASSIGNMENT": "cs231n-optim"}
    graded = _compose(environment, "grader")
    assert graded.returncode == 0, graded.stderr[-3000:]
    assert {path.stem for path in (results / "html").glob("*.html")} >= set(EXAMPLE_SCORES)
    with (results / "summary.csv").open(newline="") as summary:
        csv_scores = {row["student"]: float(row["score"]) for row in csv.DictReader(summary)}
    assert csv_scores == EXAMPLE_SCORES
    probed = _compose(environment, "--entrypoint", "python", "grader", "-c", HARDENING_PROBE)
    assert probed.returncode == 0, probed.stderr[-3000:]
    inside = json.loads(probed.stdout.strip().splitlines()[-1])
    assert inside == {"uid": 1000, "root_writable": False, "interfaces": ["lo"],
                      "capabilities": "0000000000000000", "no_new_privileges": "1"}  # fmt: skip


def test_containers_of_a_dead_grader_are_removed_and_a_live_one_s_are_kept():
    host = grader_label().rsplit(":", 1)[0]
    dead_pid = _a_finished_pid()
    started = []
    for label in (f"{host}:{dead_pid}", grader_label()):
        run = ["docker", "run", "-d", "--network", "none", "--label", f"{LABEL}={label}",
               "--entrypoint", "sleep", DOCKER_IMAGE, "300"]  # fmt: skip
        started.append(subprocess.run(run, capture_output=True, text=True, check=True).stdout.strip())
    try:
        assert remove_stale_containers() == 1
        assert _our_containers(dead_pid) == [] and len(_our_containers()) == 1
    finally:
        subprocess.run(["docker", "rm", "-f", *started], capture_output=True, check=False)


def test_a_grader_killed_mid_batch_leaves_nothing_after_the_next_start(tmp_path):
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import time\ntime.sleep(600)")])
    nbformat.write(notebook, tmp_path / "sleeper.ipynb")
    command = [*GDGRADE, "grade", str(tmp_path / "sleeper.ipynb"), "--assignment", "cs231n-optim",
               "--sandbox", "docker", "--out", str(tmp_path / "out")]  # fmt: skip
    grader = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and not _our_containers(grader.pid):
            time.sleep(0.5)
        assert _our_containers(grader.pid), "the grader never started a container"
        time.sleep(2)
    finally:
        grader.send_signal(signal.SIGKILL)  # the grader only: its docker clients and container live on
        grader.wait()
    assert _our_containers(grader.pid), "a killed grader's container outlives it"
    assert remove_stale_containers() >= 1 and _our_containers(grader.pid) == []
    remove_stale_work_folders()
    prefix = f"{WORK_PREFIX}{grader.pid}-"
    left = [entry for entry in Path(tempfile.gettempdir()).iterdir() if entry.name.startswith(prefix)]
    assert left == [], "the killed grader's work folder is removed"


# Where a container says it differently: the image's /root (not the host's) is there but closed,
# and the kernel's parent is the container's init, which a signal from inside cannot kill.
IN_A_CONTAINER = {"reads_the_grader_home": "PermissionError 오류가 났습니다", "kills_its_parent": None}
IN_CONTAINERS = [dataclasses.replace(case, says=IN_A_CONTAINER.get(case.name, case.says)) for case in CASES]


@pytest.fixture(scope="module")
def corpus_in_docker(request, tmp_path_factory):
    """The hostile corpus (the cases this run selected), graded with one container per kernel."""
    cases = selected_cases(request, IN_CONTAINERS)
    return grade_corpus(tmp_path_factory.mktemp("docker-corpus"), Sandbox("docker", LIMITS), 2, cases)


@pytest.mark.parametrize("name", [case.name for case in IN_CONTAINERS])
def test_each_hostile_case_holds_in_containers(corpus_in_docker, name):
    rows, failures = corpus_in_docker
    assert failures == {}
    row = next(row for row in rows if row.case.name == name)
    assert row.holds, (row.score, row.seen)


def _a_finished_pid() -> int:
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid
