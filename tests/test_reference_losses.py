"""`kwhelpers.reference.losses.compute` equals the installed Keras, loss by loss.

Tolerance: ``|keras - reference| <= 1e-5 * |reference| + atol``. Keras computes
in float32 (unit roundoff u = 2**-24 = 6e-8) and the reference in float64 on
the same float32-rounded inputs, so most losses agree to ~1e-7 relative.
``atol`` covers only cancellation: where a loss subtracts terms of size S that
nearly cancel (``x + softplus(-2x) - log 2`` in log-cosh for a small error,
``1 - y*p`` in the hinges, ``1 - dice``, mixed-sign sums in cosine similarity,
Poisson, KL divergence and the batch reduction), float32 leaves an absolute
error of a few u * S, however small the result. We bound S by the input scale
``s = 1 + max|y_true| + max|y_pred|`` and allow ``atol = 1e-7 * s`` (under 2 u * s).
Measured with atol = 0, only four tests fail, by at most 3.1e-8 absolute:
log-cosh of tiny errors (1.9e-9), binary and binary focal cross-entropy on
tiny losses (1.9e-8) and sparse categorical cross-entropy (3.1e-8). Circle
multiplies distances by ``gamma`` (80 by default) inside an exponential, so
its atol gets a factor gamma; generalized cross-entropy computes
``(1 - p**q) / q``, terms of size 1/q, so its atol gets a factor 1/q.
Non-zero sample weights are at least 1e-6: TensorFlow flushes float32
subnormal intermediates to zero, which the reference does not model (it does
flush subnormal inputs, see `test_subnormal_weights_are_flushed_to_zero_like_tensorflow`).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kwhelpers as kw

kw.setup(seed=0)

import keras  # noqa: E402  (after setup, which configures TensorFlow)

from kwhelpers.reference import losses as ref  # noqa: E402

L = keras.losses
RTOL = 1e-5
REDUCTIONS = ["sum_over_batch_size", "mean", "sum", "mean_with_sample_weight", None, "none"]
SETTINGS = settings(max_examples=20, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def keras_value(loss, y_true, y_pred, sample_weight=None) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # e.g. categorical_crossentropy on one class
        return np.asarray(loss(y_true, y_pred, sample_weight=sample_weight), dtype=np.float64)


def assert_matches(loss, y_true, y_pred, sample_weight=None, atol_factor: float = 1.0) -> None:
    """Assert that the reference equals Keras, or raises ValueError where Keras refuses the shapes."""
    import tensorflow as tf

    try:
        expected = keras_value(loss, y_true, y_pred, sample_weight)
    except (ValueError, tf.errors.InvalidArgumentError) as error:
        # Keras refuses weights that do not fit the per-sample losses (CosineSimilarity with
        # axis=0 gives one value per column); the reference must refuse them for that reason.
        with pytest.raises(ValueError, match=r"sample_weight of shape \(\d+,( 1)?\) does not broadcast "
                                             r"against the per-sample losses of shape \(\d+,( 1)?\)"):
            ref.compute(loss, y_true, y_pred, sample_weight)
        assert "shape" in str(error).lower()
        return
    actual = ref.compute(loss, y_true, y_pred, sample_weight)
    assert actual.dtype == np.float64
    assert actual.shape == expected.shape
    scale = 1.0 + np.max(np.abs(y_true), initial=0.0) + np.max(np.abs(y_pred), initial=0.0)
    np.testing.assert_allclose(actual, expected, rtol=RTOL, atol=1e-7 * scale * atol_factor)


# --- strategies -----------------------------------------------------------------

def floats32(low: float, high: float):
    return st.floats(float(np.float32(low)), float(np.float32(high)), allow_nan=False, width=32)


@st.composite
def batches(draw, low=-10.0, high=10.0, true_low=None, true_high=None, max_classes=4):
    b = draw(st.integers(1, 4))
    k = draw(st.integers(1, max_classes))
    shape = (b, k)
    tl, th = (low, high) if true_low is None else (true_low, true_high)
    y_true = np.array(draw(st.lists(floats32(tl, th), min_size=b * k, max_size=b * k)),
                      dtype=np.float32).reshape(shape)
    y_pred = np.array(draw(st.lists(floats32(low, high), min_size=b * k, max_size=b * k)),
                      dtype=np.float32).reshape(shape)
    return y_true, y_pred


@st.composite
def weights(draw, n):
    kind = draw(st.sampled_from(["none", "vector", "column", "zeros"]))
    if kind == "none":
        return None
    if kind == "zeros":
        return np.zeros(n, dtype=np.float32)
    # 0 or at least 1e-6: TensorFlow flushes float32 subnormal intermediates (a loss of 1e-6
    # times a weight of 1e-38) to zero, which the float64 reference does not model.
    w = np.array(draw(st.lists(st.one_of(st.just(0.0), floats32(1e-6, 3.0)), min_size=n, max_size=n)),
                 dtype=np.float32)
    return w if kind == "vector" else w[:, None]


def probabilities(draw, shape, low=1e-3):
    """Rows summing to 1 (a row of zeros becomes uniform); entries may be 0 when ``low=0``."""
    raw = np.array(draw(st.lists(floats32(low, 1.0), min_size=int(np.prod(shape)),
                                 max_size=int(np.prod(shape)))), dtype=np.float64).reshape(shape)
    raw[raw.sum(-1) == 0] = 1.0
    return (raw / raw.sum(-1, keepdims=True)).astype(np.float32)


# --- every exported loss is covered --------------------------------------------

def exported_loss_classes() -> list[type]:
    return [getattr(L, name) for name in dir(L)
            if isinstance(getattr(L, name), type) and issubclass(getattr(L, name), L.Loss)
            and getattr(L, name) is not L.Loss]


def test_every_exported_loss_class_has_a_reference():
    classes = exported_loss_classes()
    assert len(classes) >= 22
    missing = [cls.__name__ for cls in classes if cls().fn.__name__ not in ref.SUPPORTED_FUNCTIONS]
    assert missing == []


# --- regression-style losses -------------------------------------------------------

REGRESSION = [
    (L.MeanSquaredError, {}), (L.MeanAbsoluteError, {}), (L.MeanAbsolutePercentageError, {}),
    (L.LogCosh, {}), (L.Huber, {"delta": 1.0}), (L.Huber, {"delta": 0.3}),
    (L.CosineSimilarity, {"axis": -1}), (L.CosineSimilarity, {"axis": 0}),
    (L.Hinge, {}), (L.SquaredHinge, {}), (L.CategoricalHinge, {}),
]


@pytest.mark.parametrize("cls, options", REGRESSION, ids=lambda v: getattr(v, "__name__", str(v)))
@SETTINGS
@given(data=st.data())
def test_regression_losses_match_keras(cls, options, data):
    y_true, y_pred = data.draw(batches())
    reduction = data.draw(st.sampled_from(REDUCTIONS))
    sample_weight = data.draw(weights(len(y_true)))
    assert_matches(cls(reduction=reduction, **options), y_true, y_pred, sample_weight)


@pytest.mark.parametrize("cls", [L.Hinge, L.SquaredHinge])
@SETTINGS
@given(data=st.data())
def test_hinge_losses_convert_0_1_labels(cls, data):
    y_true, y_pred = data.draw(batches())
    labels = (y_true > 0).astype(np.float32)  # all 0/1: Keras maps them to -1/1
    assert_matches(cls(), labels, y_pred)


@pytest.mark.parametrize("cls", [L.MeanSquaredLogarithmicError, L.Poisson, L.KLDivergence])
@SETTINGS
@given(data=st.data())
def test_nonnegative_target_losses_match_keras(cls, data):
    y_true, y_pred = data.draw(batches(low=0.0, high=10.0))
    reduction = data.draw(st.sampled_from(REDUCTIONS))
    sample_weight = data.draw(weights(len(y_true)))
    if cls is L.KLDivergence:
        y_true, y_pred = y_true / 10, y_pred / 10
    assert_matches(cls(reduction=reduction), y_true, y_pred, sample_weight)


def test_rank_1_targets_are_expanded_like_keras():
    y_true = np.array([0.0, 1.0, 2.0], dtype=np.float32)
    y_pred = np.array([[0.5], [1.5], [1.0]], dtype=np.float32)
    loss = L.MeanSquaredError(reduction=None)
    assert ref.compute(loss, y_true, y_pred).shape == (3,)
    assert_matches(loss, y_true, y_pred)


# --- cross-entropies ---------------------------------------------------------------

@pytest.mark.parametrize("focal", [False, True], ids=["cce", "focal"])
@SETTINGS
@given(data=st.data())
def test_categorical_crossentropies_match_keras(focal, data):
    b, k = data.draw(st.integers(1, 4)), data.draw(st.integers(2, 5))
    from_logits = data.draw(st.booleans())
    y_true = probabilities(data.draw, (b, k)) if data.draw(st.booleans()) \
        else np.eye(k, dtype=np.float32)[data.draw(st.lists(st.integers(0, k - 1), min_size=b, max_size=b))]
    if from_logits:
        y_pred = np.array(data.draw(st.lists(floats32(-20, 20), min_size=b * k, max_size=b * k)),
                          dtype=np.float32).reshape(b, k)
    else:
        y_pred = probabilities(data.draw, (b, k), low=0.0)
    options = {"from_logits": from_logits,
               "label_smoothing": data.draw(st.sampled_from([0.0, 0.1, 0.35])),
               "axis": data.draw(st.sampled_from([-1, -1, 0])),
               "reduction": data.draw(st.sampled_from(REDUCTIONS))}
    if focal:
        options |= {"alpha": data.draw(st.sampled_from([0.25, 1.0])),
                    "gamma": data.draw(st.sampled_from([0.0, 2.0, 3.5]))}
    cls = L.CategoricalFocalCrossentropy if focal else L.CategoricalCrossentropy
    sample_weight = data.draw(weights(b)) if options["axis"] == -1 else None
    assert_matches(cls(**options), y_true, y_pred, sample_weight)


@pytest.mark.parametrize("focal", [False, True], ids=["bce", "focal"])
@SETTINGS
@given(data=st.data())
def test_binary_crossentropies_match_keras(focal, data):
    from_logits = data.draw(st.booleans())
    y_true, y_pred = data.draw(batches(low=-30.0 if from_logits else 0.0,
                                       high=30.0 if from_logits else 1.0,
                                       true_low=0.0, true_high=1.0))
    if data.draw(st.booleans()):
        y_true = np.round(y_true)
    options = {"from_logits": from_logits,
               "label_smoothing": data.draw(st.sampled_from([0.0, 0.2])),
               "axis": data.draw(st.sampled_from([-1, 0])),
               "reduction": data.draw(st.sampled_from(REDUCTIONS))}
    if focal:
        options |= {"apply_class_balancing": data.draw(st.booleans()),
                    "alpha": data.draw(st.sampled_from([0.25, 0.6])),
                    "gamma": data.draw(st.sampled_from([0.0, 2.0]))}
    cls = L.BinaryFocalCrossentropy if focal else L.BinaryCrossentropy
    sample_weight = None if options["axis"] == 0 else data.draw(weights(len(y_true)))
    assert_matches(cls(**options), y_true, y_pred, sample_weight)


def test_binary_crossentropy_on_saturated_probabilities_uses_float32_clip_bound():
    loss = L.BinaryCrossentropy()
    y_true, y_pred = np.array([[0.0]]), np.array([[0.99999995]])  # 1.0 in float32
    value = float(ref.compute(loss, y_true, y_pred))
    np.testing.assert_allclose(value, -np.log(1 - np.float64(np.float32(1 - 1e-7))), rtol=1e-12)
    assert_matches(loss, y_true, y_pred)


@SETTINGS
@given(data=st.data())
def test_sparse_categorical_crossentropy_matches_keras(data):
    b, k = data.draw(st.integers(1, 4)), data.draw(st.integers(2, 5))
    time_steps = data.draw(st.sampled_from([None, 3]))
    lead = (b,) if time_steps is None else (b, time_steps)
    labels = np.array(data.draw(st.lists(st.integers(0, k - 1), min_size=int(np.prod(lead)),
                                         max_size=int(np.prod(lead)))), dtype=np.float32).reshape(lead)
    from_logits = data.draw(st.booleans())
    if from_logits:
        y_pred = np.array(data.draw(st.lists(floats32(-20, 20), min_size=labels.size * k,
                                             max_size=labels.size * k)), dtype=np.float32)
        y_pred = y_pred.reshape(*lead, k)
    else:
        y_pred = probabilities(data.draw, (*lead, k))
    if data.draw(st.booleans()):
        labels = labels[..., None]
    ignore_class = data.draw(st.sampled_from([None, 0, 1]))
    loss = L.SparseCategoricalCrossentropy(from_logits=from_logits, ignore_class=ignore_class,
                                           reduction=data.draw(st.sampled_from(REDUCTIONS)))
    assert_matches(loss, labels, y_pred, data.draw(weights(b)) if time_steps is None else None)


# --- segmentation, similarity, sequence ----------------------------------------------

@pytest.mark.parametrize("cls", [L.Dice, L.Tversky])
@SETTINGS
@given(data=st.data())
def test_overlap_losses_match_keras(cls, data):
    shape = (data.draw(st.integers(1, 3)), 3, 2, 1)
    n = int(np.prod(shape))
    y_true = np.array(data.draw(st.lists(st.sampled_from([0.0, 1.0]), min_size=n, max_size=n)),
                      dtype=np.float32).reshape(shape)
    y_pred = np.array(data.draw(st.lists(floats32(0.0, 1.0), min_size=n, max_size=n)),
                      dtype=np.float32).reshape(shape)
    options = {"axis": data.draw(st.sampled_from([None, (1, 2, 3), [1, 2]])),
               "reduction": data.draw(st.sampled_from(REDUCTIONS))}
    if cls is L.Tversky:
        options |= {"alpha": data.draw(st.sampled_from([0.5, 0.3])),
                    "beta": data.draw(st.sampled_from([0.5, 0.9]))}
    sample_weight = data.draw(weights(shape[0])) if options["axis"] == (1, 2, 3) else None
    assert_matches(cls(**options), y_true, y_pred, sample_weight)


@SETTINGS
@given(data=st.data())
def test_circle_matches_keras(data):
    n, d = data.draw(st.integers(2, 6)), data.draw(st.integers(2, 4))
    raw = np.array(data.draw(st.lists(floats32(-1, 1), min_size=n * d, max_size=n * d)),
                   dtype=np.float64).reshape(n, d) + 1e-3
    embeddings = (raw / np.linalg.norm(raw, axis=1, keepdims=True)).astype(np.float32)
    labels = np.array(data.draw(st.lists(st.integers(0, 2), min_size=n, max_size=n)), dtype=np.float32)
    gamma = data.draw(st.sampled_from([80.0, 10.0]))
    loss = L.Circle(gamma=gamma, margin=data.draw(st.sampled_from([0.4, 0.25])),
                    remove_diagonal=data.draw(st.booleans()),
                    reduction=data.draw(st.sampled_from(REDUCTIONS)))
    assert_matches(loss, labels, embeddings, data.draw(weights(n)), atol_factor=gamma)


def test_circle_masks_rows_without_positive_pairs():
    embeddings = np.eye(3, dtype=np.float32)
    labels = np.array([0.0, 0.0, 1.0])  # the class-1 row has no other member
    values, mask = ref.per_sample(L.Circle(), labels, embeddings)
    assert mask.tolist() == [True, True, False]
    assert values[2] == 0.0
    assert_matches(L.Circle(), labels, embeddings)


@SETTINGS
@given(data=st.data())
def test_categorical_generalized_cross_entropy_matches_keras(data):
    b, k = data.draw(st.integers(1, 4)), data.draw(st.integers(2, 5))
    labels = np.array(data.draw(st.lists(st.integers(0, k - 1), min_size=b, max_size=b)), dtype=np.float32)
    q = data.draw(st.sampled_from([0.5, 0.1, 0.9]))
    loss = L.CategoricalGeneralizedCrossEntropy(q=q, reduction=data.draw(st.sampled_from(REDUCTIONS)))
    # (1 - p**q) / q cancels for p**q near 1: terms of size 1/q
    assert_matches(loss, labels, probabilities(data.draw, (b, k)), data.draw(weights(b)), atol_factor=1 / q)


@settings(max_examples=8, deadline=None, derandomize=True)
@given(data=st.data())
def test_ctc_matches_keras(data):
    b, t, k, length = data.draw(st.integers(1, 3)), data.draw(st.integers(4, 7)), 4, 3
    labels = np.zeros((b, length), dtype=np.float32)
    for row in range(b):
        used = data.draw(st.integers(1, 2))
        labels[row, :used] = data.draw(st.lists(st.integers(1, k - 1), min_size=used, max_size=used))
    logits = np.array(data.draw(st.lists(floats32(-5, 5), min_size=b * t * k, max_size=b * t * k)),
                      dtype=np.float32).reshape(b, t, k)
    assert_matches(L.CTC(reduction=data.draw(st.sampled_from(REDUCTIONS))), labels, logits)


# --- what compile() builds from a string; dtype ----------------------------------------

def test_loss_function_wrapper_from_a_compile_string():
    from keras.src.trainers.compile_utils import get_loss

    y_true = np.array([[0.0, 1.0], [1.0, 0.0]], dtype=np.float32)
    y_pred = np.array([[0.2, 0.7], [0.6, 0.1]], dtype=np.float32)
    for name in ["mse", "binary_crossentropy", "kld", "categorical_hinge"]:
        assert_matches(get_loss(name, y_true, y_pred), y_true, y_pred)


def test_subnormal_weights_are_flushed_to_zero_like_tensorflow():
    loss = L.CosineSimilarity(reduction="mean_with_sample_weight")
    y = np.array([[1.0, 0.0]], dtype=np.float32)
    weight = np.array([1e-45], dtype=np.float32)  # a float32 subnormal
    assert float(ref.compute(loss, y, y, weight)) == 0.0
    assert_matches(loss, y, y, weight)


def test_constants_are_rounded_to_the_loss_dtype_like_keras():
    """Huber's delta is cast to float32 by Keras: 0.1 acts as 0.10000000149. Huber is smooth at
    delta, so Keras's own float32 noise hides this at rtol 1e-5; the formula is checked exactly."""
    delta32 = float(np.float32(0.1))
    value = float(ref.compute(L.Huber(delta=0.1), [[0.0]], [[10.0]]))
    assert value == pytest.approx(delta32 * 10.0 - 0.5 * delta32**2, rel=1e-14)
    assert value != pytest.approx(0.1 * 10.0 - 0.5 * 0.1**2, rel=1e-9)
    assert value == pytest.approx(float(keras_value(L.Huber(delta=0.1), [[0.0]], [[10.0]])), rel=1e-6)
    value64 = float(ref.compute(L.Huber(delta=0.1, dtype="float64"), [[0.0]], [[10.0]]))
    assert value64 == pytest.approx(0.1 * 10.0 - 0.5 * 0.1**2, rel=1e-14)


