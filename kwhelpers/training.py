"""Small model builders, deterministic quiet fits and histories as tables.

Examples
--------
>>> import kwhelpers as kw
>>> _ = kw.setup(0)
>>> import numpy as np
>>> model = dense_model(3, hidden=(4,), outputs=1, seed=0)
>>> model.compile(optimizer="sgd", loss="binary_crossentropy")
>>> table = fit_quiet(model, np.zeros((8, 3)), np.zeros(8), epochs=2, seed=0)
>>> table.index.tolist()
[1, 2]
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np


def _positive_int(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{name} must be a positive int, got {value!r}")
    return int(value)


# ----------------------------------------------------------------------------- issue 3 helpers
def dense_model(input_dim: int, hidden: Sequence[int] = (16,), outputs: int = 1, *,
                output_activation: str = "sigmoid", output_bias: float | Sequence[float] | None = None,
                seed: int = 0):
    """Return an uncompiled MLP ``Input -> Dense(relu)... -> Dense(outputs)``, seeded first.

    Parameters
    ----------
    input_dim, outputs : int
        Features in, units out.
    hidden : sequence of int
        Units of each hidden ReLU layer (may be empty: a linear model).
    output_activation : str
        Activation of the last layer (``"sigmoid"``, ``"softmax"``, ``"linear"``...).
    output_bias : float, sequence of float or None
        Initial bias of the last layer (for example the log-odds of the class
        prior, see `prior_logit`); None keeps Keras's zeros.
    seed : int
        ``keras.utils.set_random_seed(seed)`` runs before the layers are made,
        so the same seed gives the same initial weights.

    Examples
    --------
    >>> import kwhelpers as kw
    >>> _ = kw.setup(0)
    >>> dense_model(4, hidden=(), outputs=2, output_bias=[0.5, -0.5]).get_weights()[1].tolist()
    [0.5, -0.5]
    """
    import keras

    input_dim = _positive_int(input_dim, "input_dim")
    outputs = _positive_int(outputs, "outputs")
    hidden = [_positive_int(h, f"hidden[{i}]") for i, h in enumerate(hidden)]
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"seed must be an int, got {seed!r}")
    initializer: Any = "zeros"
    if output_bias is not None:
        bias = np.asarray(output_bias, dtype=np.float64)
        if bias.shape not in ((), (1,), (outputs,)):
            raise ValueError(f"output_bias must be a number or have shape ({outputs},), "
                             f"got shape {bias.shape}")
        bias = np.broadcast_to(bias, (outputs,))
        if not np.all(np.isfinite(bias)):
            raise ValueError(f"output_bias must be finite, got {output_bias!r}")
        initializer = keras.initializers.Constant(bias.tolist() if outputs > 1 else float(bias[0]))
    keras.utils.set_random_seed(seed)
    layers = [keras.Input((input_dim,))]
    layers += [keras.layers.Dense(units, activation="relu") for units in hidden]
    layers.append(keras.layers.Dense(outputs, activation=output_activation,
                                     bias_initializer=initializer))
    return keras.Sequential(layers)


def history_table(history) -> "pandas.DataFrame":  # noqa: F821 (pandas imported lazily)
    """Return ``history.history`` as a DataFrame indexed by epoch (1, 2, ...).

    Examples
    --------
    >>> class H: history = {"loss": [0.5, 0.25]}
    >>> history_table(H()).loc[2, "loss"]
    np.float64(0.25)
    """
    import pandas as pd

    logs = getattr(history, "history", None)
    if not isinstance(logs, dict):
        raise TypeError(f"history must be a keras History (with a dict .history), "
                        f"got {type(history).__name__}")
    table = pd.DataFrame({k: np.asarray(v, dtype=np.float64) for k, v in logs.items()})
    table.index = pd.RangeIndex(1, len(table) + 1, name="epoch")
    return table


def fit_quiet(model, x, y=None, *, seed: int = 0, **fit_kwargs: Any) -> "pandas.DataFrame":  # noqa: F821
    """Seed Keras, run ``model.fit(x, y, verbose=0, **fit_kwargs)`` and return `history_table`.

    Seeding right before ``fit`` makes the shuffling order depend on ``seed``
    only, so two fits that differ in one argument see the same batches.
    """
    import keras

    if "verbose" in fit_kwargs:
        raise ValueError("fit_kwargs: do not pass verbose, fit_quiet always uses verbose=0")
    keras.utils.set_random_seed(seed)
    return history_table(model.fit(x, y, verbose=0, **fit_kwargs))


def prior_logit(y: object) -> float:
    """Return ``log(p / (1 - p))`` for binary labels ``y`` with positive rate ``p``.

    A sigmoid output whose bias starts there predicts the class prior from the
    first step, instead of 0.5.

    Examples
    --------
    >>> round(prior_logit([0, 0, 0, 1]), 4)
    -1.0986
    """
    labels = np.asarray(y)
    if labels.size == 0 or not np.isin(labels, (0, 1)).all():
        raise ValueError(f"y must be non-empty binary labels (0/1), got values "
                         f"{np.unique(labels)[:5].tolist()}")
    rate = float(labels.mean())
    if rate in (0.0, 1.0):
        raise ValueError(f"y must contain both classes, got a positive rate of {rate}")
    return float(np.log(rate / (1.0 - rate)))


def binary_scores(y_true: object, scores: object, threshold: float = 0.5) -> dict[str, float]:
    """Precision, recall, PR-AUC (average precision) and confusion counts at ``threshold``.

    Examples
    --------
    >>> binary_scores([0, 1, 1], [0.2, 0.9, 0.4])["recall"]
    0.5
    """
    from sklearn.metrics import average_precision_score, confusion_matrix

    truth = np.asarray(y_true).reshape(-1)
    score = np.asarray(scores, dtype=np.float64).reshape(-1)
    if truth.shape != score.shape:
        raise ValueError(f"y_true and scores must have the same length, got {truth.shape} "
                         f"and {score.shape}")
    if not np.isin(truth, (0, 1)).all() or len(np.unique(truth)) < 2:
        raise ValueError(f"y_true must be binary labels (0/1) containing both classes, got values "
                         f"{np.unique(truth)[:5].tolist()}")
    if not np.all(np.isfinite(score)):
        raise ValueError("scores must be finite, got NaN or infinite values")
    if isinstance(threshold, bool) or not isinstance(threshold, numbers.Real) or not 0.0 < threshold < 1.0:
        raise ValueError(f"threshold must be a number in (0, 1), got {threshold!r}")
    predicted = (score >= threshold).astype(int)
    tn, fp, fn, tp = confusion_matrix(truth, predicted, labels=[0, 1]).ravel()
    return {
        "precision": float(tp / (tp + fp)) if tp + fp else 0.0,
        "recall": float(tp / (tp + fn)),
        "pr_auc": float(average_precision_score(truth, score)),
        "tn": int(tn), "fp": int(fp), "fn": int(fn), "tp": int(tp),
    }
