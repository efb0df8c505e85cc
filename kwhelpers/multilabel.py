"""Multi-label training helpers: per-label positive weights, a weighted loss, per-label recall.

Keras's ``class_weight`` gives each *sample* one weight, looked up from the
``argmax`` of its target row (``keras/src/trainers/data_adapters/
data_adapter_utils.py``, ``class_weight_to_sample_weights``), so with multi-hot
targets it cannot weight labels. `PositiveWeightedBinaryCrossentropy` weights
the positive term of each label instead, like TensorFlow's
``tf.nn.weighted_cross_entropy_with_logits``.
"""

from __future__ import annotations

from collections.abc import Sequence

import keras
import numpy as np
from keras import ops

from kwhelpers import _checks


def _binary_matrix(y: object, name: str) -> np.ndarray:
    array = _checks.numeric_array(y, name, allow_bool=True)
    if array.ndim != 2 or array.shape[0] == 0:
        raise ValueError(f"{name} must be a non-empty 2-D (samples, labels) array, got shape "
                         f"{array.shape}")
    if not np.isin(array, (0, 1)).all():
        raise ValueError(f"{name} must contain only 0 and 1, got values {np.unique(array)[:5]}")
    return array.astype(np.float64)


def positive_weights(y: np.ndarray) -> np.ndarray:
    """Return ``negatives / positives`` for every label of a multi-hot matrix.

    Weighting each label's positive term by this ratio makes its positives and
    negatives contribute equally to the loss.

    Parameters
    ----------
    y : array of shape (samples, labels)
        Multi-hot targets (0/1). Every label needs at least one positive and
        at least one negative: a label positive in every row would get weight
        0, which `PositiveWeightedBinaryCrossentropy` refuses (and which
        would switch that label's loss off), so it is refused here, by column.

    Returns
    -------
    numpy.ndarray of float32, shape (labels,)
        Every weight is finite and > 0.

    Examples
    --------
    >>> positive_weights(np.array([[1, 0], [0, 1], [0, 1], [0, 1]])).tolist()
    [3.0, 0.3333333432674408]
    """
    matrix = _binary_matrix(y, "y")
    positives = matrix.sum(axis=0)
    if (positives == 0).any():
        raise ValueError(f"y: every label needs a positive, got none for label columns "
                         f"{np.flatnonzero(positives == 0).tolist()}")
    if (positives == matrix.shape[0]).any():
        raise ValueError(f"y: every label needs a negative, but label columns "
                         f"{np.flatnonzero(positives == matrix.shape[0]).tolist()} are positive in "
                         f"all {matrix.shape[0]} rows (their weight would be 0, which "
                         "PositiveWeightedBinaryCrossentropy refuses)")
    return ((matrix.shape[0] - positives) / positives).astype(np.float32)


def _tensor(value: object, name: str):
    """``value`` as a backend tensor, or a one-line TypeError naming the argument."""
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"{name} must be a numeric tensor or array, got {type(value).__name__}")
    try:
        return ops.convert_to_tensor(value)
    except Exception as error:  # the backend's own conversion error, several lines long
        raise TypeError(f"{name} must be a numeric tensor or array, got {type(value).__name__} "
                        f"({' '.join(str(error).split())[:80]})") from None