def test_float64_loss_dtype_is_mirrored():
    loss = L.BinaryCrossentropy(dtype="float64")
    y_true, y_pred = np.array([[0.0]]), np.array([[1.0 - 1e-12]])
    np.testing.assert_allclose(ref.compute(loss, y_true, y_pred), -np.log(1e-7), rtol=1e-9)
    assert_matches(loss, y_true, y_pred)


# --- every boolean option, both ways ------------------------------------------------------

def _bool_case_inputs(cls):
    rng = np.random.default_rng(3)
    if cls is L.Circle:
        raw = rng.normal(size=(5, 3))
        return (np.array([0.0, 0.0, 1.0, 1.0, 2.0], np.float32),
                (raw / np.linalg.norm(raw, axis=1, keepdims=True)).astype(np.float32))
    if cls is L.SparseCategoricalCrossentropy:
        return np.array([0.0, 2.0, 1.0], np.float32), rng.uniform(0.05, 1, size=(3, 3)).astype(np.float32)
    y_pred = rng.uniform(0.05, 0.95, size=(3, 4)).astype(np.float32)
    if cls in (L.CategoricalCrossentropy, L.CategoricalFocalCrossentropy):
        return np.eye(4, dtype=np.float32)[[0, 3, 1]], y_pred
    return (rng.uniform(size=(3, 4)) > 0.5).astype(np.float32), y_pred


