"""The catalog entries: what went wrong, in English and Korean, and how to reveal it."""

from __future__ import annotations

from functools import partial

import numpy as np

from reference import functions as fn
from reference.mistakes import Mistake, Probe
from reference.mistakes import adam_slips as adam
from reference.mistakes import optimizer_slips as slips
from reference.mistakes import run_slips as runs

_STEP_DROP = ("multistep", {"lr": 0.01, "milestones": [5], "gamma": 0.1})
_TINY = 1e-6  # gradient scale at which eps placement shows
_MOMENTUM = {"momentum": 0.9}
_DECAY = {"weight_decay": 0.1}
_BATCHES = {"n": 10, "batch_size": 3, "n_epochs": 2, "seed": 0}
_RANGE = {"lr_min": 1e-4, "lr_max": 1.2, "n_steps": 60}


def _function(mistake_id, target, en, ko, build, problem="tiny-regression", params=None) -> Mistake:
    return Mistake(
        mistake_id, "function", target, en, ko, build, Probe(problem=problem, n_steps=3, hparams=params or {})
    )


def _mse_of(errors):
    return lambda args, problem, params: errors(fn.linear_predict(args[0], args[1]) - args[2])


def _optimizer(mistake_id, target, en, ko, build, **probe) -> Mistake:
    return Mistake(mistake_id, "optimizer", target, en, ko, build, Probe(**probe))


def _adam(mistake_id, en, ko, **slip) -> Mistake:
    return _optimizer(mistake_id, "adam", en, ko, partial(adam.slipped_adam, **slip))


