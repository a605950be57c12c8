"""A correct deeplearning.ai optimization-methods notebook, in its dict convention (for tests)."""

import numpy as np


def _layers(parameters):
    return range(1, len(parameters) // 2 + 1)


def update_parameters_with_gd(parameters, grads, learning_rate):
    parameters = dict(parameters)
    for layer in _layers(parameters):
        for name in ("W", "b"):
            parameters[f"{name}{layer}"] = parameters[f"{name}{layer}"] - learning_rate * grads[f"d{name}{layer}"]
    return parameters


def initialize_velocity(parameters):
    return {
        f"d{name}{layer}": np.zeros_like(parameters[f"{name}{layer}"]) for layer in _layers(parameters) for name in "Wb"
    }


def update_parameters_with_momentum(parameters, grads, v, beta, learning_rate):
    parameters, v = dict(parameters), dict(v)
    for layer in _layers(parameters):
        for name in ("W", "b"):
            key = f"d{name}{layer}"
            v[key] = beta * v[key] + (1 - beta) * grads[key]
            parameters[f"{name}{layer}"] = parameters[f"{name}{layer}"] - learning_rate * v[key]
    return parameters, v


def initialize_adam(parameters):
    return initialize_velocity(parameters), initialize_velocity(parameters)


def update_parameters_with_adam(parameters, grads, v, s, t, learning_rate=0.01, beta1=0.9, beta2=0.999, epsilon=1e-8):
    parameters, v, s = dict(parameters), dict(v), dict(s)
    v_corrected, s_corrected = {}, {}
    for layer in _layers(parameters):
        for name in ("W", "b"):
            key = f"d{name}{layer}"
            v[key] = beta1 * v[key] + (1 - beta1) * grads[key]
            s[key] = beta2 * s[key] + (1 - beta2) * grads[key] ** 2
            v_corrected[key] = v[key] / (1 - beta1**t)
            s_corrected[key] = s[key] / (1 - beta2**t)
            step = v_corrected[key] / (np.sqrt(s_corrected[key]) + epsilon)
            parameters[f"{name}{layer}"] = parameters[f"{name}{layer}"] - learning_rate * step
    return parameters, v, s, v_corrected, s_corrected