def _boolean_options():
    """(class, option) for every boolean option of every exported loss class."""
    found = []
    for cls in exported_loss_classes():
        instance = cls()
        options = {**getattr(instance, "_fn_kwargs", {}), **instance.get_config()}
        found += [(cls, key) for key, value in sorted(options.items()) if isinstance(value, bool)]
    return found


BOOLEAN_OPTIONS = _boolean_options()


def test_the_boolean_options_are_the_known_ones():
    assert sorted((cls.__name__, key) for cls, key in BOOLEAN_OPTIONS) == [
        ("BinaryCrossentropy", "from_logits"), ("BinaryFocalCrossentropy", "apply_class_balancing"),
        ("BinaryFocalCrossentropy", "from_logits"), ("CategoricalCrossentropy", "from_logits"),
        ("CategoricalFocalCrossentropy", "from_logits"), ("Circle", "remove_diagonal"),
        ("SparseCategoricalCrossentropy", "from_logits")]


@pytest.mark.parametrize("cls, option", BOOLEAN_OPTIONS,
                         ids=[f"{cls.__name__}-{option}" for cls, option in BOOLEAN_OPTIONS])
@pytest.mark.parametrize("value", [False, True])
def test_every_boolean_option_matches_keras_both_ways(cls, option, value):
    y_true, y_pred = _bool_case_inputs(cls)
    if option == "from_logits" and value:
        y_pred = (4 * y_pred - 2).astype(np.float32)  # logits of both signs
    loss = cls(**{option: value}, reduction=None)
    assert loss.get_config().get(option, value) is value
    assert_matches(loss, y_true, y_pred, atol_factor=80.0 if cls is L.Circle else 1.0)
    # the option changes the result (a reference ignoring it could not pass both ways)
    other = ref.compute(cls(**{option: not value}, reduction=None), y_true, y_pred)
    assert not np.allclose(ref.compute(loss, y_true, y_pred), other)


