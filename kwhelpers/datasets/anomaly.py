"""A rare-anomaly set (about 1% positives) made from scikit-learn's digits.

One digit is the anomaly, all others are normal. Only about 1% of the
originals may be anomalies, which leaves a handful of distinct anomalous
images; every image is therefore also shifted by one pixel in each of the 8
directions (9 copies). All copies of one original stay in the same split, so
no test image is a shifted twin of a training image.
"""

from __future__ import annotations

import numpy as np

from kwhelpers.datasets import Recipe
from kwhelpers.datasets.digits import DIGITS_LICENCE, DIGITS_SOURCE, digits_pixels

ANOMALY_DIGIT = 9
ANOMALY_ORIGINALS = (10, 3, 3)  # distinct anomalous originals in train / validation / test
NORMAL_FRACTIONS = (0.6, 0.2, 0.2)
SHIFTS = tuple((dy, dx) for dy in (-1, 0, 1) for dx in (-1, 0, 1))


def shift_images(images: np.ndarray, dy: int, dx: int, side: int = 8) -> np.ndarray:
    """Shift flattened ``side x side`` images by ``(dy, dx)`` pixels, filling with 0.

    Examples
    --------
    >>> img = np.arange(4, dtype=np.float32).reshape(1, 4)
    >>> shift_images(img, 0, 1, side=2).tolist()
    [[0.0, 0.0, 0.0, 2.0]]
    """
    from kwhelpers import _checks

    side = _checks.positive_int(side, "side")
    dy, dx = _checks.integer(dy, "dy"), _checks.integer(dx, "dx")
    images = _checks.numeric_array(images, "images")
    if images.ndim != 2 or images.shape[1] != side * side:
        raise ValueError(f"images must have shape (N, {side * side}), got {images.shape}")
    if abs(dy) >= side or abs(dx) >= side:
        raise ValueError(f"dy, dx must be smaller than side={side}, got ({dy}, {dx})")
    square = images.reshape(-1, side, side)
    out = np.zeros_like(square)
    src_y = slice(max(-dy, 0), side - max(dy, 0))
    dst_y = slice(max(dy, 0), side - max(-dy, 0))
    src_x = slice(max(-dx, 0), side - max(dx, 0))
    dst_x = slice(max(dx, 0), side - max(-dx, 0))
    out[:, dst_y, dst_x] = square[:, src_y, src_x]
    return out.reshape(images.shape)


def _augment(x: np.ndarray, originals: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """All shifts of the given originals, grouped by original; returns (images, original ids)."""
    copies = np.stack([shift_images(x[originals], dy, dx) for dy, dx in SHIFTS], axis=1)
    return copies.reshape(-1, x.shape[1]), np.repeat(originals, len(SHIFTS))


def split_originals(digit: np.ndarray) -> dict[str, np.ndarray]:
    """Indices (into ``load_digits``) of the originals of each split: normal ones 60/20/20, 10/3/3 anomalies.

    Examples
    --------
    >>> parts = split_originals(np.array([0] * 20 + [9] * 20))
    >>> [len(parts[k]) for k in ("train", "val", "test")]
    [22, 7, 7]
    """
    from kwhelpers import _checks

    digit = _checks.numeric_array(digit, "digit", ndim=1)
    if not np.issubdtype(digit.dtype, np.integer):
        raise TypeError(f"digit must hold integer digits, got dtype {digit.dtype}")
    needed = sum(ANOMALY_ORIGINALS)
    if np.count_nonzero(digit == ANOMALY_DIGIT) < needed:
        raise ValueError(f"digit must contain at least {needed} images of {ANOMALY_DIGIT} "
                         f"(10/3/3 anomalous originals), got {np.count_nonzero(digit == ANOMALY_DIGIT)}")
    rng = np.random.RandomState(0)
    normal = rng.permutation(np.flatnonzero(digit != ANOMALY_DIGIT))
    anomalous = rng.permutation(np.flatnonzero(digit == ANOMALY_DIGIT))[:sum(ANOMALY_ORIGINALS)]
    cut_n = np.cumsum([int(round(f * len(normal))) for f in NORMAL_FRACTIONS[:2]])
    cut_a = np.cumsum(ANOMALY_ORIGINALS[:2])
    return {name: np.concatenate([normal_part, anomalous_part])
            for name, normal_part, anomalous_part in zip(
                ("train", "val", "test"), np.split(normal, cut_n), np.split(anomalous, cut_a))}


def build_digits_anomaly() -> dict[str, np.ndarray]:
    """Digit 9 (a few originals) against all other digits, 9 shifted copies each, ~1% positives."""
    x, digit = digits_pixels()
    arrays: dict[str, np.ndarray] = {}
    for name, originals in split_originals(digit).items():
        images, source = _augment(x, originals)
        order = np.random.RandomState(1).permutation(len(source))
        arrays[f"x_{name}"] = images[order]
        arrays[f"y_{name}"] = (digit[source[order]] == ANOMALY_DIGIT).astype(np.int64)
        arrays[f"y_digit_{name}"] = digit[source[order]]
    return arrays


RECIPES = [
    Recipe(
        name="digits_anomaly",
        build=build_digits_anomaly,
        source=DIGITS_SOURCE,
        licence=DIGITS_LICENCE,
        how_made=(
            "label 1 = digit 9, 0 = any other digit. Non-9 originals split 60/20/20 at random "
            "(RandomState(0)); 10/3/3 randomly chosen 9s go to train/val/test, so about 1% of "
            "each split is positive. Every original is shifted by one pixel in the 8 directions "
            "(zero fill) plus the unshifted copy: 9 images per original, all in the original's "
            "split. y_digit_* holds the digit of each image."
        ),
    ),
]
