r"""The base-class part of a Keras optimizer step, float64 NumPy.

Mirrors ``BaseOptimizer.apply`` / ``_backend_apply_gradients`` in
``keras/src/optimizers/base_optimizer.py`` (and the TensorFlow overrides in
``keras/src/backend/tensorflow/optimizer.py``) for one parameter array. One
call of :meth:`ReferenceOptimizer.apply` with real step counter :math:`k`
(0 on the first call) does, in this order:

1. **loss scaling**: :math:`g \leftarrow g / s` if ``loss_scale_factor`` is set;
2. **gradient accumulation** (``gradient_accumulation_steps`` :math:`N`): unless
   :math:`(k+1) \bmod N = 0`, add :math:`g` to the accumulator and stop (the
   parameter does not move); otherwise :math:`g \leftarrow (g + A)/N`, reset
   :math:`A`, and continue;
3. **clipping** (at most one): ``clipnorm`` :math:`c`:
   :math:`g \leftarrow g\,c/\max(\lVert g\rVert_2, c)` per tensor;
   ``global_clipnorm``: the same with the norm over *all* gradients;
   ``clipvalue``: :math:`g \leftarrow \mathrm{clip}(g, -c, c)` elementwise;
4. **weight decay** :math:`\lambda`: :math:`\theta \leftarrow \theta - \theta\lambda\eta`;
5. the optimizer's own ``update_step`` (see :mod:`.rules`) with
   :math:`\eta = \eta(k)` (a schedule sees the real counter :math:`k`) and local step
   :math:`t = \lfloor k/N \rfloor + 1` (without accumulation :math:`t = k + 1`);
6. **EMA** (``use_ema``, momentum :math:`\mu`): :math:`a \leftarrow \mu' a + (1-\mu')\theta`
   with :math:`\mu' = 0` while :math:`\lfloor k/N \rfloor = 0` and :math:`\mu` after;
   with ``ema_overwrite_frequency`` :math:`F`, :math:`\theta \leftarrow a` whenever
   :math:`(\lfloor k/N \rfloor + 1) \bmod F = 0` (this runs on every call, also
   the accumulating ones).

Examples
--------
>>> import numpy as np, keras
>>> ref = ReferenceOptimizer(keras.optimizers.SGD(learning_rate=0.5), np.array([1.0]))
>>> ref.apply(np.array([2.0]))
array([0.])
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from typing import Any

import numpy as np

from kwhelpers._backend import to_numpy
from kwhelpers.reference.optimizers.config import LearningRate, read_optimizer
from kwhelpers.reference.optimizers.rules import float32_rounded


def clip_gradients(gradients: list[np.ndarray], *, clipnorm: float | None = None,
                   clipvalue: float | None = None,
                   global_clipnorm: float | None = None) -> list[np.ndarray]:
    r"""Clip a list of gradients the way ``BaseOptimizer._clip_gradients`` does.

    ``clipnorm`` rescales each tensor whose L2 norm exceeds it
    (``tf.clip_by_norm``); ``global_clipnorm`` rescales all tensors by the same
    factor :math:`c \min(1/\lVert G\rVert, 1/c)` with :math:`\lVert G\rVert`
    the norm of all of them together; ``clipvalue`` clips each element to
    :math:`[-c, c]`, which can change the gradient's direction. A value of None
    or <= 0 means "off" (Keras tests ``if self.clipnorm and self.clipnorm > 0``).

    Parameters
    ----------
    gradients : list of arrays
        One gradient per variable.
    clipnorm, clipvalue, global_clipnorm : float or None
        At most one may be set, as in Keras.

    Examples
    --------
    >>> import numpy as np
    >>> [g.tolist() for g in clip_gradients([np.array([3.0, 4.0])], clipnorm=1.0)]
    [[0.6, 0.8]]
    >>> [g.tolist() for g in clip_gradients([np.array([3.0, 4.0])], clipvalue=1.0)]
    [[1.0, 1.0]]
    """
    if not isinstance(gradients, (list, tuple)) or not gradients:
        raise TypeError(f"gradients must be a non-empty list of arrays, got {type(gradients).__name__}")
    arrays = [_as_float_array(g, f"gradients[{i}]") for i, g in enumerate(gradients)]
    settings = {"clipnorm": clipnorm, "clipvalue": clipvalue, "global_clipnorm": global_clipnorm}
    for key, value in settings.items():
        if value is not None and (isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real)):
            raise TypeError(f"{key} must be a number or None, got {value!r}")
        if value is not None and math.isnan(value):
            raise ValueError(f"{key} must not be NaN")
    if sum(value is not None for value in settings.values()) > 1:
        raise ValueError(f"at most one of clipnorm, clipvalue, global_clipnorm may be set, got {settings}")
    if clipnorm and clipnorm > 0:
        return [g * clipnorm / max(np.sqrt(np.sum(g**2)), clipnorm) for g in arrays]
    if global_clipnorm and global_clipnorm > 0:
        norm = np.sqrt(sum(np.sum(g**2) for g in arrays))
        with np.errstate(divide="ignore", invalid="ignore"):
            scale = global_clipnorm * min(1.0 / norm, 1.0 / global_clipnorm) + (norm - norm)
        return [g * scale for g in arrays]
    if clipvalue and clipvalue > 0:
        return [np.clip(g, -clipvalue, clipvalue) for g in arrays]
    return arrays


class ReferenceOptimizer:
    """A float64 twin of one Keras optimizer acting on one parameter array.

    Parameters
    ----------
    optimizer : keras.optimizers.Optimizer
        A *fresh* instance of a built-in optimizer; only its ``get_config()``
        (and its ``exclude_from_weight_decay`` settings) are read, the instance
        is never modified.
    initial : array-like
        Initial parameter value.
    name : str
        The Keras variable's name/path, used by Muon's ``exclude_layers`` /
        ``exclude_embeddings`` and by ``exclude_from_weight_decay(var_names=...)``.

    Attributes
    ----------
    params : numpy.ndarray
        Current parameter value.
    ema : numpy.ndarray or None
        The moving average Keras keeps when ``use_ema=True``.
    iterations : int
        The real step counter (calls of :meth:`apply`).
    learning_rates : list of float
        The learning rate used at each call.

    Examples
    --------
    >>> import numpy as np, keras
    >>> ref = ReferenceOptimizer(keras.optimizers.Adam(learning_rate=0.1), np.zeros(2))
    >>> np.round(ref.apply(np.array([1.0, -1.0])), 4)
    array([-0.1,  0.1])
    """

    def __init__(self, optimizer: Any, initial: Any, *, name: str = "variable") -> None:
        if not isinstance(name, str):
            raise TypeError(f"name must be a str, got {type(name).__name__}")
        spec = read_optimizer(optimizer, name)
        self.config: Mapping[str, Any] = spec.config
        self.learning_rate: LearningRate = spec.learning_rate
        self.decay_applies: bool = spec.decay_applies
        self.params = _as_float_array(initial, "initial", finite=True)
        self.rule = spec.rule_class(self.config, self.params, name)
        self.accumulator = np.zeros_like(self.params)
        self.ema = np.zeros_like(self.params) if self.config["use_ema"] else None
        self.iterations = 0
        self.learning_rates: list[float] = []

    def apply(self, gradient: Any) -> np.ndarray:
        """Apply one gradient (one ``optimizer.apply`` call); return the new parameters."""
        g = _as_float_array(gradient, "gradient")
        if g.shape != self.params.shape:
            raise ValueError(f"gradient must have the parameter's shape {self.params.shape}, got {g.shape}")
        c = self.config
        k = self.iterations
        lr = self.learning_rate.at(k)
        self.learning_rates.append(lr)
        if c["loss_scale_factor"] is not None:
            g = g / c["loss_scale_factor"]
        n = c["gradient_accumulation_steps"]
        if n and (k + 1) % n != 0:
            self.accumulator = self.accumulator + g
        else:
            if n:
                g = (g + self.accumulator) / n
                self.accumulator = np.zeros_like(self.accumulator)
            self._update(g, lr, k // n + 1 if n else k + 1)
        if self.ema is not None:
            self._update_ema(k // n if n else k)
        self.iterations += 1
        return self.params.copy()

    def _update(self, g: np.ndarray, lr: float, step: int) -> None:
        c = self.config
        (g,) = clip_gradients([g], clipnorm=c["clipnorm"], clipvalue=c["clipvalue"],
                              global_clipnorm=c["global_clipnorm"])
        decay = self.rule.weight_decay(c)
        if decay is not None and self.decay_applies:
            # ``tf.cast(self.weight_decay, dtype)``: float32-rounded, like the other casts.
            self.params = self.params - self.params * float32_rounded(decay) * lr
        self.rule.before_updates(step)
        self.params = self.rule.update(self.params, g, lr, step)

    def _update_ema(self, updates_done: int) -> None:
        c = self.config
        momentum = c["ema_momentum"] if updates_done != 0 else 0.0
        self.ema = momentum * self.ema + (1 - momentum) * self.params
        frequency = c["ema_overwrite_frequency"]
        if frequency and (updates_done + 1) % frequency == 0:
            self.params = self.ema.copy()


def _as_float_array(value: Any, argument: str, *, finite: bool = False) -> np.ndarray:
    """``value`` as a float64 array; ``finite=True`` also refuses NaN and infinities.

    Gradients may be non-finite: Keras applies them (the parameters become NaN
    or infinite) and so does the reference, which shows a diverging run as it is.
    """
    if isinstance(value, (str, bytes)):
        raise TypeError(f"{argument} must be a numeric array, got {type(value).__name__}")
    try:
        array = np.array(to_numpy(value), dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{argument} must be a numeric array, got {type(value).__name__}") from None
    if finite and not np.all(np.isfinite(array)):
        raise ValueError(f"{argument} must be finite, got NaN or infinite values")
    return array