# --- errors --------------------------------------------------------------------------

def test_sparse_categorical_crossentropy_on_another_axis_is_refused_by_both():
    import tensorflow as tf

    loss = L.SparseCategoricalCrossentropy(axis=0)
    labels, probs = np.array([0.0, 1.0]), np.full((2, 2), 0.5)
    with pytest.raises((ValueError, tf.errors.InvalidArgumentError), match="axis"):
        loss(labels, probs)
    with pytest.raises(NotImplementedError, match="axis=0"):
        ref.compute(loss, labels, probs)


def test_custom_subclass_is_not_implemented():
    class Doubled(L.MeanSquaredError):
        def call(self, y_true, y_pred):
            return 2 * super().call(y_true, y_pred)

    with pytest.raises(NotImplementedError, match="Doubled"):
        ref.compute(Doubled(), [[1.0]], [[2.0]])


def test_custom_function_wrapper_is_not_implemented():
    from keras.src.losses.losses import LossFunctionWrapper

    with pytest.raises(NotImplementedError, match="_my_loss"):
        ref.compute(LossFunctionWrapper(_my_loss), [[1.0]], [[2.0]])


def _my_loss(y_true, y_pred):
    return y_pred - y_true


def test_mixed_precision_dtype_is_not_implemented():
    with pytest.raises(NotImplementedError, match="float16"):
        ref.compute(L.MeanSquaredError(dtype="float16"), [[1.0]], [[2.0]])


