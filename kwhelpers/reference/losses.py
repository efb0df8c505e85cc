"""Float64 NumPy re-implementations of every loss in the installed ``keras.losses``.

`compute` takes a Keras loss instance and returns, as a float64 NumPy value,
what ``loss(y_true, y_pred, sample_weight)`` returns. It mirrors, step by step:

* ``keras/src/losses/loss.py``: ``Loss.__call__`` converts ``y_true`` and
  ``y_pred`` to the loss's dtype (float32 by default), calls the loss
  function, then ``reduce_weighted_values`` merges a mask (set by
  ``SparseCategoricalCrossentropy(ignore_class=...)`` and ``Circle``) into the
  sample weights, multiplies and reduces.
* ``keras/src/losses/losses.py``: ``LossFunctionWrapper.call`` first runs
  ``squeeze_or_expand_to_same_rank(y_true, y_pred)``, then the per-sample loss
  function (``mean_squared_error``, ``binary_crossentropy``...).
* ``keras/src/backend/tensorflow/nn.py``: the cross-entropy kernels (clipping
  to ``[epsilon, 1 - epsilon]``, ``sigmoid_cross_entropy_with_logits``...)
  and ``ctc_loss``.

The arithmetic is float64. Two things are deliberately *not* float64, because
Keras does them in the loss's dtype before any arithmetic and they change the
result by more than rounding: the inputs (a probability of ``0.99999995``
becomes ``1.0`` in float32) and the constants (``1 - 1e-7`` is ``0.99999988``
in float32, so a clipped probability gives ``-log(1.19e-7) = 15.94``, not
``-log(1e-7) = 16.12``). Both are rounded to the loss's dtype first, and
subnormal inputs (a weight of ``1e-45``) become 0, because TensorFlow's CPU
kernels flush subnormals to zero. Subnormal *intermediates* (a loss of 1e-6
times a weight of 1e-38) are not flushed: there the reference keeps the tiny
value where Keras returns 0.

Options come from ``loss.get_config()``. Three options are missing from their
class's config in Keras 3.15 (so they are also lost by ``from_config`` and
model saving): ``Huber``'s ``delta``, ``CosineSimilarity``'s ``axis`` and
``SparseCategoricalCrossentropy``'s ``axis``. Those are read from the
arguments the instance passes to its function; any option whose config value
disagrees with those arguments (an instance mutated after construction) is a
``ValueError``. ``label_smoothing`` on ``SparseCategoricalCrossentropy``, which
Keras 3.15 does not have and later Keras adds, is mirrored at any value as the
categorical cross-entropy of the smoothed one-hot label; an option the reference
does not know is ``NotImplementedError``.

Examples
--------
>>> import keras, numpy as np
>>> loss = keras.losses.MeanSquaredError(reduction="sum")
>>> float(compute(loss, np.array([[0.0, 1.0]]), np.array([[1.0, 3.0]])))
2.5
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from kwhelpers._backend import backend, to_numpy

EPSILON = 1e-7  # keras.backend.epsilon()
REDUCTIONS = ("sum_over_batch_size", "mean", "sum", "mean_with_sample_weight", "none", None)
_DTYPES = ("float32", "float64")

Result = tuple[np.ndarray, "np.ndarray | None"]  # per-sample values, mask (or None)


class _Constants:
    """Python constants as Keras sees them after conversion to the loss's dtype."""

    def __init__(self, dtype: str) -> None:
        self.dtype = np.dtype(dtype)

    def __call__(self, value: float) -> float:
        return float(np.asarray(value, dtype=self.dtype))

    def array(self, value: Any) -> np.ndarray:
        """Round to the dtype; flush subnormals to 0 as TensorFlow's CPU kernels do."""
        rounded = np.asarray(value, dtype=self.dtype).astype(np.float64)
        return np.where(np.abs(rounded) < np.finfo(self.dtype).tiny, 0.0, rounded)

    @property
    def eps(self) -> float:
        return self(EPSILON)

    @property
    def one_minus_eps(self) -> float:
        return self(1.0 - EPSILON)


# --- shape helpers (keras/src/losses/loss.py) ---------------------------------