@keras.saving.register_keras_serializable(package="kwhelpers")
class PositiveWeightedBinaryCrossentropy(keras.losses.Loss):
    """Binary crossentropy whose positive term of label ``j`` is multiplied by ``pos_weight[j]``.

    Per element: ``-(w_j * y * log(p) + (1 - y) * log(1 - p))``, then the mean
    over labels (``axis=-1``) and the usual ``sum_over_batch_size`` reduction,
    exactly like ``keras.losses.BinaryCrossentropy`` (which it equals when all
    weights are 1). The two log terms are Keras's own
    ``keras.ops.binary_crossentropy`` with targets 1 and 0, so a sigmoid
    output's cached logits and Keras's clipping are used just as in the
    built-in loss. The formula matches ``tf.nn.weighted_cross_entropy_with_logits``.

    Parameters
    ----------
    pos_weight : sequence of float
        One positive weight per label, each > 0 (see `positive_weights`).
    from_logits : bool
        Whether ``y_pred`` holds logits instead of probabilities.

    Examples
    --------
    >>> loss = PositiveWeightedBinaryCrossentropy([2.0, 1.0])
    >>> round(float(loss([[1.0, 0.0]], [[0.5, 0.5]])), 4)  # (2 ln 2 + ln 2) / 2
    1.0397
    """

    def __init__(self, pos_weight: Sequence[float], from_logits: bool = False,
                 reduction: str = "sum_over_batch_size",
                 name: str = "positive_weighted_binary_crossentropy", dtype=None) -> None:
        weights = _checks.numeric_array(pos_weight, "pos_weight", finite=False, dtype=np.float64)
        if weights.ndim != 1 or weights.size == 0:
            raise ValueError(f"pos_weight must be a non-empty 1-D sequence, got shape "
                             f"{weights.shape}")
        if not (np.isfinite(weights).all() and (weights > 0).all()):
            raise ValueError(f"pos_weight must be finite and > 0, got {weights.tolist()}")
        if not isinstance(from_logits, bool):
            raise TypeError(f"from_logits must be a bool, got {type(from_logits).__name__}")
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.pos_weight = [float(w) for w in weights]
        self.from_logits = from_logits

    def __call__(self, y_true, y_pred, sample_weight=None):
        """As ``keras.losses.Loss.__call__``, after a one-line check that the inputs are numeric."""
        for name, value in (("y_true", y_true), ("y_pred", y_pred)):
            if value is None or isinstance(value, (str, bytes)):
                raise TypeError(f"{name} must be a numeric tensor or array, got {type(value).__name__}")
        return super().__call__(y_true, y_pred, sample_weight=sample_weight)

    def call(self, y_true, y_pred):
        y_pred = _tensor(y_pred, "y_pred")
        y_true = ops.cast(_tensor(y_true, "y_true"), y_pred.dtype)
        labels = len(self.pos_weight)
        if y_pred.shape[-1] != labels:
            raise ValueError(f"y_pred must have {labels} labels (len(pos_weight)) on its last "
                             f"axis, got shape {tuple(y_pred.shape)}")
        weight = ops.convert_to_tensor(self.pos_weight, dtype=y_pred.dtype)
        minus_log_p = ops.binary_crossentropy(ops.ones_like(y_true), y_pred,
                                              from_logits=self.from_logits)
        minus_log_not_p = ops.binary_crossentropy(ops.zeros_like(y_true), y_pred,
                                                  from_logits=self.from_logits)
        elements = weight * y_true * minus_log_p + (1.0 - y_true) * minus_log_not_p
        return ops.mean(elements, axis=-1)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(pos_weight=self.pos_weight, from_logits=self.from_logits)
        return config


def per_label_recall(y_true: np.ndarray, y_score: np.ndarray, threshold: float = 0.5) -> np.ndarray:
    """Return, for every label, the share of its positives scored ``>= threshold``.

    Parameters
    ----------
    y_true : array of shape (samples, labels)
        Multi-hot targets (0/1); every label needs at least one positive.
    y_score : array of the same shape
        Predicted probabilities (or any score compared with ``threshold``).
    threshold : float
        A sample is predicted positive for a label when its score is ``>= threshold``.

    Examples
    --------
    >>> per_label_recall(np.array([[1, 1], [1, 0]]), np.array([[0.9, 0.2], [0.1, 0.8]])).tolist()
    [0.5, 0.0]
    """
    truth = _binary_matrix(y_true, "y_true")
    score = _checks.numeric_array(y_score, "y_score", dtype=np.float64)
    if score.shape != truth.shape:
        raise ValueError(f"y_score must have the shape of y_true {truth.shape}, got {score.shape}")
    threshold = _checks.real(threshold, "threshold")
    positives = truth.sum(axis=0)
    if (positives == 0).any():
        raise ValueError(f"y_true: recall needs a positive in every label, got none for label "
                         f"columns {np.flatnonzero(positives == 0).tolist()}")
    return ((score >= threshold) & (truth == 1)).sum(axis=0) / positives
