"""`kwhelpers.autodiff`: values and gradients by the backend's own autodiff."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import kwhelpers as kw

kw.setup(seed=0)

import keras  # noqa: E402

from kwhelpers import autodiff  # noqa: E402

L = keras.losses


def test_value_and_gradient_of_a_square():
    values, gradient = autodiff.value_and_gradient(keras.ops.square, np.array([1.0, -2.0, 0.5]))
    assert values.dtype == gradient.dtype == np.float64
    np.testing.assert_allclose(values, [1.0, 4.0, 0.25])
    np.testing.assert_allclose(gradient, [2.0, -4.0, 1.0])


def test_an_input_that_does_not_reach_the_result_has_zero_gradient():
    _, gradient = autodiff.value_and_gradient(lambda x: keras.ops.ones_like(x) * 2.0, [1.0, 2.0])
    np.testing.assert_array_equal(gradient, [0.0, 0.0])


def test_loss_curve_matches_the_formula():
    x = np.array([-1.0, 0.0, 2.0])
    values, gradient = autodiff.loss_curve(L.MeanSquaredError(reduction=None), [1.0], x)
    np.testing.assert_allclose(values, (x - 1) ** 2)
    np.testing.assert_allclose(gradient, 2 * (x - 1))


def test_loss_curve_with_a_builder():
    p = np.array([0.25, 0.5])
    values, gradient = autodiff.loss_curve(
        L.CategoricalCrossentropy(reduction=None), [0.0, 1.0], p,
        lambda t: keras.ops.stack([1.0 - t, t], axis=1))
    np.testing.assert_allclose(values, -np.log(p), rtol=1e-6)
    np.testing.assert_allclose(gradient, -1 / p, rtol=1e-5)


def test_clipped_probabilities_have_zero_gradient():
    # BCE on a probability of exactly 1 with target 0: the clip at 1 - epsilon stops the gradient
    _, gradient = autodiff.loss_curve(L.BinaryCrossentropy(reduction=None), [0.0], [1.0, 0.5])
    assert gradient[0] == 0.0 and gradient[1] > 0


def test_bad_inputs():
    with pytest.raises(TypeError, match="function"):
        autodiff.value_and_gradient("square", [1.0])
    with pytest.raises(TypeError, match="x must be numeric"):
        autodiff.value_and_gradient(keras.ops.square, ["a"])
    with pytest.raises(ValueError, match="empty"):
        autodiff.value_and_gradient(keras.ops.square, [])
    with pytest.raises(TypeError, match="keras.losses.Loss"):
        autodiff.loss_curve(keras.losses.mean_squared_error, [1.0], [0.0])
    with pytest.raises(ValueError, match="1-D"):
        autodiff.loss_curve(L.MeanSquaredError(reduction=None), [1.0], [[0.0]])
    with pytest.raises(ValueError, match="reduction=None"):
        autodiff.loss_curve(L.MeanSquaredError(), [1.0], [0.0, 1.0])


@pytest.mark.parametrize("backend", ["jax", "torch"])
def test_other_backends_give_the_same_gradients(backend):
    pytest.importorskip(backend)
    script = textwrap.dedent("""
        import kwhelpers as kw
        kw.setup(seed=0)
        import keras, numpy as np
        from kwhelpers import autodiff
        assert keras.backend.backend() == BACKEND
        v, g = autodiff.value_and_gradient(keras.ops.square, np.array([1.0, -2.0]))
        assert v.tolist() == [1.0, 4.0] and g.tolist() == [2.0, -4.0], (v, g)
        _, g = autodiff.value_and_gradient(lambda x: keras.ops.ones_like(x), [1.0])
        assert g.tolist() == [0.0], g
        v, g = autodiff.loss_curve(keras.losses.MeanSquaredError(reduction=None), [1.0], [0.0, 3.0])
        assert v.tolist() == [1.0, 4.0] and g.tolist() == [-2.0, 4.0], (v, g)
        print("ok")
    """).replace("BACKEND", repr(backend))
    env = dict(os.environ, KERAS_BACKEND=backend)
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().endswith("ok")
