"""Class weights, class -> sample weights, temporal weights and their normalisation.

Keras 3 turns ``fit(class_weight={...})`` into a per-sample weight in
``keras/src/trainers/data_adapters/data_adapter_utils.py``
(``class_weight_to_sample_weights``): it takes ``argmax`` over the last axis of
any target of rank >= 2 whose last axis is not 1, rounds, and looks every
sample up with ``class_weight.get(label, 1.0)``. That is right for sparse
``(N,)``/``(N, 1)`` and one-hot ``(N, C)`` targets, and silently wrong
elsewhere: a sparse sequence ``(N, T)`` is ``argmax``-ed over time, a class
missing from the dict gets weight 1.0, ``1.7`` becomes class 2, and a multi-hot
row counts as its first class. The functions here compute the same weights
where Keras is right, handle sequences, and refuse everything else with an
error that names the argument.

Why normalise: Keras's default loss reduction ``"sum_over_batch_size"``
divides the weighted sum of per-sample losses by the *number* of entries, not by
the sum of the weights (``keras/src/losses/loss.py``, ``reduce_values``). So
multiplying every weight by ``k`` multiplies the loss and its gradient by
``k``: with SGD that is a ``k`` times larger learning rate. `normalize_mean_one`
rescales weights to mean 1 over the whole data set, so the weights' overall
scale no longer acts as a learning-rate factor. It does not make every batch
like an unweighted one: a batch's loss is still scaled by that batch's mean
weight (notebook 01, section 5).

Examples
--------
>>> import numpy as np
>>> y = np.array([0, 0, 0, 1])
>>> class_weights(y, "inverse")
{0: 0.5, 1: 1.5}
>>> class_weight_to_sample_weight(y, {0: 1.0, 1: 3.0}).tolist()
[1.0, 1.0, 1.0, 3.0]
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from typing import Literal

import numpy as np

from kwhelpers import _checks
from kwhelpers._backend import to_numpy

Layout = Literal["sparse", "one_hot", "sparse_sequence", "one_hot_sequence"]
LAYOUTS: tuple[str, ...] = ("sparse", "one_hot", "sparse_sequence", "one_hot_sequence")
METHODS: tuple[str, ...] = ("balanced", "inverse", "effective")
_WEIGHT_DTYPE = np.float32  # keras.backend.floatx(), the dtype Keras's own conversion returns


# ----------------------------------------------------------------------------- validation
def _as_array(value: object, name: str) -> np.ndarray:
    if isinstance(value, (str, bytes)):
        raise TypeError(f"{name} must be a numeric array, got {type(value).__name__}")
    try:
        array = np.asarray(to_numpy(value))
    except Exception as error:  # ragged lists and the like
        raise TypeError(f"{name} must be array-like, got {type(value).__name__}") from error
    if array.dtype == object or not (np.issubdtype(array.dtype, np.number)
                                     or array.dtype == np.bool_):
        raise TypeError(f"{name} must be a numeric array, got dtype {array.dtype}")
    return array


def _integer_labels(labels: np.ndarray, name: str, what: str = "class labels") -> np.ndarray:
    """Return ``labels`` as int64, refusing bools, non-integers, NaN and negatives.

    ``what`` names the values in messages: ``"class labels"`` or ``"lengths"``.
    """
    if labels.dtype == np.bool_:
        raise TypeError(f"{name} must hold integer {what}, got dtype bool")
    if labels.size and not np.all(np.isfinite(labels)):
        raise ValueError(f"{name} must hold integer {what}, got NaN or infinite values")
    rounded = np.round(labels)
    if labels.size and not np.array_equal(rounded, labels):
        bad = labels[rounded != labels].ravel()[:3].tolist()
        note = " (Keras would round them to the nearest class)" if what == "class labels" else ""
        raise ValueError(f"{name} must hold integer {what}, got non-integer values such as {bad}"
                         f"{note}")
    if labels.size and rounded.min() < 0:
        raise ValueError(f"{name} must hold {what} >= 0, got {int(rounded.min())}")
    if labels.size and rounded.max() >= 2**62:
        raise ValueError(f"{name} must hold {what} below 2**62, got {float(rounded.max()):.3g}")
    return rounded.astype(np.int64)


def _check_weights(weights: np.ndarray, name: str) -> None:
    if weights.size and not np.all(np.isfinite(weights)):
        raise ValueError(f"{name} must be finite, got NaN or infinite values")
    if weights.size and weights.min() < 0:
        raise ValueError(f"{name} must be >= 0, got {float(weights.min())}")


def validate_class_weight(class_weight: object) -> dict[int, float]:
    """Check a ``{class index: weight}`` dict and return it with plain ``int``/``float`` items.

    Keys must be integers >= 0 (not floats, not bools); values finite real
    numbers >= 0.

    Examples
    --------
    >>> validate_class_weight({np.int64(1): np.float32(2.5), 0: 1})
    {0: 1.0, 1: 2.5}
    """
    if not isinstance(class_weight, Mapping):
        raise TypeError(f"class_weight must be a dict {{class index: weight}}, "
                        f"got {type(class_weight).__name__}")
    if not class_weight:
        raise ValueError("class_weight must not be empty, got {}")
    clean: dict[int, float] = {}
    for key, value in class_weight.items():
        if isinstance(key, (bool, np.bool_)) or not isinstance(key, numbers.Integral):
            raise TypeError(f"class_weight keys must be integer class indices, "
                            f"got {key!r} ({type(key).__name__})")
        if int(key) < 0:
            raise ValueError(f"class_weight keys must be >= 0, got {int(key)}")
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
            raise TypeError(f"class_weight[{int(key)}] must be a real number, "
                            f"got {value!r} ({type(value).__name__})")
        number = float(value)
        if not np.isfinite(number):
            raise ValueError(f"class_weight[{int(key)}] must be finite, got {number}")
        if number < 0:
            raise ValueError(f"class_weight[{int(key)}] must be >= 0, got {number}")
        clean[int(key)] = number
    return dict(sorted(clean.items()))


# ----------------------------------------------------------------------------- class weights
def class_weights(y: object, method: str = "balanced", *, beta: float = 0.999,
                  layout: str | None = None) -> dict[int, float]:
    """Return a ``{class: weight}`` dict for the integer labels ``y``.

    Parameters
    ----------
    y : array-like
        Class labels in one of the layouts of `class_weight_to_sample_weight`
        (pass only real labels, no padding); a 2-D array of 0s and 1s needs
        ``layout=``, because it could be one-hot rows or a 2-class sequence.
    method : {"balanced", "inverse", "effective"}
        ``"balanced"``: ``n_samples / (n_classes * count_c)``, equal to
        scikit-learn's ``compute_class_weight("balanced")``; the mean weight
        over *samples* is 1. ``"inverse"``: ``1 / count_c`` scaled so the mean
        over *classes* is 1 (same ratios as balanced, another scale).
        ``"effective"``: Cui et al. (2019), "Class-Balanced Loss Based on
        Effective Number of Samples": ``(1 - beta) / (1 - beta**count_c)``
        scaled so the mean over classes is 1; ``beta=0`` gives equal weights
        and ``beta -> 1`` tends to ``"inverse"``.
    beta : float
        ``"effective"`` only, in ``[0, 1)``.
    layout : str or None
        As in `class_weight_to_sample_weight`.

    Returns
    -------
    dict of int to float
        One entry per class present in ``y``, sorted by class; exact values
        (round them when you display them).

    Examples
    --------
    >>> class_weights([0, 0, 0, 1], "balanced")
    {0: 0.6666666666666666, 1: 2.0}
    >>> class_weights([0, 0, 0, 1], "inverse")
    {0: 0.5, 1: 1.5}
    >>> class_weights([0, 0, 0, 1], "effective", beta=0.0)
    {0: 1.0, 1: 1.0}
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    if isinstance(beta, bool) or not isinstance(beta, numbers.Real) or not 0 <= beta < 1:
        raise ValueError(f"beta must be a number in [0, 1), got {beta!r}")
    labels = labels_to_indices(y, layout)[0].ravel()
    if labels.size == 0:
        raise ValueError("y must contain at least one label, got an empty array")
    classes, counts = np.unique(labels, return_counts=True)
    counts = counts.astype(np.float64)
    if method == "balanced":
        weights = labels.size / (len(classes) * counts)
    elif method == "inverse":
        weights = (1.0 / counts) * len(classes) / np.sum(1.0 / counts)
    else:
        raw = (1.0 - beta) / (1.0 - np.power(beta, counts))
        weights = raw * len(classes) / np.sum(raw)
    return {int(c): float(w) for c, w in zip(classes, weights)}


