"""Three Keras 2.2.4 optimizers, transcribed to float64 NumPy, to compare with Keras 3.

The seed page on ``model.compile()`` describes the optimizers of the
multi-backend Keras 2.2.4. Three of them compute something that no Keras 3
setting reproduces exactly, so the notebooks need the old rule itself:

* `Keras2RMSprop`: epsilon sits **outside** the square root,
  ``p - lr * g / (sqrt(a) + eps)`` (``keras/optimizers.py`` L266-L270 at
  tag 2.2.4). Keras 3 computes ``lr * g / sqrt(a + eps)``
  (``keras/src/optimizers/rmsprop.py``), so the same ``epsilon=1e-7`` acts
  like ``sqrt(1e-7)`` = 3.2e-4 and damps gradients below about 1e-3.

* `Keras2Adagrad`: the accumulator starts at **zero** and epsilon sits
  **outside** the square root, ``p - lr * g / (sqrt(a) + eps)``
  (``keras/optimizers.py`` L309-L336 at tag 2.2.4). Keras 3 starts it at
  ``initial_accumulator_value=0.1`` and computes ``lr * g / sqrt(a + eps)``.
* `Keras2Nadam`: the momentum schedule is
  ``u_t = beta_1 * (1 - 0.5 * 0.96 ** (t * schedule_decay))`` with
  ``schedule_decay=0.004`` (L626-L678 at tag 2.2.4). Keras 3 uses
  ``0.96 ** t``, which is this rule with ``schedule_decay=1.0``.

Both take the Keras 2.2.4 defaults (``K.epsilon()`` is 1e-7) and run in
float64; Keras 2.2.4 itself ran in float32. `trajectory` applies a fixed
sequence of gradients, `descent` minimises an objective (closed loop), with
the same contract as `kwhelpers.optimizer_paths.keras_trajectory` and
`kwhelpers.optimizer_paths.keras_descent`.

Source: https://github.com/keras-team/keras/blob/2.2.4/keras/optimizers.py

Examples
--------
>>> trajectory(Keras2Adagrad(lr=0.1), [1.0], [[2.0], [2.0]]).round(4).tolist()
[[1.0], [0.9], [0.8293]]
>>> trajectory(Keras2RMSprop(), [0.0], [[1e-4]]).round(6).tolist()
[[0.0], [-0.003152]]
>>> round(Keras2Nadam().momentum_cache(100), 5), round(Keras2Nadam(schedule_decay=1.0).momentum_cache(100), 5)
(0.45729, 0.89241)
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

SOURCE = "https://github.com/keras-team/keras/blob/2.2.4/keras/optimizers.py"
KERAS2_EPSILON = 1e-7  # K.epsilon() in Keras 2.2.4 (keras/backend/common.py L9)


def _positive(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return float(value)


def _non_negative(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    return float(value)


def _fraction(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 1:
        raise ValueError(f"{name} must be a number in [0, 1), got {value!r}")
    return float(value)


class _AccumulatorRule:
    """Adagrad and RMSprop keep one accumulator of squared gradients, starting at zero."""

    def initial_state(self, params: np.ndarray) -> dict[str, Any]:
        """The accumulator, zeros like ``params``."""
        return {"accumulator": np.zeros_like(params, dtype=np.float64)}


@dataclasses.dataclass(frozen=True)
class Keras2Adagrad(_AccumulatorRule):
    """Keras 2.2.4's ``Adagrad(lr=0.01, epsilon=None)`` without ``decay``.

    ``a`` starts at zeros; each update ``a <- a + g**2``, then
    ``p <- p - lr * g / (sqrt(a) + epsilon)`` (``keras/optimizers.py``
    L324 and L333-L336 at tag 2.2.4).

    Examples
    --------
    >>> rule = Keras2Adagrad()
    >>> state = rule.initial_state(np.zeros(1))
    >>> rule.update(np.zeros(1), np.array([3.0]), state, 1).round(6).tolist()
    [-0.01]
    """

    lr: float = 0.01
    epsilon: float = KERAS2_EPSILON

    def __post_init__(self) -> None:
        object.__setattr__(self, "lr", _positive("lr", self.lr))
        object.__setattr__(self, "epsilon", _non_negative("epsilon", self.epsilon))

    def update(self, params: np.ndarray, g: np.ndarray, state: dict[str, Any], t: int) -> np.ndarray:
        """Return the new parameters after the ``t``-th update (``t`` from 1); update ``state``."""
        state["accumulator"] = state["accumulator"] + g**2
        return params - self.lr * g / (np.sqrt(state["accumulator"]) + self.epsilon)


@dataclasses.dataclass(frozen=True)
class Keras2RMSprop(_AccumulatorRule):
    """Keras 2.2.4's ``RMSprop(lr=0.001, rho=0.9, epsilon=None)`` without ``decay``.

    ``a`` starts at zeros; each update ``a <- rho * a + (1 - rho) * g**2``,
    then ``p <- p - lr * g / (sqrt(a) + epsilon)`` (``keras/optimizers.py``
    L257 and L266-L270 at tag 2.2.4).

    Examples
    --------
    >>> rule = Keras2RMSprop()
    >>> state = rule.initial_state(np.zeros(1))
    >>> rule.update(np.zeros(1), np.array([1.0]), state, 1).round(6).tolist()
    [-0.003162]
    """

    lr: float = 0.001
    rho: float = 0.9
    epsilon: float = KERAS2_EPSILON

    def __post_init__(self) -> None:
        object.__setattr__(self, "lr", _positive("lr", self.lr))
        object.__setattr__(self, "rho", _fraction("rho", self.rho))
        object.__setattr__(self, "epsilon", _non_negative("epsilon", self.epsilon))

    def update(self, params: np.ndarray, g: np.ndarray, state: dict[str, Any], t: int) -> np.ndarray:
        """Return the new parameters after the ``t``-th update (``t`` from 1); update ``state``."""
        state["accumulator"] = self.rho * state["accumulator"] + (1.0 - self.rho) * g**2
        return params - self.lr * g / (np.sqrt(state["accumulator"]) + self.epsilon)


@dataclasses.dataclass(frozen=True)
class Keras2Nadam:
    """Keras 2.2.4's ``Nadam(lr=0.002, beta_1=0.9, beta_2=0.999, epsilon=None, schedule_decay=0.004)``.

    With ``u_t`` = `momentum_cache` (t) and ``P_t = u_1 ... u_t``
    (``m_schedule``, starting at 1): ``m <- beta_1 m + (1 - beta_1) g``,
    ``v <- beta_2 v + (1 - beta_2) g**2``,
    ``m_bar = (1 - u_t) g / (1 - P_t) + u_{t+1} m / (1 - P_t u_{t+1})``,
    ``p <- p - lr * m_bar / (sqrt(v / (1 - beta_2**t)) + epsilon)``
    (``keras/optimizers.py`` L641-L675 at tag 2.2.4).

    Examples
    --------
    >>> round(Keras2Nadam().momentum_cache(1), 5)
    0.45007
    """

    lr: float = 0.002
    beta_1: float = 0.9
    beta_2: float = 0.999
    epsilon: float = KERAS2_EPSILON
    schedule_decay: float = 0.004

    def __post_init__(self) -> None:
        object.__setattr__(self, "lr", _positive("lr", self.lr))
        object.__setattr__(self, "beta_1", _fraction("beta_1", self.beta_1))
        object.__setattr__(self, "beta_2", _fraction("beta_2", self.beta_2))
        object.__setattr__(self, "epsilon", _non_negative("epsilon", self.epsilon))
        object.__setattr__(self, "schedule_decay", _non_negative("schedule_decay", self.schedule_decay))

    def momentum_cache(self, t: int | float) -> float:
        """``u_t = beta_1 * (1 - 0.5 * 0.96 ** (t * schedule_decay))`` (L648-L651 at tag 2.2.4)."""
        return self.beta_1 * (1.0 - 0.5 * 0.96 ** (t * self.schedule_decay))

    def initial_state(self, params: np.ndarray) -> dict[str, Any]:
        """``m`` and ``v`` (zeros) and the product ``m_schedule`` (1.0)."""
        return {"m": np.zeros_like(params, dtype=np.float64), "v": np.zeros_like(params, dtype=np.float64),
                "m_schedule": 1.0}

    def update(self, params: np.ndarray, g: np.ndarray, state: dict[str, Any], t: int) -> np.ndarray:
        """Return the new parameters after the ``t``-th update (``t`` from 1); update ``state``."""
        u_t, u_next = self.momentum_cache(t), self.momentum_cache(t + 1)
        schedule_new = state["m_schedule"] * u_t
        schedule_next = schedule_new * u_next
        state["m_schedule"] = schedule_new
        state["m"] = self.beta_1 * state["m"] + (1.0 - self.beta_1) * g
        state["v"] = self.beta_2 * state["v"] + (1.0 - self.beta_2) * g**2
        m_bar = (1.0 - u_t) * g / (1.0 - schedule_new) + u_next * state["m"] / (1.0 - schedule_next)
        v_hat = state["v"] / (1.0 - self.beta_2**t)
        return params - self.lr * m_bar / (np.sqrt(v_hat) + self.epsilon)


Rule = Keras2Adagrad | Keras2RMSprop | Keras2Nadam


def _check_rule(rule: Any) -> None:
    if not isinstance(rule, (Keras2Adagrad, Keras2RMSprop, Keras2Nadam)):
        raise TypeError(f"rule must be a Keras2Adagrad, Keras2RMSprop or Keras2Nadam, got {type(rule).__name__}")


def _start(start: Any) -> np.ndarray:
    try:
        params = np.array(start, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise TypeError(f"start must be a numeric array, got {type(start).__name__}") from error
    if not np.all(np.isfinite(params)):
        raise ValueError("start must be finite, got a NaN or infinite value")
    return params


def _gradient(g: Any, shape: tuple[int, ...], where: str) -> np.ndarray:
    array = np.asarray(g, dtype=np.float64)
    if array.shape != shape:
        raise ValueError(f"{where} must have the parameters' shape {shape}, got {array.shape}")
    return array


def trajectory(rule: Rule, initial: Any, gradients: Sequence[Any] | np.ndarray) -> np.ndarray:
    """Apply ``gradients`` one by one with ``rule``; rows are the parameters before and after each update.

    Parameters
    ----------
    rule : Keras2Adagrad, Keras2RMSprop or Keras2Nadam
        The Keras 2.2.4 rule and its hyperparameters.
    initial : array-like
        The parameters before the first update.
    gradients : sequence of array-likes
        One gradient (with ``initial``'s shape) per update.

    Returns
    -------
    numpy.ndarray
        float64, shape ``(len(gradients) + 1, *initial.shape)``.

    Examples
    --------
    >>> trajectory(Keras2Adagrad(lr=1.0), [0.0, 0.0], [[1.0, 0.0]]).round(6).tolist()
    [[0.0, 0.0], [-1.0, 0.0]]
    """
    _check_rule(rule)
    if isinstance(gradients, (str, bytes)) or not isinstance(gradients, (Sequence, np.ndarray)):
        raise TypeError(f"gradients must be a sequence of arrays, got {type(gradients).__name__}")
    params = _start(initial)
    state = rule.initial_state(params)
    rows = [params.copy()]
    for index, g in enumerate(gradients):
        params = rule.update(params, _gradient(g, params.shape, f"gradients[{index}]"), state, index + 1)
        rows.append(params.copy())
    return np.stack(rows)


def descent(rule: Rule, gradient: Callable[[np.ndarray], Any], start: Any, steps: int) -> np.ndarray:
    """Minimise with ``rule``: ``steps`` updates, each with ``gradient(current parameters)``.

    Same contract as `kwhelpers.optimizer_paths.keras_descent`.

    Returns
    -------
    numpy.ndarray
        The visited parameters, float64, shape ``(steps + 1, *start.shape)``.

    Examples
    --------
    >>> descent(Keras2Adagrad(lr=0.5), lambda p: 2 * p, [1.0], 2).round(4).tolist()
    [[1.0], [0.5], [0.2764]]
    """
    _check_rule(rule)
    if not callable(gradient):
        raise TypeError(f"gradient must be callable, got {type(gradient).__name__}")
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 0:
        raise ValueError(f"steps must be an int >= 0, got {steps!r}")
    params = _start(start)
    state = rule.initial_state(params)
    rows = [params.copy()]
    for t in range(1, steps + 1):
        params = rule.update(params, _gradient(gradient(params.copy()), params.shape, "gradient(point)"),
                             state, t)
        rows.append(params.copy())
    return np.stack(rows)
