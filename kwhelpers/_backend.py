"""Backend-neutral building blocks: tensors to NumPy, and gradients with respect to a model's weights.

Keras 3 runs on TensorFlow, JAX or PyTorch; ``kwhelpers`` works on all three
through two functions:

* `to_numpy` turns a tensor of any backend (on any device: a CUDA tensor
  cannot go through ``numpy.asarray``) or a ``keras.Variable`` into a NumPy
  array, and leaves anything else to ``numpy.asarray``;
* `scalar_gradients` runs a forward pass and differentiates the scalars it
  returns with respect to ``model.trainable_variables``, with the backend's own
  machinery: ``tf.GradientTape`` (TensorFlow), ``jax.jacrev`` over a
  ``keras.StatelessScope`` (JAX), ``torch.autograd.grad`` (PyTorch).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

_TENSOR_ROOTS = ("tensorflow", "torch", "jax", "jaxlib", "keras")


def to_numpy(value: Any) -> Any:
    """Return ``value`` as a NumPy array if it is a tensor or ``keras.Variable``; else ``value``.

    Works for tensors of every backend, also on a GPU (``keras.ops.convert_to_numpy``
    copies to the host; ``numpy.asarray`` on a CUDA tensor fails). Other values
    (lists, scalars, arrays) are returned unchanged for the caller's ``numpy.asarray``.

    Examples
    --------
    >>> to_numpy([1, 2])
    [1, 2]
    """
    if isinstance(value, np.ndarray):
        return value
    root = type(value).__module__.split(".")[0]
    if root not in _TENSOR_ROOTS:
        return value
    if root == "keras":
        if hasattr(value, "assign") and hasattr(value, "value"):  # a keras.Variable
            return to_numpy(value.value)
        return value
    if root == "torch" and hasattr(value, "detach"):
        tensor = value.detach().cpu()
        if str(tensor.dtype) == "torch.bfloat16":
            tensor = tensor.float()
        return tensor.numpy()
    if root == "tensorflow" and hasattr(value, "numpy"):
        return np.asarray(value.numpy())
    try:
        return np.asarray(value)
    except Exception:  # a symbolic tensor and the like: let the caller's check report it
        return value


def backend() -> str:
    """The name of the running Keras backend (imports Keras)."""
    import keras

    return keras.backend.backend()


@dataclasses.dataclass(frozen=True)
class Gradients:
    """What `scalar_gradients` returns.

    Attributes
    ----------
    values : tuple of float
        The scalars.
    gradients : tuple of tuple of numpy.ndarray
        ``gradients[i][j]``: d ``values[i]`` / d ``model.trainable_variables[j]``
        (zeros where the scalar does not depend on the variable).
    extras : tuple
        NumPy copies of the extra tensors the forward pass returned.
    """

    values: tuple[float, ...]
    gradients: tuple[tuple[np.ndarray, ...], ...]
    extras: tuple[Any, ...]


def _scalar(value: Any, index: int) -> Any:
    shape = tuple(getattr(value, "shape", ()))
    if shape not in ((), (1,)):
        raise ValueError(f"the forward pass must return scalars; value {index} has shape {shape}")
    return value


def scalar_gradients(model: Any, forward: Callable[[], tuple[Sequence[Any], Sequence[Any]]],
                     *, apply_state_updates: bool = True) -> Gradients:
    """Differentiate the scalars of one forward pass with respect to ``model.trainable_variables``.

    Parameters
    ----------
    model : keras.Model
        A built model.
    forward : callable
        Takes no argument, runs the model (``model(x, training=True)``...) and
        returns ``(scalars, extras)``: the scalar tensors to differentiate and
        other tensors to return as NumPy (a prediction, for example). On JAX
        it runs traced, inside a ``keras.StatelessScope`` that maps the
        trainable variables to the traced values.
    apply_state_updates : bool
        JAX only: write the non-trainable variables the forward pass updated
        (batch-norm statistics, seed generators) back to the model, as the
        TensorFlow and PyTorch forward passes do by themselves.

    Returns
    -------
    Gradients
    """
    name = backend()
    variables = list(model.trainable_variables)
    if name == "tensorflow":
        import tensorflow as tf

        with tf.GradientTape(persistent=True) as tape:
            scalars, extras = forward()
            scalars = [_scalar(s, i) for i, s in enumerate(scalars)]
        grads = []
        for s in scalars:
            per_variable = tape.gradient(s, variables,
                                         unconnected_gradients=tf.UnconnectedGradients.ZERO)
            grads.append(tuple(np.asarray(g.numpy()) for g in per_variable))
        del tape
        values = tuple(float(np.asarray(s.numpy()).reshape(())) for s in scalars)
        return Gradients(values, tuple(grads), tuple(to_numpy(e) for e in extras))
    if name == "torch":
        import torch

        tensors = [v.value for v in variables]
        with torch.enable_grad():
            scalars, extras = forward()
            scalars = [_scalar(s, i) for i, s in enumerate(scalars)]
            grads = []
            for s in scalars:
                if not getattr(s, "requires_grad", False):
                    grads.append(tuple(np.zeros(tuple(v.shape), dtype=v.dtype) for v in variables))
                    continue
                found = torch.autograd.grad(s.reshape(()), tensors, retain_graph=True,
                                            allow_unused=True)
                grads.append(tuple(np.zeros(tuple(v.shape), dtype=v.dtype) if g is None else to_numpy(g)
                                   for g, v in zip(found, variables)))
        values = tuple(float(to_numpy(s).reshape(())) for s in scalars)
        return Gradients(values, tuple(grads), tuple(to_numpy(e) for e in extras))
    if name == "jax":
        import jax
        import jax.numpy as jnp
        import keras

        others = [v for v in model.variables if all(v is not t for t in variables)]

        def traced(values):
            with keras.StatelessScope(state_mapping=list(zip(variables, values))) as scope:
                scalars, extras = forward()
                scalars = [_scalar(s, i) for i, s in enumerate(scalars)]
            updates = [scope.get_current_value(v) for v in others]
            stacked = jnp.stack([jnp.reshape(s, ()) for s in scalars])
            return stacked, (stacked, tuple(extras), updates)

        jacobian, (stacked, extras, updates) = jax.jacrev(traced, has_aux=True)(
            [v.value for v in variables])
        if apply_state_updates:
            for variable, update in zip(others, updates):
                if update is not None:
                    variable.assign(update)
        values = tuple(float(v) for v in np.asarray(stacked))
        grads = tuple(tuple(np.asarray(jacobian[j][i]) for j in range(len(variables)))
                      for i in range(len(values)))
        return Gradients(values, grads, tuple(to_numpy(e) for e in extras))
    raise RuntimeError(f"kwhelpers knows the tensorflow, jax and torch backends, got {name!r}")


def require_backend(what: str, expected: str = "tensorflow") -> None:
    """Raise a one-line ``RuntimeError`` if the running backend is not ``expected``.

    For helpers that are about one backend by nature (the seed's ``tf.keras.backend`` code).
    """
    name = backend()
    if name != expected:
        raise RuntimeError(f"{what} needs the {expected} backend (it is written against "
                           f"{expected}), but Keras runs on {name!r}")
