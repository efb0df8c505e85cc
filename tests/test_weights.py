"""Unit tests for kwhelpers.weights, including property tests against Keras's own class_weight path."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from kwhelpers import weights as W

# ----------------------------------------------------------------------------- strategies
N = st.integers(1, 12)
CLASSES = st.integers(2, 5)


@st.composite
def sparse_labels(draw, ndim=1):
    n, c = draw(N), draw(CLASSES)
    shape = (n,) if ndim == 1 else (n, draw(st.integers(2, 6)))
    labels = draw(hnp.arrays(np.int64, shape, elements=st.integers(0, c - 1)))
    return labels, c


@st.composite
def class_weight_dicts(draw, classes):
    values = st.floats(0.0, 50.0, allow_nan=False, allow_infinity=False, width=32)
    return {k: draw(values) for k in range(classes)}


def _keras_sample_weight(y, class_weight):
    from keras.src.trainers.data_adapters.data_adapter_utils import class_weight_to_sample_weights

    return np.asarray(class_weight_to_sample_weights(y, class_weight))


# ----------------------------------------------------------------------------- class_weights
@settings(max_examples=40, deadline=None)
@given(sparse_labels())
def test_balanced_equals_sklearn(data):
    from sklearn.utils.class_weight import compute_class_weight

    labels, _ = data
    classes = np.unique(labels)
    expected = compute_class_weight("balanced", classes=classes, y=labels)
    got = W.class_weights(labels, "balanced")
    assert list(got) == classes.tolist()
    np.testing.assert_allclose(list(got.values()), expected, rtol=1e-12)


@settings(max_examples=40, deadline=None)
@given(sparse_labels())
def test_inverse_has_balanced_ratios_and_class_mean_one(data):
    labels, _ = data
    balanced = W.class_weights(labels, "balanced")
    inverse = W.class_weights(labels, "inverse")
    ratio = np.array(list(inverse.values())) / np.array(list(balanced.values()))
    np.testing.assert_allclose(ratio, ratio[0], rtol=1e-12)
    assert np.mean(list(inverse.values())) == pytest.approx(1.0)


@settings(max_examples=40, deadline=None)
@given(sparse_labels(), st.floats(0.0, 0.999))
def test_effective_number_formula(data, beta):
    labels, _ = data
    _, counts = np.unique(labels, return_counts=True)
    raw = (1 - beta) / (1 - beta ** counts.astype(float))
    got = np.array(list(W.class_weights(labels, "effective", beta=beta).values()))
    np.testing.assert_allclose(got, raw / raw.mean(), rtol=1e-10)


def test_effective_limits():
    labels = np.array([0] * 90 + [1] * 10)
    assert W.class_weights(labels, "effective", beta=0.0) == {0: 1.0, 1: 1.0}
    near_one = W.class_weights(labels, "effective", beta=1 - 1e-9)
    inverse = W.class_weights(labels, "inverse")
    np.testing.assert_allclose(list(near_one.values()), list(inverse.values()), rtol=1e-5)


def test_class_weights_are_exact_and_plain_types():
    """No rounding: 1/3-type weights come out as computed (the old default rounded to 4 decimals)."""
    got = W.class_weights(np.array([0, 0, 0, 1, 1, 1, 1]), "balanced")
    assert got == {0: 7 / 6, 1: 7 / 8}
    assert all(type(k) is int and type(v) is float for k, v in got.items())


def test_class_weights_refuse_an_ambiguous_zero_one_matrix_and_read_one_hot_with_layout():
    one_hot = np.eye(3)[[0, 0, 1, 2]]
    with pytest.raises(ValueError, match="layout cannot be told"):
        W.class_weights(one_hot)
    assert W.class_weights(one_hot, layout="one_hot") == W.class_weights([0, 0, 1, 2])


@pytest.mark.parametrize("kwargs, error, match", [
    ({"y": [0, 1], "method": "median"}, ValueError, "method must be one of"),
    ({"y": [0, 1], "method": "effective", "beta": 1.0}, ValueError, "beta must be"),
    ({"y": [0, 1], "method": "effective", "beta": -0.1}, ValueError, "beta must be"),
    ({"y": [], "method": "balanced"}, ValueError, "at least one label"),
    ({"y": [0.5, 1.0], "method": "balanced"}, ValueError, "non-integer values"),
    ({"y": [-1, 1], "method": "balanced"}, ValueError, ">= 0, got -1"),
    ({"y": [True, False], "method": "balanced"}, TypeError, "dtype bool"),
    ({"y": ["a", "b"], "method": "balanced"}, TypeError, "numeric array"),
    ({"y": [0, 1], "method": "balanced", "layout": "columns"}, ValueError, "layout must be one of"),
])
def test_class_weights_errors(kwargs, error, match):
    with pytest.raises(error, match=match):
        W.class_weights(**kwargs)


# ----------------------------------------------------------------------------- validate_class_weight
@pytest.mark.parametrize("class_weight, error, match", [
    ([1.0, 2.0], TypeError, "must be a dict"),
    ({}, ValueError, "must not be empty"),
    ({1.0: 2.0}, TypeError, "keys must be integer"),
    ({True: 2.0}, TypeError, "keys must be integer"),
    ({"1": 2.0}, TypeError, "keys must be integer"),
    ({-1: 2.0}, ValueError, "keys must be >= 0"),
    ({0: "2"}, TypeError, r"class_weight\[0\] must be a real number"),
    ({0: True}, TypeError, r"class_weight\[0\] must be a real number"),
    ({0: -0.5}, ValueError, r"class_weight\[0\] must be >= 0, got -0.5"),
    ({0: float("nan")}, ValueError, r"class_weight\[0\] must be finite"),
    ({0: float("inf")}, ValueError, r"class_weight\[0\] must be finite"),
])
def test_validate_class_weight_errors(class_weight, error, match):
    with pytest.raises(error, match=match):
        W.validate_class_weight(class_weight)


def test_validate_class_weight_normalises_types():
    got = W.validate_class_weight({np.int32(2): np.float32(0.5), 0: 3})
    assert got == {0: 3.0, 2: 0.5}
    assert [type(k) for k in got] == [int, int]


# ----------------------------------------------------------------------------- layouts
@pytest.mark.parametrize("y, layout", [
    (np.array([0, 2, 1]), "sparse"),
    (np.array([[0], [2]]), "sparse"),
    (np.array([[0, 2, 1], [1, 1, 1]]), "sparse_sequence"),
    (np.zeros((2, 3, 1)), "sparse_sequence"),
    (np.eye(3)[[[0, 1], [2, 2]]], "one_hot_sequence"),
])
def test_infer_layout(y, layout):
    assert W.infer_layout(y) == layout


@pytest.mark.parametrize("y", [np.eye(3)[[0, 1]], np.array([[0, 1], [1, 1]]),
                               np.array([[True, False], [False, True]])])
def test_infer_layout_refuses_ambiguous_zero_one_matrix(y):
    with pytest.raises(ValueError, match="layout='one_hot' or layout='sparse_sequence'"):
        W.infer_layout(y)


@pytest.mark.parametrize("y", [np.array(3), np.zeros((2, 2, 2, 2))])
def test_infer_layout_refuses_other_ranks(y):
    with pytest.raises(ValueError, match=r"got shape \("):
        W.infer_layout(y)


@pytest.mark.parametrize("y, layout, match", [
    (np.zeros((3, 2)), "sparse", r"layout='sparse' must have shape \(N,\) or \(N, 1\)"),
    (np.zeros(3), "one_hot", r"must have shape \(N, C\)"),
    (np.zeros(3), "sparse_sequence", r"must have shape \(N, T\)"),
    (np.zeros((3, 2)), "one_hot_sequence", r"must have shape \(N, T, C\)"),
    (np.zeros((3, 2)), "onehot", "layout must be one of"),
    (np.array([[1, 1], [0, 1]]), "one_hot", "exactly one 1 per row, found a row with 2"),
    (np.array([[0, 0], [0, 1]]), "one_hot", "found a row with 0"),
    (np.array([[0.9, 0.1], [0.1, 0.9]]), "one_hot", "only 0 and 1"),
    (np.ones((3, 1)), "one_hot", "at least 2 columns"),
])
def test_labels_to_indices_errors(y, layout, match):
    with pytest.raises(ValueError, match=match):
        W.labels_to_indices(y, layout)


def test_labels_to_indices_shapes():
    assert W.labels_to_indices(np.array([[2], [0]]))[0].shape == (2,)
    indices, layout = W.labels_to_indices(np.eye(2)[[[0, 1, 1]]], "one_hot_sequence")
    assert (layout, indices.tolist()) == ("one_hot_sequence", [[0, 1, 1]])
    indices, layout = W.labels_to_indices(np.array([[[1], [0]]]), "sparse_sequence")
    assert indices.tolist() == [[1, 0]]


# ----------------------------------------------------------------------------- against Keras
@settings(max_examples=30, deadline=None)
@given(sparse_labels(), st.data())
def test_sparse_matches_keras(data, draw):
    labels, c = data
    class_weight = draw.draw(class_weight_dicts(c))
    # Any key order: the look-up must not depend on the order the caller wrote the dict in.
    order = draw.draw(st.permutations(list(class_weight)))
    class_weight = {k: class_weight[k] for k in order}
    for y in (labels, labels[:, None], labels.astype(np.float32)):
        np.testing.assert_array_equal(W.class_weight_to_sample_weight(y, class_weight),
                                      _keras_sample_weight(y, class_weight))


@settings(max_examples=30, deadline=None)
@given(sparse_labels(), st.data())
def test_one_hot_matches_keras(data, draw):
    labels, c = data
    class_weight = draw.draw(class_weight_dicts(c))
    y = np.eye(c, dtype=np.float32)[labels]
    np.testing.assert_array_equal(W.class_weight_to_sample_weight(y, class_weight, layout="one_hot"),
                                  _keras_sample_weight(y, class_weight))


@settings(max_examples=15, deadline=None)
@given(sparse_labels(), st.booleans(), st.data())
def test_matches_keras_tf_data_path(data, one_hot, draw):
    """`fit(tf.data.Dataset, class_weight=...)` uses another converter (a gather in the dataset map)."""
    import tensorflow as tf
    from keras.src.trainers.data_adapters.tf_dataset_adapter import make_class_weight_map_fn

    labels, c = data
    class_weight = draw.draw(class_weight_dicts(c))
    y = np.eye(c, dtype=np.float32)[labels] if one_hot else labels
    _, _, keras_weight = make_class_weight_map_fn(class_weight)(tf.zeros((len(labels), 1)),
                                                                tf.constant(y))
    ours = W.class_weight_to_sample_weight(y, class_weight, layout="one_hot" if one_hot else None)
    np.testing.assert_array_equal(ours, np.asarray(keras_weight))


@settings(max_examples=20, deadline=None)
@given(sparse_labels(ndim=2), st.data())
def test_sequences_match_a_per_step_lookup(data, draw):
    """Keras has no per-step class weights; the reference is a per-step lookup in the dict."""
    labels, c = data
    class_weight = draw.draw(class_weight_dicts(c))
    expected = np.vectorize(lambda k: np.float32(class_weight[int(k)]))(labels).astype(np.float32)
    sparse = W.class_weight_to_sample_weight(labels, class_weight, layout="sparse_sequence")
    one_hot = W.class_weight_to_sample_weight(np.eye(c)[labels], class_weight)
    np.testing.assert_array_equal(sparse, expected)
    np.testing.assert_array_equal(one_hot, expected)
    assert sparse.shape == labels.shape and sparse.dtype == np.float32
    # Keras's own path argmaxes a sparse (N, T) target over time: one weight per sample.
    assert _keras_sample_weight(labels, class_weight).shape == (labels.shape[0],)


def test_keras_fit_uses_the_same_weights_as_ours():
    """End to end: fit(class_weight=...) and fit(sample_weight=ours) train identical weights."""
    import keras

    rng = np.random.RandomState(0)
    x = rng.normal(size=(24, 3)).astype(np.float32)
    y = rng.randint(0, 3, size=24)
    class_weight = {0: 0.5, 1: 2.0, 2: 1.25}
    results = []
    for kwargs in ({"class_weight": class_weight},
                   {"sample_weight": W.class_weight_to_sample_weight(y, class_weight)}):
        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(3, activation="softmax")])
        model.compile(optimizer=keras.optimizers.SGD(0.1), loss="sparse_categorical_crossentropy")
        model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0, **kwargs)
        results.append(model.get_weights())
    for a, b in zip(*results):
        np.testing.assert_array_equal(a, b)


# ----------------------------------------------------------------------------- class -> sample errors
@pytest.mark.parametrize("y, class_weight, kwargs, error, match", [
    (np.array([0, 1, 2]), {0: 1.0, 1: 2.0}, {}, ValueError, r"no weight for classes \[2\]"),
    (np.array([0.0, 1.5]), {0: 1.0, 1: 2.0}, {}, ValueError, "non-integer values"),
    (np.array([0.0, np.nan]), {0: 1.0}, {}, ValueError, "NaN or infinite"),
    (np.array([-1, 0]), {0: 1.0}, {}, ValueError, r">= 0, got -1"),
    (np.eye(2)[[0, 1]], {0: 1.0, 1: 2.0}, {}, ValueError, "cannot be told"),
    (np.eye(2)[[0, 1]], {0: 1.0, 1: 2.0, 5: 3.0}, {"layout": "one_hot"}, ValueError,
     r"keys \[5\] but the one-hot y has only 2 columns"),
    (np.array([0, 1]), {0: 1.0, 1: -2.0}, {}, ValueError, r"class_weight\[1\] must be >= 0"),
    (np.array([0, 1]), {0: 1.0, 1: float("nan")}, {}, ValueError, "must be finite"),
    (np.array([0, 1]), {0.0: 1.0, 1: 1.0}, {}, TypeError, "keys must be integer"),
    (np.array(["0", "1"]), {0: 1.0}, {}, TypeError, "numeric array"),
])
def test_class_weight_to_sample_weight_errors(y, class_weight, kwargs, error, match):
    with pytest.raises(error, match=match):
        W.class_weight_to_sample_weight(y, class_weight, **kwargs)


def test_one_hot_key_equal_to_the_number_of_columns_is_refused():
    """Columns are classes 0..C-1, so key C (the boundary) is already outside."""
    with pytest.raises(ValueError, match=r"keys \[3\] but the one-hot y has only 3 columns"):
        W.class_weight_to_sample_weight(np.eye(3), {0: 1.0, 1: 1.0, 2: 1.0, 3: 5.0}, layout="one_hot")


def test_class_weight_dict_order_does_not_matter():
    """Bug caught: a look-up built from the caller's dict order instead of the sorted, validated dict."""
    y = np.array([0, 1, 0, 2, 1])
    expected = [1.0, 5.0, 1.0, 0.5, 5.0]
    for class_weight in ({1: 5.0, 0: 1.0, 2: 0.5}, {2: 0.5, 1: 5.0, 0: 1.0}, {0: 1.0, 2: 0.5, 1: 5.0}):
        assert W.class_weight_to_sample_weight(y, class_weight).tolist() == expected
        assert W.class_weight_to_sample_weight(np.eye(3)[y], class_weight,
                                               layout="one_hot").tolist() == expected


