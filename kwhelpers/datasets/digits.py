"""scikit-learn's bundled 8x8 handwritten digits, with fixed splits.

The images ship inside scikit-learn (no download): 1,797 images of 8x8 pixels
with values 0..16, a copy of the UCI "Optical Recognition of Handwritten
Digits" test set. Features are scaled to [0, 1] as float32.
"""

from __future__ import annotations

import numpy as np

from kwhelpers.datasets import Recipe

DIGITS_SOURCE = (
    "sklearn.datasets.load_digits (bundled with scikit-learn): UCI ML 'Optical Recognition "
    "of Handwritten Digits' test set, E. Alpaydin and C. Kaynak, 1998"
)
DIGITS_LICENCE = "CC BY 4.0 (UCI Machine Learning Repository); scikit-learn is BSD-3-Clause"


def digits_pixels() -> tuple[np.ndarray, np.ndarray]:
    """Return the digits as ``(x, y)``: float32 pixels in [0, 1] of shape (1797, 64), int64 labels."""
    from sklearn.datasets import load_digits

    bunch = load_digits()
    return (bunch.data / 16.0).astype(np.float32), bunch.target.astype(np.int64)


def split_indices(n: int, fractions: tuple[float, float, float], seed: int) -> tuple[np.ndarray, ...]:
    """Shuffle ``range(n)`` with a fixed seed and cut it into train/validation/test parts.

    Examples
    --------
    >>> [len(p) for p in split_indices(10, (0.6, 0.2, 0.2), seed=0)]
    [6, 2, 2]
    """
    from kwhelpers import _checks

    n = _checks.integer(n, "n", minimum=0)
    parts = _checks.numeric_array(fractions, "fractions", ndim=1)
    if parts.shape != (3,) or (parts < 0).any() or not np.isclose(parts.sum(), 1.0):
        raise ValueError(f"fractions must be 3 numbers >= 0 (train, validation, test) that sum to 1, "
                         f"got {tuple(parts.tolist())}")
    seed = _checks.seed(seed)
    order = np.random.RandomState(seed).permutation(n)
    first = int(round(fractions[0] * n))
    second = first + int(round(fractions[1] * n))
    return order[:first], order[first:second], order[second:]


def build_digits() -> dict[str, np.ndarray]:
    """All ten classes, split 60/20/20 at random with seed 0."""
    x, y = digits_pixels()
    train, validation, test = split_indices(len(y), (0.6, 0.2, 0.2), seed=0)
    return {
        "x_train": x[train], "y_train": y[train],
        "x_val": x[validation], "y_val": y[validation],
        "x_test": x[test], "y_test": y[test],
    }


RECIPES = [
    Recipe(
        name="digits",
        build=build_digits,
        source=DIGITS_SOURCE,
        licence=DIGITS_LICENCE,
        how_made="pixels / 16 as float32; random 60/20/20 train/val/test split (RandomState(0))",
    ),
]
