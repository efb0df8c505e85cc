"""Float64 NumPy twins of every optimizer that the installed Keras exports.

:func:`simulate` runs a Keras optimizer's update rule in float64 on one
parameter array and returns the trajectory; the tests compare it with what the
real optimizer does to a ``keras.Variable``. Mirrored:

* the update rules of SGD, RMSprop, Adagrad, Adadelta, Adam, AdamW, Adamax,
  Nadam, Ftrl, Lion, Lamb, Adafactor, Muon and ScheduleFreeAdamW
  (:mod:`.rules`, one class each, with the formula and source file);
* the base-class features: ``loss_scale_factor``, ``clipnorm``,
  ``clipvalue``, ``global_clipnorm``, ``weight_decay`` (and
  ``exclude_from_weight_decay(var_names=...)``), the six built-in
  learning-rate schedules, ``gradient_accumulation_steps``, ``use_ema`` with
  ``ema_momentum`` and ``ema_overwrite_frequency`` (:mod:`.engine`,
  :mod:`.schedules`).

Not mirrored, each a ``NotImplementedError`` naming it: ``LossScaleOptimizer``,
``MultiOptimizer``, custom subclasses, callable or custom learning rates,
``exclude_from_weight_decay(var_list=...)``, sparse gradients.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from kwhelpers.reference.optimizers.engine import ReferenceOptimizer, clip_gradients
from kwhelpers.reference.optimizers.rules import RULES, newton_schulz5
from kwhelpers.reference.optimizers.schedules import SCHEDULES, schedule_value

__all__ = ["RULES", "SCHEDULES", "SUPPORTED", "ReferenceOptimizer", "clip_gradients",
           "newton_schulz5", "schedule_value", "simulate"]

SUPPORTED: tuple[str, ...] = tuple(RULES)


def simulate(optimizer: Any, initial: Any, gradients: Sequence[Any] | np.ndarray, *,
             name: str = "variable") -> np.ndarray:
    """Trajectory of one parameter array under ``optimizer``, in float64.

    Parameters
    ----------
    optimizer : keras.optimizers.Optimizer
        A built-in Keras optimizer; its ``get_config()`` decides every
        hyperparameter. The instance is read, never stepped: the result is what
        a *fresh* copy would do.
    initial : array-like
        The parameter's initial value.
    gradients : sequence of array-likes, or array of shape ``(steps, *initial.shape)``
        The gradient passed to each ``optimizer.apply`` call.
    name : str
        The Keras variable's name/path (only Muon's exclusions and
        ``exclude_from_weight_decay(var_names=...)`` look at it).

    Returns
    -------
    numpy.ndarray
        Shape ``(steps + 1, *initial.shape)``: row 0 is ``initial``, row ``i``
        the parameter after ``i`` calls.

    Raises
    ------
    TypeError
        If ``optimizer`` is not a Keras optimizer or the arrays are not numeric.
    ValueError
        If a gradient's shape differs from ``initial``'s.
    NotImplementedError
        If the optimizer or one of its settings is not mirrored (the message names it).

    Examples
    --------
    >>> import numpy as np, keras
    >>> simulate(keras.optimizers.SGD(learning_rate=0.5), [1.0, 2.0], [[1.0, 1.0]] * 2).tolist()
    [[1.0, 2.0], [0.5, 1.5], [0.0, 1.0]]
    """
    if isinstance(gradients, (str, bytes)) or not isinstance(gradients, (Sequence, np.ndarray)):
        raise TypeError(f"gradients must be a sequence of arrays, got {type(gradients).__name__}")
    reference = ReferenceOptimizer(optimizer, initial, name=name)
    rows = [reference.params.copy()]
    for index, gradient in enumerate(gradients):
        try:
            rows.append(reference.apply(gradient))
        except (ValueError, TypeError) as error:
            raise type(error)(f"gradients[{index}]: {error}") from None
    return np.stack(rows)