def test_bool_one_hot_input_is_read_as_0_1():
    y = np.eye(3, dtype=bool)[[2, 0, 1]]
    assert W.labels_to_indices(y, layout="one_hot")[0].tolist() == [2, 0, 1]
    assert W.class_weight_to_sample_weight(y, {0: 1.0, 1: 2.0, 2: 3.0},
                                           layout="one_hot").tolist() == [3.0, 1.0, 2.0]
    with pytest.raises(ValueError, match="exactly one 1 per row"):
        W.labels_to_indices(np.array([[True, True], [False, True]]), layout="one_hot")


@pytest.mark.parametrize("function", [W.class_weights, W.infer_layout, W.labels_to_indices])
def test_ragged_y_is_a_type_error_naming_y(function):
    with pytest.raises(TypeError, match="y must be array-like, got list"):
        function([[0, 1], [1]])


def test_extra_keys_are_allowed_for_sparse_labels():
    got = W.class_weight_to_sample_weight(np.array([0, 0]), {0: 2.0, 7: 3.0})
    assert got.tolist() == [2.0, 2.0]


def test_zero_one_sequence_with_explicit_layout():
    y = np.array([[0, 1, 1], [1, 0, 0]])
    got = W.class_weight_to_sample_weight(y, {0: 1.0, 1: 4.0}, layout="sparse_sequence")
    assert got.tolist() == [[1.0, 4.0, 4.0], [4.0, 1.0, 1.0]]


