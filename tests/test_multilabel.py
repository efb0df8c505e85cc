"""Tests for kwhelpers.multilabel and the digits_multilabel dataset."""

import kwhelpers as kw

kw.setup(seed=0)

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import tensorflow as tf  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from kwhelpers.datasets.multilabel_digits import ATTRIBUTES, attribute_matrix  # noqa: E402
from kwhelpers.multilabel import (  # noqa: E402
    PositiveWeightedBinaryCrossentropy,
    per_label_recall,
    positive_weights,
)


def _batch(seed, rows, labels):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, size=(rows, labels)).astype(np.float32)
    logits = rng.normal(0.0, 3.0, size=(rows, labels)).astype(np.float32)
    weights = rng.uniform(0.1, 10.0, size=labels)
    return y, logits, weights


def _numpy_weighted_bce(y, logits, weights):
    """Float64 reference: -(w y log p + (1 - y) log(1 - p)), mean over labels, then over rows."""
    z = logits.astype(np.float64)
    minus_log_p = np.logaddexp(0.0, -z)
    minus_log_not_p = np.logaddexp(0.0, z)
    elements = weights * y * minus_log_p + (1 - y) * minus_log_not_p
    return elements.mean(axis=-1).mean()


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), rows=st.integers(1, 6), labels=st.integers(1, 7))
def test_weighted_loss_matches_float64_reference_from_logits(seed, rows, labels):
    y, logits, weights = _batch(seed, rows, labels)
    loss = PositiveWeightedBinaryCrossentropy(weights, from_logits=True)
    np.testing.assert_allclose(float(loss(y, logits)), _numpy_weighted_bce(y, logits, weights),
                               rtol=1e-5)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), rows=st.integers(1, 6), labels=st.integers(1, 7))
def test_weighted_loss_matches_tensorflow_weighted_cross_entropy(seed, rows, labels):
    y, logits, weights = _batch(seed, rows, labels)
    expected = tf.reduce_mean(tf.nn.weighted_cross_entropy_with_logits(
        labels=y, logits=logits, pos_weight=weights.astype(np.float32)))
    loss = PositiveWeightedBinaryCrossentropy(weights, from_logits=True)
    # Both sides are float32; a small mean loss (~1e-3) can differ by a few float32 ulps of its terms.
    np.testing.assert_allclose(float(loss(y, logits)), float(expected), rtol=1e-5, atol=1e-6)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), rows=st.integers(1, 6), labels=st.integers(1, 7))
def test_unit_weights_equal_keras_binary_crossentropy_on_probabilities(seed, rows, labels):
    y, logits, _ = _batch(seed, rows, labels)
    probabilities = np.asarray(keras.ops.convert_to_numpy(keras.ops.sigmoid(logits)))
    ours = PositiveWeightedBinaryCrossentropy(np.ones(labels))(y, probabilities)
    theirs = keras.losses.BinaryCrossentropy()(y, probabilities)
    np.testing.assert_allclose(float(ours), float(theirs), rtol=1e-5, atol=1e-7)


def test_weight_multiplies_only_the_positive_term():
    y = np.array([[1.0, 0.0]], np.float32)
    p = np.array([[0.25, 0.25]], np.float32)
    base = float(PositiveWeightedBinaryCrossentropy([1.0, 1.0])(y, p))
    heavier_positive = float(PositiveWeightedBinaryCrossentropy([3.0, 1.0])(y, p))
    heavier_negative_label = float(PositiveWeightedBinaryCrossentropy([1.0, 3.0])(y, p))
    np.testing.assert_allclose(heavier_positive - base, 2 * -np.log(0.25) / 2, rtol=1e-5)
    assert heavier_negative_label == pytest.approx(base, rel=1e-6)


def test_weighted_loss_uses_cached_logits_of_a_saturated_sigmoid():
    logits = tf.constant([[30.0]])
    probabilities = keras.activations.sigmoid(logits)  # carries _keras_logits
    loss = PositiveWeightedBinaryCrossentropy([1.0])(np.zeros((1, 1), np.float32), probabilities)
    np.testing.assert_allclose(float(loss), 30.0, rtol=1e-5)


