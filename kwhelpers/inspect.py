"""What a training step did: update counts, weight changes, per-output gradients, a step by hand.

* `UpdateRecorder` is a callback that records, after every training batch,
  ``optimizer.iterations`` and how much every trainable weight changed.
* `output_gradients` returns the gradient of each output's own loss term and
  of the model's compiled total loss with respect to every trainable weight;
  `gradient_reach` turns it into a table (which weights each output's error
  reaches).
* `fit_step_by_hand` reproduces one step of ``fit`` (TensorFlow backend,
  ``keras/src/backend/tensorflow/trainer.py``, ``train_step``): forward pass
  under a ``GradientTape``, one reduced loss, its gradient, one
  ``optimizer.apply``.
* `compiled_twin` makes a copy with the same weights and a fresh optimizer,
  so two ways of training can start from the same point.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

import keras
import numpy as np
import pandas as pd
import tensorflow as tf
from keras import ops


def _check_compiled(model: object) -> keras.Model:
    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a keras.Model, got {type(model).__name__}")
    if not model.built or not model.trainable_variables:
        raise ValueError("model must be built and have trainable weights (call it on data or give "
                         f"it an Input first); got built={model.built}, "
                         f"{len(model.trainable_variables)} trainable weights")
    if getattr(model, "optimizer", None) is None or getattr(model, "loss", None) is None:
        raise ValueError("model must be compiled with an optimizer and a loss; got "
                         f"optimizer={getattr(model, 'optimizer', None)!r}, "
                         f"loss={getattr(model, 'loss', None)!r}")
    return model


def _check_xy(model: keras.Model, x: object, y: object) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(x, dtype=np.float32)
    y = np.asarray(y, dtype=np.float32)
    expected_x = tuple(model.inputs[0].shape[1:]) if model.inputs else None
    if expected_x is not None and (x.ndim != len(expected_x) + 1 or any(
            e is not None and e != got for e, got in zip(expected_x, x.shape[1:]))):
        raise ValueError(f"x must have shape (batch, {', '.join(map(str, expected_x))}) to fit the "
                         f"model's input, got {x.shape}")
    outputs = model.outputs[0].shape[-1] if model.outputs else None
    if y.ndim != 2 or y.shape[0] != x.shape[0] or (outputs is not None and y.shape[1] != outputs):
        raise ValueError(f"y must have shape ({x.shape[0]}, {outputs}) (batch, model outputs), "
                         f"got {y.shape}")
    return x, y


def weight_names(model: keras.Model) -> list[str]:
    """Return the trainable weights' paths without the model's own prefix (``"hidden/kernel"``).

    Keras numbers model names (``sequential_3``), so the full path would change
    from run to run; the part below the model is stable.

    Examples
    --------
    >>> import keras
    >>> weight_names(keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, name="out")]))
    ['out/kernel', 'out/bias']
    """
    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a keras.Model, got {type(model).__name__}")
    prefix = f"{model.name}/"
    return [v.path[len(prefix):] if v.path.startswith(prefix) else v.path
            for v in model.trainable_variables]


def weights_snapshot(model: keras.Model) -> dict[str, np.ndarray]:
    """Return a copy of every trainable weight, keyed by `weight_names`.

    Examples
    --------
    >>> import keras
    >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, name="out")])
    >>> sorted(weights_snapshot(model))
    ['out/bias', 'out/kernel']
    """
    return {n: np.array(v.numpy()) for n, v in zip(weight_names(model), model.trainable_variables)}


class UpdateRecorder(keras.callbacks.Callback):
    """Record ``optimizer.iterations`` and every trainable weight's change after each batch.

    For each training batch the recorder stores the epoch, the batch index,
    the optimizer's iteration count and, per trainable weight, the largest
    absolute change since the previous batch and how many entries changed.
    It reads the weights once per batch (no extra forward or backward pass),
    with one ``ReadVariableOp`` per weight on its TensorFlow handle, about four
    times cheaper than ``variable.numpy()``: TensorFlow backend only. With
    ``steps_per_execution > 1`` Keras calls it once per execution, so a row
    then covers several optimizer steps (``iterations`` tells how many).

    Examples
    --------
    >>> import keras, numpy as np
    >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    >>> model.compile(optimizer="sgd", loss="mse")
    >>> recorder = UpdateRecorder()
    >>> _ = model.fit(np.ones((8, 2)), np.zeros((8, 1)), batch_size=4, verbose=0,
    ...               callbacks=[recorder])
    >>> recorder.to_frame()["iterations"].tolist()
    [1, 2]
    """

    def __init__(self) -> None:
        super().__init__()
        self._epoch = 0
        self._names: list[str] = []
        self._reads: list[tuple[Any, tf.DType]] = []
        self._previous: list[np.ndarray] = []
        self._steps: list[tuple[int, int, int]] = []
        self._max_abs: list[list[float]] = []
        self._changed: list[list[int]] = []

    def _read(self) -> list[np.ndarray]:
        return [tf.raw_ops.ReadVariableOp(resource=handle, dtype=dtype).numpy()
                for handle, dtype in self._reads]

    def on_train_begin(self, logs=None) -> None:
        if keras.backend.backend() != "tensorflow":
            raise RuntimeError(f"UpdateRecorder needs the TensorFlow backend, got "
                               f"{keras.backend.backend()!r}")
        variables = list(self.model.trainable_variables) + [self.model.optimizer.iterations]
        self._names = weight_names(self.model)
        self._reads = [(v.handle, tf.as_dtype(v.dtype)) for v in variables]
        self._previous = self._read()[:-1]
        self._steps, self._max_abs, self._changed = [], [], []

    def on_epoch_begin(self, epoch, logs=None) -> None:
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None) -> None:
        *current, iterations = self._read()
        changes = [np.abs(after - before) for before, after in zip(self._previous, current)]
        self._steps.append((self._epoch, batch, int(iterations)))
        self._max_abs.append([float(c.max()) for c in changes])
        self._changed.append([int(np.count_nonzero(c)) for c in changes])
        self._previous = current

    @property
    def recorded_batches(self) -> int:
        """Number of recorded batches."""
        return len(self._steps)

    def to_frame(self, stat: str = "max_abs_change") -> pd.DataFrame:
        """One row per recorded batch: epoch, batch, iterations and ``stat`` per weight.

        Parameters
        ----------
        stat : {"max_abs_change", "changed"}
            Largest absolute change of each weight, or how many of its entries changed.
        """
        if stat not in ("max_abs_change", "changed"):
            raise ValueError(f"stat must be 'max_abs_change' or 'changed', got {stat!r}")
        steps = pd.DataFrame(self._steps, columns=["epoch", "batch", "iterations"], dtype="int64")
        values = self._max_abs if stat == "max_abs_change" else self._changed
        per_weight = pd.DataFrame(values, columns=self._names,
                                  dtype="float64" if stat == "max_abs_change" else "int64")
        return pd.concat([steps, per_weight], axis=1)


@dataclasses.dataclass(frozen=True)
class OutputGradients:
    """Gradients of each output's loss term and of the total loss, per trainable weight.

    Attributes
    ----------
    names : tuple of str
        Weight paths, in ``model.trainable_variables`` order.
    per_output : tuple of dict
        ``per_output[j][name]``: gradient of output ``j``'s term
        ``mean over samples of elements[:, j] / outputs``.
    total : dict
        Gradient of the model's compiled loss (``model.compute_loss``).
    term_values : numpy.ndarray
        The value of each output's term; they sum to the total loss.
    total_loss : float
        The compiled loss on the batch.
    """

    names: tuple[str, ...]
    per_output: tuple[dict[str, np.ndarray], ...]
    total: dict[str, np.ndarray]
    term_values: np.ndarray
    total_loss: float

    def summed(self) -> dict[str, np.ndarray]:
        """Return the sum over outputs of the per-output gradients."""
        return {n: np.sum([g[n] for g in self.per_output], axis=0) for n in self.names}


def output_gradients(model: keras.Model, x: np.ndarray, y: np.ndarray,
                     elementwise_loss: Callable = ops.binary_crossentropy) -> OutputGradients:
    """Gradient of each output's own loss term and of the compiled total loss.

    One forward pass in training mode. ``elementwise_loss(y, y_pred)`` gives a
    (batch, outputs) matrix; output ``j``'s term is its column ``j`` averaged
    over the batch and divided by the number of outputs, so the terms sum to
    the mean over samples and labels. The total is the model's own compiled
    loss (``model.compute_loss``), so ``summed() == total`` is a check that the
    compiled loss is that mean, not an identity.

    Parameters
    ----------
    model : keras.Model
        A built, compiled model with one output of shape (batch, outputs).
    x, y : numpy.ndarray
        One batch of inputs and multi-hot targets.
    elementwise_loss : callable
        ``(y_true, y_pred) -> (batch, outputs)`` tensor of per-element losses;
        defaults to Keras's elementwise ``keras.ops.binary_crossentropy``.

    Examples
    --------
    >>> import keras, numpy as np
    >>> out = keras.layers.Dense(2, activation="sigmoid", name="out")
    >>> model = keras.Sequential([keras.Input((3,)), out])
    >>> model.compile(optimizer="sgd", loss="binary_crossentropy")
    >>> result = output_gradients(model, np.ones((4, 3)), np.eye(2)[[0, 1, 1, 0]])
    >>> float(np.abs(result.per_output[0]["out/kernel"][:, 1]).max())
    0.0
    """
    model = _check_compiled(model)
    x, y = _check_xy(model, x, y)
    variables = model.trainable_variables
    with tf.GradientTape(persistent=True) as tape:
        y_pred = model(x, training=True)
        elements = elementwise_loss(y, y_pred)
        if tuple(elements.shape) != y.shape:
            raise ValueError(f"elementwise_loss must return shape {y.shape}, got "
                             f"{tuple(elements.shape)}")
        outputs = y.shape[1]
        terms = [ops.mean(elements[:, j]) / outputs for j in range(outputs)]
        total = model.compute_loss(x=x, y=y, y_pred=y_pred, training=True)
    names = tuple(weight_names(model))

    def as_dict(target) -> dict[str, np.ndarray]:
        grads = tape.gradient(target, variables, unconnected_gradients="zero")
        return {n: np.asarray(g) for n, g in zip(names, grads)}

    per_output = tuple(as_dict(term) for term in terms)
    total_grads = as_dict(total)
    del tape
    return OutputGradients(names=names, per_output=per_output, total=total_grads,
                           term_values=np.array([float(t) for t in terms]),
                           total_loss=float(total))


def gradient_reach(result: OutputGradients, output_layer: keras.layers.Layer,
                   labels: Sequence[str] | None = None) -> pd.DataFrame:
    """Table of gradient norms: rows are output terms (and the total), columns weight blocks.

    Weights outside ``output_layer`` are one block each (``"hidden/kernel"``);
    the output layer's weights are split along their last axis into one block
    per output unit ``j`` (kernel column ``j`` and bias entry ``j``). A cell is
    the L2 norm of that row's gradient on that block; an exact 0.0 means the
    row's error does not reach those weights.

    Examples
    --------
    >>> import keras, numpy as np
    >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, activation="sigmoid")])
    >>> model.compile(optimizer="sgd", loss="binary_crossentropy")
    >>> result = output_gradients(model, np.ones((4, 3)), np.eye(2)[[0, 1, 1, 0]])
    >>> float(gradient_reach(result, model.layers[-1], ["a", "b"]).loc["a", "unit b"])
    0.0
    """
    if not isinstance(result, OutputGradients):
        raise TypeError(f"result must be an OutputGradients, got {type(result).__name__}")
    if not isinstance(output_layer, keras.layers.Layer):
        raise TypeError(f"output_layer must be a keras layer, got {type(output_layer).__name__}")
    outputs = len(result.per_output)
    labels = [f"output {j}" for j in range(outputs)] if labels is None else list(labels)
    if len(labels) != outputs:
        raise ValueError(f"labels must name {outputs} outputs, got {len(labels)}")
    paths = [v.path for v in output_layer.trainable_variables]
    own = [n for n in result.names if any(p == n or p.endswith(f"/{n}") for p in paths)]
    if not paths or len(own) != len(paths):
        raise ValueError(f"output_layer's weights {paths} must be among the result's weights "
                         f"{list(result.names)}")

    def blocks(grads: dict[str, np.ndarray]) -> dict[str, float]:
        row = {n: float(np.linalg.norm(grads[n])) for n in result.names if n not in own}
        for j, label in enumerate(labels):
            row[f"unit {label}"] = float(np.sqrt(sum(np.sum(grads[n][..., j] ** 2) for n in own)))
        return row

    rows = {label: blocks(g) for label, g in zip(labels, result.per_output)}
    rows["total"] = blocks(result.total)
    return pd.DataFrame.from_dict(rows, orient="index")


def mean_binary_crossentropy(y_true, y_pred):
    """Mean over samples and labels of the elementwise binary crossentropy (one scalar)."""
    return ops.mean(ops.binary_crossentropy(y_true, y_pred))


def fit_step_by_hand(model: keras.Model, x: np.ndarray, y: np.ndarray,
                     loss: Callable = mean_binary_crossentropy) -> float:
    """Do one training step by hand: tape, one scalar loss, its gradient, one ``optimizer.apply``.

    Mirrors ``train_step`` of Keras's TensorFlow trainer without its metrics.

    Parameters
    ----------
    model : keras.Model
        A built model compiled with an optimizer (the optimizer is used and advanced).
    x, y : numpy.ndarray
        One batch.
    loss : callable
        ``(y_true, y_pred) -> scalar``; defaults to the mean binary crossentropy
        over samples and labels.

    Returns
    -------
    float
        The loss before the update.

    Examples
    --------
    >>> import keras, numpy as np
    >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, activation="sigmoid")])
    >>> model.compile(optimizer="sgd", loss="binary_crossentropy")
    >>> round(fit_step_by_hand(model, np.zeros((4, 3)), np.ones((4, 2))), 4)  # -log(0.5)
    0.6931
    >>> int(model.optimizer.iterations.numpy())
    1
    """
    model = _check_compiled(model)
    x, y = _check_xy(model, x, y)
    with tf.GradientTape() as tape:
        y_pred = model(x, training=True)
        value = loss(y, y_pred)
    if tuple(value.shape) != ():
        raise ValueError(f"loss must return a scalar, got shape {tuple(value.shape)}")
    gradients = tape.gradient(value, model.trainable_variables)
    model.optimizer.apply(gradients, model.trainable_variables)
    return float(value)


def compiled_twin(model: keras.Model) -> keras.Model:
    """Return a copy of a compiled model: same weights, same loss, a fresh optimizer of the same config.

    Examples
    --------
    >>> import keras, numpy as np
    >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    >>> model.compile(optimizer="adam", loss="mse")
    >>> twin = compiled_twin(model)
    >>> all(np.array_equal(a, b) for a, b in zip(model.get_weights(), twin.get_weights()))
    True
    """
    model = _check_compiled(model)
    twin = keras.models.clone_model(model)
    twin.set_weights(model.get_weights())
    optimizer = model.optimizer.__class__.from_config(model.optimizer.get_config())
    twin.compile(optimizer=optimizer, loss=model.loss)
    return twin