# ----------------------------------------------------------------------------- layouts
_AMBIGUOUS = (
    "y of shape {shape} holds only 0 and 1, so its layout cannot be told from the array: it "
    "could be one-hot labels (N, C), multi-hot labels, or sparse labels of a 2-class sequence "
    "(N, T). Pass layout='one_hot' or layout='sparse_sequence' (multi-hot targets have no "
    "single class per sample: build their sample_weight yourself)"
)


def infer_layout(y: object) -> str:
    """Return the label layout of ``y`` where the array alone decides it, else raise.

    ``(N,)`` and ``(N, 1)`` are ``"sparse"``; ``(N, T, 1)`` is
    ``"sparse_sequence"``; ``(N, T)`` with labels other than 0/1 is
    ``"sparse_sequence"``; ``(N, T, C)`` with ``C > 1`` is ``"one_hot_sequence"``.
    A 2-D array of 0s and 1s is ambiguous and raises ``ValueError``.

    Examples
    --------
    >>> infer_layout(np.zeros((5, 1)))
    'sparse'
    >>> infer_layout(np.array([[0, 2, 1], [1, 1, 0]]))
    'sparse_sequence'
    """
    array = _as_array(y, "y")
    if array.ndim == 1 or (array.ndim == 2 and array.shape[1] == 1):
        return "sparse"
    if array.ndim == 2:
        if array.size and np.isin(array, (0, 1)).all():
            raise ValueError(_AMBIGUOUS.format(shape=array.shape))
        return "sparse_sequence"
    if array.ndim == 3:
        return "sparse_sequence" if array.shape[2] == 1 else "one_hot_sequence"
    raise ValueError(f"y must have shape (N,), (N, 1), (N, C), (N, T), (N, T, 1) or (N, T, C), "
                     f"got shape {array.shape}")


