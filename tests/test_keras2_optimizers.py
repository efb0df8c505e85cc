"""`kwhelpers.keras2_optimizers`: Keras 2.2.4's Adagrad, RMSprop and Nadam, checked by hand and against Keras 3."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kwhelpers.keras2_optimizers import Keras2Adagrad, Keras2Nadam, Keras2RMSprop, descent, trajectory

keras = pytest.importorskip("keras")

from kwhelpers.optimizer_paths import keras_trajectory  # noqa: E402


def test_momentum_cache_matches_the_keras2_and_keras3_tables():
    # u_t from keras2_citations item 1: Keras 2 default (schedule_decay=0.004) and Keras 3 (0.96 ** t)
    keras2 = [Keras2Nadam().momentum_cache(t) for t in (1, 10, 100, 1000, 10000)]
    keras3 = [Keras2Nadam(schedule_decay=1.0).momentum_cache(t) for t in (1, 10, 100, 1000)]
    np.testing.assert_allclose(keras2, [0.45007, 0.45073, 0.45729, 0.51779, 0.81209], atol=5e-6)
    np.testing.assert_allclose(keras3, [0.46800, 0.60083, 0.89241, 0.9], atol=5e-6)


def test_adagrad_by_hand():
    with np.errstate(invalid="ignore"):
        path = trajectory(Keras2Adagrad(lr=0.1, epsilon=0.0), [1.0, -1.0], [[2.0, 0.0], [-1.0, 0.0]])
    # a = 4 then 5; zero gradients stay still (0 / (0 + eps) with eps = 0 would be nan: see below)
    np.testing.assert_allclose(path[1, 0], 1.0 - 0.1 * 2 / 2)
    np.testing.assert_allclose(path[2, 0], path[1, 0] + 0.1 * 1 / np.sqrt(5))
    assert np.isnan(path[1, 1])  # epsilon=0 with a zero accumulator: Keras 2.2.4's 0/0
    default = trajectory(Keras2Adagrad(), [0.0], [[0.0], [3.0]])
    np.testing.assert_allclose(default[:, 0], [0.0, 0.0, -0.01 * 3 / (3 + 1e-7)])


def test_rmsprop_by_hand():
    # a = 0.1 * g1**2, then 0.9 * a + 0.1 * g2**2; epsilon outside the root (Keras 2.2.4 L266-L270)
    path = trajectory(Keras2RMSprop(lr=0.1, rho=0.9, epsilon=0.01), [1.0], [[2.0], [-1.0]])
    a1 = 0.1 * 4.0
    a2 = 0.9 * a1 + 0.1 * 1.0
    np.testing.assert_allclose(path[1, 0], 1.0 - 0.1 * 2.0 / (np.sqrt(a1) + 0.01), rtol=1e-12)
    np.testing.assert_allclose(path[2, 0], path[1, 0] + 0.1 * 1.0 / (np.sqrt(a2) + 0.01), rtol=1e-12)
    # default: a first step of lr / sqrt(0.1) = 3.162e-3 whatever the gradient's size, while it is >> 1e-7
    for g in (1.0, 1e-4):
        np.testing.assert_allclose(trajectory(Keras2RMSprop(), [0.0], [[g]])[1, 0],
                                   -0.001 * g / (np.sqrt(0.1) * g + 1e-7), rtol=1e-12)


def test_rmsprop_is_keras3_rmsprop_for_large_gradients_only():
    rng = np.random.default_rng(2)
    initial = rng.normal(size=(4,))
    signs = rng.choice([-1.0, 1.0], size=(30, 4))
    large = signs * rng.uniform(0.5, 2.0, size=(30, 4))
    real = keras_trajectory(keras.optimizers.RMSprop(), initial, large, dtype="float32")
    np.testing.assert_allclose(trajectory(Keras2RMSprop(), initial, large), real, atol=2e-6)
    small = large * 1e-5  # epsilon inside the root (Keras 3) damps these steps about 100-fold
    real_small = keras_trajectory(keras.optimizers.RMSprop(), initial, small, dtype="float32")
    path_keras2 = np.sum(np.abs(np.diff(trajectory(Keras2RMSprop(), initial, small), axis=0)), axis=0)
    path_keras3 = np.sum(np.abs(np.diff(real_small, axis=0)), axis=0)
    assert np.all(path_keras2 > 10 * path_keras3)


@pytest.mark.parametrize("arguments, match", [
    ({"rho": 1.0}, r"rho must be a number in \[0, 1\)"),
    ({"lr": 0}, "lr must be a finite number > 0"),
    ({"epsilon": -1.0}, "epsilon must be a finite number >= 0"),
])
def test_rmsprop_refuses_bad_hyperparameters(arguments, match):
    with pytest.raises(ValueError, match=match):
        Keras2RMSprop(**arguments)


def test_nadam_first_step_by_hand():
    rule = Keras2Nadam(lr=0.1)
    g = 2.0
    u1, u2 = rule.momentum_cache(1), rule.momentum_cache(2)
    m, v = 0.1 * g, 0.001 * g**2
    m_bar = (1 - u1) * g / (1 - u1) + u2 * m / (1 - u1 * u2)
    expected = -0.1 * m_bar / (np.sqrt(v / 0.001) + 1e-7)
    np.testing.assert_allclose(trajectory(rule, [0.0], [[g]])[1, 0], expected, rtol=1e-12)


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 2**16), lr=st.sampled_from([0.001, 0.01, 0.1]))
def test_nadam_with_schedule_decay_one_is_keras3_nadam(seed, lr):
    rng = np.random.default_rng(seed)
    initial = rng.normal(size=(3, 2))
    gradients = rng.normal(size=(30, 3, 2))
    real = keras_trajectory(keras.optimizers.Nadam(learning_rate=lr), initial, gradients, dtype="float32")
    ours = trajectory(Keras2Nadam(lr=lr, schedule_decay=1.0), initial, gradients)
    np.testing.assert_allclose(ours, real, rtol=0, atol=2e-5 * max(1.0, np.max(np.abs(real))))
    keras2 = trajectory(Keras2Nadam(lr=lr), initial, gradients)
    assert np.max(np.abs(keras2 - real)) > 100 * np.max(np.abs(ours - real))


def test_adagrad_is_keras3_adagrad_from_a_zero_accumulator_for_large_gradients():
    rng = np.random.default_rng(1)
    initial = rng.normal(size=(4,))
    gradients = rng.choice([-1.0, 1.0], size=(20, 4)) * rng.uniform(0.5, 2.0, size=(20, 4))
    real = keras_trajectory(keras.optimizers.Adagrad(learning_rate=0.01, initial_accumulator_value=0.0),
                            initial, gradients, dtype="float32")
    np.testing.assert_allclose(trajectory(Keras2Adagrad(), initial, gradients), real, atol=1e-6)
    default = keras_trajectory(keras.optimizers.Adagrad(learning_rate=0.01), initial, gradients, dtype="float32")
    assert np.max(np.abs(default - real)) > 1e-4  # the 0.1 start shrinks every step


def test_descent_equals_trajectory_for_a_constant_gradient():
    for rule in (Keras2Adagrad(), Keras2Nadam()):
        closed = descent(rule, lambda p: np.ones_like(p), [0.5, -0.5], 5)
        np.testing.assert_array_equal(closed, trajectory(rule, [0.5, -0.5], np.ones((5, 2))))


def test_descent_feeds_the_current_parameters():
    seen = []
    descent(Keras2Adagrad(lr=1.0), lambda p: seen.append(p.copy()) or np.ones_like(p), [0.0], 2)
    np.testing.assert_allclose(np.array(seen)[:, 0], [0.0, -1.0], atol=1e-6)


@pytest.mark.parametrize("arguments, match", [
    ({"lr": 0}, "lr must be a finite number > 0"),
    ({"lr": -0.1}, "lr must be a finite number > 0"),
    ({"lr": float("nan")}, "lr must be"),
    ({"lr": True}, "lr must be"),
    ({"epsilon": -1e-7}, "epsilon must be a finite number >= 0"),
])
def test_adagrad_refuses_bad_hyperparameters(arguments, match):
    with pytest.raises(ValueError, match=match):
        Keras2Adagrad(**arguments)


@pytest.mark.parametrize("arguments, match", [
    ({"beta_1": 1.0}, r"beta_1 must be a number in \[0, 1\)"),
    ({"beta_2": -0.1}, "beta_2 must be"),
    ({"schedule_decay": -1.0}, "schedule_decay must be a finite number >= 0"),
    ({"lr": "0.002"}, "lr must be"),
])
def test_nadam_refuses_bad_hyperparameters(arguments, match):
    with pytest.raises(ValueError, match=match):
        Keras2Nadam(**arguments)


def test_bad_inputs_name_the_argument():
    with pytest.raises(TypeError, match="rule must be a Keras2Adagrad, Keras2RMSprop or Keras2Nadam"):
        trajectory("adagrad", [0.0], [[1.0]])
    with pytest.raises(TypeError, match="gradients must be a sequence"):
        trajectory(Keras2Adagrad(), [0.0], 1.0)
    with pytest.raises(ValueError, match=r"gradients\[1\] must have the parameters' shape \(2,\)"):
        trajectory(Keras2Adagrad(), [0.0, 0.0], [[1.0, 1.0], [1.0]])
    with pytest.raises(ValueError, match="start must be finite"):
        trajectory(Keras2Adagrad(), [np.nan], [[1.0]])
    with pytest.raises(TypeError, match="start must be a numeric array"):
        descent(Keras2Adagrad(), lambda p: p, "abc", 1)
    with pytest.raises(TypeError, match="gradient must be callable"):
        descent(Keras2Adagrad(), None, [0.0], 1)
    with pytest.raises(ValueError, match="steps must be an int >= 0"):
        descent(Keras2Adagrad(), lambda p: p, [0.0], -1)
    with pytest.raises(ValueError, match=r"gradient\(point\) must have the parameters' shape"):
        descent(Keras2Adagrad(), lambda p: np.ones(3), [0.0], 1)
