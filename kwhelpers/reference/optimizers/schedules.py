"""Float64 NumPy mirrors of the built-in ``keras.optimizers.schedules``.

Source mirrored: ``keras/src/optimizers/schedules/learning_rate_schedule.py``.
A schedule is evaluated at the optimizer's *real* step counter
``optimizer._iterations`` (0 for the first update), also when gradient
accumulation is on (``base_optimizer.py``, ``_get_current_learning_rate``).

Keras computes a schedule in the dtype of ``initial_learning_rate`` (a Python
float becomes float32); this module computes in float64, so the two agree to
float32 rounding (relative 1e-7).

Examples
--------
>>> round(schedule_value("InverseTimeDecay",
...       {"initial_learning_rate": 0.1, "decay_steps": 1, "decay_rate": 0.5}, 2), 6)
0.05
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Mapping
from typing import Any


def exponential_decay(step: int, initial_learning_rate: float, decay_steps: float,
                      decay_rate: float, staircase: bool = False, **_: Any) -> float:
    r"""``ExponentialDecay``: :math:`\eta_0 \, r^{p}` with :math:`p = s / S` (floored if staircase)."""
    p = step / decay_steps
    if staircase:
        p = math.floor(p)
    return initial_learning_rate * decay_rate ** p


def inverse_time_decay(step: int, initial_learning_rate: float, decay_steps: float,
                       decay_rate: float, staircase: bool = False, **_: Any) -> float:
    r"""``InverseTimeDecay``: :math:`\eta_0 / (1 + r\,p)` with :math:`p = s / S` (floored if staircase).

    With ``decay_steps=1`` this is Keras 2's ``decay=``: ``lr / (1 + decay * iterations)``.
    """
    p = step / decay_steps
    if staircase:
        p = math.floor(p)
    return initial_learning_rate / (1.0 + decay_rate * p)


def polynomial_decay(step: int, initial_learning_rate: float, decay_steps: float,
                     end_learning_rate: float = 0.0001, power: float = 1.0, cycle: bool = False,
                     **_: Any) -> float:
    r"""``PolynomialDecay``: :math:`(\eta_0 - \eta_e)(1 - s/S)^{k} + \eta_e`.

    Without ``cycle`` the step is capped at ``S``; with it ``S`` becomes the
    first multiple of ``decay_steps`` that is >= the step (``S`` itself at step 0).
    """
    if cycle:
        multiplier = 1.0 if step == 0 else math.ceil(step / decay_steps)
        decay_steps = decay_steps * multiplier
    else:
        step = min(step, decay_steps)
    p = step / decay_steps
    return (initial_learning_rate - end_learning_rate) * (1.0 - p) ** power + end_learning_rate


def piecewise_constant_decay(step: int, boundaries: list[float], values: list[float],
                             **_: Any) -> float:
    """``PiecewiseConstantDecay``: ``values[i]`` for ``boundaries[i-1] < step <= boundaries[i]``.

    Keras casts the boundaries to the integer dtype of the step counter, so a
    boundary of 2.5 acts as 2 (truncation).
    """
    for boundary, value in zip(boundaries, values):
        if step <= math.trunc(boundary):
            return float(value)
    return float(values[-1])


def _cosine(fraction: float, alpha: float, scale: float = 1.0) -> float:
    return (1.0 - alpha) * (0.5 * scale * (1.0 + math.cos(math.pi * fraction))) + alpha


def cosine_decay(step: int, initial_learning_rate: float, decay_steps: float, alpha: float = 0.0,
                 warmup_target: float | None = None, warmup_steps: float = 0, **_: Any) -> float:
    r"""``CosineDecay``: optional linear warm-up to ``warmup_target``, then
    :math:`\eta\,[(1-\alpha)\tfrac12(1+\cos(\pi\, s/S)) + \alpha]` with the step capped at ``S``.
    """
    if warmup_target is None:
        return initial_learning_rate * _cosine(min(step, decay_steps) / decay_steps, alpha)
    step = min(step, decay_steps + warmup_steps)
    if step < warmup_steps:
        return (warmup_target - initial_learning_rate) * (step / warmup_steps) + initial_learning_rate
    return warmup_target * _cosine((step - warmup_steps) / decay_steps, alpha)


def cosine_decay_restarts(step: int, initial_learning_rate: float, first_decay_steps: float,
                          t_mul: float = 2.0, m_mul: float = 1.0, alpha: float = 0.0,
                          **_: Any) -> float:
    r"""``CosineDecayRestarts`` (SGDR): period ``i`` lasts ``first_decay_steps * t_mul**i`` steps
    and starts at ``m_mul**i`` times the initial rate.
    """
    fraction = step / first_decay_steps
    if t_mul == 1.0:
        restart = math.floor(fraction)
        fraction -= restart
    else:
        restart = math.floor(math.log(1.0 - fraction * (1.0 - t_mul)) / math.log(t_mul))
        done = (1.0 - t_mul ** restart) / (1.0 - t_mul)
        fraction = (fraction - done) / t_mul ** restart
    return initial_learning_rate * _cosine(fraction, alpha, scale=m_mul ** restart)


#: The formula functions (called by `schedule_value`, which validates their config first).
SCHEDULES_FUNCTIONS = ("exponential_decay", "inverse_time_decay", "polynomial_decay",
                       "piecewise_constant_decay", "cosine_decay", "cosine_decay_restarts")

SCHEDULES: dict[str, Callable[..., float]] = {
    "ExponentialDecay": exponential_decay,
    "InverseTimeDecay": inverse_time_decay,
    "PolynomialDecay": polynomial_decay,
    "PiecewiseConstantDecay": piecewise_constant_decay,
    "CosineDecay": cosine_decay,
    "CosineDecayRestarts": cosine_decay_restarts,
}


def schedule_value(class_name: str, config: Mapping[str, Any], step: int) -> float:
    """Learning rate of the built-in schedule ``class_name`` with ``config`` at ``step``.

    Parameters
    ----------
    class_name : str
        One of :data:`SCHEDULES` (the ``class_name`` of a serialized schedule).
    config : mapping
        The schedule's ``get_config()``.
    step : int
        The optimizer's real step counter, >= 0.

    Raises
    ------
    NotImplementedError
        For a schedule class this module does not mirror.
    ValueError
        For a negative step.

    Examples
    --------
    >>> schedule_value("PiecewiseConstantDecay", {"boundaries": [2], "values": [1.0, 0.5]}, 3)
    0.5
    """
    if not isinstance(class_name, str):
        raise TypeError(f"class_name must be a str such as 'ExponentialDecay', got "
                        f"{type(class_name).__name__}")
    if class_name not in SCHEDULES:
        raise NotImplementedError(
            f"learning-rate schedule {class_name!r} is not mirrored; implemented: {sorted(SCHEDULES)}")
    if isinstance(step, bool) or not isinstance(step, int) or step < 0:
        raise ValueError(f"step must be an int >= 0, got {step!r}")
    if not isinstance(config, Mapping):
        raise TypeError(f"config must be the schedule's get_config() dict, got {type(config).__name__}")
    function = SCHEDULES[class_name]
    parameters = inspect.signature(function).parameters
    known = {name for name, p in parameters.items() if p.kind is p.POSITIONAL_OR_KEYWORD} - {"step"}
    required = {name for name in known if parameters[name].default is inspect.Parameter.empty}
    missing = sorted(required - set(config))
    unknown = sorted(set(config) - known - {"name"})
    if missing or unknown:
        raise ValueError(f"config for {class_name} lacks {missing} or has unknown keys {unknown}; "
                         f"expected the keys {sorted(known)}")
    try:
        return float(function(step, **{k: v for k, v in config.items() if k != "name"}))
    except ZeroDivisionError:
        raise ValueError(f"config for {class_name}: a decay_steps or first_decay_steps of 0 divides "
                         f"by zero, got {dict(config)}") from None
    except (TypeError, ValueError) as error:
        raise ValueError(f"config for {class_name} holds a bad value ({error}), got {dict(config)}") from None
