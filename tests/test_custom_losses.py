"""kwhelpers.custom_losses: the seed's losses as written and PerOutputWeightedMSE."""

import kwhelpers as kw

kw.setup(seed=0)

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import tensorflow as tf  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from kwhelpers.custom_losses import PerOutputWeightedMSE, custom_mse, weighted_mse  # noqa: E402

RTOL = 1e-5
floats = st.floats(-10, 10, width=32)


@st.composite
def regression_batch(draw, columns):
    n = draw(st.integers(1, 7))
    y_true = np.array(draw(st.lists(floats, min_size=n * columns, max_size=n * columns)),
                      np.float32).reshape(n, columns)
    y_pred = np.array(draw(st.lists(floats, min_size=n * columns, max_size=n * columns)),
                      np.float32).reshape(n, columns)
    return y_true, y_pred


@settings(max_examples=30, deadline=None)
@given(data=st.data(), reduction=st.sampled_from(["sum_over_batch_size", "sum", None]))
def test_per_output_weighted_mse_matches_numpy(data, reduction):
    weights = data.draw(st.lists(st.floats(0, 5), min_size=1, max_size=4))
    y_true, y_pred = data.draw(regression_batch(len(weights)))
    w = np.array(data.draw(st.lists(st.floats(0, 3, width=32), min_size=len(y_true),
                                    max_size=len(y_true))), np.float32)
    per_sample = np.mean(np.array(weights) * (y_true.astype(np.float64) - y_pred) ** 2, axis=-1)
    expected = {"sum_over_batch_size": np.sum(per_sample * w) / len(y_true),
                "sum": np.sum(per_sample * w), None: per_sample * w}[reduction]
    got = PerOutputWeightedMSE(weights, reduction=reduction)(y_true, y_pred, sample_weight=w)
    np.testing.assert_allclose(np.asarray(got), expected, rtol=RTOL, atol=1e-4)


@settings(max_examples=20, deadline=None)
@given(regression_batch(1))
def test_seed_weighted_mse_is_twice_mse_for_one_output_at_any_batch_size(batch):
    y_true, y_pred = batch
    np.testing.assert_allclose(float(weighted_mse(y_true, y_pred)),
                               2 * np.mean((y_true.astype(np.float64) - y_pred) ** 2),
                               rtol=RTOL, atol=1e-5)


def test_seed_weighted_mse_fails_on_flat_targets_unless_batch_is_three():
    y = tf.constant([1.0, 2.0, 3.0, 4.0])
    with pytest.raises(tf.errors.InvalidArgumentError, match="Incompatible shapes"):
        weighted_mse(y, y * 0)
    np.testing.assert_allclose(float(weighted_mse(y[:3], y[:3] * 0)), (1 + 8 + 27) / 3,
                               rtol=RTOL)


def test_seed_custom_mse_is_one_scalar_per_batch():
    value = custom_mse(tf.constant([[0.0], [0.0]]), tf.constant([[1.0], [3.0]]))
    assert tuple(value.shape) == ()
    np.testing.assert_allclose(float(value), 5.0, rtol=RTOL)


def test_per_output_weighted_mse_roundtrips_config_and_trains():
    loss = PerOutputWeightedMSE([1.0, 2.0, 3.0])
    again = PerOutputWeightedMSE.from_config(loss.get_config())
    assert again.output_weights == [1.0, 2.0, 3.0]
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(3)])
    model.compile(optimizer="sgd", loss=loss)
    x = np.ones((5, 2), np.float32)
    y = np.zeros((5, 3), np.float32)
    logs = model.evaluate(x, y, batch_size=4, verbose=0, return_dict=True)
    per_sample = np.mean(np.array([1.0, 2.0, 3.0]) * model.predict(x, verbose=0) ** 2, axis=-1)
    np.testing.assert_allclose(logs["loss"], per_sample.mean(), rtol=RTOL)


@pytest.mark.parametrize("weights, error, match", [
    ([], ValueError, "non-empty"),
    ([1.0, -1.0], ValueError, "finite weights >= 0"),
    ([1.0, float("nan")], ValueError, "finite"),
    ("123", TypeError, "output_weights must be a sequence"),
])
def test_per_output_weighted_mse_validates_weights(weights, error, match):
    with pytest.raises(error, match=match):
        PerOutputWeightedMSE(weights)


def test_per_output_weighted_mse_rejects_wrong_column_count():
    with pytest.raises(ValueError, match="must have 3 columns"):
        PerOutputWeightedMSE([1.0, 2.0, 3.0])(np.zeros((2, 2)), np.zeros((2, 2)))
