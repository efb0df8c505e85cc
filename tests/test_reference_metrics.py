"""kwhelpers.reference.metrics against the installed Keras (float32) to rtol 1e-5."""

import kwhelpers as kw

kw.setup(seed=0)

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from kwhelpers.reference import metrics as ref  # noqa: E402

RTOL = 1e-5
EXAMPLES = settings(max_examples=40, deadline=None)


def keras_result(metric, y_true, y_pred, sample_weight=None):
    metric.reset_state()
    metric.update_state(y_true, y_pred, sample_weight=sample_weight)
    return float(metric.result())


@st.composite
def scores(draw, min_classes=2):
    """Float32 scores on a coarse grid, so ties (argmax, top-k boundary) happen."""
    n = draw(st.integers(1, 8))
    classes = draw(st.integers(min_classes, 6))
    grid = draw(st.lists(st.integers(0, 4), min_size=n * classes, max_size=n * classes))
    return (np.array(grid, dtype=np.float32) / 4).reshape(n, classes)


def weights_for(draw, n, shape=None):
    choice = draw(st.sampled_from(["none", "flat", "column"]))
    if choice == "none":
        return None
    # Zero or at least 2**-20 (about 1e-6): TensorFlow's CPU kernels flush subnormal floats to zero, the reference does not.
    weight = st.one_of(st.just(0.0), st.floats(2.0**-20, 5, width=32))
    w = np.array(draw(st.lists(weight, min_size=n, max_size=n)), np.float32)
    return w if choice == "flat" else w[:, None]


def labels_weights_and_k(data, y_pred):
    """Draw integer labels for the rows of ``y_pred``, sample weights and a valid top-k ``k``."""
    n, classes = y_pred.shape
    labels = np.array(data.draw(st.lists(st.integers(0, classes - 1), min_size=n, max_size=n)))
    return labels, weights_for(data.draw, n), data.draw(st.integers(1, classes))


@EXAMPLES
@given(data=st.data(), threshold=st.sampled_from([0.5, 0.3, 0.0, 0.75]))
def test_binary_accuracy_matches_keras(data, threshold):
    n = data.draw(st.integers(1, 10))
    width = data.draw(st.sampled_from([1, 3]))
    y_true = np.array(data.draw(st.lists(st.integers(0, 1), min_size=n * width,
                                         max_size=n * width)), np.float32).reshape(n, width)
    y_pred = (np.array(data.draw(st.lists(st.integers(0, 8), min_size=n * width,
                                          max_size=n * width)), np.float32) / 8).reshape(n, width)
    w = weights_for(data.draw, n)
    metric = keras.metrics.BinaryAccuracy(threshold=threshold)
    np.testing.assert_allclose(ref.compute_metric(metric, y_true, y_pred, w),
                               keras_result(metric, y_true, y_pred, w), rtol=RTOL, atol=1e-7)


@EXAMPLES
@given(data=st.data(), y_pred=scores())
def test_categorical_and_top_k_match_keras(data, y_pred):
    labels, w, k = labels_weights_and_k(data, y_pred)
    one_hot = np.eye(y_pred.shape[1], dtype=np.float32)[labels]
    for metric in (keras.metrics.CategoricalAccuracy(), keras.metrics.TopKCategoricalAccuracy(k=k)):
        np.testing.assert_allclose(ref.compute_metric(metric, one_hot, y_pred, w),
                                   keras_result(metric, one_hot, y_pred, w), rtol=RTOL, atol=1e-7)


@EXAMPLES
@given(data=st.data(), y_pred=scores())
def test_sparse_categorical_and_sparse_top_k_match_keras(data, y_pred):
    labels, w, k = labels_weights_and_k(data, y_pred)
    if data.draw(st.booleans()):
        labels = labels[:, None]
    metrics = [keras.metrics.SparseCategoricalAccuracy(),
               keras.metrics.SparseTopKCategoricalAccuracy(k=k)]
    for metric in metrics:
        np.testing.assert_allclose(ref.compute_metric(metric, labels, y_pred, w),
                                   keras_result(metric, labels, y_pred, w), rtol=RTOL, atol=1e-7)


@EXAMPLES
@given(data=st.data())
def test_sparse_top_k_from_sorted_ids_matches_keras(data):
    n = data.draw(st.integers(1, 8))
    classes = data.draw(st.integers(2, 6))
    rng = np.random.default_rng(data.draw(st.integers(0, 2**16)))
    ids = np.stack([rng.permutation(classes) for _ in range(n)]).astype(np.int32)
    labels = rng.integers(0, classes, size=n).astype(np.int32)
    if data.draw(st.booleans()):
        labels = labels[:, None]
    k = data.draw(st.integers(1, classes))
    w = weights_for(data.draw, n)
    metric = keras.metrics.SparseTopKCategoricalAccuracy(k=k, from_sorted_ids=True)
    np.testing.assert_allclose(ref.compute_metric(metric, labels, ids, w),
                               keras_result(metric, labels, ids, w), rtol=RTOL, atol=1e-7)


