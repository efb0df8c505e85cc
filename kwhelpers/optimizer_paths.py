"""Optimizers on 2-D test functions, and real Keras optimizers on plain arrays.

* :data:`QUADRATIC` and :data:`ROSENBROCK`: two classic surfaces with analytic
  gradients, as :class:`Surface` objects;
* :func:`keras_trajectory`: what a real Keras optimizer does to a
  ``keras.Variable`` given a fixed sequence of gradients (the thing
  :func:`kwhelpers.reference.optimizers.simulate` must reproduce);
* :func:`keras_descent` / :func:`reference_descent`: closed-loop minimisation of
  any objective with a gradient (a surface, a :class:`SoftmaxRegression`), with
  the real optimizer or with its float64 reference;
* :func:`scaled_gap`: how far a trajectory is from another, relative to its scale.

Examples
--------
>>> ROSENBROCK.value([1.0, 1.0])
0.0
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from kwhelpers import _checks
from kwhelpers._backend import to_numpy


@dataclasses.dataclass(frozen=True)
class Surface:
    """A 2-D function to minimise, with its gradient and minimiser.

    Examples
    --------
    >>> QUADRATIC.gradient([1.0, 1.0]).tolist()
    [1.0, 20.0]
    """

    name: str
    value_fn: Callable[[np.ndarray], float]
    gradient_fn: Callable[[np.ndarray], np.ndarray]
    minimum: tuple[float, float]
    start: tuple[float, float]
    extent: tuple[float, float, float, float]

    def value(self, point: Any) -> float:
        """f(x, y)."""
        return float(self.value_fn(_point(point)))

    def gradient(self, point: Any) -> np.ndarray:
        """(df/dx, df/dy) as a float64 array."""
        return np.asarray(self.gradient_fn(_point(point)), dtype=np.float64)


def _point(point: Any) -> np.ndarray:
    array = _checks.numeric_array(point, "point").astype(np.float64)
    if array.shape != (2,):
        raise ValueError(f"point must have shape (2,), got {array.shape}")
    return array


QUADRATIC = Surface(
    name="ill-conditioned quadratic 0.5*(x^2 + 20 y^2)",
    value_fn=lambda p: 0.5 * (p[0] ** 2 + 20.0 * p[1] ** 2),
    gradient_fn=lambda p: np.array([p[0], 20.0 * p[1]]),
    minimum=(0.0, 0.0), start=(-4.0, 1.0), extent=(-4.5, 1.0, -1.5, 1.5),
)
ROSENBROCK = Surface(
    name="Rosenbrock (1-x)^2 + 100 (y-x^2)^2",
    value_fn=lambda p: (1.0 - p[0]) ** 2 + 100.0 * (p[1] - p[0] ** 2) ** 2,
    gradient_fn=lambda p: np.array([-2.0 * (1.0 - p[0]) - 400.0 * p[0] * (p[1] - p[0] ** 2),
                                    200.0 * (p[1] - p[0] ** 2)]),
    minimum=(1.0, 1.0), start=(-1.5, 2.0), extent=(-2.0, 2.0, -0.5, 3.0),
)


def _check_steps(steps: int) -> None:
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 0:
        raise ValueError(f"steps must be an int >= 0, got {steps!r}")


def _check_name(name: Any) -> str:
    if not isinstance(name, str) or not name:
        raise TypeError(f"name must be a non-empty str (the variable's name), got {name!r}")
    return name


def scaled_gap(expected: Any, actual: Any) -> float:
    """Largest absolute difference, relative to the size of ``actual`` (at least 1).

    ``max |expected - actual| / max(1, max |actual|)``: an absolute gap for
    trajectories of size below 1, a relative one above. It is how the
    optimizer notebooks compare a reference trajectory with a Keras one.

    Parameters
    ----------
    expected, actual : array_like
        Two finite arrays of the same shape (e.g. two trajectories).

    Returns
    -------
    float
        The scaled gap, 0.0 for identical arrays.

    Examples
    --------
    >>> scaled_gap([0.0, 0.5], [0.0, 0.75])
    0.25
    >>> scaled_gap([10.0], [20.0])
    0.5
    """
    expected = _checks.numeric_array(expected, "expected", finite=False).astype(np.float64)
    actual = _checks.numeric_array(actual, "actual", finite=False).astype(np.float64)
    if expected.shape != actual.shape:
        raise ValueError(f"expected and actual must have the same shape, got {expected.shape} and {actual.shape}")
    if expected.size == 0:
        raise ValueError(f"expected and actual must not be empty, got shape {expected.shape}")
    if not (np.all(np.isfinite(expected)) and np.all(np.isfinite(actual))):
        raise ValueError("expected and actual must be finite, got a NaN or infinite value")
    return float(np.max(np.abs(expected - actual)) / max(1.0, float(np.max(np.abs(actual)))))


def keras_trajectory(optimizer: Any, initial: Any, gradients: Sequence[Any] | np.ndarray, *,
                     dtype: str = "float32", name: str = "variable") -> np.ndarray:
    """Apply ``gradients`` with a real Keras optimizer to a fresh ``keras.Variable``.

    Parameters
    ----------
    optimizer : keras.optimizers.Optimizer
        A fresh (unbuilt) optimizer; it is built on the new variable and stepped.
    initial : array-like
        Initial value of the variable.
    gradients : sequence of array-likes
        One gradient per ``optimizer.apply`` call.
    dtype : {"float32", "float64"}
        The variable's dtype (gradients are cast to it).
    name : str
        The variable's name (Muon and ``exclude_from_weight_decay`` look at it).

    Returns
    -------
    numpy.ndarray
        float64 array of shape ``(steps + 1, *initial.shape)``.

    Examples
    --------
    >>> import keras
    >>> keras_trajectory(keras.optimizers.SGD(learning_rate=0.5), [1.0], [[1.0]]).tolist()
    [[1.0], [0.5]]
    """
    start = _checks.numeric_array(initial, "initial").astype(np.float64)
    if isinstance(gradients, (str, bytes)) or not isinstance(gradients, (Sequence, np.ndarray)):
        raise TypeError(f"gradients must be a sequence of arrays, got {type(gradients).__name__}")
    gradients = [_checks.numeric_array(g, f"gradients[{i}]", finite=False).astype(np.float64)
                 for i, g in enumerate(gradients)]
    for index, g in enumerate(gradients):
        if g.shape != start.shape:
            raise ValueError(f"gradients[{index}] must have shape {start.shape}, got {g.shape}")
    return _run_keras_optimizer(optimizer, start, len(gradients), lambda step, _: gradients[step],
                                dtype=dtype, name=name)


def keras_descent(optimizer: Any, gradient: Callable[[np.ndarray], np.ndarray], start: Any,
                  steps: int, *, dtype: str = "float64", name: str = "variable") -> np.ndarray:
    """Minimise with a real Keras optimizer: ``steps`` calls of ``optimizer.apply``, each
    with ``gradient(current value)``.

    Parameters
    ----------
    optimizer : keras.optimizers.Optimizer
        A fresh (unbuilt) optimizer.
    gradient : callable
        Maps the current value (float64 array) to the gradient (same shape).
    start : array-like
        Initial value of the ``keras.Variable``.
    steps : int
        Number of updates.
    dtype : {"float32", "float64"}
        The variable's dtype.
    name : str
        The variable's name.

    Returns
    -------
    numpy.ndarray
        The visited values, shape ``(steps + 1, *start.shape)``, float64.

    Examples
    --------
    >>> import keras
    >>> keras_descent(keras.optimizers.SGD(learning_rate=0.1), QUADRATIC.gradient,
    ...               QUADRATIC.start, 1).shape
    (2, 2)
    """
    _check_steps(steps)
    start = _checks.numeric_array(start, "start").astype(np.float64)
    return _run_keras_optimizer(optimizer, start, steps,
                                lambda _, point: _checked_gradient(gradient, point),
                                dtype=dtype, name=name)


def _run_keras_optimizer(optimizer: Any, start: np.ndarray, steps: int,
                         next_gradient: Callable[[int, np.ndarray], np.ndarray], *,
                         dtype: str, name: str) -> np.ndarray:
    """Step a fresh optimizer on a new ``keras.Variable``; ``next_gradient(step, value)`` gives each gradient."""
    import keras

    if dtype not in ("float32", "float64"):
        raise ValueError(f"dtype must be 'float32' or 'float64', got {dtype!r}")
    _check_name(name)
    _check_fresh(optimizer)
    variable = keras.Variable(start, dtype=dtype, name=name)
    rows = [start.copy()]
    for step in range(steps):
        g = next_gradient(step, rows[-1])
        optimizer.apply([keras.ops.convert_to_tensor(g, dtype=dtype)], [variable])
        rows.append(np.asarray(to_numpy(variable), dtype=np.float64))
    return np.stack(rows)


def reference_descent(optimizer: Any, gradient: Callable[[np.ndarray], np.ndarray], start: Any,
                      steps: int, *, name: str = "variable") -> np.ndarray:
    """Same contract as :func:`keras_descent`, with the float64 reference of ``optimizer``
    (no TensorFlow work: thousands of steps take milliseconds).

    Examples
    --------
    >>> import keras
    >>> path = reference_descent(keras.optimizers.SGD(learning_rate=0.1), QUADRATIC.gradient,
    ...                          QUADRATIC.start, 2)
    >>> path[-1].round(3).tolist()
    [-3.24, 1.0]
    """
    from kwhelpers.reference.optimizers import ReferenceOptimizer

    _check_steps(steps)
    start = _checks.numeric_array(start, "start").astype(np.float64)
    reference = ReferenceOptimizer(optimizer, start, name=_check_name(name))
    rows = [reference.params.copy()]
    for _ in range(steps):
        rows.append(reference.apply(_checked_gradient(gradient, rows[-1])))
    return np.stack(rows)


def _check_fresh(optimizer: Any) -> None:
    import keras

    if not isinstance(optimizer, keras.optimizers.Optimizer):
        raise TypeError(f"optimizer must be a keras.optimizers.Optimizer, got {type(optimizer).__name__}")
    if optimizer.built:
        raise ValueError("optimizer must be fresh (not built yet); got one already built on other variables")


def _checked_gradient(gradient: Callable[[np.ndarray], np.ndarray], point: np.ndarray) -> np.ndarray:
    if not callable(gradient):
        raise TypeError(f"gradient must be callable, got {type(gradient).__name__}")
    g = np.asarray(gradient(point), dtype=np.float64)
    if g.shape != point.shape:
        raise ValueError(f"gradient(point) must have the point's shape {point.shape}, got {g.shape}")
    return g


@dataclasses.dataclass(frozen=True)
class SoftmaxRegression:
    """Multinomial logistic regression as an objective: mean cross-entropy of
    ``softmax([x, 1] @ W)``, with ``W`` of shape ``(features + 1, classes)`` (last row = bias).

    Examples
    --------
    >>> task = SoftmaxRegression(np.eye(2), np.array([0, 1]), classes=2)
    >>> round(task.loss(np.zeros((3, 2))), 4)
    0.6931
    """

    x: np.ndarray
    y: np.ndarray
    classes: int

    def __post_init__(self) -> None:
        classes = _checks.positive_int(self.classes, "classes")
        x = _checks.numeric_array(self.x, "x")
        y = _checks.numeric_array(self.y, "y")
        if x.ndim != 2 or y.shape != (x.shape[0],) or x.shape[0] == 0:
            raise ValueError(f"x must be 2-D and y 1-D of the same length (at least 1 row), got "
                             f"{x.shape} and {y.shape}")
        if not np.array_equal(y, np.round(y)) or y.min() < 0 or y.max() >= classes:
            raise ValueError(f"y must hold integer labels in [0, {classes}), got values "
                             f"{np.unique(y)[:5].tolist()}")
        object.__setattr__(self, "x", np.hstack([x.astype(np.float64), np.ones((len(x), 1))]))
        object.__setattr__(self, "y", y.astype(np.int64))

    def _weights(self, weights: Any) -> np.ndarray:
        array = _checks.numeric_array(weights, "weights").astype(np.float64)
        expected = (self.x.shape[1], self.classes)
        if array.shape != expected:
            raise ValueError(f"weights must have shape {expected} (features + 1 bias row, classes), "
                             f"got {array.shape}")
        return array

    def _probabilities(self, weights: np.ndarray) -> np.ndarray:
        logits = self.x @ weights
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        return p / p.sum(axis=1, keepdims=True)

    def loss(self, weights: Any) -> float:
        """Mean cross-entropy."""
        p = self._probabilities(self._weights(weights))
        return float(-np.mean(np.log(p[np.arange(len(self.y)), self.y])))

    def gradient(self, weights: Any) -> np.ndarray:
        """d loss / d W = x^T (softmax - onehot) / n."""
        p = self._probabilities(self._weights(weights))
        p[np.arange(len(self.y)), self.y] -= 1.0
        return self.x.T @ p / len(self.y)