def test_a_mutated_option_is_refused():
    loss = L.BinaryCrossentropy()
    loss.from_logits = True  # get_config now says True; the loss still computes with False
    with pytest.raises(ValueError, match="from_logits"):
        ref.compute(loss, [[1.0]], [[0.5]])


def test_not_a_loss_is_a_type_error():
    with pytest.raises(TypeError, match="keras.losses.Loss"):
        ref.compute("mse", [[1.0]], [[2.0]])


@pytest.mark.parametrize("loss, y_true, y_pred, match", [
    (L.CategoricalCrossentropy(), np.zeros((2, 3)), np.full((2, 4), 0.25),
     r"categorical_crossentropy: y_true and y_pred must have the same shape, got \(2, 3\) and \(2, 4\)"),
    (L.CategoricalFocalCrossentropy(), np.zeros((2, 3)), np.full((3, 3), 0.3),
     "categorical_focal_crossentropy: y_true and y_pred must have the same shape"),
    (L.BinaryCrossentropy(), np.zeros((2, 3)), np.full((2, 2), 0.5),
     "binary_crossentropy: y_true and y_pred must have the same shape"),
    (L.BinaryFocalCrossentropy(), np.zeros((2, 3)), np.full((2, 2), 0.5),
     "binary_focal_crossentropy: y_true and y_pred must have the same shape"),
    (L.SparseCategoricalCrossentropy(), np.zeros((2, 2)), np.full((2, 3), 0.3),
     r"y_true must have the shape of y_pred without its last axis, \(2,\), got \(2, 2\)"),
    (L.SparseCategoricalCrossentropy(), [-1.0, 0.0], np.full((2, 3), 0.3),
     r"y_true labels must be in \[0, 3\), got values \[-1\]"),
    (L.Circle(), np.zeros(2), np.zeros((2, 2, 2)), r"y_pred must be a 2-D array of embeddings"),
    (L.Circle(), np.zeros(3), np.eye(2), r"y_true must hold one label per row of y_pred \(2\), got 3"),
    (L.CTC(), np.zeros((2, 2, 2)), np.zeros((2, 5, 4)), r"y_true must be \(batch_size, max_length\)"),
    (L.CTC(), np.ones((2, 2)), np.zeros((2, 5)), r"y_pred must be \(batch_size, max_length, num_classes\)"),
    (L.MeanSquaredError(), [[0.0, 1.0], [1.0]], [[0.0, 1.0], [1.0, 0.0]], "y_true must be array-like"),
])
def test_shape_errors_name_the_argument(loss, y_true, y_pred, match):
    with pytest.raises(ValueError, match=match):
        ref.compute(loss, y_true, y_pred)