@EXAMPLES
@given(data=st.data(), shape=st.sampled_from([(5,), (5, 1), (4, 3), (3, 2, 2)]))
def test_mape_matches_keras(data, shape):
    size = int(np.prod(shape))
    values = st.floats(-100, 100, width=32).filter(lambda v: abs(v) > 1e-3)
    y_true = np.array(data.draw(st.lists(values, min_size=size, max_size=size)),
                      np.float32).reshape(shape)
    y_pred = np.array(data.draw(st.lists(values, min_size=size, max_size=size)),
                      np.float32).reshape(shape)
    w = weights_for(data.draw, shape[0]) if len(shape) > 1 else None
    metric = keras.metrics.MeanAbsolutePercentageError()
    np.testing.assert_allclose(ref.compute_metric(metric, y_true, y_pred, w),
                               keras_result(metric, y_true, y_pred, w), rtol=RTOL)


def test_mape_divides_by_epsilon_when_y_true_is_zero():
    metric = keras.metrics.MeanAbsolutePercentageError()
    y_true, y_pred = np.zeros((2, 1), np.float32), np.array([[1e-3], [2e-3]], np.float32)
    np.testing.assert_allclose(ref.compute_metric(metric, y_true, y_pred),
                               keras_result(metric, y_true, y_pred), rtol=RTOL)


@EXAMPLES
@given(data=st.data())
def test_weighted_mean_matches_keras_mean_for_temporal_weights(data):
    n, steps = data.draw(st.integers(1, 5)), data.draw(st.integers(1, 4))
    size = n * steps
    values = np.array(data.draw(st.lists(st.floats(-10, 10, width=32), min_size=size,
                                         max_size=size)), np.float32).reshape(n, steps)
    w = np.array(data.draw(st.lists(st.floats(0.5, 5, width=32), min_size=size,
                                    max_size=size)), np.float32).reshape(n, steps)
    metric = keras.metrics.Mean()
    metric.update_state(values, sample_weight=w)
    np.testing.assert_allclose(ref.weighted_mean(values, w), float(metric.result()),
                               rtol=RTOL, atol=1e-5)


def test_in_top_k_counts_ties_at_the_boundary_as_inside():
    scores_ = np.array([[0.5, 0.2, 0.2, 0.1]])
    assert ref.in_top_k(np.array([2]), scores_, k=2).tolist() == [True]
    assert ref.in_top_k(np.array([3]), scores_, k=3).tolist() == [False]


def test_weighted_mean_with_zero_total_weight_is_zero_like_divide_no_nan():
    assert ref.weighted_mean([1.0, 1.0], [0.0, 0.0]) == 0.0


@pytest.mark.parametrize("threshold", [0.3, 0.1, 0.7])
def test_binary_accuracy_compares_with_the_float32_threshold(threshold):
    """Keras casts the threshold to float32: a prediction equal to float32(0.3) is not above 0.3."""
    y_pred = np.array([[np.float32(threshold)], [np.nextafter(np.float32(threshold), np.float32(1))]],
                      np.float32)
    y_true = np.array([[0.0], [1.0]], np.float32)
    metric = keras.metrics.BinaryAccuracy(threshold=threshold)
    expected = keras_result(metric, y_true, y_pred)
    assert expected == 1.0
    assert ref.compute_metric(metric, y_true, y_pred) == expected


def test_compute_metric_reads_threshold_from_config():
    y_true, y_pred = np.array([[1.0], [1.0]]), np.array([[0.6], [0.8]])
    assert ref.compute_metric(keras.metrics.BinaryAccuracy(threshold=0.7), y_true, y_pred) == 0.5
    assert ref.compute_metric(keras.metrics.BinaryAccuracy(), y_true, y_pred) == 1.0


def test_compute_metric_refuses_unimplemented_metrics():
    with pytest.raises(NotImplementedError, match="AUC"):
        ref.compute_metric(keras.metrics.AUC(), [[1.0]], [[0.5]])

    class MyAccuracy(keras.metrics.BinaryAccuracy):
        pass

    with pytest.raises(NotImplementedError, match="MyAccuracy"):
        ref.compute_metric(MyAccuracy(), [[1.0]], [[0.5]])


def test_compute_metric_rejects_a_non_metric():
    with pytest.raises(TypeError, match="metric must be"):
        ref.compute_metric("accuracy", [[1.0]], [[0.5]])


