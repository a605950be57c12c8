"""Course init and collect: nbgrader's layout, LMS file names, duplicates, nothing overwritten."""

import pytest

from autograder.cli import main
from autograder.course.collect import collect, student_of
from autograder.course.layout import init_course, read_roster, submission_timestamp
from tests.course.conftest import write_download

WHEN = (2026, 11, 20, 10, 0, 0)


@pytest.fixture
def course(tmp_path):
    return init_course(tmp_path / "course", assignments=["01-gradient-descent"])


def test_init_lays_out_an_nbgrader_course_with_specs_outside_source(course):
    root = course.root
    for folder in ("source", "release", "submitted", "autograded", "feedback"):
        assert (root / folder).is_dir()
    assert (root / "source" / "01-gradient-descent" / "01-gradient-descent.ipynb").is_file()
    assert course.spec_path("01-gradient-descent").is_file()
    assert not list((root / "source").rglob("*.toml"))  # nbgrader would release it to students
    assert "penalty_method = 'none'" in (root / "nbgrader_config.py").read_text()
    assert course.db_url == f"sqlite:///{root / 'gradebook.db'}"


def test_init_never_overwrites_a_course(course, capsys):
    marker = course.root / "source" / "01-gradient-descent" / "01-gradient-descent.ipynb"
    marker.write_text("instructor's edits", encoding="utf-8")
    assert main(["course", "init", str(course.root)]) == 2
    assert "is already a course" in capsys.readouterr().err
    assert marker.read_text(encoding="utf-8") == "instructor's edits"


def test_commands_outside_a_course_say_so(tmp_path, capsys):
    assert main(["autograde", "01-gradient-descent", "--course", str(tmp_path)]) == 2
    assert "is not a course (no nbgrader_config.py); create one with: gdgrade course init" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("name", "pattern", "student"),
    [
        ("alice.ipynb", "plain", "alice"),
        ("alice_01-gradient-descent.ipynb", "plain", "alice"),
        ("kimalice_41523_889102_01-gradient-descent.ipynb", "canvas", "41523"),
        ("kimalice_LATE_41523_889102_01-gradient-descent-1.ipynb", "canvas", "41523"),
        ("Alice Kim_1234_assignsubmission_file_nb.ipynb", r"^.+?_(?P<student>\d+)_assignsubmission", "1234"),
        ("_nothing.ipynb", "plain", None),
    ],
)
def test_student_ids_come_from_file_names(name, pattern, student):
    assert student_of(name, pattern) == student


def test_collect_keeps_the_newest_file_per_student_and_explains_every_skip(course, tmp_path):
    download = write_download(tmp_path / "dl.zip", {
        "alice_v1.ipynb": ("first", (2026, 11, 20, 9, 0, 0)),
        "alice_v2.ipynb": ("second", (2026, 11, 20, 11, 0, 0)),
        "bob.ipynb": ("bob's", WHEN),
        "report.pdf": ("%PDF", WHEN),
        "__MACOSX/._bob.ipynb": ("litter", WHEN),
        "-x.ipynb": ("?", WHEN),
    })  # fmt: skip
    report = collect(course, "01-gradient-descent", download)
    assert report.taken == {"alice": "alice_v2.ipynb", "bob": "bob.ipynb"}
    assert report.skipped == {
        "alice_v1.ipynb": "an older file of alice (the newest is kept)",
        "report.pdf": "not a notebook (.ipynb), .py or .zip file",
        "-x.ipynb": "no student id in the file name (pattern plain)",
    }
    folder = course.submission_dir("alice", "01-gradient-descent")
    assert (folder / "01-gradient-descent.ipynb").read_text() == "second"
    assert submission_timestamp(folder).hour == 11
    assert len((folder / "submission_secret.txt").read_text()) == 32