@pytest.mark.parametrize("from_logits", [False, True])
@pytest.mark.parametrize("smoothing", [0.0, 0.1, 0.35])
def test_sparse_label_smoothing_is_the_smoothed_categorical_form(monkeypatch, from_logits, smoothing):
    """Keras 3.15's SparseCategoricalCrossentropy has no label_smoothing; later Keras adds it.

    The reference mirrors it at any value as Keras's own CategoricalCrossentropy(label_smoothing)
    on the one-hot label, and keeps the sparse path's value at 0.0.
    """
    rng = np.random.default_rng(7)
    labels = np.array([0.0, 2.0, 1.0, 3.0, 2.0], np.float32)
    raw = rng.normal(size=(5, 4)).astype(np.float32)
    y_pred = raw if from_logits else (np.exp(raw) / np.exp(raw).sum(-1, keepdims=True)).astype(np.float32)
    loss = L.SparseCategoricalCrossentropy(from_logits=from_logits, reduction=None)
    plain = ref.compute(loss, labels, y_pred)
    monkeypatch.setattr(loss, "_fn_kwargs", {**loss._fn_kwargs, "label_smoothing": smoothing})
    smoothed = ref.compute(loss, labels, y_pred)
    categorical = L.CategoricalCrossentropy(from_logits=from_logits, label_smoothing=smoothing, reduction=None)
    keras_value = np.asarray(keras.ops.convert_to_numpy(categorical(np.eye(4, dtype=np.float32)[labels.astype(int)], y_pred)))
    np.testing.assert_allclose(smoothed, keras_value, rtol=1e-5, atol=1e-6)
    if smoothing == 0.0:
        np.testing.assert_allclose(smoothed, plain, rtol=1e-12)
    else:
        assert np.max(np.abs(smoothed - plain)) > 1e-3


