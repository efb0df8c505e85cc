"""A "sample quality" set: digits whose training labels are trusted in one half only.

As in the seed's example ("the first 1000 samples are trustworthy, the last
1000 may be wrong"): the first half of the training rows keeps its true
labels, and in the second half exactly 40% of the labels are replaced by the
next digit (``(label + 1) % 10``), a systematic confusion. Validation and test
labels are clean.
"""

from __future__ import annotations

import numpy as np

from kwhelpers.datasets import Recipe
from kwhelpers.datasets.digits import DIGITS_LICENCE, DIGITS_SOURCE, build_digits

CORRUPTION_RATE = 0.4


def build_digits_quality() -> dict[str, np.ndarray]:
    """The `digits` dataset; second half of train with 40% of labels shifted to the next digit."""
    digits = build_digits()
    n_train = len(digits["y_train"])
    trusted = (np.arange(n_train) < n_train // 2).astype(np.int64)
    suspect = np.flatnonzero(trusted == 0)
    rng = np.random.RandomState(0)
    flipped = rng.choice(suspect, size=int(round(CORRUPTION_RATE * len(suspect))), replace=False)
    observed = digits["y_train"].copy()
    observed[flipped] = (observed[flipped] + 1) % 10
    return {**digits, "y_train": observed, "y_train_true": digits["y_train"], "trusted_train": trusted}


RECIPES = [
    Recipe(
        name="digits_quality",
        build=build_digits_quality,
        source=DIGITS_SOURCE,
        licence=DIGITS_LICENCE,
        how_made=(
            "same rows and 60/20/20 split as 'digits'. trusted_train = 1 for the first half of "
            "the training rows (true labels), 0 for the second half, where exactly 40% of the "
            "rows (chosen with RandomState(0)) have y_train = (true digit + 1) % 10. "
            "y_train_true holds the true labels; validation and test labels are clean."
        ),
    ),
]