def _one_hot_to_index(onehot: np.ndarray, name: str) -> np.ndarray:
    if onehot.shape[-1] < 2:
        raise ValueError(f"{name} as one-hot needs at least 2 columns, got shape {onehot.shape}")
    if onehot.dtype == np.bool_:
        onehot = onehot.astype(np.int64)
    if onehot.size and not np.isin(onehot, (0, 1)).all():
        raise ValueError(f"{name} as one-hot must hold only 0 and 1, got other values such as "
                         f"{onehot[~np.isin(onehot, (0, 1))].ravel()[:3].tolist()} (smoothed or "
                         "soft labels have no single class: argmax them yourself if you mean it)")
    hot = onehot.sum(axis=-1)
    if onehot.size and not np.all(hot == 1):
        count = int(hot[hot != 1].ravel()[0])
        raise ValueError(f"{name} as one-hot must have exactly one 1 per row, found a row with "
                         f"{count} (multi-hot or all-zero rows have no single class)")
    return np.argmax(onehot, axis=-1).astype(np.int64)


def labels_to_indices(y: object, layout: str | None = None) -> tuple[np.ndarray, str]:
    """Return ``(class indices, layout)``: ``(N,)`` for one label per sample, ``(N, T)`` per step.

    Examples
    --------
    >>> idx, layout = labels_to_indices(np.eye(3)[[2, 0]], layout="one_hot")
    >>> idx.tolist(), layout
    ([2, 0], 'one_hot')
    """
    array = _as_array(y, "y")
    if layout is None:
        layout = infer_layout(array)
    elif layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {LAYOUTS} or None, got {layout!r}")
    expected = {"sparse": "(N,) or (N, 1)", "one_hot": "(N, C)",
                "sparse_sequence": "(N, T) or (N, T, 1)", "one_hot_sequence": "(N, T, C)"}[layout]
    shape_ok = {
        "sparse": array.ndim == 1 or (array.ndim == 2 and array.shape[1] == 1),
        "one_hot": array.ndim == 2,
        "sparse_sequence": array.ndim == 2 or (array.ndim == 3 and array.shape[2] == 1),
        "one_hot_sequence": array.ndim == 3,
    }[layout]
    if not shape_ok:
        raise ValueError(f"y with layout={layout!r} must have shape {expected}, "
                         f"got shape {array.shape}")
    if layout in ("one_hot", "one_hot_sequence"):
        return _one_hot_to_index(array, "y"), layout
    labels = _integer_labels(array, "y")
    if layout == "sparse":
        return labels.reshape(-1), layout
    return labels.reshape(array.shape[0], array.shape[1]), layout