def test_weighted_loss_trains_a_model_and_survives_serialization():
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, activation="sigmoid")])
    model.compile(optimizer="sgd", loss=PositiveWeightedBinaryCrossentropy([2.0, 0.5]))
    history = model.fit(np.ones((4, 3), np.float32), np.eye(2, dtype=np.float32)[[0, 1, 0, 1]],
                        epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])
    restored = keras.losses.deserialize(keras.losses.serialize(model.loss))
    assert restored.pos_weight == [2.0, 0.5]


@pytest.mark.parametrize("bad, match", [([], "non-empty"), ([1.0, 0.0], "> 0"),
                                        ([[1.0]], "1-D"), ([np.nan], "finite")])
def test_weighted_loss_rejects_bad_weights(bad, match):
    with pytest.raises(ValueError, match=match):
        PositiveWeightedBinaryCrossentropy(bad)


def test_weighted_loss_rejects_wrong_label_count():
    with pytest.raises(ValueError, match="3 labels"):
        PositiveWeightedBinaryCrossentropy([1.0, 1.0, 1.0])(np.zeros((2, 2)), np.full((2, 2), 0.5))


def test_positive_weights_balance_each_label():
    y = np.array([[1, 0, 1], [0, 0, 1], [0, 1, 1], [0, 0, 0]])
    weights = positive_weights(y)
    positives = y.sum(axis=0)
    np.testing.assert_allclose(weights * positives, len(y) - positives)


def test_positive_weights_refuse_a_label_positive_in_every_row():
    """Weight 0 for an always-positive label, which the weighted loss then rejected."""
    y = np.array([[1, 0, 1], [1, 1, 0], [1, 0, 0]])
    with pytest.raises(ValueError, match=r"^y: every label needs a negative, but label columns \[0\] "
                                         r"are positive in all 3 rows .*refuses\)$"):
        positive_weights(y)
    assert (positive_weights(y[:, 1:]) > 0).all()


@pytest.mark.parametrize("bad, match", [(np.zeros((2, 2)), "needs a positive"),
                                        (np.array([1, 0]), "2-D"),
                                        (np.array([[2, 1]]), "only 0 and 1")])
def test_positive_weights_validation(bad, match):
    with pytest.raises(ValueError, match=match):
        positive_weights(bad)


def test_per_label_recall_counts_hits_among_positives():
    y = np.array([[1, 0], [1, 1], [0, 1], [1, 1]])
    score = np.array([[0.7, 0.9], [0.5, 0.1], [0.9, 0.6], [0.2, 0.4]])
    np.testing.assert_allclose(per_label_recall(y, score), [2 / 3, 1 / 3])
    np.testing.assert_allclose(per_label_recall(y, score, threshold=0.1), [1.0, 1.0])


def test_per_label_recall_validation():
    with pytest.raises(ValueError, match="shape of y_true"):
        per_label_recall(np.ones((2, 2)), np.ones((2, 3)))
    with pytest.raises(ValueError, match="needs a positive"):
        per_label_recall(np.array([[1, 0]]), np.array([[0.5, 0.5]]))
    with pytest.raises(TypeError, match="threshold"):
        per_label_recall(np.ones((1, 1)), np.ones((1, 1)), threshold="0.5")


def test_attribute_matrix_matches_the_definitions():
    digits = np.arange(10)
    matrix = attribute_matrix(digits)
    for column, members in enumerate(ATTRIBUTES.values()):
        assert set(digits[matrix[:, column] == 1].tolist()) == set(members)
    assert matrix[1].sum() == 0  # the digit 1 has no attribute


def test_attribute_matrix_validation():
    with pytest.raises(ValueError, match="0..9"):
        attribute_matrix(np.array([10]))
    with pytest.raises(ValueError, match="1-D integer"):
        attribute_matrix(np.array([1.0]))


def test_dataset_labels_agree_with_digits():
    data = kw.data.load("digits_multilabel")
    assert data["label_names"].tolist() == list(ATTRIBUTES)
    for split in ("train", "val", "test"):
        np.testing.assert_array_equal(data[f"y_{split}"], attribute_matrix(data[f"digit_{split}"]))
        assert data[f"x_{split}"].shape == (len(data[f"y_{split}"]), 64)
