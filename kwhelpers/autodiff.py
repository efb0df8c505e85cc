"""Gradients of Keras computations on whichever backend Keras runs (TensorFlow, JAX, PyTorch).

`value_and_gradient` evaluates ``function(x)`` and ``d sum(function(x)) / d x``
with the backend's own automatic differentiation (``tf.GradientTape``,
``jax.value_and_grad``, ``torch.autograd``): the gradient ``fit()`` would use.
`loss_curve` applies it to a Keras loss swept along one input, as notebook 04
plots them.

Examples
--------
>>> import kwhelpers as kw
>>> _ = kw.setup(seed=0)
>>> import keras, numpy as np
>>> values, gradient = value_and_gradient(lambda x: keras.ops.square(x), np.array([1.0, -2.0]))
>>> values.tolist(), gradient.tolist()
([1.0, 4.0], [2.0, -4.0])
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np


def _as_float32(x: Any, name: str) -> np.ndarray:
    try:
        array = np.asarray(x, dtype=np.float32)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{name} must be numeric array-like, got {type(x).__name__}") from error
    if array.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {array.shape}")
    return array


def value_and_gradient(function: Callable[[Any], Any], x: Any) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(function(x), d sum(function(x)) / d x)`` as float64 NumPy arrays.

    Parameters
    ----------
    function : callable
        Takes a float32 backend tensor shaped like ``x`` and returns a
        tensor (any shape; its elements are summed for the gradient). Use
        ``keras.ops`` inside, so the same function runs on every backend.
    x : array-like
        The point(s) to differentiate at (converted to float32).

    Returns
    -------
    (values, gradient)
        ``values`` is ``function(x)``; ``gradient`` has the shape of ``x``
        (zeros where ``x`` does not reach the result).

    Raises
    ------
    TypeError
        ``function`` is not callable or ``x`` is not numeric.
    ValueError
        ``x`` is empty.

    Examples
    --------
    >>> import keras
    >>> _, g = value_and_gradient(lambda x: keras.ops.sum(3.0 * x), [1.0, 2.0])
    >>> g.tolist()
    [3.0, 3.0]
    """
    if not callable(function):
        raise TypeError(f"function must be callable, got {type(function).__name__}")
    x = _as_float32(x, "x")
    import keras

    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        tensor = tf.constant(x)
        with tf.GradientTape() as tape:
            tape.watch(tensor)
            values = function(tensor)
            total = tf.reduce_sum(values)
        gradient = tape.gradient(total, tensor)
        gradient = np.zeros_like(x) if gradient is None else gradient.numpy()
    elif backend == "jax":
        import jax
        import jax.numpy as jnp

        def total_and_values(tensor):
            out = function(tensor)
            return jnp.sum(out), out

        (_, values), gradient = jax.value_and_grad(total_and_values, has_aux=True)(jnp.asarray(x))
        gradient = np.asarray(gradient)
    elif backend == "torch":
        tensor = keras.ops.convert_to_tensor(x).detach().clone().requires_grad_(True)
        values = function(tensor)
        total = values.sum()
        gradient = (np.zeros_like(x) if not total.requires_grad
                    else keras.ops.convert_to_numpy(
                        _torch_gradient(total, tensor, x)))
        values = values.detach()
    else:
        raise NotImplementedError(f"value_and_gradient supports the tensorflow, jax and torch "
                                  f"backends, got {backend!r}")
    return (np.asarray(keras.ops.convert_to_numpy(values), dtype=np.float64),
            np.asarray(gradient, dtype=np.float64))


def _torch_gradient(total: Any, tensor: Any, like: np.ndarray) -> Any:
    import torch

    (gradient,) = torch.autograd.grad(total, tensor, allow_unused=True)
    return torch.zeros_like(tensor) if gradient is None else gradient


def loss_curve(loss: Any, y_true_row: Any, x: Any,
               build: Callable[[Any], Any] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Per-point loss along a sweep ``x``, and ``d loss / d x`` by the backend's autodiff.

    Parameters
    ----------
    loss : keras.losses.Loss
        A loss with ``reduction=None`` (one value per sweep point).
    y_true_row : array-like
        The target of one sample (a scalar or a row); it is repeated for every point.
    x : array-like, shape (n,)
        The swept input.
    build : callable, optional
        Turns the swept tensor (shape ``(n,)``) into ``y_pred``; by default
        ``x[:, None]`` (one output unit). Use ``keras.ops`` inside.

    Returns
    -------
    (values, gradient)
        Two float64 arrays of shape ``(n,)``.

    Examples
    --------
    >>> import keras
    >>> values, gradient = loss_curve(keras.losses.MeanSquaredError(reduction=None), [1.0], [0.0, 3.0])
    >>> values.tolist(), gradient.tolist()
    ([1.0, 4.0], [-2.0, 4.0])
    """
    import keras

    if not isinstance(loss, keras.losses.Loss):
        raise TypeError(f"loss must be a keras.losses.Loss, got {type(loss).__name__}")
    x = _as_float32(x, "x")
    if x.ndim != 1:
        raise ValueError(f"x must be a 1-D sweep, got shape {x.shape}")
    row = np.asarray(y_true_row, dtype=np.float32)
    y_true = np.repeat(row[None], len(x), axis=0)

    def per_point(tensor):
        y_pred = build(tensor) if build is not None else keras.ops.expand_dims(tensor, -1)
        return loss(y_true, y_pred)

    values, gradient = value_and_gradient(per_point, x)
    if values.shape != x.shape:
        raise ValueError(f"the loss must give one value per sweep point (reduction=None), "
                         f"got shape {values.shape} for {x.shape[0]} points")
    return values, gradient
