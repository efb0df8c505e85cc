"""kwhelpers.custom_metrics: the seed's PercentageError defects and the corrected metric."""

import kwhelpers as kw

kw.setup(seed=0)

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import tensorflow as tf  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from kwhelpers.custom_metrics import PercentageError, SeedPercentageError, mean_pred  # noqa: E402

RTOL = 1e-5


@st.composite
def batches(draw):
    """1-3 batches of targets/predictions with the same trailing shape, plus weights."""
    trailing = draw(st.sampled_from([(1,), (3,), (2, 2)]))
    weight_style = draw(st.sampled_from(["none", "flat", "column"]))
    values = st.floats(0.125, 50, width=32)
    out = []
    for _ in range(draw(st.integers(1, 3))):
        shape = (draw(st.integers(1, 6)), *trailing)
        size = int(np.prod(shape))
        y_true = np.array(draw(st.lists(values, min_size=size, max_size=size)), np.float32)
        y_pred = np.array(draw(st.lists(values, min_size=size, max_size=size)), np.float32)
        w = None
        if weight_style != "none":
            w = np.array(draw(st.lists(st.floats(0, 4, width=32), min_size=shape[0],
                                       max_size=shape[0])), np.float32)
            w = w if weight_style == "flat" else w[:, None]
        out.append((y_true.reshape(shape), y_pred.reshape(shape), w))
    return out


@settings(max_examples=40, deadline=None)
@given(batches())
def test_corrected_percentage_error_equals_keras_mape_over_batches(data):
    ours, keras_mape = PercentageError(), keras.metrics.MeanAbsolutePercentageError()
    for y_true, y_pred, w in data:
        ours.update_state(y_true, y_pred, sample_weight=w)
        keras_mape.update_state(y_true, y_pred, sample_weight=w)
    np.testing.assert_allclose(float(ours.result()), float(keras_mape.result()),
                               rtol=RTOL, atol=1e-5)


def test_corrected_percentage_error_accepts_flat_targets_and_float64_weights():
    y_true, y_pred = np.array([2.0, 4.0]), np.array([[1.0], [5.0]], np.float32)
    m = PercentageError()
    m.update_state(y_true, y_pred, sample_weight=np.array([1.0, 3.0]))
    np.testing.assert_allclose(float(m.result()), (50 * 1 + 25 * 3) / 4, rtol=RTOL)


def test_corrected_percentage_error_in_fit_equals_keras_weighted_metric():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(12, 3)).astype(np.float32)
    y = rng.uniform(1, 2, size=(12, 1)).astype(np.float32)
    w = rng.uniform(0, 2, size=12).astype(np.float32)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(loss="mse", weighted_metrics=[PercentageError(),
                                                keras.metrics.MeanAbsolutePercentageError()])
    logs = model.evaluate(x, y, sample_weight=w, batch_size=5, verbose=0, return_dict=True)
    np.testing.assert_allclose(logs["percentage_error"], logs["mean_absolute_percentage_error"],
                               rtol=RTOL)


@pytest.mark.parametrize("y_true, y_pred, w, match", [
    ([[1.0], [2.0]], [[1.0, 2.0], [3.0, 4.0]], None, "same shape"),
    ([1.0, 2.0], [1.0, 2.0], None, "rank >= 2"),
    ([[1.0, 1.0], [2.0, 2.0]], [[1.0, 1.0], [2.0, 2.0]], [[1.0, 1.0], [1.0, 1.0]],
     "sample_weight must have shape"),
    ([[1.0], [2.0]], [[1.0], [2.0]], [1.0, 2.0, 3.0], "sample_weight must have shape"),
])
def test_corrected_percentage_error_rejects_bad_shapes(y_true, y_pred, w, match):
    with pytest.raises(ValueError, match=match):
        PercentageError().update_state(y_true, y_pred, sample_weight=w)


def test_corrected_percentage_error_roundtrips_its_config():
    m = PercentageError(name="pe")
    assert PercentageError.from_config(m.get_config()).name == "pe"


