"""Float64 NumPy re-implementations of Keras's accuracy metrics and MAPE.

Every Keras metric below is a ``MeanMetricWrapper``: a per-sample function
(``keras/src/metrics/accuracy_metrics.py``, ``keras/src/losses/losses.py``)
whose values are averaged by ``keras.metrics.Mean``
(``keras/src/metrics/reduction_metrics.py``). The per-sample functions here
return those values; `weighted_mean` mirrors how ``Mean`` folds them into
``total`` and ``count`` with sample weights; `compute_metric` puts the two
together for a Keras metric instance, reading its options from
``get_config()``.

Examples
--------
>>> import numpy as np
>>> values = binary_accuracy(np.array([[1.0], [0.0]]), np.array([[0.9], [0.7]]))
>>> values.tolist()
[[1.0], [0.0]]
>>> weighted_mean(values, np.array([3.0, 1.0]))
0.75
"""

from __future__ import annotations

from typing import Any

import numpy as np

from kwhelpers._backend import to_numpy

KERAS_EPSILON = 1e-7


def _as_float_array(value: Any, name: str) -> np.ndarray:
    if isinstance(value, (str, bytes)):
        raise TypeError(f"{name} must be numeric array-like, got {type(value).__name__}")
    try:
        array = np.asarray(to_numpy(value), dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{name} must be numeric array-like, got {type(value).__name__}") from error
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite, got non-finite values in shape {array.shape}")
    return array


def _same_rank(x1: np.ndarray, x2: np.ndarray, expand_rank_1: bool = True
               ) -> tuple[np.ndarray, np.ndarray]:
    """Mirror ``squeeze_or_expand_to_same_rank`` (``keras/src/losses/loss.py``)."""
    if x1.ndim == x2.ndim + 1 and x1.shape[-1] == 1:
        if x2.ndim == 1 and expand_rank_1:
            x2 = x2[..., None]
        else:
            x1 = x1[..., 0]
    if x2.ndim == x1.ndim + 1 and x2.shape[-1] == 1:
        if x1.ndim == 1 and expand_rank_1:
            x1 = x1[..., None]
        else:
            x2 = x2[..., 0]
    return x1, x2


def _squeeze_trailing_one(matches: np.ndarray) -> np.ndarray:
    return matches[..., 0] if matches.ndim > 1 and matches.shape[-1] == 1 else matches


def binary_accuracy(y_true: Any, y_pred: Any, threshold: float = 0.5) -> np.ndarray:
    """Per-element ``1.0`` where ``(y_pred > threshold) == y_true``, else ``0.0``.

    Mirrors ``keras.metrics.binary_accuracy``. The threshold is compared in
    float32, as Keras converts it to a float32 tensor.

    Examples
    --------
    >>> binary_accuracy([[1.0], [1.0]], [[0.6], [0.4]]).tolist()
    [[1.0], [0.0]]
    """
    y_true = _as_float_array(y_true, "y_true")
    y_pred = _as_float_array(y_pred, "y_pred")
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float)):
        raise TypeError(f"threshold must be a float, got {threshold!r}")
    if not np.isfinite(threshold):
        raise ValueError(f"threshold must be finite, got {threshold!r}")
    y_true, y_pred = _same_rank(y_true, y_pred)
    predicted = (y_pred > np.float64(np.float32(threshold))).astype(np.float64)
    try:
        return (predicted == y_true).astype(np.float64)
    except ValueError as error:
        raise ValueError(f"y_true shape {y_true.shape} does not broadcast with y_pred shape "
                         f"{y_pred.shape}") from error


def _check_scores(y_pred: np.ndarray) -> None:
    if y_pred.ndim < 1 or y_pred.shape[-1] < 1:
        raise ValueError(f"y_pred must have a class axis last, got shape {y_pred.shape}")