# ----------------------------------------------------------------------------- combining and temporal
def test_combine_sample_weights_broadcasts_per_sample_over_steps():
    got = W.combine_sample_weights([2.0, 0.5], [[1.0, 0.0, 3.0], [1.0, 1.0, 1.0]], [1.0, 2.0])
    np.testing.assert_array_equal(got, [[2.0, 0.0, 6.0], [1.0, 1.0, 1.0]])
    assert W.combine_sample_weights([1.0, 2.0], [3.0, 4.0]).tolist() == [3.0, 8.0]


@pytest.mark.parametrize("weights, error, match", [
    ((), ValueError, "at least one"),
    (([1.0, 2.0], [1.0]), ValueError, r"weights\[1\] has 1 samples, expected 2"),
    (([[1.0, 2.0]], [[1.0, 2.0, 3.0]]), ValueError, "same T"),
    (([-1.0],), ValueError, r"weights\[0\] must be >= 0"),
    (([np.inf],), ValueError, "finite"),
    ((np.ones((1, 1, 1)),), ValueError, r"shape \(N,\) or \(N, T\)"),
])
def test_combine_errors(weights, error, match):
    with pytest.raises(error, match=match):
        W.combine_sample_weights(*weights)


@settings(max_examples=30, deadline=None)
@given(hnp.arrays(np.int64, st.integers(1, 6), elements=st.integers(0, 7)),
       st.sampled_from(["post", "pre"]))