def class_weight_to_sample_weight(y: object, class_weight: Mapping[int, float], *,
                                  layout: str | None = None) -> np.ndarray:
    """Turn a ``class_weight`` dict into the ``sample_weight`` array for ``fit``.

    Parameters
    ----------
    y : array-like
        Targets in one of the layouts ``"sparse"`` ``(N,)``/``(N, 1)``,
        ``"one_hot"`` ``(N, C)``, ``"sparse_sequence"`` ``(N, T)``/``(N, T, 1)``
        or ``"one_hot_sequence"`` ``(N, T, C)``.
    class_weight : dict of int to float
        Weight of each class. Every class that occurs in ``y`` must have a key
        (Keras would silently use 1.0). For one-hot layouts every key must be a
        column index.
    layout : str or None
        Required when ``y`` is a 2-D array of 0s and 1s (see `infer_layout`).

    Returns
    -------
    numpy.ndarray of float32
        ``(N,)`` for one label per sample, ``(N, T)`` for sequences: pass it
        as ``sample_weight`` (Keras accepts ``(samples, timesteps)`` weights).

    Examples
    --------
    >>> y = np.array([[0, 2, 2], [1, 0, 2]])
    >>> class_weight_to_sample_weight(y, {0: 1.0, 1: 2.0, 2: 0.5}).tolist()
    [[1.0, 0.5, 0.5], [2.0, 1.0, 0.5]]
    """
    weights = validate_class_weight(class_weight)
    indices, layout = labels_to_indices(y, layout)
    if layout in ("one_hot", "one_hot_sequence"):
        columns = np.asarray(y).shape[-1]
        outside = sorted(k for k in weights if k >= columns)
        if outside:
            raise ValueError(f"class_weight has keys {outside} but the one-hot y has only "
                             f"{columns} columns (classes 0..{columns - 1})")
    present = np.unique(indices)
    missing = sorted(int(c) for c in present if int(c) not in weights)
    if missing:
        raise ValueError(f"class_weight has no weight for classes {missing} that occur in y "
                         f"(keys: {sorted(weights)}); Keras would silently use 1.0 for them")
    keys = np.fromiter(weights, dtype=np.int64)  # sorted by validate_class_weight
    values = np.fromiter(weights.values(), dtype=np.float64)
    return values[np.searchsorted(keys, indices)].astype(_WEIGHT_DTYPE)