def test_sparse_label_smoothing_keeps_ignore_class_mask(monkeypatch):
    labels = np.array([0.0, 2.0, 1.0], np.float32)
    logits = np.array([[2.0, 0.5, -1.0], [0.1, 0.2, 0.3], [-0.5, 1.5, 0.0]], np.float32)
    loss = L.SparseCategoricalCrossentropy(from_logits=True, ignore_class=2, reduction=None)
    monkeypatch.setattr(loss, "_fn_kwargs", {**loss._fn_kwargs, "label_smoothing": 0.2})
    values = ref.compute(loss, labels, logits)
    categorical = L.CategoricalCrossentropy(from_logits=True, label_smoothing=0.2, reduction=None)
    expected = keras.ops.convert_to_numpy(categorical(np.eye(3, dtype=np.float32)[[0, 2, 1]], logits))
    np.testing.assert_allclose(values[[0, 2]], expected[[0, 2]], rtol=1e-5)
    assert values[1] == 0.0


def test_unknown_option_and_dtype_are_not_implemented(monkeypatch):
    loss = L.Huber()
    monkeypatch.setattr(loss, "_fn_kwargs", {**loss._fn_kwargs, "shiny_new_option": 2})
    with pytest.raises(NotImplementedError, match=r"Huber: option shiny_new_option=2 is not implemented"):
        ref.compute(loss, [[0.0]], [[1.0]])
    with pytest.raises(NotImplementedError, match="loss dtype 'bfloat16' is not implemented"):
        ref.compute(L.MeanSquaredError(dtype="bfloat16"), [[1.0]], [[2.0]])


