"""The class report: counts, ranking, hidden probes kept secret, both languages, and the page in Chromium."""

import shutil
import subprocess

import pytest

from autograder.reports import write_class_report
from autograder.reports.class_report import class_report_csv, class_report_html, class_summary, summary_lines
from autograder.results import CheckResult, Diagnosis, GradeResult, SubmissionResult
from tests.support.class_results import class_results

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _result(student, *checks):
    return SubmissionResult(f"{student}.ipynb", student, GradeResult("04-adaptive", tuple(checks)))


def _check(question, passed, diagnosis=None, hidden=False, message="differs"):
    named = Diagnosis(diagnosis, f"explained: {diagnosis}") if diagnosis else None
    return CheckResult(question, "replay", 2.0 if passed else 0.0, 2.0, passed, "passed" if passed else message,
                       named, None, 1, 1, hidden_failure=hidden)  # fmt: skip


CLASS = [
    _result("ann", _check("adam", False, "adam-no-bias-correction"), _check("rmsprop", True)),
    _result("ben", _check("adam", False, "adam-no-bias-correction"), _check("rmsprop", False, message="odd")),
    _result(
        "cho",
        _check("adam", False, "adam-eps-inside-sqrt"),
        _check("rmsprop", False, hidden=True, message="a hidden probe failed"),
    ),
    _result("dan", _check("adam", True), _check("rmsprop", True)),
]


def test_mistakes_are_ranked_by_students_and_the_blind_spots_listed_apart():
    summary = class_summary(CLASS)
    adam, rmsprop = summary.questions
    assert adam.question == "adam" and adam.pass_rate == 0.25
    assert [(g.mistake, g.students) for g in adam.ranked()] == [
        ("adam-no-bias-correction", ["ann", "ben"]),
        ("adam-eps-inside-sqrt", ["cho"]),
    ]
    assert rmsprop.pass_rate == 0.5 and rmsprop.unnamed == {"ben": "replay: odd"} and rmsprop.hidden == ["cho"]


def test_the_csv_has_a_row_per_question_and_mistake():
    rows = class_report_csv(class_summary(CLASS)).splitlines()
    assert rows[0] == "question,pass_rate,mistake,students,student_ids"
    assert "adam,0.250,adam-no-bias-correction,2,ann ben" in rows
    assert "rmsprop,0.500,(unnamed),1,ben" in rows and "rmsprop,0.500,(hidden),1,cho" in rows


def test_the_printed_summary_names_the_top_mistakes_in_the_assignments_language():
    english = summary_lines(class_summary(CLASS), "en")
    assert english[0] == "most common mistakes:"
    assert "adam (25% full marks): adam-no-bias-correction (2), adam-eps-inside-sqrt (1)" in english[1]
    korean = summary_lines(class_summary(CLASS), "ko")
    assert korean[0] == "가장 흔한 실수:" and "adam-no-bias-correction (2명)" in korean[1]
    assert summary_lines(class_summary([CLASS[-1]]), "en") == []


def test_hidden_probes_are_counted_but_never_described():
    page = class_report_html(class_summary(CLASS), "en")
    assert "1 student(s) failed only a hidden probe, with no named mistake: cho" in page
    assert "a hidden probe failed" not in page.split("hidden probe, with no named")[0].split("rmsprop:")[-1]


def test_the_page_and_csv_are_written_from_stored_results(tmp_path):
    written = write_class_report(tmp_path / "class", class_results(30), "ko")
    page = (tmp_path / "class" / "class-report.html").read_text(encoding="utf-8")
    assert "class-report.html" in written and "반 전체가 틀린 것 (학생 30명)" in page
    assert page.count("data:image/png;base64,") >= 2  # the histogram and at least one mistake's plot
    assert (tmp_path / "class" / "class-report.csv").read_text(encoding="utf-8").startswith("question,")


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium package is not installed")
def test_the_page_renders_in_chromium_with_every_image(tmp_path):
    write_class_report(tmp_path, class_results(40), "en")
    page = tmp_path / "class-report.html"
    probe = ("<script>window.addEventListener('load', () => {const i = [...document.images];"
             "document.title = `images ${i.filter(x => x.complete && x.naturalWidth > 0).length}/${i.length} "
             "h2 ${document.querySelectorAll('h2').length}`;});</script>")  # fmt: skip
    page.write_text(page.read_text(encoding="utf-8").replace("</body>", probe + "</body>"), encoding="utf-8")
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", f"--user-data-dir={tmp_path / 'p'}",
             "--virtual-time-budget=10000", "--dump-dom"]  # fmt: skip
    done = subprocess.run([CHROMIUM, *flags, page.as_uri()], capture_output=True, text=True, timeout=120)
    title = done.stdout.split("<title>", 1)[1].split("</title>", 1)[0]
    loaded, total = (int(n) for n in title.split()[1].split("/"))
    assert total >= 4 and loaded == total and title.endswith("h2 3"), title
    assert "what the class got wrong (40 students)" in done.stdout
