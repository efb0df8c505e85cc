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

from kwhelpers import _checks


def _positive_int(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{name} must be a positive int, got {value!r}")
    return int(value)


def _binary_labels(y: object, name: str) -> np.ndarray:
    """0/1 labels (ints, floats or bools) as a flat array, or a one-line error naming ``name``."""
    labels = _checks.numeric_array(y, name, allow_bool=True).reshape(-1)
    if labels.size == 0 or not np.isin(labels, (0, 1)).all():
        raise ValueError(f"{name} must be non-empty binary labels (0/1), got values "
                         f"{np.unique(labels)[:5].tolist()}")
    return labels.astype(np.int64)


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
    output_activation : str or None
        Activation of the last layer (``"sigmoid"``, ``"softmax"``, ``"linear"``...);
        None is Keras's "no activation" (linear).
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
    if isinstance(hidden, (str, bytes)) or not isinstance(hidden, Sequence):
        raise TypeError(f"hidden must be a sequence of layer sizes such as (16,) or (), got "
                        f"{type(hidden).__name__} {hidden!r}")
    hidden = [_positive_int(h, f"hidden[{i}]") for i, h in enumerate(hidden)]
    seed = _checks.seed(seed)
    if output_activation is not None:
        if not isinstance(output_activation, str):
            raise TypeError(f"output_activation must be a str such as 'sigmoid', got "
                            f"{type(output_activation).__name__}")
        try:
            keras.activations.get(output_activation)
        except ValueError:
            raise ValueError(f"output_activation must name a Keras activation such as 'sigmoid', "
                             f"'softmax' or 'linear', got {output_activation!r}") from None
    initializer: Any = "zeros"
    if output_bias is not None:
        if isinstance(output_bias, (bool, np.bool_)):
            raise TypeError("output_bias must be a number or a sequence of numbers, got a bool")
        bias = _checks.numeric_array(output_bias, "output_bias", finite=False).astype(np.float64)
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
    columns = {key: _checks.numeric_array(values, f"history.history[{key!r}]", finite=False,
                                          ndim=1).astype(np.float64)
               for key, values in logs.items()}
    if len({len(v) for v in columns.values()}) > 1:
        raise ValueError(f"history.history must have one value per epoch for every key, got lengths "
                         f"{ {k: len(v) for k, v in columns.items()} }")
    table = pd.DataFrame(columns)
    table.index = pd.RangeIndex(1, len(table) + 1, name="epoch")
    return table


def fit_quiet(model, x, y=None, *, seed: int = 0, **fit_kwargs: Any) -> "pandas.DataFrame":  # noqa: F821
    """Seed Keras, run ``model.fit(x, y, verbose=0, **fit_kwargs)`` and return `history_table`.

    Seeding right before ``fit`` rewinds the random streams ``fit`` draws
    from, so two *fresh* models that differ in one argument see the same
    batches. It does not pin the order in every case: on JAX and PyTorch the
    first ``fit`` after ``compile()`` draws from the stream once more to build
    the model, so a second fit of an already built model starts elsewhere;
    and on TensorFlow every epoch repeats the first epoch's order (notebook
    00, "What the seed controls").
    """
    import keras

    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a keras.Model, got {type(model).__name__}")
    if "verbose" in fit_kwargs:
        raise ValueError("fit_kwargs: do not pass verbose, fit_quiet always uses verbose=0")
    seed = _checks.seed(seed)
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
    labels = _binary_labels(y, "y")
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

    truth = _checks.numeric_array(y_true, "y_true", allow_bool=True).reshape(-1)
    score = _checks.numeric_array(scores, "scores", finite=False).astype(np.float64).reshape(-1)
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