def categorical_accuracy(y_true: Any, y_pred: Any) -> np.ndarray:
    """Per-sample ``argmax(y_true) == argmax(y_pred)`` (first index wins ties).

    Mirrors ``keras.metrics.categorical_accuracy`` for one-hot (or soft)
    ``y_true`` of the same shape as ``y_pred``.

    Examples
    --------
    >>> categorical_accuracy([[0, 1], [1, 0]], [[0.2, 0.8], [0.3, 0.7]]).tolist()
    [1.0, 0.0]
    """
    y_true = _as_float_array(y_true, "y_true")
    y_pred = _as_float_array(y_pred, "y_pred")
    _check_scores(y_pred)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true must have the shape of y_pred {y_pred.shape}, got {y_true.shape}")
    return (np.argmax(y_true, axis=-1) == np.argmax(y_pred, axis=-1)).astype(np.float64)


def _class_ids(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    if y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1:
        y_true = y_true[..., 0]
    if y_true.shape != y_pred.shape[:-1]:
        raise ValueError(f"y_true must have shape {y_pred.shape[:-1]} (or with a trailing 1), "
                         f"got {y_true.shape}")
    return y_true


def sparse_categorical_accuracy(y_true: Any, y_pred: Any) -> np.ndarray:
    """Per-sample ``y_true == argmax(y_pred)`` for integer class ids.

    Mirrors ``keras.metrics.sparse_categorical_accuracy``; ``y_true`` may carry
    a trailing axis of size 1.

    Examples
    --------
    >>> sparse_categorical_accuracy([[1], [0]], [[0.2, 0.8], [0.3, 0.7]]).tolist()
    [1.0, 0.0]
    """
    y_true = _as_float_array(y_true, "y_true")
    y_pred = _as_float_array(y_pred, "y_pred")
    _check_scores(y_pred)
    labels = _class_ids(y_true, y_pred)
    return _squeeze_trailing_one((labels == np.argmax(y_pred, axis=-1)).astype(np.float64))


def _validate_k(k: Any) -> int:
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"k must be a positive int, got {k!r}")
    return int(k)


def in_top_k(targets: np.ndarray, predictions: np.ndarray, k: int) -> np.ndarray:
    """Mirror ``tf.math.in_top_k``: ties at the boundary count as inside.

    ``targets[i]`` is in the top ``k`` when fewer than ``k`` classes score
    strictly higher than it, and its own score is finite.

    Examples
    --------
    >>> in_top_k(np.array([1]), np.array([[0.5, 0.2, 0.2]]), k=2).tolist()
    [True]
    """
    from kwhelpers import _checks

    k = _validate_k(k)
    predictions = _checks.numeric_array(predictions, "predictions", finite=False).astype(np.float64)
    if predictions.ndim < 2 or predictions.shape[-1] < 1:
        raise ValueError(f"predictions must be (samples, classes) scores with at least one class, got "
                         f"shape {predictions.shape}")
    predictions = predictions.reshape(-1, predictions.shape[-1])
    targets = _checks.numeric_array(targets, "targets").reshape(-1)
    if targets.shape[0] != predictions.shape[0]:
        raise ValueError(f"targets must have {predictions.shape[0]} entries, "
                         f"got {targets.shape[0]}")
    if np.any(targets != np.round(targets)) or np.any(targets < 0) \
            or np.any(targets >= predictions.shape[1]):
        raise ValueError(f"targets must be class ids in [0, {predictions.shape[1]}), got {targets}")
    rows = np.arange(predictions.shape[0])
    target_score = predictions[rows, targets.astype(np.int64)]
    higher = np.sum(predictions > target_score[:, None], axis=-1)
    return np.isfinite(target_score) & (higher < k)


def top_k_categorical_accuracy(y_true: Any, y_pred: Any, k: int = 5) -> np.ndarray:
    """Per-sample ``argmax(y_true)`` is among the top ``k`` scores of ``y_pred``.

    Mirrors ``keras.metrics.top_k_categorical_accuracy`` (see `in_top_k` for ties).

    Examples
    --------
    >>> top_k_categorical_accuracy([[0, 0, 1]], [[0.5, 0.3, 0.2]], k=2).tolist()
    [0.0]
    """
    y_true = _as_float_array(y_true, "y_true")
    y_pred = _as_float_array(y_pred, "y_pred")
    _check_scores(y_pred)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true must have the shape of y_pred {y_pred.shape}, got {y_true.shape}")
    labels = np.argmax(y_true, axis=-1)
    return in_top_k(labels, y_pred, k).reshape(labels.shape).astype(np.float64)