# ----------------------------------------------------------------------------- combining
def combine_sample_weights(*weights: object) -> np.ndarray:
    """Multiply per-sample ``(N,)`` and per-step ``(N, T)`` weights into one array.

    Keras refuses ``class_weight`` and ``sample_weight`` in the same ``fit``
    call; multiply a quality weight by the class-derived weight instead and
    pass the product as ``sample_weight``. ``(N,)`` weights are broadcast over
    the time steps of ``(N, T)`` ones.

    Examples
    --------
    >>> combine_sample_weights([1.0, 0.5], [[2.0, 0.0], [2.0, 2.0]]).tolist()
    [[2.0, 0.0], [1.0, 1.0]]
    """
    if not weights:
        raise ValueError("weights: pass at least one array, got none")
    arrays = []
    for position, value in enumerate(weights):
        array = _as_array(value, f"weights[{position}]").astype(np.float64)
        if array.ndim not in (1, 2):
            raise ValueError(f"weights[{position}] must have shape (N,) or (N, T), "
                             f"got shape {array.shape}")
        _check_weights(array, f"weights[{position}]")
        arrays.append(array)
    n = arrays[0].shape[0]
    steps = {a.shape[1] for a in arrays if a.ndim == 2}
    for position, array in enumerate(arrays):
        if array.shape[0] != n:
            raise ValueError(f"weights[{position}] has {array.shape[0]} samples, "
                             f"expected {n} like weights[0]")
    if len(steps) > 1:
        raise ValueError(f"weights: all (N, T) arrays must have the same T, got {sorted(steps)}")
    result = np.ones((n, steps.pop()) if steps else (n,))
    for array in arrays:
        result = result * (array[:, None] if array.ndim == 1 and result.ndim == 2 else array)
    if result.size and result.max() > np.finfo(_WEIGHT_DTYPE).max:
        raise ValueError(f"weights: their product reaches {result.max():.3g}, beyond float32's "
                         f"largest value {np.finfo(_WEIGHT_DTYPE).max:.3g}")
    return result.astype(_WEIGHT_DTYPE)


# ----------------------------------------------------------------------------- temporal weights
def _lengths(lengths: object, maxlen: int) -> np.ndarray:
    if isinstance(maxlen, bool) or not isinstance(maxlen, numbers.Integral) or maxlen < 1:
        raise ValueError(f"maxlen must be a positive int, got {maxlen!r}")
    array = _as_array(lengths, "lengths")
    if array.ndim != 1:
        raise ValueError(f"lengths must have shape (N,), got shape {array.shape}")
    array = _integer_labels(array, "lengths", "lengths")
    if array.size and array.max() > maxlen:
        raise ValueError(f"lengths must be <= maxlen={maxlen}, got {int(array.max())}")
    return array


def _valid_steps(lengths: np.ndarray, maxlen: int, padding: str) -> np.ndarray:
    if padding not in ("post", "pre"):
        raise ValueError(f"padding must be 'post' or 'pre', got {padding!r}")
    steps = np.arange(maxlen)[None, :]
    if padding == "post":
        return steps < lengths[:, None]
    return steps >= (maxlen - lengths)[:, None]


def padding_weights(lengths: object, maxlen: int, *, padding: str = "post") -> np.ndarray:
    """Return ``(N, maxlen)`` weights: 1 on real steps, 0 on padded ones.

    Examples
    --------
    >>> padding_weights([2, 3], 4).tolist()
    [[1.0, 1.0, 0.0, 0.0], [1.0, 1.0, 1.0, 0.0]]
    >>> padding_weights([1], 3, padding="pre").tolist()
    [[0.0, 0.0, 1.0]]
    """
    lengths_ = _lengths(lengths, maxlen)
    return _valid_steps(lengths_, maxlen, padding).astype(_WEIGHT_DTYPE)