def test_a_resubmission_archives_the_earlier_one(course, tmp_path):
    collect(course, "01-gradient-descent", write_download(tmp_path / "a.zip", {"bob.ipynb": ("v1", WHEN)}))
    collect(course, "01-gradient-descent", write_download(tmp_path / "b.zip", {"bob.ipynb": ("v1", WHEN)}))
    assert not (course.root / "gdgrade" / "archive").exists()  # the same file again changes nothing
    collect(course, "01-gradient-descent", write_download(tmp_path / "c.zip", {"bob.ipynb": ("v2", WHEN)}))
    archived = list((course.root / "gdgrade" / "archive" / "01-gradient-descent").glob("bob-*/*.ipynb"))
    assert [p.read_text() for p in archived] == ["v1"]
    assert (course.submission_dir("bob", "01-gradient-descent") / "01-gradient-descent.ipynb").read_text() == "v2"


def test_collect_from_a_folder(course, tmp_path):
    (tmp_path / "dl" / "nested").mkdir(parents=True)
    (tmp_path / "dl" / "nested" / "carol.ipynb").write_text("{}", encoding="utf-8")
    assert collect(course, "01-gradient-descent", tmp_path / "dl").taken == {"carol": "carol.ipynb"}


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["collect", "01-gradient-descent", "{tmp}/none.zip"], "no such file or folder"),
        (["collect", "01-gradient-descent", "{tmp}/bad.zip"], "is not a zip file or a folder"),
        (["collect", "09-nothing", "{tmp}/bad.zip"], "the course has no assignment '09-nothing'"),
        (["collect", "01-gradient-descent", "{tmp}/bad.zip", "--pattern", "(unclosed"], "not a valid regular"),
        (["collect", "01-gradient-descent", "{tmp}/bad.zip", "--pattern", "(?P<who>.+)"], "(?P<student>...)"),
        (["autograde", "01-gradient-descent", "--student", "zoe"], "no submission of 01-gradient-descent by zoe"),
        (["export", "01-gradient-descent"], "01-gradient-descent is not in the gradebook"),
    ],
)
def test_usage_errors_name_the_problem(arguments, message, course, tmp_path, capsys):
    (tmp_path / "bad.zip").write_text("not a zip", encoding="utf-8")
    (course.submission_dir("amy", "01-gradient-descent")).mkdir(parents=True)
    arguments = [a.replace("{tmp}", str(tmp_path)) for a in arguments] + ["--course", str(course.root)]
    assert main(arguments) == 2
    error = capsys.readouterr().err.strip()
    assert message in error and len(error.splitlines()) == 1


def test_rosters_need_an_id_column(tmp_path):
    (tmp_path / "r.csv").write_text("name\nalice\n", encoding="utf-8")
    with pytest.raises(ValueError, match="needs a header row with an 'id' column"):
        read_roster(tmp_path / "r.csv")
    (tmp_path / "ok.csv").write_text("id,email\n alice ,a@x.org\n,\n", encoding="utf-8")
    assert read_roster(tmp_path / "ok.csv") == [{"id": "alice", "email": "a@x.org"}]


def test_the_course_id_is_the_folder_s_name_or_the_option(tmp_path):
    from autograder.course.layout import Course

    assert (
        "course_id = 'course'"
        in (init_course(tmp_path / "course", assignments=[]).root / "nbgrader_config.py").read_text()
    )
    assert main(["course", "init", str(tmp_path / "other"), "--course-id", "optim-2026"]) == 0
    assert Course(tmp_path / "other").config().CourseDirectory.course_id == "optim-2026"