def test_padding_weights_count_and_side(lengths, padding):
    got = W.padding_weights(lengths, 7, padding=padding)
    assert got.shape == (len(lengths), 7)
    np.testing.assert_array_equal(got.sum(axis=1), lengths)
    for row, length in zip(got, lengths):
        real = row[:length] if padding == "post" else row[7 - length:]
        assert real.sum() == length


@settings(max_examples=30, deadline=None)
@given(hnp.arrays(np.int64, st.integers(1, 6), elements=st.integers(1, 8)),
       st.sampled_from(["linear", "exponential"]), st.sampled_from(["post", "pre"]),
       st.floats(0.5, 5.0))
def test_recency_weights_increase_to_one_on_real_steps(lengths, schedule, padding, half_life):
    got = W.recency_weights(lengths, 8, schedule=schedule, half_life=half_life, padding=padding)
    mask = W.padding_weights(lengths, 8, padding=padding) > 0
    assert np.all(got[~mask] == 0)
    for row, valid in zip(got, mask):
        real = row[valid]
        assert real[-1] == pytest.approx(1.0) and np.all(np.diff(real) > 0)


def test_recency_weights_values():
    np.testing.assert_allclose(W.recency_weights([2], 3), [[0.5, 1.0, 0.0]])
    np.testing.assert_allclose(W.recency_weights([3], 4, schedule="exponential", half_life=1.0,
                                                 padding="pre"), [[0.0, 0.25, 0.5, 1.0]])