def test_seed_metric_multiplies_error_sum_by_weight_sum():
    """(batch, 1) errors times (batch,) weights broadcast to (batch, batch)."""
    y_true = tf.constant([[2.0], [4.0], [5.0]])
    y_pred = tf.constant([[1.0], [5.0], [5.0]])
    w = tf.constant([1.0, 3.0, 0.0])
    seed = SeedPercentageError()
    seed.update_state(y_true, y_pred, sample_weight=w)
    fractions = np.array([0.5, 0.25, 0.0])
    np.testing.assert_allclose(float(seed.result()), fractions.sum() * 4.0 / 3, rtol=RTOL)
    correct = PercentageError()
    correct.update_state(y_true, y_pred, sample_weight=w)
    np.testing.assert_allclose(float(correct.result()), 100 * (0.5 * 1 + 0.25 * 3) / 4, rtol=RTOL)


def test_seed_metric_without_weights_is_mape_over_100():
    y_true, y_pred = tf.constant([[2.0], [4.0]]), tf.constant([[1.0], [5.0]])
    seed = SeedPercentageError()
    seed.update_state(y_true, y_pred)
    np.testing.assert_allclose(float(seed.result()) * 100, 37.5, rtol=RTOL)


def test_seed_metric_fails_on_float64_weights():
    with pytest.raises(tf.errors.InvalidArgumentError, match="double"):
        SeedPercentageError().update_state(tf.constant([[2.0]]), tf.constant([[1.0]]),
                                           sample_weight=tf.constant([1.0], tf.float64))


def test_mean_pred_is_the_batch_mean_of_predictions():
    assert float(mean_pred(np.zeros((3, 1)), np.array([[1.0], [2.0], [6.0]]))) == 3.0


def test_keras2_k_clip_without_upper_bound():
    from kwhelpers.custom_metrics import KERAS2_K

    clipped = keras.ops.convert_to_numpy(KERAS2_K.clip(np.array([0.0, 1e9], np.float32), 1e-7, None))
    np.testing.assert_allclose(clipped, [1e-7, 1e9], rtol=1e-7)
    assert KERAS2_K.epsilon() == 1e-7


def test_seed_metric_does_not_import_tensorflow_itself():
    import ast
    import inspect as pyinspect

    import kwhelpers.custom_metrics as module

    tree = ast.parse(pyinspect.getsource(module))
    imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom))
                for alias in (node.names if isinstance(node, ast.Import) else [ast.alias(node.module or "")])}
    assert "tensorflow" not in imported


def test_sample_weight_probe_counts_weighted_samples():
    from kwhelpers.custom_metrics import SampleWeightProbe

    probe = SampleWeightProbe()
    assert float(probe.result()) == 0.0
    probe.update_state(np.zeros((3, 1)), np.zeros((3, 1)), sample_weight=np.zeros(3))
    probe.update_state(np.zeros((1, 1)), np.zeros((1, 1)))
    np.testing.assert_allclose(float(probe.result()), 0.75)
    probe.reset_state()
    assert float(probe.result()) == 0.0
    with pytest.raises(ValueError, match="batch axis"):
        probe.update_state(0.0, 0.0)


def test_sample_weight_probe_in_fit_and_evaluate():
    from kwhelpers.custom_metrics import SampleWeightProbe

    x, y, w = np.ones((8, 2), np.float32), np.ones((8, 1), np.float32), np.full(8, 2.0, np.float32)
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse", metrics=[SampleWeightProbe(name="plain")],
                  weighted_metrics=[SampleWeightProbe(name="weighted")])
    logs = model.fit(x, y, sample_weight=w, batch_size=4, epochs=1, verbose=0).history
    assert (logs["plain"][-1], logs["weighted"][-1]) == (0.0, 1.0)
    logs = model.evaluate(x, y, sample_weight=w, batch_size=4, verbose=0, return_dict=True)
    assert (logs["plain"], logs["weighted"]) == (0.0, 1.0)
    logs = model.evaluate(x, y, batch_size=4, verbose=0, return_dict=True)
    assert (logs["plain"], logs["weighted"]) == (0.0, 0.0)
    assert SampleWeightProbe(name="p").get_config() == {"name": "p", "dtype": "float32"}