def squeeze_or_expand_to_same_rank(x1: np.ndarray, x2: np.ndarray,
                                   expand_rank_1: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Mirror ``keras.src.losses.loss.squeeze_or_expand_to_same_rank``.

    If the ranks differ by exactly one and the longer array ends in a
    dimension of size 1, that dimension is squeezed (or, when the shorter
    array is rank 1 and ``expand_rank_1``, the shorter one gets a trailing 1).
    Anything else is returned unchanged.

    Examples
    --------
    >>> a, b = squeeze_or_expand_to_same_rank(np.zeros(3), np.zeros((3, 1)))
    >>> a.shape, b.shape
    ((3, 1), (3, 1))
    """
    x1 = _mirror_input(x1, "x1")
    x2 = _mirror_input(x2, "x2")
    r1, r2 = x1.ndim, x2.ndim
    if r1 == r2 + 1 and x1.shape[-1] == 1:
        if r2 == 1 and expand_rank_1:
            x2 = x2[..., None]
        else:
            x1 = x1[..., 0]
    if r2 == r1 + 1 and x2.shape[-1] == 1:
        if r1 == 1 and expand_rank_1:
            x1 = x1[..., None]
        else:
            x2 = x2[..., 0]
    return x1, x2


def _mirror_input(value: Any, name: str) -> np.ndarray:
    """An array for the mirrored Keras helpers (non-finite values allowed, as in Keras)."""
    from kwhelpers import _checks

    return _checks.numeric_array(value, name, finite=False, allow_bool=True)


def _weighted(values: np.ndarray, sample_weight: np.ndarray) -> np.ndarray:
    values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
    try:
        return values * sample_weight
    except ValueError:
        raise ValueError(
            f"sample_weight of shape {sample_weight.shape} does not broadcast against the "
            f"per-sample losses of shape {values.shape}"
        ) from None


def reduce_weighted_values(values: np.ndarray, sample_weight: np.ndarray | None = None,
                           mask: np.ndarray | None = None,
                           reduction: str | None = "sum_over_batch_size") -> np.ndarray:
    """Weight and reduce per-sample losses as ``keras.src.losses.loss.reduce_weighted_values``.

    With a mask and reduction ``"sum_over_batch_size"``/``"mean"``, valid
    entries get weight ``total / valid`` (so the mean is over valid entries);
    otherwise the mask is a 0/1 weight. ``"mean_with_sample_weight"`` divides
    the weighted sum by the sum of the (masked) weights; division by zero
    gives 0 (``divide_no_nan``). A scalar or empty ``values`` is returned
    unreduced, after weighting.

    Parameters
    ----------
    values : ndarray
        Per-sample losses (float64).
    sample_weight, mask : ndarray or None
        Weights and a boolean mask broadcastable to ``values``.
    reduction : str or None
        One of `REDUCTIONS`.

    Examples
    --------
    >>> float(reduce_weighted_values(np.array([1.0, 3.0]), np.array([1.0, 0.0]),
    ...                              reduction="mean_with_sample_weight"))
    1.0
    """
    if reduction not in REDUCTIONS:
        raise ValueError(f"reduction must be one of {REDUCTIONS}, got {reduction!r}")
    values = _mirror_input(values, "values").astype(np.float64)
    if sample_weight is not None:
        sample_weight = _mirror_input(sample_weight, "sample_weight")
    if mask is not None:
        mask = _mirror_input(mask, "mask").astype(bool)
        if reduction in ("mean", "sum_over_batch_size"):
            valid = mask.sum()
            mask_weight = mask.size / valid if valid else 0.0
            float_mask = np.where(mask, mask_weight, 0.0)
        else:
            float_mask = mask.astype(np.float64)
        if sample_weight is not None:
            float_mask, sample_weight = squeeze_or_expand_to_same_rank(
                float_mask, np.asarray(sample_weight, dtype=np.float64))
            sample_weight = sample_weight * float_mask
        else:
            sample_weight = float_mask
    if sample_weight is not None:
        sample_weight = np.asarray(sample_weight, dtype=np.float64)
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        values = _weighted(values, sample_weight)
    if reduction in (None, "none") or values.shape in ((), (0,)):
        return values
    total = values.sum()
    if reduction == "sum":
        return np.float64(total)
    if reduction == "mean_with_sample_weight" and sample_weight is not None:
        divisor = sample_weight.sum()
    else:
        divisor = float(values.size)
    return np.float64(total / divisor if divisor != 0 else 0.0)


# --- numerical kernels ---------------------------------------------------------

def _log_softmax(x: np.ndarray, axis: int) -> np.ndarray:
    top = np.max(x, axis=axis, keepdims=True)
    return x - top - np.log(np.sum(np.exp(x - top), axis=axis, keepdims=True))


def _logsumexp(x: np.ndarray, axis: int) -> np.ndarray:
    top = np.max(x, axis=axis, keepdims=True)
    top = np.where(np.isfinite(top), top, 0.0)
    with np.errstate(divide="ignore"):
        return np.log(np.sum(np.exp(x - top), axis=axis)) + np.squeeze(top, axis=axis)


def _softplus(x: np.ndarray) -> np.ndarray:
    return np.logaddexp(0.0, x)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return np.exp(-np.logaddexp(0.0, -x))


def _sigmoid_ce_with_logits(z: np.ndarray, x: np.ndarray) -> np.ndarray:
    """``tf.nn.sigmoid_cross_entropy_with_logits``: max(x, 0) - x z + log(1 + exp(-|x|))."""
    return np.maximum(x, 0.0) - x * z + np.log1p(np.exp(-np.abs(x)))


def _bce_kernel(z: np.ndarray, p: np.ndarray, c: _Constants) -> np.ndarray:
    """``binary_crossentropy`` of the TF backend on probabilities (clipped)."""
    p = np.clip(p, c.eps, c.one_minus_eps)
    return -(z * np.log(p) + (1.0 - z) * np.log(1.0 - p))


def _hinge_labels(y_true: np.ndarray) -> np.ndarray:
    """``convert_binary_labels_to_hinge``: 0/1 labels (all of them) become -1/1."""
    if np.all((y_true == 0) | (y_true == 1)):
        return 2.0 * y_true - 1.0
    return y_true


def _normalize(x: np.ndarray, axis: int, c: _Constants) -> np.ndarray:
    """``ops.normalize(order=2)``: x * min(1/sqrt(sum x^2), 1/epsilon)."""
    square_sum = np.sum(x * x, axis=axis, keepdims=True)
    with np.errstate(divide="ignore"):
        inv_norm = 1.0 / np.sqrt(square_sum)
    return x * np.minimum(inv_norm, 1.0 / c.eps)


def _smooth(y_true: np.ndarray, label_smoothing: float, classes: float, c: _Constants) -> np.ndarray:
    if not label_smoothing:
        return y_true
    return y_true * c(1.0 - label_smoothing) + c(label_smoothing / classes)


# --- the losses (keras/src/losses/losses.py, function by function) -------------

def _mean_squared_error(y_true, y_pred, c):
    return np.mean(np.square(y_true - y_pred), axis=-1), None


def _mean_absolute_error(y_true, y_pred, c):
    return np.mean(np.abs(y_true - y_pred), axis=-1), None


def _mean_absolute_percentage_error(y_true, y_pred, c):
    diff = np.abs((y_true - y_pred) / np.maximum(np.abs(y_true), c.eps))
    return 100.0 * np.mean(diff, axis=-1), None


def _mean_squared_logarithmic_error(y_true, y_pred, c):
    first = np.log(np.maximum(y_pred, c.eps) + 1.0)
    second = np.log(np.maximum(y_true, c.eps) + 1.0)
    return np.mean(np.square(first - second), axis=-1), None


def _cosine_similarity(y_true, y_pred, c, axis=-1):
    return -np.sum(_normalize(y_true, axis, c) * _normalize(y_pred, axis, c), axis=axis), None


def _huber(y_true, y_pred, c, delta=1.0):
    delta = c(delta)
    error = y_pred - y_true
    abs_error = np.abs(error)
    values = np.where(abs_error <= delta, 0.5 * error**2, delta * abs_error - 0.5 * delta**2)
    return np.mean(values, axis=-1), None


def _log_cosh(y_true, y_pred, c):
    x = y_pred - y_true
    return np.mean(x + _softplus(-2.0 * x) - c(np.log(2.0)), axis=-1), None


def _hinge(y_true, y_pred, c):
    y_true = _hinge_labels(y_true)
    return np.mean(np.maximum(1.0 - y_true * y_pred, 0.0), axis=-1), None


def _squared_hinge(y_true, y_pred, c):
    y_true = _hinge_labels(y_true)
    return np.mean(np.square(np.maximum(1.0 - y_true * y_pred, 0.0)), axis=-1), None


def _categorical_hinge(y_true, y_pred, c):
    pos = np.sum(y_true * y_pred, axis=-1)
    neg = np.max((1.0 - y_true) * y_pred, axis=-1)
    return np.maximum(neg - pos + 1.0, 0.0), None


def _kl_divergence(y_true, y_pred, c):
    y_true = np.clip(y_true, c.eps, 1.0)
    y_pred = np.clip(y_pred, c.eps, 1.0)
    return np.sum(y_true * np.log(y_true / y_pred), axis=-1), None


def _poisson(y_true, y_pred, c):
    return np.mean(y_pred - y_true * np.log(y_pred + c.eps), axis=-1), None


def _categorical_crossentropy(y_true, y_pred, c, from_logits=False, label_smoothing=0.0, axis=-1):
    _check_same_shape(y_true, y_pred, "categorical_crossentropy")
    y_true = _smooth(y_true, label_smoothing, y_true.shape[-1], c)
    if from_logits:
        return -np.sum(y_true * _log_softmax(y_pred, axis), axis=axis), None
    output = y_pred / np.sum(y_pred, axis=axis, keepdims=True)
    output = np.clip(output, c.eps, c.one_minus_eps)
    return -np.sum(y_true * np.log(output), axis=axis), None


def _categorical_focal_crossentropy(y_true, y_pred, c, alpha=0.25, gamma=2.0, from_logits=False,
                                    label_smoothing=0.0, axis=-1):
    _check_same_shape(y_true, y_pred, "categorical_focal_crossentropy")
    y_true = _smooth(y_true, label_smoothing, y_true.shape[-1], c)
    if from_logits:
        y_pred = np.exp(_log_softmax(y_pred, axis))
    output = y_pred / np.sum(y_pred, axis=axis, keepdims=True)
    output = np.clip(output, c.eps, c.one_minus_eps)
    focal = np.power(1.0 - output, c(gamma)) * c(alpha) * (-y_true * np.log(output))
    return np.sum(focal, axis=axis), None


def _sparse_categorical_crossentropy(y_true, y_pred, c, from_logits=False, ignore_class=None,
                                     axis=-1, label_smoothing=0.0):
    if axis not in (-1, y_pred.ndim - 1):
        raise NotImplementedError(
            f"SparseCategoricalCrossentropy with axis={axis}: the TensorFlow backend supports "
            "only the last axis (it raises ValueError), so there is nothing to mirror"
        )
    if y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1:
        y_true = y_true[..., 0]
    if y_true.shape != y_pred.shape[:-1]:
        raise ValueError(
            f"y_true must have the shape of y_pred without its last axis, {y_pred.shape[:-1]}, "
            f"got {y_true.shape}"
        )
    valid = None
    if ignore_class is not None:
        valid = y_true != c(ignore_class)
        y_true = np.where(valid, y_true, 0.0)
        y_pred = np.where(valid[..., None], y_pred, 0.0)
    labels = y_true.astype(np.int64)
    classes = y_pred.shape[-1]
    if np.any((labels < 0) | (labels >= classes)):
        raise ValueError(f"y_true labels must be in [0, {classes}), got values "
                         f"{sorted(set(labels[(labels < 0) | (labels >= classes)].tolist()))}")
    if label_smoothing:
        # Keras 3.15 has no such option; later Keras adds it (keras-nightly 3.16). Mirrored as the
        # categorical cross-entropy of the smoothed one-hot label, y (1 - s) + s / classes, which
        # is what CategoricalCrossentropy(label_smoothing=s) computes on the one-hot label.
        one_hot = np.eye(classes, dtype=np.float64)[labels]
        values, _ = _categorical_crossentropy(one_hot, y_pred, c, from_logits=from_logits,
                                              label_smoothing=label_smoothing)
    elif from_logits or backend() == "tensorflow":
        # TensorFlow clips the probabilities, then renormalises them through log_softmax
        # (keras/src/backend/tensorflow/nn.py, sparse_categorical_crossentropy).
        logits = y_pred if from_logits else np.log(np.clip(y_pred, c.eps, c.one_minus_eps))
        values = -np.take_along_axis(_log_softmax(logits, -1), labels[..., None], axis=-1)[..., 0]
    else:
        # JAX and PyTorch renormalise first, then clip (keras/src/backend/{jax,torch}/nn.py): the two
        # orders differ on rows that do not sum to 1 (a zero row: NaN here, log(2) on TensorFlow).
        with np.errstate(invalid="ignore", divide="ignore"):
            output = np.clip(y_pred / np.sum(y_pred, axis=-1, keepdims=True), c.eps, c.one_minus_eps)
        values = -np.log(np.take_along_axis(output, labels[..., None], axis=-1)[..., 0])
    if valid is not None:
        values = np.where(valid, values, 0.0)
    return values, valid


def _binary_crossentropy(y_true, y_pred, c, from_logits=False, label_smoothing=0.0, axis=-1):
    _check_same_shape(y_true, y_pred, "binary_crossentropy")
    y_true = _smooth(y_true, label_smoothing, 2.0, c)
    if from_logits:
        return np.mean(_sigmoid_ce_with_logits(y_true, y_pred), axis=axis), None
    return np.mean(_bce_kernel(y_true, y_pred, c), axis=axis), None


def _binary_focal_crossentropy(y_true, y_pred, c, apply_class_balancing=False, alpha=0.25,
                               gamma=2.0, from_logits=False, label_smoothing=0.0, axis=-1):
    _check_same_shape(y_true, y_pred, "binary_focal_crossentropy")
    y_true = _smooth(y_true, label_smoothing, 2.0, c)
    if from_logits:
        # ops.sigmoid tags its output with the logits (_keras_logits), and the
        # backend's binary_crossentropy then uses them: no clipping here.
        bce = _sigmoid_ce_with_logits(y_true, y_pred)
        y_pred = _sigmoid(y_pred)
    else:
        bce = _bce_kernel(y_true, y_pred, c)
    p_t = y_true * y_pred + (1.0 - y_true) * (1.0 - y_pred)
    focal = np.power(1.0 - p_t, c(gamma)) * bce
    if apply_class_balancing:
        focal = (y_true * c(alpha) + (1.0 - y_true) * c(1.0 - alpha)) * focal
    return np.mean(focal, axis=axis), None


def _dice(y_true, y_pred, c, axis=None):
    axis = _axis_tuple(axis)
    intersection = np.sum(y_true * y_pred, axis=axis)
    denominator = np.sum(y_true, axis=axis) + np.sum(y_pred, axis=axis) + c.eps
    return 1.0 - 2.0 * intersection / denominator, None


def _tversky(y_true, y_pred, c, alpha=0.5, beta=0.5, axis=None):
    axis = _axis_tuple(axis)
    intersection = np.sum(y_true * y_pred, axis=axis)
    fp = np.sum((1.0 - y_pred) * y_true, axis=axis)
    fn = np.sum(y_pred * (1.0 - y_true), axis=axis)
    return 1.0 - intersection / (intersection + fp * c(alpha) + fn * c(beta) + c.eps), None


def _circle(y_true, y_pred, c, gamma=80.0, margin=0.4, remove_diagonal=True):
    if y_pred.ndim != 2:
        raise ValueError(f"y_pred must be a 2-D array of embeddings, got shape {y_pred.shape}")
    labels = np.trunc(y_true).astype(np.int64).reshape(-1, 1)
    if labels.shape[0] != y_pred.shape[0]:
        raise ValueError(f"y_true must hold one label per row of y_pred ({y_pred.shape[0]}), "
                         f"got {labels.shape[0]}")
    gamma, margin = c(gamma), c(margin)
    distances = np.maximum(1.0 - y_pred @ y_pred.T, 0.0)
    positive = labels == labels.T
    negative = ~positive
    if remove_diagonal:
        positive &= ~np.eye(len(labels), dtype=bool)
    pos_weights = np.maximum((margin + distances) * positive, 0.0)
    neg_weights = np.maximum((c(1.0 + margin) - distances) * negative, 0.0)
    pos_wdists = -gamma * pos_weights * (margin - distances)
    neg_wdists = gamma * neg_weights * (c(1.0 - margin) - distances)
    p_loss = _logsumexp(np.where(positive, pos_wdists, -np.inf), axis=1)
    n_loss = _logsumexp(np.where(negative, neg_wdists, -np.inf), axis=1)
    values = _softplus(p_loss + n_loss)
    # Keras masks the rows whose float32 loss is not > 0 (no positive pair, or underflow).
    return values, np.asarray(values, dtype=c.dtype) > 0


def _categorical_generalized_cross_entropy(y_true, y_pred, c, q=0.5):
    labels = np.trunc(y_true).astype(np.int64)
    classes = y_pred.shape[-1]
    in_range = (labels >= 0) & (labels < classes)  # tf.one_hot gives zeros outside
    one_hot = (labels[..., None] == np.arange(classes)) & in_range[..., None]
    p = np.sum(y_pred * one_hot, axis=-1)
    return (1.0 - np.power(p, c(q))) / c(q), None


def _ctc(y_true, y_pred, c):
    if y_true.ndim != 2:
        raise ValueError(f"y_true must be (batch_size, max_length) integer labels, got shape {y_true.shape}")
    if y_pred.ndim != 3:
        raise ValueError(f"y_pred must be (batch_size, max_length, num_classes) logits, "
                         f"got shape {y_pred.shape}")
    labels = y_true.astype(np.int64)
    values = np.empty(len(labels))
    for row, (target, logits) in enumerate(zip(labels, y_pred)):
        length = int(np.count_nonzero(target))
        target = target[:length]
        if np.any(target <= 0) or np.any(target >= logits.shape[-1]):
            raise NotImplementedError(
                "CTC rows whose first count_nonzero(row) labels are not all in "
                f"[1, num_classes) (a 0 before a label, or a label out of range) are not "
                f"implemented; row {row} is {labels[row].tolist()}"
            )
        values[row] = _ctc_negative_log_likelihood(target, _log_softmax(logits, -1))
    return values, None


def _ctc_negative_log_likelihood(target: np.ndarray, log_probs: np.ndarray) -> float:
    """CTC forward algorithm in log space, blank = class 0 (Graves et al., 2006)."""
    extended = np.zeros(2 * len(target) + 1, dtype=np.int64)
    extended[1::2] = target
    states = len(extended)
    skip = np.zeros(states, dtype=bool)
    skip[2:] = (extended[2:] != 0) & (extended[2:] != extended[:-2])
    alpha = np.full(states, -np.inf)
    alpha[0] = log_probs[0, 0]
    if states > 1:
        alpha[1] = log_probs[0, extended[1]]
    for t in range(1, len(log_probs)):
        stay = alpha
        step = np.concatenate(([-np.inf], alpha[:-1]))
        jump = np.where(skip, np.concatenate(([-np.inf, -np.inf], alpha[:-2])), -np.inf)
        alpha = np.logaddexp(np.logaddexp(stay, step), jump) + log_probs[t, extended]
    final = alpha[-1] if states == 1 else np.logaddexp(alpha[-1], alpha[-2])
    return float(-final)


def _check_same_shape(y_true: np.ndarray, y_pred: np.ndarray, name: str) -> None:
    if y_true.shape != y_pred.shape:
        raise ValueError(f"{name}: y_true and y_pred must have the same shape, got "
                         f"{y_true.shape} and {y_pred.shape}")


def _axis_tuple(axis: Any) -> Any:
    return tuple(axis) if isinstance(axis, list) else axis


# Keras function name -> (reference, options it takes).
_REFERENCES: dict[str, tuple[Callable[..., Result], tuple[str, ...]]] = {
    "mean_squared_error": (_mean_squared_error, ()),
    "mean_absolute_error": (_mean_absolute_error, ()),
    "mean_absolute_percentage_error": (_mean_absolute_percentage_error, ()),
    "mean_squared_logarithmic_error": (_mean_squared_logarithmic_error, ()),
    "cosine_similarity": (_cosine_similarity, ("axis",)),
    "huber": (_huber, ("delta",)),
    "log_cosh": (_log_cosh, ()),
    "hinge": (_hinge, ()),
    "squared_hinge": (_squared_hinge, ()),
    "categorical_hinge": (_categorical_hinge, ()),
    "kl_divergence": (_kl_divergence, ()),
    "poisson": (_poisson, ()),
    "categorical_crossentropy": (_categorical_crossentropy, ("from_logits", "label_smoothing", "axis")),
    "categorical_focal_crossentropy": (
        _categorical_focal_crossentropy,
        ("alpha", "gamma", "from_logits", "label_smoothing", "axis"),
    ),
    "sparse_categorical_crossentropy": (
        _sparse_categorical_crossentropy, ("from_logits", "ignore_class", "axis", "label_smoothing")),
    "binary_crossentropy": (_binary_crossentropy, ("from_logits", "label_smoothing", "axis")),
    "binary_focal_crossentropy": (
        _binary_focal_crossentropy,
        ("apply_class_balancing", "alpha", "gamma", "from_logits", "label_smoothing", "axis"),
    ),
    "dice": (_dice, ("axis",)),
    "tversky": (_tversky, ("alpha", "beta", "axis")),
    "circle": (_circle, ("gamma", "margin", "remove_diagonal")),
    "categorical_generalized_cross_entropy": (_categorical_generalized_cross_entropy, ("q",)),
    "ctc": (_ctc, ()),
}
SUPPORTED_FUNCTIONS = tuple(_REFERENCES)
# Rank handling of LossFunctionWrapper.call is skipped by none of them; "ctc" and
# "circle" take inputs of different ranks, which the squeeze leaves alone.


def _keras_function_name(loss: Any) -> str:
    import keras
    from keras.src.losses.losses import LossFunctionWrapper as wrapper  # not public in Keras 3

    if not isinstance(loss, keras.losses.Loss):
        raise TypeError(f"loss must be a keras.losses.Loss instance, got {type(loss).__name__}")
    fn = getattr(loss, "fn", None)
    known = type(loss) is wrapper or (isinstance(loss, wrapper)
                                      and type(loss).__module__ == "keras.src.losses.losses")
    name = getattr(fn, "__name__", None)
    if not known or getattr(fn, "__module__", None) != "keras.src.losses.losses" \
            or name not in _REFERENCES:
        raise NotImplementedError(
            f"no reference for {type(loss).__name__} (function {name!r}); implemented: the "
            f"keras.losses classes and LossFunctionWrapper around {sorted(_REFERENCES)}"
        )
    return name


def loss_options(loss: Any) -> dict[str, Any]:
    """Return ``{"function", "reduction", "dtype", **options}`` that `compute` will use.

    Options are read from ``loss.get_config()``; only where the config leaves
    an argument out (``Huber``'s ``delta``, the ``axis`` of ``CosineSimilarity``
    and ``SparseCategoricalCrossentropy``) does the instance's own function
    argument fill it in.

    Raises
    ------
    TypeError
        ``loss`` is not a ``keras.losses.Loss``.
    NotImplementedError
        A custom subclass or a function without a reference, a dtype other
        than float32/float64, or an option the reference does not know.
    ValueError
        The config disagrees with the arguments the instance actually uses.

    Examples
    --------
    >>> import keras
    >>> loss_options(keras.losses.Huber(delta=2.0))["delta"]
    2.0
    """
    name = _keras_function_name(loss)
    config = loss.get_config()
    accepted = _REFERENCES[name][1]
    used = dict(getattr(loss, "_fn_kwargs", {}))
    options: dict[str, Any] = {}
    for key, value in used.items():
        if key not in accepted:
            raise NotImplementedError(f"{type(loss).__name__}: option {key}={value!r} is not implemented")
        if key in config and config[key] != value:
            raise ValueError(
                f"{type(loss).__name__}: get_config() says {key}={config[key]!r} but the loss "
                f"computes with {key}={value!r} (was the attribute changed after construction?)"
            )
        options[key] = config.get(key, value)
    dtype = str(np.dtype(loss.dtype))
    if dtype not in _DTYPES:
        raise NotImplementedError(f"loss dtype {dtype!r} is not implemented; expected one of {_DTYPES}")
    return {"function": name, "reduction": config["reduction"], "dtype": dtype, **options}


def _as_array(value: Any, name: str, c: _Constants) -> np.ndarray:
    try:
        array = np.asarray(to_numpy(value))
    except Exception as error:  # ragged lists and the like
        raise ValueError(f"{name} must be array-like, got {type(value).__name__}: {error}") from None
    if array.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold numbers, got dtype {array.dtype}")
    return c.array(array)


def per_sample(loss: Any, y_true: Any, y_pred: Any) -> Result:
    """Return ``(values, mask)``: the loss before weighting and reduction.

    ``values`` is what the Keras loss function returns (one value per sample,
    or a scalar where the function itself averages everything, for example
    ``binary_crossentropy`` on 1-D inputs or ``Dice`` with ``axis=None``);
    ``mask`` is the mask Keras attaches, or None.

    Examples
    --------
    >>> import keras
    >>> values, mask = per_sample(keras.losses.Hinge(), [[0.0, 1.0]], [[0.5, 0.5]])
    >>> values.tolist(), mask
    ([1.0], None)
    """
    return _per_sample(loss_options(loss), y_true, y_pred)


def _per_sample(options: dict[str, Any], y_true: Any, y_pred: Any) -> Result:
    options = dict(options)
    c = _Constants(options.pop("dtype"))
    function, _ = _REFERENCES[options.pop("function")]
    options.pop("reduction")
    y_true = _as_array(y_true, "y_true", c)
    y_pred = _as_array(y_pred, "y_pred", c)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        try:
            values, mask = function(y_true, y_pred, c, **options)
        except ValueError as error:
            if "broadcast" not in str(error):
                raise
            raise ValueError(f"y_true of shape {y_true.shape} and y_pred of shape {y_pred.shape} do "
                             f"not broadcast together (Keras refuses them too)") from None
    return np.asarray(values, dtype=np.float64), mask


def _evaluate(options: dict[str, Any], y_true: Any, y_pred: Any, sample_weight: Any) -> np.ndarray:
    values, mask = _per_sample(options, y_true, y_pred)
    if sample_weight is not None:
        sample_weight = _as_array(sample_weight, "sample_weight", _Constants(options["dtype"]))
    return np.asarray(reduce_weighted_values(values, sample_weight, mask, options["reduction"]))


def compute(loss: Any, y_true: Any, y_pred: Any, sample_weight: Any = None) -> np.ndarray:
    """Return what ``loss(y_true, y_pred, sample_weight=sample_weight)`` returns, in float64.

    Parameters
    ----------
    loss : keras.losses.Loss
        A built-in loss class instance, or a ``LossFunctionWrapper`` around a
        built-in loss function (what ``compile(loss="mse")`` builds). Its
        ``get_config()`` decides every option, including ``reduction``.
    y_true, y_pred : array-like
        Targets and predictions, as passed to Keras: arrays, lists or tensors
        of any backend on any device. They are rounded to the loss's dtype
        first, as ``Loss.__call__`` does.
    sample_weight : array-like, optional
        Weights, broadcast against the per-sample losses as Keras does.

    Returns
    -------
    numpy.ndarray
        A float64 scalar (0-d array) for a reducing ``reduction``, else the
        weighted per-sample losses.

    Raises
    ------
    TypeError, ValueError, NotImplementedError
        See `loss_options`; a ``ValueError`` also for inputs of the wrong shape.

    Examples
    --------
    >>> import keras
    >>> loss = keras.losses.BinaryCrossentropy(from_logits=True)
    >>> round(float(compute(loss, [[1.0]], [[0.0]])), 6)
    0.693147
    """
    return _evaluate(loss_options(loss), y_true, y_pred, sample_weight)


def numerical_gradient(loss: Any, y_true: Any, y_pred: Any, sample_weight: Any = None,
                       step: float = 1e-5) -> np.ndarray:
    """Central finite-difference gradient of the loss with respect to ``y_pred``.

    The differences are taken in float64 throughout (inputs are not rounded
    to float32, or the rounding would swamp the step).

    Parameters
    ----------
    loss, y_true, y_pred, sample_weight
        As for `compute`; the loss must reduce to a scalar.
    step : float
        Relative step: each entry moves by ``step * max(1, |y_pred|)``.

    Returns
    -------
    numpy.ndarray
        ``d loss / d y_pred``, same shape as ``y_pred`` (float64). At a kink
        (hinge, MAE at zero error) it is the mean of the one-sided slopes.

    Examples
    --------
    >>> import keras
    >>> g = numerical_gradient(keras.losses.MeanSquaredError(), [[0.0, 0.0]], [[1.0, 2.0]])
    >>> np.round(g, 4).tolist()
    [[1.0, 2.0]]
    """
    if not (isinstance(step, float) and 0 < step < 1e-2):
        raise ValueError(f"step must be a float in (0, 0.01), got {step!r}")
    options = {**loss_options(loss), "dtype": "float64"}
    if options["reduction"] in (None, "none"):
        raise ValueError("loss must reduce to a scalar for a gradient, got reduction=None/'none'")
    y_pred = _as_array(y_pred, "y_pred", _Constants("float64"))
    gradient = np.zeros_like(y_pred)
    for index in np.ndindex(y_pred.shape):
        h = step * max(1.0, abs(y_pred[index]))
        up, down = y_pred.copy(), y_pred.copy()
        up[index] += h
        down[index] -= h
        difference = (_evaluate(options, y_true, up, sample_weight)
                      - _evaluate(options, y_true, down, sample_weight))
        if difference.shape != ():
            raise ValueError(f"the loss must reduce to a scalar, got shape {difference.shape}")
        gradient[index] = difference / (2 * h)
    return gradient
