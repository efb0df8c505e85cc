"""Every exported Keras loss class, with options, under all reductions and with or without weights.

This is the grid notebook 04 used to run (25 configurations x 6 reductions x 2
weightings); the notebook now shows one readable comparison and leaves the
exhaustive check here. It complements `test_reference_losses.py` (hypothesis
over inputs, loss by loss) with fixed, hand-picked options: label smoothing
with logits, class balancing, ``ignore_class``, several ``axis`` tuples,
``Circle`` and ``CTC``.

Tolerance, as in `test_reference_losses.py`: rtol 1e-5 plus an absolute
``1e-7 * (1 + max|y_true| + max|y_pred|)`` for float32 cancellation, times
``gamma`` for ``Circle``.
"""

from __future__ import annotations

import copy
import warnings

import numpy as np
import pytest

import kwhelpers as kw

kw.setup(seed=0)

import keras  # noqa: E402  (after setup, which configures TensorFlow)

from kwhelpers.reference import losses as ref  # noqa: E402

L = keras.losses
REDUCTIONS = ["sum_over_batch_size", "mean", "sum", "mean_with_sample_weight", None, "none"]


def _cases() -> list[tuple[str, object, np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(0)

    def unit_rows(n, d):
        x = rng.normal(size=(n, d))
        return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)

    def probs(*shape):
        x = rng.random(shape).astype(np.float32) + 0.01
        return x / x.sum(-1, keepdims=True)

    x, y = rng.normal(size=(2, 6, 4)).astype(np.float32)
    bits = (rng.random((6, 4)) > 0.5).astype(np.float32)
    onehot = np.eye(4, dtype=np.float32)[rng.integers(0, 4, 6)]
    labels = rng.integers(0, 4, 6).astype(np.float32)
    masks = (rng.random((6, 3, 3, 1)) > 0.5).astype(np.float32)
    ctc_labels = np.array([[1, 2, 2, 0], [3, 1, 0, 0], [2, 0, 0, 0]] * 2, dtype=np.float32)
    cases = [
        (L.MeanSquaredError(), x, y), (L.MeanAbsoluteError(), x, y),
        (L.MeanAbsolutePercentageError(), x, y),
        (L.MeanSquaredLogarithmicError(), np.abs(x), np.abs(y)), (L.LogCosh(), x, y),
        (L.Huber(delta=0.7), x, y), (L.CosineSimilarity(axis=-1), x, y), (L.Hinge(), bits, y),
        (L.SquaredHinge(), bits, y), (L.CategoricalHinge(), onehot, y),
        (L.KLDivergence(), probs(6, 4), probs(6, 4)), (L.Poisson(), np.abs(x), np.abs(y)),
        (L.BinaryCrossentropy(), bits, probs(6, 4)),
        (L.BinaryCrossentropy(from_logits=True, label_smoothing=0.1), bits, x),
        (L.BinaryFocalCrossentropy(apply_class_balancing=True, from_logits=True), bits, x),
        (L.CategoricalCrossentropy(label_smoothing=0.2), onehot, probs(6, 4)),
        (L.CategoricalCrossentropy(from_logits=True), onehot, x),
        (L.CategoricalFocalCrossentropy(gamma=3.0), onehot, probs(6, 4)),
        (L.SparseCategoricalCrossentropy(), labels, probs(6, 4)),
        (L.SparseCategoricalCrossentropy(from_logits=True, ignore_class=2), labels, x),
        (L.CategoricalGeneralizedCrossEntropy(q=0.7), labels, probs(6, 4)),
        (L.Dice(axis=(1, 2, 3)), masks, rng.random((6, 3, 3, 1)).astype(np.float32)),
        (L.Tversky(alpha=0.3, beta=0.7, axis=(1, 2, 3)), masks,
         rng.random((6, 3, 3, 1)).astype(np.float32)),
        (L.Circle(), np.array([0, 0, 1, 1, 2, 3], dtype=np.float32), unit_rows(6, 3)),
        (L.CTC(), ctc_labels, rng.normal(size=(6, 7, 5)).astype(np.float32)),
    ]
    named = []
    for loss, y_true, y_pred in cases:
        options = {k: v for k, v in loss.get_config().items() if k not in ("name", "reduction", "dtype")}
        label = type(loss).__name__ + "".join(f"-{k}={v}" for k, v in sorted(options.items())
                                              if v not in (False, None, 0.0, -1))
        named.append((label, loss, y_true, y_pred))
    return named


CASES = _cases()
WEIGHTS = (np.random.default_rng(1).random(6) * 2).astype(np.float32)


def test_the_grid_covers_every_exported_loss_class():
    exported = sorted(name for name in dir(L) if isinstance(getattr(L, name), type)
                      and issubclass(getattr(L, name), L.Loss) and name != "Loss")
    covered = sorted({type(loss).__name__ for _, loss, _, _ in CASES})
    assert covered == exported, f"not in the grid: {sorted(set(exported) - set(covered))}"


@pytest.mark.parametrize("reduction", REDUCTIONS, ids=str)
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("label, loss, y_true, y_pred", CASES, ids=[c[0] for c in CASES])
def test_reference_equals_keras_in_every_setting(label, loss, y_true, y_pred, reduction, weighted):
    sample_weight = WEIGHTS if weighted else None
    instance = copy.copy(loss)  # from_config would drop Huber's delta and the cosine axis
    instance.reduction = reduction
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = keras.ops.convert_to_numpy(instance(y_true, y_pred, sample_weight=sample_weight))
    actual = ref.compute(instance, y_true, y_pred, sample_weight)
    assert actual.shape == np.shape(expected)
    gamma = loss.get_config()["gamma"] if isinstance(loss, L.Circle) else 1.0
    atol = 1e-7 * (1 + np.abs(y_true).max() + np.abs(y_pred).max()) * gamma
    np.testing.assert_allclose(actual, np.asarray(expected, dtype=np.float64), rtol=1e-5, atol=atol)