def recency_weights(lengths: object, maxlen: int, *, schedule: str = "linear",
                    half_life: float = 2.0, padding: str = "post") -> np.ndarray:
    """Return ``(N, maxlen)`` weights that grow towards each sequence's last real step.

    Parameters
    ----------
    schedule : {"linear", "exponential"}
        ``"linear"``: step ``k`` (0-based, counted within the real steps of a
        sequence of length ``L``) gets ``(k + 1) / L``. ``"exponential"``:
        ``0.5 ** ((L - 1 - k) / half_life)``. The last real step gets 1,
        padded steps 0.
    half_life : float
        Steps after which the exponential weight halves (> 0).

    Examples
    --------
    >>> recency_weights([4], 5).tolist()
    [[0.25, 0.5, 0.75, 1.0, 0.0]]
    >>> recency_weights([3], 3, schedule="exponential", half_life=1.0).tolist()
    [[0.25, 0.5, 1.0]]
    """
    if schedule not in ("linear", "exponential"):
        raise ValueError(f"schedule must be 'linear' or 'exponential', got {schedule!r}")
    if isinstance(half_life, bool) or not isinstance(half_life, numbers.Real) or not (
            np.isfinite(half_life) and half_life > 0):
        raise ValueError(f"half_life must be a finite number > 0, got {half_life!r}")
    lengths_ = _lengths(lengths, maxlen)
    valid = _valid_steps(lengths_, maxlen, padding)
    position = np.cumsum(valid, axis=1) - 1  # index of each real step within its sequence
    length = lengths_[:, None].astype(np.float64)
    if schedule == "linear":
        weights = (position + 1) / np.maximum(length, 1)
    else:
        weights = np.power(0.5, (length - 1 - position) / float(half_life))
    return np.where(valid, weights, 0.0).astype(_WEIGHT_DTYPE)


def normalize_mean_one(sample_weight: object) -> np.ndarray:
    """Scale weights so their mean over all entries is 1 (zeros, e.g. padding, included).

    With Keras's default ``"sum_over_batch_size"`` reduction the loss is
    ``sum(w * loss) / number of entries``. After this scaling, over the whole
    array that equals the weighted mean ``sum(w * loss) / sum(w)``; over one
    batch it is that batch's weighted mean times the batch's mean weight, so
    the two agree exactly only when one batch holds all the weights, and on
    average over equal-size batches (see the module docstring).

    Examples
    --------
    >>> normalize_mean_one([1.0, 3.0]).tolist()
    [0.5, 1.5]
    """
    array = _as_array(sample_weight, "sample_weight").astype(np.float64)
    if array.size == 0:
        raise ValueError("sample_weight must not be empty")
    _check_weights(array, "sample_weight")
    with np.errstate(over="ignore"):
        total = array.mean()
    if not np.isfinite(total):
        raise ValueError(f"sample_weight is too large to average in float64 (mean {total})")
    if total == 0:
        raise ValueError("sample_weight is all zeros; it cannot be scaled to mean 1")
    return (array / total).astype(_WEIGHT_DTYPE)


# ----------------------------------------------------------------------------- resampling
def oversample_indices(y: object, *, seed: int) -> np.ndarray:
    """Return row indices that repeat every class up to the size of the largest class.

    Each class keeps all its rows once; smaller classes are topped up by
    drawing with replacement (``numpy.random.RandomState(seed)``). The result
    is shuffled. Oversampling is the data-level alternative to class weights.

    Examples
    --------
    >>> idx = oversample_indices([0, 0, 0, 1], seed=0)
    >>> np.bincount(np.array([0, 0, 0, 1])[idx]).tolist()
    [3, 3]
    """
    seed = _checks.seed(seed)
    labels = _integer_labels(_as_array(y, "y"), "y")
    if labels.ndim != 1 or labels.size == 0:
        raise ValueError(f"y must be non-empty sparse labels of shape (N,), got shape {labels.shape}")
    rng = np.random.RandomState(seed)
    classes, counts = np.unique(labels, return_counts=True)
    parts = []
    for cls, count in zip(classes, counts):
        rows = np.flatnonzero(labels == cls)
        extra = rng.choice(rows, size=counts.max() - count, replace=True)
        parts.append(np.concatenate([rows, extra]))
    return rng.permutation(np.concatenate(parts))
