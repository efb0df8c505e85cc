"""2-D surfaces, the softmax-regression objective, the descent runners and their figures."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

keras = pytest.importorskip("keras")

from kwhelpers import plots  # noqa: E402
from kwhelpers.optimizer_paths import (QUADRATIC, ROSENBROCK, SoftmaxRegression,  # noqa: E402
                                       keras_descent, keras_trajectory, reference_descent,
                                       scaled_gap)

COORD = st.floats(-2.0, 2.0, allow_nan=False)


def numeric_gradient(f, point, h=1e-6):
    point = np.asarray(point, dtype=np.float64)
    grad = np.zeros_like(point)
    for index in np.ndindex(point.shape):
        step = np.zeros_like(point)
        step[index] = h
        grad[index] = (f(point + step) - f(point - step)) / (2 * h)
    return grad


@settings(max_examples=30, deadline=None)
@given(x=COORD, y=COORD)
def test_surface_gradients_match_finite_differences(x, y):
    for surface in (QUADRATIC, ROSENBROCK):
        np.testing.assert_allclose(surface.gradient([x, y]), numeric_gradient(surface.value, [x, y]),
                                   rtol=1e-5, atol=1e-4)


def test_surface_minimum_is_a_stationary_point():
    for surface in (QUADRATIC, ROSENBROCK):
        assert surface.value(surface.minimum) == 0.0
        np.testing.assert_array_equal(surface.gradient(surface.minimum), [0.0, 0.0])
    with pytest.raises(ValueError, match=r"shape \(2,\)"):
        QUADRATIC.value([1.0, 2.0, 3.0])


@settings(max_examples=5, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_softmax_regression_gradient_matches_finite_differences(seed):
    rng = np.random.default_rng(seed)
    task = SoftmaxRegression(rng.normal(size=(12, 3)), rng.integers(0, 4, size=12), classes=4)
    weights = rng.normal(size=(4, 4))
    np.testing.assert_allclose(task.gradient(weights), numeric_gradient(task.loss, weights),
                               rtol=1e-5, atol=1e-7)


def test_softmax_regression_uniform_start_and_validation():
    task = SoftmaxRegression(np.ones((5, 2)), np.arange(5), classes=5)
    assert task.loss(np.zeros((3, 5))) == pytest.approx(np.log(5))
    with pytest.raises(ValueError, match="labels"):
        SoftmaxRegression(np.ones((2, 2)), np.array([0, 3]), classes=3)
    with pytest.raises(ValueError, match="same length"):
        SoftmaxRegression(np.ones((2, 2)), np.array([0, 1, 1]), classes=3)


@pytest.mark.parametrize(("name", "learning_rate"), [("SGD", 0.001), ("Adam", 0.05), ("Lion", 0.05)])
def test_keras_and_reference_descent_agree(name, learning_rate):
    make = getattr(keras.optimizers, name)
    real = keras_descent(make(learning_rate=learning_rate), ROSENBROCK.gradient, ROSENBROCK.start, 15)
    twin = reference_descent(make(learning_rate=learning_rate), ROSENBROCK.gradient, ROSENBROCK.start, 15)
    assert real.shape == twin.shape == (16, 2)
    assert np.all(np.isfinite(real)) and ROSENBROCK.value(real[-1]) < ROSENBROCK.value(real[0])
    np.testing.assert_allclose(twin, real, rtol=1e-10, atol=1e-10)


def test_sgd_descent_on_the_quadratic_is_the_textbook_recursion():
    path = reference_descent(keras.optimizers.SGD(learning_rate=0.04), QUADRATIC.gradient, QUADRATIC.start, 5)
    lr32 = float(np.float32(0.04))
    factors = np.array([1 - lr32, 1 - 20 * lr32])
    np.testing.assert_allclose(path[-1], np.array(QUADRATIC.start) * factors**5, rtol=1e-12)


def test_runners_validate_their_inputs():
    sgd = keras.optimizers.SGD()
    keras_trajectory(sgd, [0.0], [[1.0]])
    with pytest.raises(ValueError, match="fresh"):
        keras_trajectory(sgd, [0.0], [[1.0]])
    with pytest.raises(TypeError, match="optimizer"):
        keras_trajectory("sgd", [0.0], [[1.0]])
    with pytest.raises(ValueError, match="dtype"):
        keras_trajectory(keras.optimizers.SGD(), [0.0], [[1.0]], dtype="float16")
    with pytest.raises(ValueError, match=r"gradients\[0\].*\(1,\)"):
        keras_trajectory(keras.optimizers.SGD(), [0.0], [[1.0, 2.0]])
    with pytest.raises(ValueError, match="steps"):
        reference_descent(keras.optimizers.SGD(), QUADRATIC.gradient, QUADRATIC.start, -1)
    with pytest.raises(TypeError, match="gradient must be callable"):
        reference_descent(keras.optimizers.SGD(), None, QUADRATIC.start, 1)
    with pytest.raises(ValueError, match="point's shape"):
        reference_descent(keras.optimizers.SGD(), lambda p: np.zeros(3), QUADRATIC.start, 1)


def test_figures_have_one_panel_per_path_and_check_inputs():
    import matplotlib.pyplot as plt
    import pandas as pd

    paths = {f"p{i}": np.array([QUADRATIC.start, QUADRATIC.minimum]) for i in range(9)}
    fig, axes = plots.descent_paths(QUADRATIC, paths, ncols=4)
    assert axes.shape == (3, 4) and sum(ax.get_visible() for ax in axes.flat) == 9
    plt.close(fig)
    with pytest.raises(ValueError, match=r"paths\['bad'\]"):
        plots.descent_paths(QUADRATIC, {"bad": np.zeros((3, 3))})
    with pytest.raises(ValueError, match="missing"):
        plots.loss_curves(pd.DataFrame({"step": [0], "loss": [1.0]}))
    fig, ax = plots.loss_curves(pd.DataFrame({"step": [0, 1], "loss": [2.0, 1.0], "optimizer": ["A", "A"]}))
    assert ax.get_yscale() == "linear"
    plt.close(fig)


@settings(max_examples=30, deadline=None)
@given(scale=st.floats(1e-3, 1e3), shift=st.floats(-1.0, 1.0))
def test_scaled_gap_is_absolute_below_one_and_relative_above(scale, shift):
    actual = np.array([[0.0, scale], [-scale / 2, 0.0]])
    expected = actual + shift
    assert scaled_gap(actual, actual) == 0.0
    # (scale + shift) - scale loses up to eps * scale to rounding: a tiny shift needs that atol.
    np.testing.assert_allclose(scaled_gap(expected, actual), abs(shift) / max(1.0, scale), rtol=1e-12,
                               atol=2 * np.finfo(np.float64).eps)


def test_scaled_gap_validates_its_inputs():
    with pytest.raises(ValueError, match=r"same shape, got \(2,\) and \(3,\)"):
        scaled_gap(np.zeros(2), np.zeros(3))
    with pytest.raises(ValueError, match="must not be empty"):
        scaled_gap([], [])
    with pytest.raises(ValueError, match="must be finite"):
        scaled_gap([np.nan], [0.0])