@pytest.mark.parametrize("function, args, kwargs, match", [
    (W.padding_weights, ([3], 2), {}, "<= maxlen=2, got 3"),
    (W.padding_weights, ([1], 0), {}, "maxlen must be a positive int"),
    (W.padding_weights, ([[1]], 2), {}, r"lengths must have shape \(N,\)"),
    (W.padding_weights, ([1.5], 2), {}, r"lengths must hold integer lengths, got non-integer values "
                                         r"such as \[1.5\]$"),
    (W.padding_weights, ([-1], 2), {}, ">= 0"),
    (W.padding_weights, ([1], 2), {"padding": "middle"}, "padding must be"),
    (W.recency_weights, ([1], 2), {"schedule": "cosine"}, "schedule must be"),
    (W.recency_weights, ([1], 2), {"half_life": 0.0}, "half_life must be"),
    (W.normalize_mean_one, ([0.0, 0.0],), {}, "all zeros"),
    (W.normalize_mean_one, ([],), {}, "must not be empty"),
    (W.normalize_mean_one, ([1.0, -1.0],), {}, ">= 0"),
])
def test_temporal_and_normalise_errors(function, args, kwargs, match):
    with pytest.raises(ValueError, match=match):
        function(*args, **kwargs)


@settings(max_examples=40, deadline=None)
@given(hnp.arrays(np.float64, st.tuples(st.integers(1, 5), st.integers(1, 5)),
                  elements=st.floats(0.0, 100.0)).filter(lambda a: a.sum() > 1e-3))
