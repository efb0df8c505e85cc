"""The seed's custom metrics, as written and corrected, for Keras 3.

Seed page 000 (the class_weight/sample_weight blog post) defines a ``PercentageError`` metric and
seed page 002 (the ``model.compile()`` blog post) a function metric ``mean_pred``. Both use
Keras 2 backend functions (``K.abs``, ``K.mean``...) that Keras 3's
``keras.backend`` no longer has. `SeedPercentageError` keeps the seed's body
line for line with ``K`` = `KERAS2_K`, the five functions it calls taken from
``keras.ops`` with Keras 2.2.4's meaning (``K.clip(x, lo, None)`` has no upper
bound), so it runs on every Keras backend.

`SeedPercentageError` is kept *because* it is wrong (notebook 05 shows how);
use `PercentageError`, which equals ``keras.metrics.MeanAbsolutePercentageError``.
`SampleWeightProbe` shows whether a metric receives ``sample_weight`` at all.

Examples
--------
>>> import kwhelpers as kw
>>> _ = kw.setup(seed=0)
>>> metric = PercentageError()
>>> metric.update_state([[2.0], [4.0]], [[1.0], [5.0]], sample_weight=[1.0, 3.0])
>>> round(float(metric.result()), 4)
31.25
"""

from __future__ import annotations

import types
from typing import Any

import keras
from keras import ops
from keras.metrics import Metric


def _clip(x: Any, min_value: Any, max_value: Any) -> Any:
    """Keras 2's ``K.clip``: ``max_value=None`` means no upper bound."""
    return ops.clip(x, min_value, float("inf") if max_value is None else max_value)


#: The Keras 2 backend functions the seed's ``PercentageError`` calls, on any Keras 3 backend.
KERAS2_K = types.SimpleNamespace(abs=ops.abs, clip=_clip, epsilon=keras.backend.epsilon, sum=ops.sum,
                                 ones_like=ops.ones_like)
K = KERAS2_K


def mean_pred(y_true: Any, y_pred: Any) -> Any:
    """The seed's custom function metric: the mean prediction of a batch.

    The seed wrote ``K.mean(y_pred)``; in Keras 3 it is ``keras.ops.mean``.
    It returns one scalar per batch, so ``keras.metrics.Mean`` counts each
    batch once, whatever its size.

    Examples
    --------
    >>> float(mean_pred([[0.0]], [[0.25], [0.75]]))
    0.5
    """
    del y_true
    return ops.mean(y_pred)


class SeedPercentageError(Metric):
    """The seed's ``PercentageError``, line for line (``K`` = `KERAS2_K`).

    Known defects, kept on purpose: a weight vector of shape ``(batch,)``
    times errors of shape ``(batch, 1)`` broadcasts to ``(batch, batch)`` on
    TensorFlow and JAX, and makes PyTorch's in-place ``*=`` raise; the count
    ignores the weights; the result is a fraction, not a percentage; on
    TensorFlow, float64 weight tensors fail to multiply with float32 errors.
    """

    def __init__(self, name='percentage_error', **kwargs):
        super(SeedPercentageError, self).__init__(name=name, **kwargs)
        self.total_error = self.add_weight(name='total_error', initializer='zeros')
        self.total_count = self.add_weight(name='total_count', initializer='zeros')

    def update_state(self, y_true, y_pred, sample_weight=None):
        abs_error = K.abs(y_true - y_pred)
        percentage_error = abs_error / K.clip(K.abs(y_true), K.epsilon(), None)
        if sample_weight is not None:
            percentage_error *= sample_weight
        self.total_error.assign_add(K.sum(percentage_error))
        self.total_count.assign_add(K.sum(K.ones_like(y_true)))

    def result(self):
        return self.total_error / self.total_count


def _tensor(value: Any, name: str, dtype: Any) -> Any:
    """``value`` as a tensor of ``dtype``, or a one-line TypeError naming the argument."""
    if value is None or isinstance(value, (str, bytes)):
        raise TypeError(f"{name} must be a numeric tensor or array, got {type(value).__name__}")
    try:
        return ops.convert_to_tensor(value, dtype=dtype)
    except Exception as error:  # the backend's own conversion error, often several lines
        raise TypeError(f"{name} must be a numeric tensor or array, got {type(value).__name__} "
                        f"({' '.join(str(error).split())[:80]})") from None