def sparse_top_k_categorical_accuracy(y_true: Any, y_pred: Any, k: int = 5,
                                      from_sorted_ids: bool = False) -> np.ndarray:
    """Per-sample integer ``y_true`` is among the top ``k`` predictions.

    Mirrors ``keras.metrics.sparse_top_k_categorical_accuracy``. With
    ``from_sorted_ids=True``, ``y_pred`` holds class ids sorted by score and
    the first ``k`` columns are searched.

    Examples
    --------
    >>> sparse_top_k_categorical_accuracy([2], [[0.5, 0.3, 0.2]], k=2).tolist()
    [0.0]
    >>> sparse_top_k_categorical_accuracy([2], [[0, 2, 1]], k=2, from_sorted_ids=True).tolist()
    [1.0]
    """
    y_true = _as_float_array(y_true, "y_true")
    y_pred = _as_float_array(y_pred, "y_pred")
    k = _validate_k(k)
    if not isinstance(from_sorted_ids, (bool, np.bool_)):
        raise TypeError(f"from_sorted_ids must be a bool, got {from_sorted_ids!r}")
    _check_scores(y_pred)
    # Keras flattens y_true and the leading axes of y_pred, then restores y_true's shape,
    # so (batch,) and (batch, 1) labels both work.
    rows = y_pred.reshape(-1, y_pred.shape[-1])
    if y_true.size != rows.shape[0]:
        raise ValueError(f"y_true must hold one class id per row of y_pred ({rows.shape[0]}), "
                         f"got shape {y_true.shape}")
    if from_sorted_ids:
        matches = np.any(y_true.reshape(-1, 1) == rows[:, :k], axis=-1)
    else:
        # Keras casts y_true to int32, which truncates towards zero.
        matches = in_top_k(np.trunc(y_true).reshape(-1), rows, k)
    return matches.reshape(y_true.shape).astype(np.float64)


def mean_absolute_percentage_error(y_true: Any, y_pred: Any,
                                   epsilon: float = KERAS_EPSILON) -> np.ndarray:
    """``100 * mean(|y_true - y_pred| / max(|y_true|, epsilon), axis=-1)``.

    Mirrors ``keras.losses.mean_absolute_percentage_error`` (which the metric
    ``MeanAbsolutePercentageError`` wraps). Note that it averages over the
    last axis: for 1-D inputs the whole batch becomes a single value.

    Examples
    --------
    >>> mean_absolute_percentage_error([[2.0], [4.0]], [[1.0], [5.0]]).tolist()
    [50.0, 25.0]
    """
    from kwhelpers import _checks

    y_true = _as_float_array(y_true, "y_true")
    y_pred = _as_float_array(y_pred, "y_pred")
    epsilon = _checks.real(epsilon, "epsilon", low=0.0, low_open=True)
    y_true, y_pred = _same_rank(y_true, y_pred)
    try:
        diff = np.abs((y_true - y_pred) / np.maximum(np.abs(y_true), epsilon))
    except ValueError as error:
        raise ValueError(f"y_true shape {y_true.shape} does not broadcast with y_pred shape "
                         f"{y_pred.shape}") from error
    return 100.0 * np.mean(diff, axis=-1)