@pytest.mark.parametrize("call, match", [
    (lambda: ref.categorical_accuracy([[0, 1]], [[0.1, 0.2, 0.7]]), "y_true must have the shape"),
    (lambda: ref.sparse_categorical_accuracy([1, 0, 1], [[0.1, 0.9]]), "y_true must have shape"),
    (lambda: ref.top_k_categorical_accuracy([[0, 1]], [[0.3, 0.7]], k=0), "k must be"),
    (lambda: ref.sparse_top_k_categorical_accuracy([0, 1], [[0.3, 0.7]]), "one class id per row"),
    (lambda: ref.weighted_mean([1.0, 2.0, 3.0], [1.0, 2.0]), "sample_weight shape"),
    (lambda: ref.binary_accuracy([[np.nan]], [[0.5]]), "y_true must be finite"),
    (lambda: ref.mean_absolute_percentage_error([1.0], [1.0], epsilon=0.0), "epsilon"),
])
def test_invalid_input_names_the_argument(call, match):
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.parametrize("call, error, match", [
    (lambda: ref.in_top_k(np.array([0.5]), np.array([[0.1, 0.9]]), k=1), ValueError,
     r"targets must be class ids in \[0, 2\)"),
    (lambda: ref.in_top_k(np.array([-1]), np.array([[0.1, 0.9]]), k=1), ValueError,
     r"targets must be class ids in \[0, 2\)"),
    (lambda: ref.in_top_k(np.array([2]), np.array([[0.1, 0.9]]), k=1), ValueError,
     r"targets must be class ids in \[0, 2\)"),
    (lambda: ref.in_top_k(np.array([0, 1]), np.array([[0.1, 0.9]]), k=1), ValueError,
     "targets must have 1 entries, got 2"),
    (lambda: ref.in_top_k(np.array([0]), np.array([[0.1, 0.9]]), k=True), ValueError,
     "k must be a positive int, got True"),
    (lambda: ref.categorical_accuracy(np.zeros((2, 0)), np.zeros((2, 0))), ValueError,
     "y_pred must have a class axis last"),
    (lambda: ref.binary_accuracy([[1.0, 0.0, 1.0]], [[0.5, 0.5]]), ValueError,
     r"y_true shape \(1, 3\) does not broadcast with y_pred shape \(1, 2\)"),
    (lambda: ref.binary_accuracy([[1.0]], [[0.5]], threshold="0.5"), TypeError,
     "threshold must be a float"),
    (lambda: ref.binary_accuracy([[1.0]], [[0.5]], threshold=True), TypeError,
     "threshold must be a float"),
    (lambda: ref.mean_absolute_percentage_error([[1.0, 2.0, 3.0]], [[1.0, 2.0]]), ValueError,
     r"y_true shape \(1, 3\) does not broadcast with y_pred shape \(1, 2\)"),
    (lambda: ref.sparse_categorical_accuracy([["a"]], [[0.5, 0.5]]), TypeError,
     "y_true must be numeric array-like"),
    (lambda: ref.top_k_categorical_accuracy([[0, 1], [1]], [[0.5, 0.5]] * 2), TypeError,
     "y_true must be numeric array-like"),
    (lambda: ref.weighted_mean([1.0, np.inf]), ValueError, "values must be finite"),
    (lambda: ref.weighted_mean([1.0, 2.0], [1.0, np.nan]), ValueError, "sample_weight must be finite"),
])
def test_metric_error_paths(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_compute_metric_refuses_an_unknown_config_option(monkeypatch):
    metric = keras.metrics.BinaryAccuracy()
    config = dict(metric.get_config(), shiny_new_option=1)
    monkeypatch.setattr(metric, "get_config", lambda: config)
    with pytest.raises(NotImplementedError, match=r"BinaryAccuracy: config option\(s\) \['shiny_new_option'\]"):
        ref.compute_metric(metric, [[1.0]], [[0.5]])


@pytest.mark.parametrize("from_sorted_ids", [False, True])
def test_from_sorted_ids_both_ways(from_sorted_ids):
    """The one boolean metric option, both ways on one input where the two readings differ."""
    y_pred = np.array([[2.0, 0.0, 1.0], [0.0, 1.0, 2.0]], np.float32)
    labels = np.array([0, 1])
    metric = keras.metrics.SparseTopKCategoricalAccuracy(k=1, from_sorted_ids=from_sorted_ids)
    expected = keras_result(metric, labels, y_pred)
    assert ref.compute_metric(metric, labels, y_pred) == pytest.approx(expected, rel=RTOL)
    assert expected == (0.0 if from_sorted_ids else 0.5)