def test_normalize_mean_one(weights):
    got = W.normalize_mean_one(weights)
    assert got.mean() == pytest.approx(1.0, rel=1e-5)
    np.testing.assert_allclose(got * weights.mean(), weights, rtol=1e-5, atol=1e-6)


# ----------------------------------------------------------------------------- oversampling
def test_oversample_result_is_shuffled():
    """Bug caught: returning the per-class blocks unshuffled (all 0s first, then all 1s...)."""
    labels = np.repeat([0, 1, 2], [30, 10, 5])
    idx = W.oversample_indices(labels, seed=0)
    drawn = labels[idx]
    assert np.bincount(drawn).tolist() == [30, 30, 30]
    changes = int(np.count_nonzero(np.diff(drawn)))
    assert changes > 20, f"only {changes} label changes in 90 rows: the result is not shuffled"
    assert not np.array_equal(idx, W.oversample_indices(labels, seed=1))
    # every class's own rows come first in an unshuffled result; shuffled, they are spread out
    assert sorted(idx[:30].tolist()) != list(range(30))


@settings(max_examples=30, deadline=None)
@given(sparse_labels(), st.integers(0, 100))
def test_oversample_balances_and_keeps_every_row(data, seed):
    labels, _ = data
    idx = W.oversample_indices(labels, seed=seed)
    counts = np.bincount(labels[idx])
    assert set(counts[counts > 0]) == {np.bincount(labels).max()}
    assert set(idx.tolist()) >= set(range(len(labels)))
    np.testing.assert_array_equal(idx, W.oversample_indices(labels, seed=seed))


@pytest.mark.parametrize("y, seed, error, match", [
    ([0, 1], 1.5, TypeError, "seed must be an int, got 1.5"),
    ([0, 1], True, TypeError, "seed must be an int, got True"),
    ([[0, 1]], 0, ValueError, r"y must be non-empty sparse labels of shape \(N,\), got shape \(1, 2\)"),
    ([], 0, ValueError, r"y must be non-empty sparse labels of shape \(N,\), got shape \(0,\)"),
    ([0.5, 1.0], 0, ValueError, "y must hold integer class labels"),
])
def test_oversample_errors(y, seed, error, match):
    with pytest.raises(error, match=match):
        W.oversample_indices(y, seed=seed)


def test_large_class_indices_do_not_allocate_a_table():
    got = W.class_weight_to_sample_weight(np.array([0, 10**12, 0]), {0: 1.0, 10**12: 2.0})
    assert got.tolist() == [1.0, 2.0, 1.0]
