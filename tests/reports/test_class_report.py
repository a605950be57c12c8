"""The class report: counts, ranking, hidden probes kept secret, both languages, and the page in Chromium."""

import re
import shutil
import subprocess
from dataclasses import replace

import pytest

from autograder.assignment import builtin_spec
from autograder.engine.grade import grade
from autograder.messages import localise, say
from autograder.reports import write_class_report
from autograder.reports.class_report import class_report_csv, class_report_html, class_summary, summary_lines
from autograder.reports.tables import markdown_summary
from autograder.results import CheckResult, Diagnosis, GradeResult, SubmissionResult
from tests.assignments.helpers import solution_namespace
from tests.assignments.test_self_check import WRONG_ADAM
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


def test_a_notebook_that_could_not_run_is_counted_apart_not_as_an_unnamed_mistake():
    broken = replace(_result("dan", _check("adam", False, message="not graded")), error="dan.ipynb is cut off")
    summary = class_summary([*CLASS, broken])
    assert all("dan" not in question.unnamed for question in summary.questions)
    assert summary.errors == {"dan": "dan.ipynb is cut off"}
    lines = summary_lines(summary, "ko")
    assert lines[-1].strip() == "실행하지 못해 위에 세지 않은 학생: 1명 (표의 메모 참고)"


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


# --- a Korean assignment's class: every word on the page is Korean ----------------------------------------
SCALED_RMSPROP = """
_rmsprop_step = rmsprop_step
def rmsprop_step(w, g, state, **hparams):
    w, state = _rmsprop_step(w, g, state, **hparams)
    return w * 1.01, state
"""


def _korean_class() -> tuple[list[SubmissionResult], set[str]]:
    """04-adaptive graded here: a named mistake, an unnamed one, a hidden failure and a notebook that failed."""
    spec = builtin_spec("04-adaptive")
    sources = {"s2024001": "", "s2024002": WRONG_ADAM, "s2024003": SCALED_RMSPROP, "s2024004": WRONG_ADAM}
    graded = {student: grade(spec, solution_namespace("04-adaptive", source)) for student, source in sources.items()}
    hidden = say("hidden failed", "ko", why=say("hidden why", "ko"))
    checks = [replace(c, passed=False, score=0.0, message=hidden, hidden_failure=True) if c.question == "adagrad" else c
              for c in graded["s2024001"].checks]  # fmt: skip
    results = [SubmissionResult(f"{s}.ipynb", s, result) for s, result in graded.items()]
    results.append(SubmissionResult("s2024005.ipynb", "s2024005", GradeResult(spec.id, tuple(checks))))
    stopped = localise("the notebook ran past its total time limit", "ko")
    results.append(SubmissionResult("s2024006.ipynb", "s2024006", GradeResult(spec.id, ()), error=stopped))
    names = {q.id for q in spec.questions} | {c.kind for q in spec.questions for c in q.checks}
    names |= {p.problem for q in spec.questions for c in q.checks for p in c.probes if p.problem}
    names |= {c.diagnosis.id for r in results for c in r.checks if c.diagnosis and c.diagnosis.id}
    names |= {spec.id, "gdgrade"}
    return results, names


def _english(text: str, identifiers: set[str]) -> list[str]:
    """Words of English left once identifiers, Python names and hyperparameters are taken out."""
    for name in sorted(identifiers, key=len, reverse=True):
        text = text.replace(name, " ")
    text = re.sub(r"[\w.]*_[\w.]*(\(\))?|\w+\(\)|\blr\b", " ", text)
    return re.findall(r"[A-Za-z]{2,}", text)


def test_a_korean_assignments_class_report_has_no_english_words():
    results, identifiers = _korean_class()
    page = class_report_html(class_summary(results), "ko")
    assert "이름 붙은 실수 없이 실패" in page and "숨겨진 검사만" in page and "정상적으로 채점하지 못한" in page
    assert "<th>문제</th><th>만점 학생</th><th>인원</th>" in page and "adam-no-bias-correction: 2" in page
    assert "<th>스텝</th><th>학생</th><th>기준</th>" in page
    shown = re.sub(r"<style.*?</style>|<img[^>]*>|<[^>]+>", " ", page, flags=re.S)
    alts = re.findall(r"alt='([^']*)'", page)
    for text in [shown, *alts]:
        assert _english(text, identifiers) == [], f"English on a Korean class report: {_english(text, identifiers)}"


def test_the_csv_keeps_its_machine_readable_columns_in_every_language():
    summary = class_summary(_korean_class()[0])
    assert class_report_csv(summary).splitlines()[0] == "question,pass_rate,mistake,students,student_ids"


def test_a_korean_submissions_markdown_summary_is_korean():
    results, identifiers = _korean_class()
    for result in (results[1], results[-1]):
        summary = markdown_summary(result, "ko")
        assert _english(summary, identifiers | {result.student}) == [], summary
    korean, english = markdown_summary(results[0], "ko"), markdown_summary(results[0], "en")
    assert "| 검사 | 점수 | 판정 |" in korean and "| 통과 |" in korean
    assert "| check | score | verdict |" in english and "| passed |" in english
    assert "**노트북을 정상적으로 채점하지 못했습니다:** 노트북 전체가" in markdown_summary(results[-1], "ko")
