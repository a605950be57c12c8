"""Specs load into typed objects, and a bad spec fails at load naming file, question and field."""

import pytest

from autograder.assignment import builtin_spec, load_spec
from autograder.errors import SpecError
from autograder.sandbox.backends import preload_for

GOOD = """
id = "demo"
language = "ko"

[[questions]]
id = "adam"
convention = "functional"
symbol = { init = "adam_init", step = "adam_step" }
reference = "adam"
forbidden = ["torch.optim"]
hparams = { betas = [0.9, 0.999] }

  [[questions.checks]]
  kind = "replay"
  points = 4
  rtol = 1e-6
  probes = [{ problem = "tricky", steps = 12, lr = 0.05 }, { problem = "elliptic", grad_scale = 1e-6, hidden = true }]
"""


def write(tmp_path, text, name="spec.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_good_spec_becomes_typed_objects(tmp_path):
    spec = load_spec(write(tmp_path, GOOD))
    question = spec.question("adam")
    assert spec.language == "ko" and question.points == 4 and question.forbidden == ("torch.optim",)
    assert question.hparams["betas"] == (0.9, 0.999) and question.symbols["step"] == "adam_step"
    check = question.checks[0]
    assert check.tolerance.rtol == 1e-6 and check.tolerance.atol == 0.0
    assert [p.hidden for p in check.probes] == [False, True] and check.probes[1].steps == 10


@pytest.mark.parametrize(
    "old, new, message",
    [
        ('language = "ko"', 'language = "fr"', "field 'language': must be one of en, ko"),
        (
            'convention = "functional"',
            'convention = "magic"',
            "question 'adam', field 'convention': must be one of",
        ),
        ('reference = "adam"', 'reference = "adamm"', "reference 'adamm' is not an optimizer"),
        ("points = 4", 'points = "four"', "check 1 (replay), field 'points': must be an integer or a number"),
        ('kind = "replay"', 'kind = "vibes"', "field 'kind': must be one of"),
        (
            'problem = "tricky"',
            'problem = "trickyy"',
            "field 'checks[0].probes[0]': unknown problem 'trickyy'",
        ),
        ("steps = 12", "steps = 0", "field 'steps': must be >= 1"),
        (
            'symbol = { init = "adam_init", step = "adam_step" }',
            'symbol = "adam"',
            "convention functional needs a table with: init, step",
        ),
        (
            "hparams = { betas = [0.9, 0.999] }",
            "hparams = { beta = 0.9 }",
            "unknown optimizer parameter 'beta' for adam",
        ),
        ('kind = "replay"', 'kind = "schedule"', "schedule checks do not apply to convention functional"),
        ("rtol = 1e-6", "rtol = 1e-6\n  colour = 3", "field 'colour': is not a known field"),
        ('kind = "replay"', 'kind = "one-step"', "one-step checks need a known state format; functional has none"),
        ("rtol = 1e-6", "rtol = -1e-6", "field 'rtol': must be a number >= 0, got -1e-06"),
        ("rtol = 1e-6", "rtol = nan", "field 'rtol': must be a number >= 0, got nan"),
        ("rtol = 1e-6", "atol = inf", "field 'atol': must be a number >= 0, got inf"),
        ("lr = 0.05", "lr = -0.05", "field 'lr': must be a number >= 0"),
        ("lr = 0.05", "lr = nan", "field 'lr': must be a number >= 0"),
        ('forbidden = ["torch.optim"]', "time_limit = 0", "field 'time_limit': must be a positive number of seconds"),
        ('forbidden = ["torch.optim"]', "time_limit = -3", "field 'time_limit': must be a positive number"),
    ],
)
def test_bad_specs_name_the_file_question_and_field(tmp_path, old, new, message):
    assert old in GOOD
    path = write(tmp_path, GOOD.replace(old, new, 1))
    with pytest.raises(SpecError) as error:
        load_spec(path)
    assert str(path) in str(error.value) and message in str(error.value)


def test_a_zero_learning_rate_is_kept_not_read_as_the_default(tmp_path):
    spec = load_spec(write(tmp_path, GOOD.replace("lr = 0.05", "lr = 0")))
    probe = spec.question("adam").checks[0].probes[0]
    assert probe.lr == 0.0 and probe.lr is not None


def test_duplicate_question_ids_are_refused(tmp_path):
    text = GOOD + GOOD[GOOD.index("[[questions]]") :]
    with pytest.raises(SpecError, match="question id 'adam' is used twice"):
        load_spec(write(tmp_path, text))


@pytest.mark.parametrize("content, message", [("id = [", "not valid TOML"), (b"\xff\xfe\x00", "not valid TOML")])
def test_unreadable_specs(tmp_path, content, message):
    path = tmp_path / "broken.toml"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    with pytest.raises(SpecError, match=message):
        load_spec(path)


def test_missing_files_and_unknown_builtins(tmp_path):
    with pytest.raises(SpecError, match="cannot read the spec"):
        load_spec(tmp_path / "nope.toml")
    known = "built-in: 01-gradient-descent, .*, 06-pytorch, cs231n-optim, dlai-optimization"
    with pytest.raises(SpecError, match=known):
        builtin_spec("cs231n")


def test_spec_check_command_summarises_or_fails_in_one_line(tmp_path, capsys):
    from autograder.cli import main

    assert main(["spec", "check", "dlai-optimization"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("dlai-optimization: 3 questions, 11 points") and "2 probes (1 hidden)" in out
    bad = write(tmp_path, GOOD.replace("steps = 12", "steps = -3"))
    assert main(["spec", "check", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("gdgrade: error: ") and "field 'steps': must be >= 1" in err and err.count("\n") == 1


def test_kernels_preload_numpy_and_torch_only_for_torch_questions(tmp_path):
    assert preload_for(load_spec(write(tmp_path, GOOD))) == ("numpy",)
    assert "torch" in preload_for(builtin_spec("06-pytorch"))
    assert preload_for(builtin_spec("01-gradient-descent")) == ("numpy", "matplotlib.pyplot")
    listed = GOOD.replace('language = "ko"', 'language = "ko"\npreload = ["numpy", "scipy.optimize"]')
    assert preload_for(load_spec(write(tmp_path, listed))) == ("numpy", "scipy.optimize")


def test_a_bad_preload_list_is_refused(tmp_path):
    listed = GOOD.replace('language = "ko"', 'language = "ko"\npreload = ["numpy", "import os"]')
    with pytest.raises(SpecError, match="field 'preload': must list module names"):
        load_spec(write(tmp_path, listed))


def test_the_fingerprint_follows_the_content_not_the_file(tmp_path):
    one = load_spec(write(tmp_path, GOOD, "one.toml"))
    two = load_spec(write(tmp_path, GOOD, "two.toml"))
    other = load_spec(write(tmp_path, GOOD.replace("points = 4", "points = 5"), "three.toml"))
    assert one.fingerprint() == two.fingerprint() != other.fingerprint()


@pytest.mark.parametrize("assignment", ["01-gradient-descent", "04-adaptive", "06-pytorch"])
def test_spec_check_finds_every_symbol_in_the_assignment_s_notebook(capsys, assignment):
    from autograder.cli import main

    assert main(["spec", "check", assignment]) == 0
    assert "every symbol is defined in" in capsys.readouterr().out


def test_spec_check_refuses_a_symbol_the_notebook_never_defines(tmp_path, capsys):
    import shutil

    from assignments import source_notebook, spec_path
    from autograder.cli import main

    text = spec_path("04-adaptive").read_text(encoding="utf-8").replace('step = "adam_step"', 'step = "adam_stp"')
    (tmp_path / "spec.toml").write_text(text, encoding="utf-8")
    shutil.copy(source_notebook("04-adaptive"), tmp_path / "04-adaptive.ipynb")
    assert main(["spec", "check", str(tmp_path / "spec.toml")]) == 2
    assert "question adam: 'adam_stp' is not defined in 04-adaptive.ipynb; did you mean adam_step?" in (
        capsys.readouterr().err
    )
