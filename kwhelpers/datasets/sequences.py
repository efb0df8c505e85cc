"""Variable-length token sequences with a per-step label and a known rule.

Tokens are 1, 2 or 3; 0 is padding (post-padding to ``MAXLEN``). The label of
step ``t`` says whether the running mean of the tokens up to and including
``t`` is below 2 (class 0), exactly 2 (class 1) or above 2 (class 2), so it is
exactly known. The first step depends on the first token only; later steps
need the whole prefix, and class 1 gets rarer along the sequence (about 33% at
the first step, 13% at the twelfth). Padded steps carry label 0, which is also
a real class: a loss that does not ignore them learns to predict padding.
"""

from __future__ import annotations

import numpy as np

from kwhelpers.datasets import Recipe

MAXLEN = 12
MIN_LENGTH = 3
ROWS = {"train": 640, "val": 160, "test": 160}


def running_mean_labels(tokens: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Return ``sign(cumsum(tokens) - 2 * (t + 1)) + 1`` per step, 0 on padded steps.

    Examples
    --------
    >>> running_mean_labels(np.array([[3, 1, 1, 0]]), np.array([3])).tolist()
    [[2, 1, 0, 0]]
    """
    from kwhelpers import _checks

    tokens = _checks.numeric_array(tokens, "tokens")
    lengths = _checks.numeric_array(lengths, "lengths")
    if tokens.ndim != 2 or lengths.shape != (tokens.shape[0],):
        raise ValueError(f"tokens must be (N, T) and lengths (N,), got tokens {tokens.shape} "
                         f"and lengths {lengths.shape}")
    for name, array in (("tokens", tokens), ("lengths", lengths)):
        if not np.issubdtype(array.dtype, np.integer):
            raise TypeError(f"{name} must hold integers, got dtype {array.dtype}")
    if lengths.size and (lengths.min() < 0 or lengths.max() > tokens.shape[1]):
        raise ValueError(f"lengths must be in 0..{tokens.shape[1]} (the steps of tokens), got values "
                         f"from {lengths.min()} to {lengths.max()}")
    valid = np.arange(tokens.shape[1])[None, :] < lengths[:, None]
    if not np.isin(tokens[valid], (1, 2, 3)).all():
        raise ValueError(f"tokens must be 1, 2 or 3 on the real steps (0 is padding), got values "
                         f"{np.unique(tokens[valid])[:6].tolist()}")
    excess = np.cumsum(tokens, axis=1) - 2 * np.arange(1, tokens.shape[1] + 1)[None, :]
    return np.where(valid, np.sign(excess) + 1, 0).astype(np.int64)


def build_running_mean_sequences() -> dict[str, np.ndarray]:
    """Random tokens and lengths (RandomState(0)); labels from `running_mean_labels`."""
    rng = np.random.RandomState(0)
    arrays: dict[str, np.ndarray] = {}
    for name, rows in ROWS.items():
        lengths = rng.randint(MIN_LENGTH, MAXLEN + 1, size=rows)
        tokens = rng.randint(1, 4, size=(rows, MAXLEN))
        tokens[np.arange(MAXLEN)[None, :] >= lengths[:, None]] = 0
        arrays[f"x_{name}"] = tokens.astype(np.int64)
        arrays[f"y_{name}"] = running_mean_labels(tokens, lengths)
        arrays[f"lengths_{name}"] = lengths.astype(np.int64)
    return arrays


RECIPES = [
    Recipe(
        name="running_mean_sequences",
        build=build_running_mean_sequences,
        source="synthetic (kwhelpers.datasets.sequences), generated with numpy RandomState(0)",
        licence="CC0 (generated data)",
        how_made=(
            f"tokens uniform in {{1, 2, 3}}, lengths uniform in {MIN_LENGTH}..{MAXLEN}, "
            f"post-padded with 0 to {MAXLEN} steps. y[t] = sign(x[0] + ... + x[t] - 2 (t + 1)) + 1 "
            "(running mean below / equal to / above 2 -> class 0 / 1 / 2) on real "
            "steps, 0 on padded steps. lengths_* holds each sequence's real length."
        ),
    ),
]
