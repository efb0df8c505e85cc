"""Small experiments about reproducibility: repeat a training run, compare weights.

Used by notebook 00 to show that `kwhelpers.setup` makes two trainings with
the same seed bit-identical, and why printed numbers are rounded.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def train_digits_classifier(seed: int, epochs: int = 3, hidden_units: int = 32) -> list[np.ndarray]:
    """Seed everything with ``seed``, train a small MLP on ``digits``, return its weights.

    Parameters
    ----------
    seed : int
        Passed to `kwhelpers.setup`, which seeds Python, NumPy and Keras.
    epochs, hidden_units : int
        Size of the run (defaults take about a second on a CPU).

    Returns
    -------
    list of numpy.ndarray
        ``model.get_weights()`` after training.

    Examples
    --------
    >>> w = train_digits_classifier(seed=0, epochs=1)
    >>> [a.shape for a in w]
    [(64, 32), (32,), (32, 10), (10,)]
    """
    for name, value in (("epochs", epochs), ("hidden_units", hidden_units)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive int, got {value!r}")
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**32:
        raise ValueError(f"seed must be an int in [0, 2**32), got {seed!r}")
    from kwhelpers import data
    from kwhelpers.env import setup

    setup(seed)
    import keras

    digits = data.load("digits")
    model = keras.Sequential([
        keras.Input((digits["x_train"].shape[1],)),
        keras.layers.Dense(hidden_units, activation="relu"),
        keras.layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(digits["x_train"], digits["y_train"], batch_size=32, epochs=epochs, verbose=0)
    return model.get_weights()


def max_abs_difference(first: Sequence[np.ndarray], second: Sequence[np.ndarray]) -> float:
    """Largest absolute element-wise difference between two lists of weight arrays.

    Examples
    --------
    >>> max_abs_difference([np.zeros(2)], [np.array([0.0, 0.5])])
    0.5
    """
    from kwhelpers import _checks

    for name, value in (("first", first), ("second", second)):
        if isinstance(value, (str, bytes, np.ndarray)) or not isinstance(value, Sequence):
            raise TypeError(f"{name} must be a list of arrays (as model.get_weights() returns), got "
                            f"{type(value).__name__}")
    if len(first) == 0:
        raise ValueError("first: expected at least one array, got an empty sequence")
    if len(first) != len(second):
        raise ValueError(f"second: expected {len(first)} arrays like first, got {len(second)}")
    pairs = []
    for index, (a, b) in enumerate(zip(first, second)):
        a = _checks.numeric_array(a, f"first[{index}]").astype(np.float64)
        b = _checks.numeric_array(b, f"second[{index}]").astype(np.float64)
        if a.shape != b.shape:
            raise ValueError(f"second[{index}]: expected shape {a.shape}, got {b.shape}")
        pairs.append((a, b))
    return float(max(np.max(np.abs(a - b), initial=0.0) for a, b in pairs))


def round_to_tf32(values: np.ndarray) -> np.ndarray:
    """Round float32 values to TF32 precision (10 explicit mantissa bits, round to nearest even).

    TF32 is what NVIDIA Ampere and later GPUs use for float32 matrix products
    when TensorFlow's TF32 execution is on (the default). NaN stays NaN and
    infinities stay infinite.

    Examples
    --------
    >>> float(round_to_tf32(np.float32(1.0 + 2**-12)))
    1.0
    >>> bool(np.isnan(round_to_tf32(np.uint32(0x7FFFFFFF).view(np.float32))))
    True
    """
    from kwhelpers import _checks

    array = _checks.numeric_array(values, "values", finite=False).astype(np.float32)
    bits = array.view(np.uint32).astype(np.uint64)
    dropped = 23 - 10
    half = np.uint64(1 << (dropped - 1))
    lowest_kept = (bits >> np.uint64(dropped)) & np.uint64(1)
    rounded = (bits + half - np.uint64(1) + lowest_kept) >> np.uint64(dropped) << np.uint64(dropped)
    result = rounded.astype(np.uint32).view(np.float32).reshape(array.shape)
    # A NaN payload in the dropped bits would otherwise carry into the exponent (NaN -> inf or -0.0).
    return np.where(np.isnan(array), array, result)
