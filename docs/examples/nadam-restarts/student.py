"""A student's answer to the nadam-restarts example assignment."""

import math

import numpy as np


class NAdam:
    def __init__(self, learning_rate=2e-3, betas=(0.9, 0.999), eps=1e-8, momentum_decay=4e-3):
        self.learning_rate, self.betas, self.eps, self.momentum_decay = learning_rate, betas, eps, momentum_decay
        self.t, self.mu_product, self.m, self.v = 0, 1.0, None, None

    def step(self, w, g):
        beta1, beta2 = self.betas
        if self.m is None:
            self.m, self.v = np.zeros_like(w), np.zeros_like(w)
        self.t += 1
        mu = beta1 * (1 - 0.5 * 0.96 ** (self.t * self.momentum_decay))
        mu_next = beta1 * (1 - 0.5 * 0.96 ** ((self.t + 1) * self.momentum_decay))
        self.mu_product *= mu
        self.m = beta1 * self.m + (1 - beta1) * g
        self.v = beta2 * self.v + (1 - beta2) * g * g
        denominator = np.sqrt(self.v / (1 - beta2**self.t)) + self.eps
        w = w - self.learning_rate * (1 - mu) / (1 - self.mu_product) * g / denominator
        return w - self.learning_rate * mu_next / (1 - self.mu_product * mu_next) * self.m / denominator


def warm_restarts(step, base_lr, T_0, T_mult=1, eta_min=0.0):
    if T_mult == 1:
        t_cur, t_i = step % T_0, T_0
    else:
        n = int(math.log(step / T_0 * (T_mult - 1) + 1, T_mult))
        t_cur, t_i = step - T_0 * (T_mult**n - 1) / (T_mult - 1), T_0 * T_mult**n
    return eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * t_cur / t_i)) / 2


def descend(grad_fn, w0, lr, n_steps):
    path = [np.array(w0, dtype=float)]
    for _ in range(n_steps):
        path.append(path[-1] - lr * grad_fn(path[-1]))
    return np.array(path)
