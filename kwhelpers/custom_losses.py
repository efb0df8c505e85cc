"""The seed's custom losses and a correct weighted MSE for Keras 3.

Seed ``000_2990ec9b7c0343f9.txt`` writes ``custom_mse`` and a
``weighted_mse`` whose weights are a hard-coded ``tf.constant([1, 2, 3])``
labelled "sample_weight shape is (batch_size,)". Such a constant is not tied
to samples at all: it broadcasts against the last axis of the error. With a
``(batch, 1)`` output it multiplies every error by ``[1, 2, 3]`` (the loss is
twice the MSE, for any batch size); with ``(batch,)`` targets it only works
when the batch has exactly 3 samples, and then weights batch *positions*,
which shuffling reassigns to other samples every epoch.

The correct tools: ``fit(sample_weight=...)`` for per-sample weights (they
travel with their samples through shuffling), and `PerOutputWeightedMSE` for
weights over output columns (they belong to the loss, not to the batch).

Examples
--------
>>> import kwhelpers as kw
>>> _ = kw.setup(seed=0)
>>> import numpy as np
>>> loss = PerOutputWeightedMSE([1.0, 3.0])
>>> float(loss(np.zeros((1, 2)), np.ones((1, 2))))
2.0
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import keras
from keras import ops

from kwhelpers import _checks
from kwhelpers._backend import require_backend


def _legacy_backend(what: str) -> Any:
    """``K = tf.keras.backend``, the Keras 2 backend functions the seed calls (TensorFlow only)."""
    require_backend(f"{what} (the seed's Keras 2 code, K = tf.keras.backend)")
    import tensorflow as tf

    return tf.keras.backend


def custom_mse(y_true: Any, y_pred: Any) -> Any:
    """The seed's ``custom_mse``, as written: ``K.mean(K.square(y_true - y_pred))``.

    It returns one scalar per batch (a mean over every axis), so Keras cannot
    apply per-sample weights to it; ``keras.losses.MeanSquaredError`` returns
    one value per sample instead. ``K`` is ``tf.keras.backend``: on the JAX or
    PyTorch backend this raises a one-line ``RuntimeError`` saying so.

    Examples
    --------
    >>> import numpy as np
    >>> float(custom_mse(np.zeros((2, 1), "float32"), np.array([[1.0], [3.0]], "float32")))
    5.0
    """
    K = _legacy_backend("custom_mse")
    return K.mean(K.square(y_true - y_pred))


def weighted_mse(y_true: Any, y_pred: Any) -> Any:
    """The seed's ``weighted_mse``, as written (see the module docstring for its flaw).

    TensorFlow backend only (``tf.constant``, ``K = tf.keras.backend``).

    Examples
    --------
    >>> import numpy as np
    >>> float(weighted_mse(np.zeros((2, 1), "float32"), np.ones((2, 1), "float32")))  # 2 x MSE
    2.0
    """
    K = _legacy_backend("weighted_mse")
    import tensorflow as tf

    # sample_weight shape is (batch_size,)
    sample_weight = tf.constant([1, 2, 3], dtype=tf.float32)
    return K.mean(K.square(y_true - y_pred) * sample_weight)


@keras.saving.register_keras_serializable(package="kwhelpers")
class PerOutputWeightedMSE(keras.losses.Loss):
    """Mean squared error with a fixed weight per output column.

    Per sample: ``mean_j(w_j * (y_true_j - y_pred_j) ** 2)`` over the last
    axis, whose length must equal ``len(output_weights)``. The base class then
    applies ``sample_weight`` and ``reduction`` as for any Keras loss, so this
    works for any batch size and keeps per-sample weights available.

    Parameters
    ----------
    output_weights : sequence of float
        One finite, non-negative weight per output column.
    name : str
        Loss name.
    reduction : str or None
        As for ``keras.losses.Loss`` (default ``"sum_over_batch_size"``).
    dtype : str, optional
        Compute dtype (default: Keras floatx).

    Examples
    --------
    >>> import numpy as np
    >>> loss = PerOutputWeightedMSE([1.0, 2.0, 3.0])
    >>> float(loss(np.zeros((1, 3)), np.ones((1, 3))))
    2.0
    >>> loss.get_config()["output_weights"]
    [1.0, 2.0, 3.0]
    """

    def __init__(self, output_weights: Sequence[float], name: str = "per_output_weighted_mse",
                 reduction: str | None = "sum_over_batch_size", dtype: str | None = None):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        if isinstance(output_weights, (str, bytes)) or not isinstance(output_weights, Sequence):
            raise TypeError(f"output_weights must be a sequence of floats, got "
                            f"{type(output_weights).__name__}")
        array = _checks.numeric_array(output_weights, "output_weights", finite=False)
        if array.ndim != 1:
            raise ValueError(f"output_weights must be a flat sequence of floats, got shape {array.shape}")
        weights = [float(w) for w in array]
        if not weights or any(not math.isfinite(w) or w < 0 for w in weights):
            raise ValueError(f"output_weights must be a non-empty sequence of finite weights "
                             f">= 0, got {list(output_weights)}")
        self.output_weights = weights

    def call(self, y_true: Any, y_pred: Any) -> Any:
        if y_pred.shape[-1] != len(self.output_weights) or y_true.shape[-1] != y_pred.shape[-1]:
            raise ValueError(
                f"y_true and y_pred must have {len(self.output_weights)} columns (one per "
                f"output weight); got y_true {tuple(y_true.shape)}, y_pred {tuple(y_pred.shape)}")
        weights = ops.convert_to_tensor(self.output_weights, dtype=y_pred.dtype)
        return ops.mean(weights * ops.square(y_true - y_pred), axis=-1)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "output_weights": list(self.output_weights),
                "dtype": self.dtype}
