"""The mistakes catalog: complete, bilingual, runnable, and each entry tells itself apart."""

import re

import numpy as np
import pytest

from reference import optimizers as opt
from reference.mistakes import KINDS, MISTAKES, get_mistake, mistakes_for, probe_outputs

HANGUL = re.compile("[\uac00-\ud7a3]")

# The mistakes table of the optimizer-semantics notes, the lesson 001 variants and the
# formula slips printed in lesson 002: each must have an entry.
REQUIRED = [
    "sgd-wrong-sign",
    "sgd-sum-not-mean",
    "gd-dropped-two-over-n",
    "gd-sequential-update",
    "gd-lesson001-loop",
    "sgd-no-zero-grad",
    "adam-no-zero-grad",
    "sgd-lesson-momentum-form",
    "sgd-ema-momentum",
    "nesterov-no-look-ahead",
    "momentum-lr-twice",
    "adam-no-bias-correction",
    "adam-bias-correction-m-only",
    "adam-t-zero",
    "adam-t-off-by-one",
    "adam-eps-inside-sqrt",
    "adam-moments-aliased",
    "adamw-as-l2",
    "adam-m-uses-beta2",
    "adam-v-uses-beta1",
    "rmsprop-missing-one-minus-alpha",
    "rmsprop-alpha-0.9",
    "adagrad-initial-accumulator",
    "radam-adaptive-too-early",
    "nadam-as-adam-nesterov",
    "scheduler-step-before-optimizer",
    "schedule-stepped-per-batch",
    "schedule-one-step-late",
    "cosine-clamped-past-t-max",
    "minibatch-same-order-every-epoch",
    "minibatch-with-replacement",
    "gd-aliased-trajectory",
]


def test_catalog_is_large_unique_and_covers_the_known_mistakes():
    ids = [m.id for m in MISTAKES]
    assert len(ids) >= 25 and len(set(ids)) == len(ids)
    assert not set(REQUIRED) - set(ids)


@pytest.mark.parametrize("mistake", MISTAKES, ids=lambda m: m.id)
def test_entry_is_explained_in_english_and_korean(mistake):
    assert mistake.kind in KINDS
    assert len(mistake.en) > 20 and not HANGUL.search(mistake.en)
    assert HANGUL.search(mistake.ko) and mistake.explanation("ko") == mistake.ko
    if mistake.kind == "optimizer":
        assert mistake.target in opt.OPTIMIZERS


@pytest.mark.parametrize("mistake", MISTAKES, ids=lambda m: m.id)
def test_probe_tells_the_mistake_from_the_reference(mistake):
    with np.errstate(all="ignore"):
        reference, wrong = probe_outputs(mistake)
    assert np.all(np.isfinite(reference))
    if reference.shape == wrong.shape:
        finite = np.isfinite(wrong)
        gap = np.max(np.abs(np.where(finite, wrong - reference, np.inf)) / (np.abs(reference) + 1e-12))
        assert gap > 1e-4, f"{mistake.id} is indistinguishable on its probe (gap {gap:.1e})"


def _first_step(optimizer, grad=(3.0, -0.2, 0.05), lr=0.01):
    theta = np.zeros(len(grad))
    with np.errstate(all="ignore"):
        new, _ = optimizer.update(theta, np.array(grad), optimizer.init(theta), lr)
    return np.abs(new) / lr


@pytest.mark.parametrize(
    "mistake_id, ratio",
    [
        ("adam-no-bias-correction", 1 / np.sqrt(0.001) * 0.1),  # 3.16
        ("adam-bias-correction-m-only", 1 / np.sqrt(0.001)),  # 31.6
        ("adam-bias-correction-v-only", 0.1),
        ("adam-t-off-by-one", np.sqrt(1 + 0.999) / (1 + 0.9)),  # 0.744
        ("adam-m-uses-beta2", 0.01),
    ],
)
def test_adam_slips_leave_their_first_step_signature(mistake_id, ratio):
    reference = _first_step(opt.adam())
    np.testing.assert_allclose(reference, 1.0, rtol=1e-5)  # Adam's first step is lr * sign(g)
    np.testing.assert_allclose(_first_step(get_mistake(mistake_id).build()), ratio, rtol=2e-3)


def test_adam_with_t_zero_breaks_at_the_first_step():
    assert not np.all(np.isfinite(_first_step(get_mistake("adam-t-zero").build())))


def test_rmsprop_first_steps_are_10_3_16_and_1_lr():
    assert _first_step(opt.rmsprop()) == pytest.approx(10.0, rel=1e-5)
    assert _first_step(get_mistake("rmsprop-alpha-0.9").build()) == pytest.approx(np.sqrt(10), rel=1e-5)
    assert _first_step(get_mistake("rmsprop-missing-one-minus-alpha").build()) == pytest.approx(1.0, rel=1e-5)
    assert _first_step(get_mistake("rmsprop-bias-corrected").build()) == pytest.approx(1.0, rel=1e-5)


def test_nadam_first_steps_torch_1_056_and_adam_nesterov_1_47():
    assert _first_step(opt.nadam()) == pytest.approx(1.056, rel=2e-3)
    assert _first_step(get_mistake("nadam-as-adam-nesterov").build()) == pytest.approx(1.47, rel=5e-3)


def test_momentum_slips_scale_the_first_step():
    g = (3.0, -0.2, 0.05)
    assert _first_step(get_mistake("sgd-ema-momentum").build(momentum=0.9), g) == pytest.approx(0.1 * np.abs(g))
    assert _first_step(get_mistake("momentum-lr-twice").build(), g) == pytest.approx(0.01 * np.abs(g))


def test_lesson001_loop_is_the_lessons_numbers():
    trajectory = get_mistake("gd-lesson001-loop").build(*_tiny_probe())
    assert f"{trajectory.losses[1]:.5f}" == "0.35560"


def _tiny_probe():
    from reference.problems import get_problem

    return get_problem("tiny-regression"), 0.1, 3


def test_lookups():
    assert get_mistake("adamw-as-l2").target == "adamw"
    assert {m.id for m in mistakes_for("adamw")} == {"adamw-as-l2", "adamw-decay-without-lr", "adamw-decay-after-step"}
    cosine_ids = {m.id for m in mistakes_for("cosine")}
    assert "cosine-clamped-past-t-max" in cosine_ids and "scheduler-step-before-optimizer" in cosine_ids
    with pytest.raises(ValueError, match="unknown mistake"):
        get_mistake("adam-forgot-everything")
