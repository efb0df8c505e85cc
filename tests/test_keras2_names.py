"""Every Keras 2 name in `kwhelpers.keras2_names` is checked against the installed Keras."""

from __future__ import annotations

import inspect
import warnings

import numpy as np
import pytest

import kwhelpers as kw

kw.setup(seed=0)

import keras  # noqa: E402

from kwhelpers import keras2_names as names  # noqa: E402

IDS = [f"{e.kind}:{e.name}" for e in names.ENTRIES]


@pytest.mark.parametrize("entry", names.ENTRIES, ids=IDS)
def test_entry_resolves_exactly_as_recorded(entry):
    target = names.keras3_object(entry)
    if not entry.resolves:
        with pytest.raises(ValueError, match="Could not interpret"):
            names.resolve(entry.name, entry.kind)
        return
    resolved = names.resolve(entry.name, entry.kind)
    if inspect.isclass(target):
        assert isinstance(resolved, target)
        assert type(resolved) is target
    else:
        assert resolved is target


def test_seed_names_are_all_recorded():
    seed_losses = ("mse MSE mean_squared_error mae MAE mean_absolute_error mape MAPE "
                   "mean_absolute_percentage_error msle MSLE mean_squared_logarithmic_error kld KLD "
                   "kullback_leibler_divergence cosine cosine_proximity").split()
    recorded = {e.name for e in names.ENTRIES if e.kind == "loss"}
    assert set(seed_losses) <= recorded
    assert set(names.SEED_LOSS_CODE) <= recorded
    assert len(names.SEED_LOSS_CODE) == 14


def test_removed_names_are_exactly_four():
    removed = sorted(e.name for e in names.ENTRIES if not e.resolves)
    assert removed == ["cosine", "cosine_proximity", "kullback_leibler_divergence", "logcosh"]


def test_accuracy_string_is_chosen_by_shapes_in_compile():
    from keras.src.trainers.compile_utils import get_metric

    cases = [((4, 1), (4, 1), keras.metrics.BinaryAccuracy),
             ((4,), (4, 3), keras.metrics.SparseCategoricalAccuracy),
             ((4, 3), (4, 3), keras.metrics.CategoricalAccuracy)]
    for true_shape, pred_shape, expected in cases:
        metric = get_metric("accuracy", np.zeros(true_shape), np.zeros(pred_shape))
        assert type(metric) is expected
    assert type(names.resolve("accuracy", "metric")) is keras.metrics.Accuracy


def test_top_k_default_is_5():
    for name in ["top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy"]:
        assert names.resolve(name, "metric").get_config()["k"] == 5


def test_optimizer_lr_refused_and_decay_ignored():
    with pytest.raises(ValueError, match="lr"):
        keras.optimizers.SGD(lr=0.01)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        keras.optimizers.Adam(decay=0.1)
    assert any("decay" in str(w.message) for w in caught)


def _inputs(name, rng):
    x = rng.normal(size=(5, 3)).astype(np.float32)
    y = rng.normal(size=(5, 3)).astype(np.float32)
    probs = rng.random((2, 5, 3)).astype(np.float32) + 0.05
    p_true, p_pred = probs / probs.sum(-1, keepdims=True)
    labels = rng.integers(0, 3, 5)
    if name in ("categorical_crossentropy",):
        return np.eye(3, dtype=np.float32)[labels], p_pred
    if name == "sparse_categorical_crossentropy":
        return labels.astype(np.float32), p_pred
    if name == "binary_crossentropy":
        return (x > 0).astype(np.float32), p_pred
    if name == "kullback_leibler_divergence":
        return p_true, p_pred
    if name in ("poisson", "mean_squared_logarithmic_error"):
        return np.abs(x), np.abs(y)
    if name in ("hinge", "squared_hinge"):
        return np.sign(x) + (x == 0), y  # -1/+1 labels: the Keras 2 convention
    return x, y


@pytest.mark.parametrize("name", sorted(names.SEED_LOSS_CODE))
def test_seed_keras2_code_equals_keras3_function(name):
    rng = np.random.default_rng(0)
    y_true, y_pred = _inputs(name, rng)
    keras2 = np.asarray(names.seed_loss(name)(y_true, y_pred), dtype=np.float64)
    keras3 = np.asarray(names.keras3_object(names.lookup(name, "loss"))(y_true, y_pred), dtype=np.float64)
    # The legacy binary_crossentropy adds epsilon inside both logs: 1e-7 / p relative.
    np.testing.assert_allclose(keras2, keras3, rtol=2e-6 if name == "binary_crossentropy" else 1e-6)


@pytest.mark.parametrize("name", ["hinge", "squared_hinge"])
def test_seed_hinge_differs_on_0_1_labels(name):
    y_true = np.array([[0.0, 1.0, 1.0]], dtype=np.float32)
    y_pred = np.array([[0.3, -0.2, 0.8]], dtype=np.float32)
    keras2 = float(names.seed_loss(name)(y_true, y_pred)[0])
    keras3 = float(names.keras3_object(names.lookup(name, "loss"))(y_true, y_pred)[0])
    converted = float(names.seed_loss(name)(2 * y_true - 1, y_pred)[0])
    assert abs(keras2 - keras3) > 0.1
    np.testing.assert_allclose(keras3, converted, rtol=1e-6)


def test_table_measures_resolution():
    frame = names.table()
    assert len(frame) == len(names.ENTRIES)
    assert (frame["resolves_now"] == [e.resolves for e in names.ENTRIES]).all()


def test_bad_arguments():
    with pytest.raises(ValueError, match="kind"):
        names.lookup("mse", "layer")
    with pytest.raises(ValueError, match="not used in the seeds"):
        names.lookup("huber", "loss")
    with pytest.raises(TypeError, match="name"):
        names.resolve(3, "loss")
    with pytest.raises(ValueError, match="seed's losses"):
        names.seed_loss("huber")
    with pytest.raises(TypeError, match="NameEntry"):
        names.keras3_object("mse")