def weighted_mean(values: Any, sample_weight: Any = None) -> float:
    """Mirror ``keras.metrics.Mean``: ``sum(values * w) / sum(w)`` after reductions.

    As ``reduce_to_samplewise_values`` does: the weights are brought to the
    rank of ``values`` (a trailing size-1 axis is added or dropped), ``values``
    is averaged over the axes the weights lack, both are averaged over every
    axis after the first, and ``count`` is the sum of the weights (or the
    number of samples without weights; a scalar counts as one sample).
    Returns 0.0 when ``count`` is 0, like ``divide_no_nan``.

    Examples
    --------
    >>> weighted_mean([[1.0, 0.0], [1.0, 1.0]])
    0.75
    >>> weighted_mean([1.0, 0.0], sample_weight=[0.0, 2.0])
    0.0
    """
    values = _as_float_array(values, "values")
    if sample_weight is None:
        count = float(values.shape[0]) if values.ndim >= 1 else 1.0
        per_sample = values.mean(axis=tuple(range(1, values.ndim))) if values.ndim > 1 else values
        total = float(np.sum(per_sample))
    else:
        weights = _as_float_array(sample_weight, "sample_weight")
        values, weights = _same_rank(values, weights)
        if values.ndim > weights.ndim:
            values = values.mean(axis=tuple(range(weights.ndim, values.ndim)))
        try:
            weights = np.broadcast_to(weights, values.shape)
        except ValueError as error:
            raise ValueError(f"sample_weight shape {np.shape(sample_weight)} does not broadcast "
                             f"to the metric values' shape {values.shape}") from error
        values = values * weights
        reduce_axes = tuple(range(1, values.ndim))
        if weights.ndim > 1:
            weights = weights.mean(axis=reduce_axes)
        if values.ndim > 1:
            values = values.mean(axis=reduce_axes)
        total, count = float(np.sum(values)), float(np.sum(weights))
    return total / count if count != 0 else 0.0


_OPTIONS = {
    "BinaryAccuracy": (binary_accuracy, ("threshold",)),
    "CategoricalAccuracy": (categorical_accuracy, ()),
    "SparseCategoricalAccuracy": (sparse_categorical_accuracy, ()),
    "TopKCategoricalAccuracy": (top_k_categorical_accuracy, ("k",)),
    "SparseTopKCategoricalAccuracy": (sparse_top_k_categorical_accuracy, ("k", "from_sorted_ids")),
    "MeanAbsolutePercentageError": (mean_absolute_percentage_error, ()),
}
SUPPORTED_METRICS = tuple(sorted(_OPTIONS))


def compute_metric(metric: Any, y_true: Any, y_pred: Any, sample_weight: Any = None) -> float:
    """Return what a fresh Keras ``metric`` gives after one ``update_state``.

    The metric's class picks the per-sample function and its ``get_config()``
    the options (``threshold``, ``k``, ``from_sorted_ids``); the values are
    averaged as in `weighted_mean`. The metric's own state is not touched.

    Parameters
    ----------
    metric : keras.metrics.Metric
        An instance of one of `SUPPORTED_METRICS` (exact class, not a subclass).
    y_true, y_pred : array-like
        As passed to ``metric.update_state``.
    sample_weight : array-like, optional
        As passed to ``metric.update_state``.

    Returns
    -------
    float
        The metric's ``result()``, computed in float64.

    Raises
    ------
    NotImplementedError
        For any other metric class, or a config option the reference lacks.

    Examples
    --------
    >>> import keras
    >>> compute_metric(keras.metrics.TopKCategoricalAccuracy(k=1),
    ...                [[0, 1], [1, 0]], [[0.3, 0.7], [0.4, 0.6]], sample_weight=[1, 3])
    0.25
    """
    import keras

    if not isinstance(metric, keras.metrics.Metric):
        raise TypeError(f"metric must be a keras.metrics.Metric instance, got "
                        f"{type(metric).__name__}")
    name = type(metric).__name__
    if name not in _OPTIONS or type(metric) is not getattr(keras.metrics, name):
        raise NotImplementedError(f"no reference for metric class {type(metric).__module__}."
                                  f"{name}; implemented: {', '.join(SUPPORTED_METRICS)}")
    function, option_names = _OPTIONS[name]
    config = metric.get_config()
    unknown = sorted(set(config) - {"name", "dtype", *option_names})
    if unknown:
        raise NotImplementedError(f"{name}: config option(s) {unknown} are not implemented "
                                  f"by the reference")
    options = {key: config[key] for key in option_names if key in config}
    if name == "MeanAbsolutePercentageError":
        options["epsilon"] = keras.backend.epsilon()
    return weighted_mean(function(y_true, y_pred, **options), sample_weight)
