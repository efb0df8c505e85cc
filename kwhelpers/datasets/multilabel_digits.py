"""scikit-learn's digits as a multi-label problem: six binary attributes per image.

Each image keeps its 64 pixels (see :mod:`kwhelpers.datasets.digits`) and gets
a multi-hot target ``y`` of six attributes of the digit it shows, like the
seed's ``y = [0, 1, 0, 1, 0, 0]``:

========== ======================= ==================================
attribute  digits with a 1         why
========== ======================= ==================================
even       0 2 4 6 8               divisible by 2
prime      2 3 5 7                 prime number
ge5        5 6 7 8 9               at least 5
loop       0 6 8 9                 a closed loop (4 is drawn open)
mult3      0 3 6 9                 multiple of 3 (0 included)
perfect    6                       perfect number (1+2+3 = 6): rare
========== ======================= ==================================

The digit 1 has no attribute at all (an all-zero target row), which matters
for ``class_weight`` (it takes the ``argmax`` of each target row).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from kwhelpers.datasets import Recipe, default_summary
from kwhelpers.datasets.digits import DIGITS_LICENCE, DIGITS_SOURCE, digits_pixels, split_indices

ATTRIBUTES: dict[str, frozenset[int]] = {
    "even": frozenset({0, 2, 4, 6, 8}),
    "prime": frozenset({2, 3, 5, 7}),
    "ge5": frozenset({5, 6, 7, 8, 9}),
    "loop": frozenset({0, 6, 8, 9}),
    "mult3": frozenset({0, 3, 6, 9}),
    "perfect": frozenset({6}),
}


def attribute_matrix(digits: np.ndarray) -> np.ndarray:
    """Return the ``(n, 6)`` uint8 multi-hot attributes of an array of digits 0..9.

    Columns follow :data:`ATTRIBUTES` (even, prime, ge5, loop, mult3, perfect).

    Examples
    --------
    >>> attribute_matrix(np.array([3, 6])).tolist()
    [[0, 1, 0, 0, 1, 0], [1, 0, 1, 1, 1, 1]]
    """
    from kwhelpers import _checks

    digits = _checks.numeric_array(digits, "digits", allow_bool=True)
    if digits.ndim != 1 or not np.issubdtype(digits.dtype, np.integer):
        raise ValueError(
            f"digits must be a 1-D integer array, got shape {digits.shape} dtype {digits.dtype}")
    if digits.size and (digits.min() < 0 or digits.max() > 9):
        raise ValueError(
            f"digits must lie in 0..9, got values from {digits.min()} to {digits.max()}")
    columns = [np.isin(digits, sorted(members)) for members in ATTRIBUTES.values()]
    return np.stack(columns, axis=1).astype(np.uint8)


def build_digits_multilabel() -> dict[str, np.ndarray]:
    """Pixels, six attributes and the digit, split 60/20/20 as the ``digits`` dataset."""
    x, digit = digits_pixels()
    y = attribute_matrix(digit)
    train, validation, test = split_indices(len(digit), (0.6, 0.2, 0.2), seed=0)
    arrays: dict[str, np.ndarray] = {"label_names": np.array(list(ATTRIBUTES), dtype="<U8")}
    for split, index in (("train", train), ("val", validation), ("test", test)):
        arrays[f"x_{split}"] = x[index]
        arrays[f"y_{split}"] = y[index]
        arrays[f"digit_{split}"] = digit[index]
    return arrays


def summarize_multilabel(arrays: Mapping[str, np.ndarray]) -> dict[str, Any]:
    """Rows per array, and per split the number of positives of each attribute."""
    summary = default_summary(arrays)
    names = [str(n) for n in arrays["label_names"]]
    for split in ("train", "val", "test"):
        positives = np.asarray(arrays[f"y_{split}"]).sum(axis=0)
        summary[f"positives_y_{split}"] = {n: int(c) for n, c in zip(names, positives)}
    return summary


RECIPES = [
    Recipe(
        name="digits_multilabel",
        build=build_digits_multilabel,
        source=DIGITS_SOURCE,
        licence=DIGITS_LICENCE,
        how_made=(
            "pixels / 16 as float32; y = six uint8 attributes of the digit (even, prime, ge5, "
            "loop {0,6,8,9}, mult3 {0,3,6,9}, perfect {6}); digit_* keeps the digit; the same "
            "random 60/20/20 split as 'digits' (RandomState(0))"
        ),
        summarize=summarize_multilabel,
    ),
]
