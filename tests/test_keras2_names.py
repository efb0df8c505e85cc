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
    keras2 = np.asarray(names.seed_loss(name, "tf.keras")(y_true, y_pred), dtype=np.float64)
    keras3 = np.asarray(names.keras3_object(names.lookup(name, "loss"))(y_true, y_pred), dtype=np.float64)
    # The legacy binary_crossentropy adds epsilon inside both logs: 1e-7 / p relative.
    np.testing.assert_allclose(keras2, keras3, rtol=2e-6 if name == "binary_crossentropy" else 1e-6)


@pytest.mark.parametrize("name", ["hinge", "squared_hinge"])
def test_seed_hinge_differs_on_0_1_labels(name):
    y_true = np.array([[0.0, 1.0, 1.0]], dtype=np.float32)
    y_pred = np.array([[0.3, -0.2, 0.8]], dtype=np.float32)
    for backend in names.SEED_BACKENDS:
        keras2 = float(names.seed_loss(name, backend)(y_true, y_pred)[0])
        keras3 = float(names.keras3_object(names.lookup(name, "loss"))(y_true, y_pred)[0])
        converted = float(names.seed_loss(name, backend)(2 * y_true - 1, y_pred)[0])
        assert abs(keras2 - keras3) > 0.1
        np.testing.assert_allclose(keras3, converted, rtol=1e-6)


@pytest.mark.parametrize("name", sorted(names.SEED_LOSS_CODE))
def test_seed_code_on_the_keras_2_2_4_backend_equals_keras3_function(name):
    # float32 NumPy vs float32 Keras: a few roundings apart. l2_normalize (cosine) divides by
    # sqrt(max(sum x^2, 1e-12)) where Keras 3 multiplies by a capped inverse norm, and the
    # sums of mixed-sign terms (cosine, log-cosh, KL) cancel: rtol 1e-5 with atol 1e-6.
    rng = np.random.default_rng(0)
    y_true, y_pred = _inputs(name, rng)
    keras2 = np.asarray(names.seed_loss(name)(y_true, y_pred), dtype=np.float64)
    keras3 = keras.ops.convert_to_numpy(names.keras3_object(names.lookup(name, "loss"))(y_true, y_pred))
    assert keras2.shape == keras3.shape
    np.testing.assert_allclose(keras2, keras3.astype(np.float64), rtol=1e-5, atol=1e-6)


def test_keras_2_2_4_binary_crossentropy_is_the_logit_form():
    K = names.keras224_backend()
    p = np.array([1e-9, 1e-3, 0.3, 0.999, 1.0], dtype=np.float32)
    for label in (0.0, 1.0):
        y = np.full_like(p, label)
        clipped = np.clip(p.astype(np.float64), np.float32(1e-7), np.float32(1 - 1e-7))
        exact = -(y * np.log(clipped) + (1 - y) * np.log(1 - clipped))
        np.testing.assert_allclose(K.binary_crossentropy(y, p), exact, rtol=1e-5, atol=2e-7)
        keras3 = keras.ops.convert_to_numpy(keras.losses.binary_crossentropy(y[:, None], p[:, None]))
        # both compute 1 - p in float32; near p = 0 its log keeps an absolute error up to 1.2e-7
        np.testing.assert_allclose(K.binary_crossentropy(y, p), keras3, rtol=1e-5, atol=2e-7)
    # saturated probabilities: the float32 clip bound 1 - 1e-7 = 0.99999988 caps the loss at 15.94
    np.testing.assert_allclose(K.binary_crossentropy(0.0, 1.0), 15.942385, rtol=1e-6)


def test_tf_keras_2_binary_crossentropy_differs_from_keras_2_2_4_by_epsilon_over_p():
    p = np.array([[1e-3], [1e-2]], dtype=np.float32)   # small p: the gap is above float32 rounding
    y = np.ones_like(p)
    keras224 = np.asarray(names.seed_loss("binary_crossentropy")(y, p), dtype=np.float64)
    tf_keras = np.asarray(names.seed_loss("binary_crossentropy", "tf.keras")(y, p), dtype=np.float64)
    gap = keras224 - tf_keras   # -log(p) - (-log(p + eps)) = log(1 + eps / p) ~ eps / p
    np.testing.assert_allclose(gap, 1e-7 / p[:, 0], rtol=0.05)


def test_keras_2_2_4_backend_functions():
    K = names.keras224_backend()
    assert K.epsilon() == 1e-7
    assert K.clip(np.array([-1.0, 5.0]), 0.5, None).tolist() == [0.5, 5.0]
    assert K.clip(np.array([-1.0, 5.0]), 2.0, 1.0).tolist() == [2.0, 2.0]   # max < min: max = min
    np.testing.assert_allclose(K.l2_normalize(np.array([[3.0, 4.0]]), axis=-1), [[0.6, 0.8]], rtol=1e-6)
    assert K.l2_normalize(np.zeros((1, 2)), axis=-1).tolist() == [[0.0, 0.0]]
    np.testing.assert_allclose(K.softplus(np.array([0.0, 100.0])), [np.log(2.0), 100.0], rtol=1e-6)
    probs = np.array([[0.2, 0.3, 0.5]], dtype=np.float32)
    np.testing.assert_allclose(K.categorical_crossentropy(np.array([[0.0, 0.0, 1.0]]), 2 * probs),
                               [-np.log(0.5)], rtol=1e-6)   # renormalised
    np.testing.assert_allclose(K.sparse_categorical_crossentropy(np.array([2.0]), 2 * probs),
                               [-np.log(0.5)], rtol=1e-6)
    assert K.sparse_categorical_crossentropy(np.zeros((2, 3)), np.full((2, 3, 4), 0.25)).shape == (2, 3)
    assert K.mean(np.array([[1, 2], [3, 4]]), axis=-1).dtype == np.float32
    with pytest.raises(ValueError, match="label"):
        K.sparse_categorical_crossentropy(np.array([3.0]), probs)
    with pytest.raises(NotImplementedError, match="axis"):
        K.sparse_categorical_crossentropy(np.array([[0.0]]), np.ones((1, 3, 2)), axis=1)


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
    with pytest.raises(ValueError, match="backend"):
        names.seed_loss("hinge", "theano")
    with pytest.raises(TypeError, match="NameEntry"):
        names.keras3_object("mse")