@keras.saving.register_keras_serializable(package="kwhelpers")
class PercentageError(Metric):
    """Weighted mean absolute percentage error, accumulated over batches.

    For each sample ``i`` the value is
    ``e_i = 100 * mean_j |y_true_ij - y_pred_ij| / max(|y_true_ij|, epsilon)``
    (mean over every axis after the batch axis); the result is
    ``sum_i w_i e_i / sum_i w_i`` over all batches seen (0 before any weight).

    Fixes to the seed's version: the weights are per sample (shape ``(batch,)``
    or ``(batch, 1)``) and are applied to per-sample values, not broadcast
    against them; the count is the sum of the weights; the value is in percent;
    inputs are cast to the metric's dtype.

    Parameters
    ----------
    name : str
        Metric name in logs.
    dtype : str, optional
        Dtype of the state and the computation (default: Keras floatx).

    Examples
    --------
    >>> m = PercentageError()
    >>> m.update_state([[1.0], [2.0]], [[1.5], [2.0]])
    >>> float(m.result())
    25.0
    """

    def __init__(self, name: str = "percentage_error", dtype: str | None = None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable(shape=(), initializer="zeros", name="total",
                                       dtype=self.dtype)
        self.count = self.add_variable(shape=(), initializer="zeros", name="count",
                                       dtype=self.dtype)

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        y_pred = _tensor(y_pred, "y_pred", self.dtype)
        y_true = _tensor(y_true, "y_true", self.dtype)
        if len(y_true.shape) == len(y_pred.shape) - 1 and y_pred.shape[-1] == 1:
            y_true = ops.expand_dims(y_true, -1)
        if y_true.shape != y_pred.shape or len(y_pred.shape) < 2:
            raise ValueError(
                "y_true and y_pred must have the same shape (batch, ...) of rank >= 2 "
                f"(y_true may lack a trailing 1); got y_true {tuple(y_true.shape)}, "
                f"y_pred {tuple(y_pred.shape)}")
        epsilon = ops.convert_to_tensor(keras.backend.epsilon(), dtype=self.dtype)
        relative = ops.abs(y_true - y_pred) / ops.maximum(ops.abs(y_true), epsilon)
        per_sample = 100.0 * ops.mean(relative, axis=tuple(range(1, len(relative.shape))))
        if sample_weight is None:
            weights = ops.ones_like(per_sample)
        else:
            weights = _tensor(sample_weight, "sample_weight", self.dtype)
            if len(weights.shape) == 2 and weights.shape[-1] == 1:
                weights = ops.squeeze(weights, -1)
            if len(weights.shape) != 1 or weights.shape[0] not in (None, per_sample.shape[0]):
                raise ValueError(
                    f"sample_weight must have shape ({per_sample.shape[0]},) or "
                    f"({per_sample.shape[0]}, 1), one weight per sample; got "
                    f"{tuple(weights.shape)}")
        self.total.assign_add(ops.sum(per_sample * weights))
        self.count.assign_add(ops.sum(weights))

    def result(self) -> Any:
        return ops.divide_no_nan(self.total, self.count)

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype}


class SampleWeightProbe(Metric):
    """The fraction of samples whose ``update_state`` call came with a ``sample_weight``.

    Put one in ``compile(metrics=[...])`` and one in
    ``compile(weighted_metrics=[...])``, then ``fit``/``evaluate`` with a
    ``sample_weight``: the result is 1.0 where Keras passed the weights and
    0.0 where it did not. The weights' values play no part.

    Examples
    --------
    >>> probe = SampleWeightProbe()
    >>> probe.update_state([[1.0], [2.0]], [[1.0], [2.0]], sample_weight=[0.5, 0.0])
    >>> probe.update_state([[1.0], [2.0]], [[1.0], [2.0]])
    >>> float(probe.result())
    0.5
    """

    def __init__(self, name: str = "sample_weight_seen", dtype: str | None = None):
        super().__init__(name=name, dtype=dtype)
        self.weighted = self.add_variable(shape=(), initializer="zeros", name="weighted", dtype=self.dtype)
        self.samples = self.add_variable(shape=(), initializer="zeros", name="samples", dtype=self.dtype)

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        y_pred = ops.convert_to_tensor(y_pred, dtype=self.dtype)
        if len(y_pred.shape) == 0:
            raise ValueError("y_pred must have a batch axis, got a scalar")
        batch = ops.cast(ops.shape(y_pred)[0], self.dtype)
        if sample_weight is not None:
            self.weighted.assign_add(batch)
        self.samples.assign_add(batch)

    def result(self) -> Any:
        return ops.divide_no_nan(self.weighted, self.samples)

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype}