@pytest.mark.parametrize("problem", ["roster", "driver", "unreachable"])
def test_a_failed_init_leaves_nothing_and_the_retry_works(tmp_path, capsys, problem):
    target = tmp_path / "course"
    arguments = ["course", "init", str(target)]
    if problem == "roster":
        arguments += ["--roster", str(tmp_path / "missing.csv")]
        expected = "cannot read the roster"
    elif problem == "driver":
        arguments += ["--db", "mysql+nosuchdriver://u:secret@localhost/db"]
        expected = "gradebook"
    else:
        arguments += ["--db", "postgresql+psycopg2://u:secret@127.0.0.1:1/db"]
        expected = "cannot reach the gradebook postgresql+psycopg2://u:***@127.0.0.1:1/db"
    assert main(arguments) == 2
    shown = capsys.readouterr().err
    assert expected in shown and "secret" not in shown and len(shown.strip().splitlines()) == 1, shown
    assert not target.exists(), "a failed init leaves no half-made course"
    assert main(["course", "init", str(target)]) == 0


def test_a_failed_init_in_an_existing_folder_removes_only_what_it_made(tmp_path):
    target = tmp_path / "course"
    target.mkdir()
    (target / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(ValueError):
        init_course(target, roster=tmp_path / "missing.csv")
    assert [entry.name for entry in target.iterdir()] == ["notes.txt"]


def test_collect_takes_unicode_ids_and_warns_about_students_not_on_the_roster(tmp_path, capsys):
    import unicodedata

    (tmp_path / "roster.csv").write_text("id\nalice\n김민준\n", encoding="utf-8")
    course = init_course(tmp_path / "course", assignments=["01-gradient-descent"], roster=tmp_path / "roster.csv")
    main(["release", "01-gradient-descent", "--course", str(course.root)])
    capsys.readouterr()
    download = write_download(tmp_path / "dl.zip", {
        unicodedata.normalize("NFD", "김민준_과제1.ipynb"): ("{}", WHEN),  # as a Mac zips it
        "alice.ipynb": ("{}", WHEN),
        "mallory.ipynb": ("{}", WHEN),
    })  # fmt: skip
    assert main(["collect", "01-gradient-descent", str(download), "--course", str(course.root)]) == 0
    out, err = capsys.readouterr()
    assert "collected 김민준:" in out and "3 submission(s)" in out
    assert "warning: not on the roster: mallory" in err and "alice" not in err


def test_collect_strict_skips_ids_not_on_the_roster(tmp_path, capsys):
    (tmp_path / "roster.csv").write_text("id\nalice\n", encoding="utf-8")
    course = init_course(tmp_path / "course", assignments=["01-gradient-descent"], roster=tmp_path / "roster.csv")
    main(["release", "01-gradient-descent", "--course", str(course.root)])
    download = write_download(tmp_path / "dl.zip", {"alice.ipynb": ("{}", WHEN), "mallory.ipynb": ("{}", WHEN)})
    capsys.readouterr()
    arguments = ["collect", "01-gradient-descent", str(download), "--course", str(course.root), "--strict"]
    assert main(arguments) == 0
    out, err = capsys.readouterr()
    assert "collected alice:" in out and "1 submission(s)" in out and "1 skipped" in out
    assert "skipped mallory.ipynb: mallory is not on the roster (--strict)" in err
    assert not (course.root / "submitted" / "mallory").exists()


def test_collect_strict_without_a_roster_is_a_usage_error(course, tmp_path, capsys):
    download = write_download(tmp_path / "dl.zip", {"alice.ipynb": ("{}", WHEN)})
    arguments = ["collect", "01-gradient-descent", str(download), "--course", str(course.root), "--strict"]
    assert main(arguments) == 2
    assert "--strict needs a roster" in capsys.readouterr().err
    assert not (course.root / "submitted").exists() or not any((course.root / "submitted").iterdir())


def test_feedback_and_export_with_nothing_graded_say_so_alike(course, capsys):
    assert main(["feedback", "01-gradient-descent", "--course", str(course.root)]) == 2
    assert "nothing of 01-gradient-descent is graded yet (autograde it first)" in capsys.readouterr().err
    assert main(["export", "01-gradient-descent", "--course", str(course.root)]) == 2
    assert "autograde it first" in capsys.readouterr().err