def test_bad_inputs_are_value_errors():
    with pytest.raises(ValueError, match="sample_weight"):
        ref.compute(L.MeanSquaredError(), np.zeros((4, 2)), np.zeros((4, 2)), np.ones(3))
    with pytest.raises(ValueError, match="labels"):
        ref.compute(L.SparseCategoricalCrossentropy(), [3.0], [[0.5, 0.5]])
    with pytest.raises(TypeError, match="y_true"):
        ref.compute(L.MeanSquaredError(), [["a"]], [[1.0]])
    with pytest.raises(ValueError, match="reduction"):
        ref.reduce_weighted_values(np.ones(2), reduction="max")
    with pytest.raises(NotImplementedError, match="CTC"):
        ref.compute(L.CTC(), [[1.0, 0.0, 2.0]], np.zeros((1, 5, 4)))


# --- gradients -------------------------------------------------------------------------

@pytest.mark.parametrize("loss", [L.MeanSquaredError(), L.Huber(delta=0.5), L.LogCosh(),
                                  L.BinaryCrossentropy(from_logits=True),
                                  L.CategoricalCrossentropy(label_smoothing=0.1),
                                  L.CosineSimilarity()], ids=lambda loss: loss.name)
def test_numerical_gradient_matches_keras_autodiff(loss):
    import tensorflow as tf

    rng = np.random.default_rng(1)
    y_true = rng.random((3, 4)).astype(np.float32)
    y_pred = (rng.random((3, 4)) + 0.1).astype(np.float32)
    weight = np.array([1.0, 2.0, 0.5], dtype=np.float32)
    tensor = tf.constant(y_pred)
    with tf.GradientTape() as tape:
        tape.watch(tensor)
        value = loss(y_true, tensor, sample_weight=weight)
    expected = tape.gradient(value, tensor).numpy()
    actual = ref.numerical_gradient(loss, y_true, y_pred, weight)
    np.testing.assert_allclose(actual, expected, rtol=1e-4, atol=1e-6)


def test_numerical_gradient_validates_its_input():
    with pytest.raises(ValueError, match="step"):
        ref.numerical_gradient(L.MeanSquaredError(), [[0.0]], [[1.0]], step=1)
    with pytest.raises(ValueError, match="reduction"):
        ref.numerical_gradient(L.MeanSquaredError(reduction=None), [[0.0]], [[1.0]])


def test_sparse_categorical_crossentropy_on_rows_that_do_not_sum_to_one_follows_tensorflow_order():
    """TensorFlow clips, then renormalises: [3, 5] gives log(2), an all-zero row log(2) too, never NaN."""
    scores, labels = np.array([[3.0, 5.0], [0.0, 0.0]], np.float32), np.array([0.0, 0.0], np.float32)
    loss = L.SparseCategoricalCrossentropy(reduction=None)
    expected = keras.ops.convert_to_numpy(loss(labels, scores))
    np.testing.assert_allclose(ref.compute(loss, labels, scores), expected, rtol=1e-6)
    np.testing.assert_allclose(expected, [np.log(2.0), np.log(2.0)], rtol=1e-6)