MISTAKES: tuple[Mistake, ...] = (
    # --- gradient descent and SGD -----------------------------------------------------------
    _optimizer(
        "sgd-wrong-sign",
        "sgd",
        "The update adds the gradient (w += lr*g): it climbs the loss instead of descending.",
        "기울기를 빼지 않고 더했습니다(w += lr*g). 손실이 줄지 않고 오히려 커집니다.",
        slips.sgd_wrong_sign,
    ),
    _optimizer(
        "sgd-sum-not-mean",
        "sgd",
        "The gradient is summed over the batch, not averaged: each step is batch-size times too large.",
        "배치의 기울기를 평균하지 않고 합했습니다. 스텝이 배치 크기 배만큼 커집니다.",
        partial(slips.scaled_gradient, "sgd"),
        problem="tiny-regression",
        knobs={"factor": 3.0},
    ),
    _optimizer(
        "gd-dropped-two-over-n",
        "sgd",
        "The MSE gradient lost its 2/N factor: each step is N/2 times the reference's.",
        "MSE 기울기에서 2/N을 빠뜨렸습니다. 스텝이 기준의 N/2배가 됩니다.",
        partial(slips.scaled_gradient, "sgd"),
        problem="tiny-regression",
        knobs={"factor": 1.5},
    ),
    _optimizer(
        "sgd-no-zero-grad",
        "sgd",
        "Gradients are never reset (no zero_grad): each step uses the sum of all gradients so far.",
        "zero_grad()를 하지 않아 기울기가 쌓입니다. 매 스텝이 지금까지 기울기의 합을 사용합니다.",
        partial(slips.without_zero_grad, "sgd"),
    ),
    _optimizer(
        "sgd-dampened-first-step",
        "sgd",
        "The momentum buffer starts at zero, so dampening shrinks the first step; torch starts it at g.",
        "모멘텀 버퍼를 0에서 시작해 첫 스텝에도 dampening이 걸렸습니다. torch는 첫 기울기로 시작합니다.",
        slips.sgd_dampened_first_step,
        hparams={"momentum": 0.9, "dampening": 0.5},
    ),
    _optimizer(
        "sgd-nesterov-ignored",
        "sgd",
        "nesterov=True had no effect: the step is the buffer b, not g + momentum*b.",
        "nesterov=True가 반영되지 않았습니다. 스텝이 g + momentum*b가 아니라 b입니다.",
        slips.sgd_nesterov_ignored,
        hparams={"momentum": 0.9, "nesterov": True},
    ),
    _optimizer(
        "sgd-lesson-momentum-form",
        "sgd",
        "Momentum as v = rho*v - lr*g; w += v: equal to torch only while lr is constant.",
        "모멘텀을 v = rho*v - lr*g; w += v로 구현했습니다. 학습률이 일정할 때만 torch와 같습니다.",
        slips.sgd_as_lesson_momentum,
        hparams=_MOMENTUM,
        schedule=_STEP_DROP,
    ),
    _optimizer(
        "sgd-ema-momentum",
        "sgd",
        "Momentum as an average v = beta*v + (1-beta)*g: the first step is (1-beta) times torch's.",
        "모멘텀을 지수이동평균 v = beta*v + (1-beta)*g로 구했습니다. 첫 스텝이 torch의 (1-beta)배입니다.",
        slips.sgd_as_ema_momentum,
        hparams=_MOMENTUM,
    ),
    _optimizer(
        "sgd-lr-read-once",
        "sgd",
        "The lr is read once (self.lr) and the scheduler's changes to param_groups are ignored.",
        "lr을 한 번만 읽어(self.lr) 스케줄러가 param_groups에서 바꾼 값을 무시했습니다.",
        partial(slips.first_lr_forever, "sgd"),
        hparams=_MOMENTUM,
        schedule=_STEP_DROP,
    ),
    # --- the lessons' momentum and look-ahead Nesterov --------------------------------------
    _optimizer(
        "momentum-ema-form",
        "momentum",
        "Dampened (EMA) momentum v = beta*v + (1-beta)*g where the lessons' v = rho*v - lr*g is asked.",
        "수업의 v = rho*v - lr*g 대신 감쇠된(EMA) 모멘텀 v = beta*v + (1-beta)*g를 썼습니다.",
        slips.momentum_as_ema,
    ),
    _optimizer(
        "nesterov-torch-form",
        "nesterov",
        "torch's (Sutskever's reformulated) Nesterov, w -= lr*(g + mu*b): it tracks w + mu*v, not the "
        "look-ahead form asked for.",
        "torch의 (Sutskever 변형) 네스테로프 w -= lr*(g + mu*b)를 썼습니다. 요청한 앞보기 형태가 아니라 "
        "w + mu*v를 따라갑니다.",
        slips.nesterov_torch_form,
        closed_loop=True,
        lr=0.02,
    ),
    _optimizer(
        "momentum-lr-twice",
        "momentum",
        "The learning rate is applied twice (v = rho*v + lr*g; w -= lr*v): steps shrink by a factor lr.",
        "학습률을 두 번 곱했습니다(v = rho*v + lr*g; w -= lr*v). 스텝이 lr배로 작아집니다.",
        slips.momentum_lr_twice,
    ),
    _optimizer(
        "momentum-buffer-form",
        "momentum",
        "torch's buffer form (b = rho*b + g; w -= lr*b) instead of the velocity form: differs after an lr change.",
        "속도 형태 대신 torch의 버퍼 형태를 썼습니다. 학습률이 바뀐 뒤부터 결과가 달라집니다.",
        slips.momentum_as_torch_buffer,
        schedule=_STEP_DROP,
    ),
    _optimizer(
        "momentum-velocity-not-kept",
        "momentum",
        "The new velocity is not kept in the state: every step restarts from zero velocity (plain GD).",
        "새 속도를 상태에 저장하지 않아 매 스텝이 속도 0에서 다시 시작합니다(일반 경사하강법).",
        slips.momentum_state_not_carried,
    ),
    _optimizer(
        "nesterov-no-look-ahead",
        "nesterov",
        "The gradient is taken at w, not at the look-ahead point w + momentum*v: plain momentum.",
        "기울기를 앞을 내다본 지점 w + momentum*v가 아니라 현재 w에서 계산했습니다(일반 모멘텀).",
        slips.nesterov_without_look_ahead,
        closed_loop=True,
        lr=0.02,
    ),
    # --- Adagrad and RMSprop -------------------------------------------------------------------
    _optimizer(
        "adagrad-initial-accumulator",
        "adagrad",
        "The squared-gradient sum starts at 0.1 (optax/Keras) instead of torch's 0.",
        "기울기 제곱 합을 torch의 0이 아니라 0.1(optax/Keras 기본값)에서 시작했습니다.",
        slips.adagrad_with_accumulator,
        grad_scale=0.01,
    ),
    _optimizer(
        "adagrad-eps-inside-sqrt",
        "adagrad",
        "eps is inside the square root, g/sqrt(s + eps); torch adds it outside. Shows with tiny gradients.",
        "eps를 제곱근 안에 넣었습니다(g/sqrt(s + eps)). torch는 밖에 더합니다. 아주 작은 기울기에서 드러납니다.",
        slips.adagrad_eps_inside,
        grad_scale=1e-7,
    ),
    _optimizer(
        "adagrad-not-accumulated",
        "adagrad",
        "Squared gradients are not accumulated (s = g^2): every step is lr*sign(g).",
        "기울기 제곱을 누적하지 않았습니다(s = g^2). 매 스텝이 lr*sign(g)가 됩니다.",
        slips.adagrad_not_accumulated,
    ),
    _optimizer(
        "rmsprop-missing-one-minus-alpha",
        "rmsprop",
        "The square average lacks the (1 - alpha) factor: the first step is lr instead of about 10*lr.",
        "제곱 평균에 (1 - alpha)를 곱하지 않았습니다. 첫 스텝이 약 10*lr이 아니라 lr입니다.",
        partial(slips.rmsprop_variant, decay_new=1.0),
    ),
    _optimizer(
        "rmsprop-alpha-0.9",
        "rmsprop",
        "alpha = 0.9 (Keras/optax) instead of torch's 0.99: the first step is 3.16*lr, not 10*lr.",
        "alpha를 torch의 0.99가 아니라 0.9(Keras/optax)로 썼습니다. 첫 스텝이 10*lr이 아니라 3.16*lr입니다.",
        slips.rmsprop_keras_alpha,
    ),
    _optimizer(
        "rmsprop-eps-inside-sqrt",
        "rmsprop",
        "eps is inside the square root, g/sqrt(v + eps); torch adds it outside. Shows with tiny gradients.",
        "eps를 제곱근 안에 넣었습니다(g/sqrt(v + eps)). torch는 밖에 더합니다. 아주 작은 기울기에서 드러납니다.",
        partial(slips.rmsprop_variant, eps_inside=True),
        grad_scale=_TINY,
    ),
    _optimizer(
        "rmsprop-bias-corrected",
        "rmsprop",
        "RMSprop was given Adam's bias correction: the first step is lr instead of about 10*lr.",
        "RMSprop에 Adam의 편향 보정을 넣었습니다. 첫 스텝이 약 10*lr이 아니라 lr입니다.",
        partial(slips.rmsprop_variant, bias_correct=True),
    ),
    _optimizer(
        "rmsprop-lr-for-one-minus-alpha",
        "rmsprop",
        "The square average adds lr*g^2 where (1 - alpha)*g^2 belongs (hidden whenever lr = 1 - alpha).",
        "제곱 평균에 (1 - alpha)*g^2 대신 lr*g^2를 더했습니다(lr = 1 - alpha일 때는 드러나지 않습니다).",
        partial(slips.rmsprop_variant, lr_for_one_minus_alpha=True),
        lr=0.05,
    ),
    # --- Adam ---------------------------------------------------------------------------------
    _adam(
        "adam-no-bias-correction",
        "Bias correction is missing: the first step is about 3.16x the reference's.",
        "편향 보정이 빠졌습니다. 첫 스텝이 기준의 약 3.16배입니다.",
        correct_m=False,
        correct_v=False,
    ),
    _adam(
        "adam-bias-correction-m-only",
        "Only m is bias-corrected: the first step is about 31.6x the reference's.",
        "m만 편향 보정했습니다. 첫 스텝이 기준의 약 31.6배입니다.",
        correct_v=False,
    ),
    _adam(
        "adam-bias-correction-v-only",
        "Only v is bias-corrected: the first step is about 0.1x the reference's.",
        "v만 편향 보정했습니다. 첫 스텝이 기준의 약 0.1배입니다.",
        correct_m=False,
    ),
    _adam(
        "adam-t-off-by-one",
        "The step counter is one ahead (t = 2 at the first update): the first step is 0.744x.",
        "스텝 카운터가 하나 앞서 있습니다(첫 업데이트에서 t = 2). 첫 스텝이 0.744배입니다.",
        t_offset=1,
    ),
    _adam(
        "adam-t-zero",
        "Bias correction uses t = 0 at the first update: 1 - beta^0 = 0 gives inf or NaN.",
        "첫 업데이트의 편향 보정에 t = 0을 썼습니다. 1 - beta^0 = 0이라 inf나 NaN이 나옵니다.",
        t_offset=-1,
    ),
    _optimizer(
        "adam-eps-inside-sqrt",
        "adam",
        "eps is inside the square root, sqrt(v_hat + eps); torch adds it outside. Shows with tiny gradients.",
        "eps를 제곱근 안에 넣었습니다(sqrt(v_hat + eps)). torch는 밖에 더합니다. 아주 작은 기울기에서 드러납니다.",
        partial(adam.slipped_adam, eps_inside=True),
        grad_scale=_TINY,
    ),
    _adam(
        "adam-m-uses-beta2",
        "The first moment is weighted by (1 - beta2) instead of (1 - beta1): early steps are ~100x too small.",
        "1차 모멘트에 (1 - beta1) 대신 (1 - beta2)를 곱했습니다. 초반 스텝이 약 100배 작습니다.",
        m_uses_beta2=True,
    ),
    _adam(
        "adam-v-uses-beta1",
        "The second moment decays with beta1 instead of beta2.",
        "2차 모멘트를 beta2가 아니라 beta1로 감쇠했습니다.",
        v_uses_beta1=True,
    ),
    _adam(
        "adam-moments-aliased",
        "m and v are one array (m = v = zeros, then updated in place): both moments are mixed.",
        "m과 v가 같은 배열입니다(m = v = zeros 후 제자리 갱신). 두 모멘트가 섞였습니다.",
        aliased=True,
    ),
    _adam(
        "adam-missing-sqrt",
        "The step divides by v_hat instead of sqrt(v_hat).",
        "sqrt(v_hat)가 아니라 v_hat으로 나눴습니다.",
        no_sqrt=True,
    ),
    _optimizer(
        "adam-no-zero-grad",
        "adam",
        "Gradients are never reset (no zero_grad): Adam is fed the running sum of all gradients.",
        "zero_grad()를 하지 않아 Adam이 지금까지 기울기의 합을 받습니다.",
        partial(slips.without_zero_grad, "adam"),
    ),
    _optimizer(
        "adam-decoupled-for-l2",
        "adam",
        "Adam's weight_decay was applied decoupled (AdamW) instead of added to the gradient (L2).",
        "Adam의 weight_decay를 기울기에 더하지(L2) 않고 AdamW처럼 분리해서 적용했습니다.",
        adam.adam_decoupled_for_l2,
        hparams=_DECAY,
    ),
    _optimizer(
        "adamw-as-l2",
        "adamw",
        "AdamW's decay was added to the gradient (L2), so it passes through the moments.",
        "AdamW의 감쇠를 기울기에 더했습니다(L2). 그래서 감쇠가 모멘트를 거칩니다.",
        adam.adamw_as_l2,
        hparams=_DECAY,
    ),
    _optimizer(
        "adamw-decay-without-lr",
        "adamw",
        "The decoupled decay is w *= (1 - weight_decay), missing the factor lr.",
        "분리된 감쇠를 w *= (1 - weight_decay)로 적용해 lr을 곱하지 않았습니다.",
        adam.adamw_decay_without_lr,
        hparams=_DECAY,
    ),
    _adam(
        "adam-step-per-tensor",
        "One step counter for all parameter tensors, advanced once per tensor: t runs ahead (2k-1, 2k at step k).",
        "모든 파라미터 텐서가 한 스텝 카운터를 공유하고 텐서마다 올렸습니다. t가 앞서 갑니다(스텝 k에서 2k-1, 2k).",
        t_per_tensor=True,
    ),
    _optimizer(
        "adam-efficient-form",
        "adam",
        "eps is added to sqrt(v) before the bias correction (the paper's 'efficient' form, lr*sqrt(1-b2^t)/(1-b1^t)"
        " with eps-hat); torch adds eps to sqrt(v_hat) after it. The two differ when gradients are small.",
        "eps를 편향 보정 전에 sqrt(v)에 더했습니다(논문의 '효율적' 형태, lr*sqrt(1-b2^t)/(1-b1^t)와 eps-hat). torch는 "
        "보정한 sqrt(v_hat)에 더합니다. 기울기가 작을 때 두 형태가 달라집니다.",
        partial(adam.slipped_adam, eps_before_correction=True),
        grad_scale=_TINY,
    ),
    _optimizer(
        "adam-float32-moments",
        "adam",
        "The moment buffers are float32 while the parameters are float64: v overflows or loses precision.",
        "파라미터는 float64인데 모멘트 버퍼를 float32로 만들었습니다. v가 넘치거나 정밀도를 잃습니다.",
        partial(adam.slipped_adam, float32_moments=True),
        grad_scale=1e-22,  # g^2 is a float32 subnormal: v keeps one or two digits
        hparams={"eps": 1e-30},
    ),
    _adam(
        "adam-lr-for-one-minus-beta1",
        "The first moment adds lr*g where (1 - beta1)*g belongs (hidden whenever lr = 1 - beta1).",
        "1차 모멘트에 (1 - beta1)*g 대신 lr*g를 더했습니다(lr = 1 - beta1일 때는 드러나지 않습니다).",
        lr_for_one_minus_beta1=True,
    ),
    _optimizer(
        "adam-l2-decay-after-update",
        "adam",
        "Adam's L2 decay is applied after the update (w *= 1 - lr*wd) instead of added to the gradient first.",
        "Adam의 L2 감쇠를 기울기에 먼저 더하지 않고 업데이트 뒤에 적용했습니다(w *= 1 - lr*wd).",
        partial(adam.decay_after_step, "adam"),
        lr=0.1,
        hparams={"weight_decay": 0.5},
    ),
    _optimizer(
        "adamw-decay-after-step",
        "adamw",
        "AdamW's decay is applied after the Adam step, to the updated parameter; torch decays w first.",
        "AdamW의 감쇠를 Adam 스텝 뒤에 업데이트된 파라미터에 적용했습니다. torch는 w를 먼저 감쇠합니다.",
        partial(adam.decay_after_step, "adamw"),
        lr=0.1,
        hparams={"weight_decay": 0.5},  # the gap is lr^2 * wd per step: second order
    ),
    _optimizer(
        "adam-lr-read-once",
        "adam",
        "The lr is read once (self.lr) and the scheduler's changes to param_groups are ignored.",
        "lr을 한 번만 읽어(self.lr) 스케줄러가 param_groups에서 바꾼 값을 무시했습니다.",
        partial(slips.first_lr_forever, "adam"),
        schedule=_STEP_DROP,
    ),
    # --- NAdam, RAdam, AdaBelief -----------------------------------------------------------
    _optimizer(
        "nadam-as-adam-nesterov",
        "nadam",
        "NAdam as Adam with a Nesterov m_hat (optax/Keras) without torch's mu_t schedule: first step 1.47x.",
        "NAdam을 torch의 mu_t 스케줄 없이 Adam + 네스테로프로 구현했습니다(optax/Keras). 첫 스텝이 1.47배입니다.",
        adam.nadam_as_adam_nesterov,
    ),
    _optimizer(
        "radam-threshold-4",
        "radam",
        "RAdam rectifies when rho_t > 4 (the paper's text) instead of torch's rho_t > 5: step 5 differs.",
        "RAdam의 보정 조건을 torch의 rho_t > 5가 아니라 rho_t > 4로 썼습니다. 5번째 스텝이 달라집니다.",
        partial(adam.radam_slipped, threshold=4.0),
    ),
    _optimizer(
        "radam-adaptive-too-early",
        "radam",
        "RAdam normalises its first steps like Adam; torch takes plain m_hat steps until rho_t > 5.",
        "RAdam의 처음 스텝을 Adam처럼 정규화했습니다. torch는 rho_t > 5 전까지 m_hat 그대로 움직입니다.",
        partial(adam.radam_slipped, unrectified="adam"),
    ),
    _optimizer(
        "adabelief-stale-mean",
        "adabelief",
        "AdaBelief's belief uses the previous mean, (g - m_{t-1})^2, instead of (g - m_t)^2.",
        "AdaBelief의 belief 항에 현재 평균이 아니라 이전 평균을 썼습니다((g - m_{t-1})^2).",
        adam.adabelief_stale_mean,
    ),
    # --- schedules --------------------------------------------------------------------------------
    Mistake(
        "scheduler-step-before-optimizer",
        "schedule",
        "*",
        "scheduler.step() runs before optimizer.step(): every lr is one step early and f(0) is never used.",
        "scheduler.step()을 optimizer.step()보다 먼저 불렀습니다. 학습률이 한 스텝씩 앞당겨지고 f(0)은 쓰이지 않습니다.",
        runs.scheduler_stepped_first,
        Probe(n_steps=10, schedule=("step", {"lr": 0.1, "step_size": 3, "gamma": 0.5})),
    ),
    Mistake(
        "schedule-one-step-late",
        "schedule",
        "*",
        "The lr is set after each step (update k uses f(k-1)): the schedule runs one step late.",
        "학습률을 스텝이 끝난 뒤에 바꿨습니다(업데이트 k가 f(k-1) 사용). 스케줄이 한 스텝 늦습니다.",
        runs.schedule_one_step_late,
        Probe(n_steps=10, schedule=("step", {"lr": 0.1, "step_size": 3, "gamma": 0.5})),
    ),
    Mistake(
        "schedule-stepped-per-batch",
        "schedule",
        "*",
        "A per-epoch schedule is stepped every batch, so it runs steps-per-epoch times too fast.",
        "에폭 단위 스케줄을 배치마다 진행해 스케줄이 에폭당 스텝 수만큼 빨라졌습니다.",
        runs.schedule_stepped_per_batch,
        Probe(n_steps=10, schedule=("exponential", {"lr": 0.1, "gamma": 0.9}), knobs={"steps_per_epoch": 10}),
    ),
    Mistake(
        "cosine-clamped-past-t-max",
        "schedule",
        "cosine",
        "After T_max the lr stays at eta_min; torch's CosineAnnealingLR rises again.",
        "T_max 이후 학습률을 eta_min에 고정했습니다. torch의 CosineAnnealingLR은 다시 올라갑니다.",
        runs.cosine_clamped_instead,
        Probe(n_steps=20, schedule=("cosine", {"lr": 0.1, "T_max": 10})),
    ),
    Mistake(
        "warmup-from-zero",
        "schedule",
        "warmup-cosine",
        "Warm-up starts at lr 0 (lr*k/W), so the first update does not move; LinearLR starts at start_factor*lr.",
        "워밍업이 학습률 0(lr*k/W)에서 시작해 첫 업데이트가 움직이지 않습니다. LinearLR은 start_factor*lr에서 시작합니다.",
        runs.warmup_from_zero,
        Probe(n_steps=20, schedule=("warmup-cosine", {"lr": 0.1, "warmup_steps": 5, "total_steps": 20})),
    ),
    Mistake(
        "linear-warmup-from-zero",
        "schedule",
        "linear-warmup-cosine",
        "Warm-up starts at lr 0 (lr*k/W), so the first update does not move; use lr*(k+1)/W.",
        "워밍업이 학습률 0(lr*k/W)에서 시작해 첫 업데이트가 움직이지 않습니다. lr*(k+1)/W를 쓰세요.",
        runs.warmup_from_zero,
        Probe(n_steps=20, schedule=("linear-warmup-cosine", {"lr": 0.1, "warmup_steps": 5, "total_steps": 20})),
    ),
    # --- gradient-descent loops -----------------------------------------------------------------
    Mistake(
        "gd-sequential-update",
        "loop",
        "gd",
        "w1 is updated first and w0 then uses the new w1: the update must be simultaneous.",
        "w1을 먼저 바꾸고 w0 계산에 새 w1을 썼습니다. 모든 가중치는 동시에 업데이트해야 합니다.",
        runs.sequential_update,
        Probe(problem="tiny-regression", lr=0.1, n_steps=5),
    ),
    Mistake(
        "gd-lesson001-loop",
        "loop",
        "gd",
        "Sequential update and no 2/N in the gradient: lesson 001's own loop, not the textbook update.",
        "순차 업데이트에 기울기의 2/N까지 빠졌습니다. 교과서식 업데이트가 아닌 레슨 001 코드 그대로입니다.",
        runs.lesson001_loop,
        Probe(problem="tiny-regression", lr=0.1, n_steps=5),
    ),
    Mistake(
        "gd-aliased-trajectory",
        "loop",
        "gd",
        "The same array was appended every step and then changed in place: all rows equal the final w.",
        "같은 배열을 매번 append한 뒤 제자리에서 바꿨습니다. 모든 행이 마지막 w와 같습니다.",
        runs.aliased_trajectory,
        Probe(problem="tiny-regression", lr=0.1, n_steps=5),
    ),
    # --- batching -------------------------------------------------------------------------------
    Mistake(
        "minibatch-same-order-every-epoch",
        "batching",
        "minibatch",
        "One permutation is reused by every epoch: the batches never change between epochs.",
        "한 번 섞은 순서를 모든 에폭에 다시 썼습니다. 에폭마다 배치가 똑같습니다.",
        runs.same_order_every_epoch,
        Probe(hparams=_BATCHES),
    ),
    Mistake(
        "minibatch-with-replacement",
        "batching",
        "minibatch",
        "Batches are drawn with replacement: an epoch does not visit every example once.",
        "배치를 복원 추출했습니다. 한 에폭이 모든 예제를 한 번씩 보지 않습니다.",
        runs.with_replacement,
        Probe(hparams=_BATCHES),
    ),
    Mistake(
        "minibatch-drops-last",
        "batching",
        "minibatch",
        "The last, smaller batch is dropped: n % batch_size examples are skipped each epoch.",
        "마지막 작은 배치를 버렸습니다. 에폭마다 n % batch_size개의 예제가 빠집니다.",
        runs.drops_last_partial,
        Probe(hparams=_BATCHES),
    ),
    Mistake(
        "minibatch-unequal-sizes",
        "batching",
        "minibatch",
        "The shuffled order is split into equal-size pieces (np.array_split): a partition, but the batches must be "
        "batch_size long with only the last one shorter.",
        "섞은 순서를 같은 크기로 나눴습니다(np.array_split). 분할은 맞지만 배치는 batch_size 길이여야 하고 마지막만 "
        "짧을 수 있습니다.",
        runs.equal_size_pieces,
        Probe(hparams=_BATCHES),
    ),
    Mistake(
        "minibatch-no-shuffle",
        "batching",
        "minibatch",
        "The data is never shuffled: batches are cut from 0, 1, ..., n-1 every epoch.",
        "데이터를 섞지 않았습니다. 매 에폭 0, 1, ..., n-1 순서로 배치를 자릅니다.",
        runs.no_shuffle,
        Probe(hparams=_BATCHES),
    ),
    # --- functions a check calls on its own inputs --------------------------------------------
    _function(
        "predict-swapped-parameters",
        "linear-predict",
        "w0 and w1 are swapped: w[0] is the intercept, w[1] the slope.",
        "w0과 w1이 바뀌었습니다: w[0]이 절편, w[1]이 기울기입니다.",
        lambda args, problem, params: fn.linear_predict(args[0][::-1], args[1]),
    ),
    _function(
        "mse-summed",
        "mse-loss",
        "The squared errors are summed, not averaged (divide by N).",
        "제곱 오차를 평균하지 않고 더했습니다(N으로 나누세요).",
        _mse_of(lambda errors: np.sum(errors**2)),
    ),
    _function(
        "mse-halved",
        "mse-loss",
        "This is half the MSE: the lesson's loss has no 1/2.",
        "MSE의 절반입니다: 이 수업의 손실에는 1/2이 없습니다.",
        _mse_of(lambda errors: 0.5 * np.mean(errors**2)),
    ),
    _function(
        "mse-not-squared",
        "mse-loss",
        "The errors are not squared (or the square root was taken).",
        "오차를 제곱하지 않았거나 제곱근을 취했습니다.",
        _mse_of(lambda errors: np.sqrt(np.mean(errors**2))),
    ),
    _function(
        "range-test-linear-spacing",
        "range-test",
        "The lrs are evenly spaced; the range test spaces them geometrically (exponentially).",
        "lr 간격이 균등합니다; 범위 테스트는 lr을 지수적으로(등비) 늘립니다.",
        lambda args, problem, params: fn.range_curve(problem, params, spacing="linear"),
        problem="quadratic",
        params=_RANGE,
    ),
    _function(
        "range-test-loss-after-update",
        "range-test",
        "Each loss is recorded after the update; record it before, at the parameters the lr is tried on.",
        "손실을 업데이트 후에 기록했습니다; 업데이트 전 손실을 기록하세요.",
        lambda args, problem, params: fn.range_curve(problem, params, after_update=True),
        problem="quadratic",
        params=_RANGE,
    ),
    _function(
        "suggest-lr-no-skip",
        "suggest-lr",
        "The first 10 and last 5 points must be skipped before looking for the steepest slope.",
        "가장 가파른 기울기를 찾기 전에 처음 10개와 마지막 5개 점을 건너뛰어야 합니다.",
        lambda args, problem, params: np.array(fn.steepest(args[0], args[1])),
        problem="quadratic",
        params={"lr_min": 0.05, "lr_max": 1.2, "n_steps": 30},  # the fastest fall is in the first points
    ),
    _function(
        "range-test-stops-early",
        "range-test",
        "The range test stops early (at a loss blow-up); run every planned step, the blow-up belongs to the curve.",
        "범위 테스트를 (손실이 폭증할 때) 일찍 멈췄습니다. 계획한 모든 스텝을 실행하세요. 폭증도 곡선의 일부입니다.",
        lambda args, problem, params: fn.range_curve(problem, params, stop_at=4.0),
        problem="quadratic",
        params={**_RANGE, "lr_max": 3.0},  # past lr 2 the quadratic blows up
    ),
    _function(
        "suggest-lr-np-diff",
        "suggest-lr",
        "The slope is np.diff(losses) (a forward difference, one point off); the reference takes np.gradient.",
        "기울기를 np.diff(losses)(전진 차분, 한 점 어긋남)로 구했습니다. 기준은 np.gradient를 씁니다.",
        lambda args, problem, params: np.array(fn.steepest(args[0], args[1], 10, 5, slope="diff")),
        problem="quadratic",
        params={"lr_min": 1e-3, "lr_max": 3.0, "n_steps": 40},
    ),
    _function(
        "suggest-lr-loss-ratio",
        "suggest-lr",
        "The slope is a ratio of losses (L[i+1]/L[i]); the reference takes the difference, np.gradient(losses).",
        "기울기를 손실의 비(L[i+1]/L[i])로 구했습니다. 기준은 차이 np.gradient(losses)를 씁니다.",
        lambda args, problem, params: np.array(fn.steepest(args[0], args[1], 10, 5, slope="ratio")),
        problem="quadratic",
        params={"lr_min": 0.05, "lr_max": 1.2, "n_steps": 30},
    ),
    _function(
        "suggest-lr-lowest-loss",
        "suggest-lr",
        "This is the lr of the lowest loss; the suggestion is where the loss falls fastest.",
        "손실이 가장 낮은 lr입니다; 제안값은 손실이 가장 빨리 떨어지는 지점입니다.",
        lambda args, problem, params: np.array(np.asarray(args[0])[np.argmin(args[1])]),
        problem="quadratic",
        params=_RANGE,
    ),
)
