"""What a training step did: update counts, weight changes, per-output gradients, a step by hand.

* `UpdateRecorder` is a callback that records, after every training batch,
  ``optimizer.iterations`` and how much every trainable weight changed.
* `output_gradients` returns the gradient of each output's own loss term and
  of the model's compiled total loss with respect to every trainable weight;
  `gradient_reach` turns it into a table (which weights each output's error
  reaches).
* `fit_step_by_hand` reproduces one step of ``fit`` (``train_step`` of
  ``keras/src/backend/<backend>/trainer.py``): forward pass, the model's
  compiled loss (or one you give), its gradient, one ``optimizer.apply``.
* `compiled_twin` makes a copy with the same weights and a fresh optimizer,
  so two ways of training can start from the same point.
* `sgd_step_gradients` reads the gradient Keras computed in one
  ``train_on_batch`` step (masks and sample weights included) as minus the
  weight change of ``SGD(1.0)``; `largest_difference` compares two such lists.

Everything works on the TensorFlow, JAX and PyTorch backends: gradients come
from `kwhelpers._backend.scalar_gradients` (``tf.GradientTape``, ``jax.jacrev``,
``torch.autograd``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

import keras
import numpy as np
import pandas as pd
from keras import ops

from kwhelpers._backend import backend, scalar_gradients, to_numpy


def _check_compiled(model: object, *, need_loss: bool = True) -> keras.Model:
    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a keras.Model, got {type(model).__name__}")
    if not model.built or not model.trainable_variables:
        raise ValueError("model must be built and have trainable weights (call it on data or give "
                         f"it an Input first); got built={model.built}, "
                         f"{len(model.trainable_variables)} trainable weights")
    optimizer = getattr(model, "optimizer", None)
    loss = getattr(model, "loss", None)
    if optimizer is None or (need_loss and loss is None):
        raise ValueError("model must be compiled with an optimizer and a loss; got "
                         f"optimizer={optimizer!r}, loss={loss!r}")
    outputs = getattr(model, "outputs", None)
    if outputs is not None and len(outputs) != 1:
        raise ValueError(f"model must have one output (this helper reads one (batch, outputs) "
                         f"prediction), got a model with {len(outputs)} outputs")
    return model


def _batch(value: object, name: str) -> np.ndarray:
    """``value`` as a finite, non-empty float32 array with a batch axis, or a one-line error."""
    value = to_numpy(value)
    if isinstance(value, (str, bytes)):
        raise TypeError(f"{name} must be a numeric array, got {type(value).__name__}")
    try:
        array = np.asarray(value)
    except Exception as error:  # ragged lists and the like
        raise TypeError(f"{name} must be a numeric array, got {type(value).__name__} that is not "
                        f"rectangular ({' '.join(str(error).split())[:80]})") from None
    if array.dtype == object or not (np.issubdtype(array.dtype, np.number)
                                     or array.dtype == np.bool_):
        raise TypeError(f"{name} must be a numeric array, got dtype {array.dtype}")
    if array.ndim == 0:
        raise ValueError(f"{name} must have a batch axis, got a scalar")
    if array.shape[0] == 0:
        raise ValueError(f"{name} must hold at least one sample, got an empty batch of shape "
                         f"{array.shape}")
    array = array.astype(np.float32)
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite, got NaN or infinite values")
    return array


def _check_x(model: keras.Model, x: object) -> np.ndarray:
    x = _batch(x, "x")
    expected_x = tuple(model.inputs[0].shape[1:]) if getattr(model, "inputs", None) else None
    if expected_x is not None and (x.ndim != len(expected_x) + 1 or any(
            e is not None and e != got for e, got in zip(expected_x, x.shape[1:]))):
        raise ValueError(f"x must have shape (batch, {', '.join(map(str, expected_x))}) to fit the "
                         f"model's input, got {x.shape}")
    return x


def _check_xy(model: keras.Model, x: object, y: object) -> tuple[np.ndarray, np.ndarray]:
    """x fitting the model's input, y of shape (batch, outputs)."""
    x = _check_x(model, x)
    y = _batch(y, "y")
    outputs = model.outputs[0].shape[-1] if getattr(model, "outputs", None) else None
    if y.ndim != 2 or y.shape[0] != x.shape[0] or (outputs is not None and y.shape[1] != outputs):
        raise ValueError(f"y must have shape ({x.shape[0]}, {outputs}) (batch, model outputs), "
                         f"got {y.shape}")
    return x, y


def _prediction(model: keras.Model, x: np.ndarray) -> Any:
    y_pred = model(x, training=True)
    if isinstance(y_pred, (list, tuple, dict)):
        raise ValueError(f"model must have one output (this helper reads one prediction), got "
                         f"{len(y_pred)} outputs")
    return y_pred


def _output_layer(model: keras.Model) -> keras.layers.Layer | None:
    """The layer whose units are the model's outputs: the last layer with weights before the output.

    Weightless layers after it (an ``Activation``) are skipped. None where the
    model has no graph to read (a subclassed model) or the path branches.
    """
    outputs = getattr(model, "outputs", None)
    history = getattr(outputs[0], "_keras_history", None) if outputs else None
    if history is None:
        return None
    try:
        node = history.operation._inbound_nodes[history.node_index]
        while not node.operation.trainable_variables:
            parents = node.parent_nodes
            if len(parents) != 1:
                return None
            node = parents[0]
    except (AttributeError, IndexError):
        return None
    return node.operation if isinstance(node.operation, keras.layers.Layer) else None


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
    return {n: np.array(to_numpy(v)) for n, v in zip(weight_names(model), model.trainable_variables)}


class UpdateRecorder(keras.callbacks.Callback):
    """Record ``optimizer.iterations`` and every trainable weight's change after each batch.

    For each training batch the recorder stores the epoch, the batch index,
    the optimizer's iteration count and, per trainable weight, the largest
    absolute change since the previous batch and how many entries changed.
    It reads the weights once per batch (no extra forward or backward pass).
    On TensorFlow it reads them with one ``ReadVariableOp`` per weight on its
    handle, about four times cheaper than ``variable.numpy()``; on JAX and
    PyTorch it reads ``keras.ops.convert_to_numpy(variable)`` (on JAX the
    callback's ``model`` property first syncs the jitted training state). With
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
        self._reads: list[tuple[Any, Any]] | None = None
        self._previous: list[np.ndarray] = []
        self._steps: list[tuple[int, int, int]] = []
        self._max_abs: list[list[float]] = []
        self._changed: list[list[int]] = []

    def _read(self) -> list[np.ndarray]:
        """Every trainable weight, then ``optimizer.iterations``, as NumPy arrays."""
        if self._reads is not None:
            import tensorflow as tf

            return [tf.raw_ops.ReadVariableOp(resource=handle, dtype=dtype).numpy()
                    for handle, dtype in self._reads]
        model = self.model  # on JAX, this property syncs the state of the jitted train step
        variables = list(model.trainable_variables) + [model.optimizer.iterations]
        return [np.array(to_numpy(v)) for v in variables]

    def on_train_begin(self, logs=None) -> None:
        model = self.model
        if getattr(model, "optimizer", None) is None:
            raise ValueError("UpdateRecorder: the model must be compiled with an optimizer")
        self._names = weight_names(model)
        self._reads = None
        if backend() == "tensorflow":
            import tensorflow as tf

            variables = list(model.trainable_variables) + [model.optimizer.iterations]
            self._reads = [(v.handle, tf.as_dtype(v.dtype)) for v in variables]
        self._previous = self._read()[:-1]
        self._steps, self._max_abs, self._changed = [], [], []

    def on_epoch_begin(self, epoch, logs=None) -> None:
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None) -> None:
        *current, iterations = self._read()
        changes = [np.abs(after - before) for before, after in zip(self._previous, current)]
        self._steps.append((self._epoch, batch, int(iterations)))
        self._max_abs.append([float(c.max()) if c.size else 0.0 for c in changes])
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
    output_layer : keras.layers.Layer or None
        The model's output layer (the last layer with weights before the
        output), which `gradient_reach` splits per unit; None if the model's
        graph does not tell (a subclassed model).
    """

    names: tuple[str, ...]
    per_output: tuple[dict[str, np.ndarray], ...]
    total: dict[str, np.ndarray]
    term_values: np.ndarray
    total_loss: float
    output_layer: Any = dataclasses.field(default=None, compare=False, repr=False)

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
        One non-empty batch of inputs and multi-hot targets, finite.
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
    if not callable(elementwise_loss):
        raise TypeError(f"elementwise_loss must be callable, got {type(elementwise_loss).__name__}")
    x, y = _check_xy(model, x, y)
    outputs = y.shape[1]

    def forward():
        y_pred = _prediction(model, x)
        elements = elementwise_loss(ops.convert_to_tensor(y), y_pred)
        if tuple(elements.shape) != y.shape:
            raise ValueError(f"elementwise_loss must return shape {y.shape}, got "
                             f"{tuple(elements.shape)}")
        terms = [ops.mean(elements[:, j]) / outputs for j in range(outputs)]
        total = model.compute_loss(x=x, y=y, y_pred=y_pred, training=True)
        return [*terms, total], []

    result = scalar_gradients(model, forward)
    names = tuple(weight_names(model))
    as_dicts = [dict(zip(names, grads)) for grads in result.gradients]
    return OutputGradients(names=names, per_output=tuple(as_dicts[:outputs]), total=as_dicts[-1],
                           term_values=np.array(result.values[:outputs]),
                           total_loss=float(result.values[-1]), output_layer=_output_layer(model))


def gradient_reach(result: OutputGradients, output_layer: keras.layers.Layer,
                   labels: Sequence[str] | None = None) -> pd.DataFrame:
    """Table of gradient norms: rows are output terms (and the total), columns weight blocks.

    Weights outside ``output_layer`` are one block each (``"hidden/kernel"``);
    the output layer's weights are split along their last axis into one block
    per output unit ``j`` (kernel column ``j`` and bias entry ``j``). A cell is
    the L2 norm of that row's gradient on that block; an exact 0.0 means the
    row's error does not reach those weights.

    Parameters
    ----------
    result : OutputGradients
        From `output_gradients`.
    output_layer : keras.layers.Layer
        The model's output layer (``result.output_layer``): a hidden layer is
        refused, even one with as many units as there are outputs.
    labels : sequence of str, optional
        One name per output (default ``"output 0"``, ``"output 1"``...).

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
    if labels is not None and (isinstance(labels, (str, bytes)) or not isinstance(labels, Sequence)):
        raise TypeError(f"labels must be a sequence of {outputs} names, got {type(labels).__name__}")
    labels = [f"output {j}" for j in range(outputs)] if labels is None else [str(v) for v in labels]
    if len(labels) != outputs:
        raise ValueError(f"labels must name {outputs} outputs, got {len(labels)}")
    if len(set(labels)) != len(labels):
        raise ValueError(f"labels must be distinct, got {labels}")
    expected = result.output_layer
    if expected is not None and output_layer is not expected:
        raise ValueError(f"output_layer must be the model's output layer {expected.name!r} (its "
                         f"units are the {outputs} outputs), got layer {output_layer.name!r}")
    paths = [v.path for v in output_layer.trainable_variables]
    own = [n for n in result.names if any(p == n or p.endswith(f"/{n}") for p in paths)]
    if not paths or len(own) != len(paths):
        raise ValueError(f"output_layer's weights {paths} must be among the result's weights "
                         f"{list(result.names)}")
    units = {result.total[n].shape[-1] if result.total[n].ndim else 1 for n in own}
    if units != {outputs}:
        raise ValueError(f"output_layer {output_layer.name!r} must have one unit per output "
                         f"({outputs}), got weights with last axis {sorted(units)}")

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
                     loss: Callable | None = None) -> float:
    """Do one training step by hand: forward pass, one scalar loss, its gradient, one ``optimizer.apply``.

    Mirrors ``train_step`` of Keras's trainers without their metrics: the
    prediction in training mode, ``model.compute_loss`` (the compiled loss
    plus any regularization losses) scaled by ``optimizer.scale_loss``, its
    gradient, ``optimizer.apply``. With the default ``loss=None`` the step
    equals one step of ``fit`` on the same batch, whatever loss the model was
    compiled with.

    Parameters
    ----------
    model : keras.Model
        A built model with one output, compiled with an optimizer (and a loss,
        unless ``loss`` is given); the optimizer is used and advanced.
    x, y : numpy.ndarray
        One non-empty, finite batch (``y`` with as many rows as ``x``).
    loss : callable, optional
        ``(y_true, y_pred) -> scalar`` to use instead of the compiled loss (for
        example one output's term, to train that output alone).

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
    >>> int(model.optimizer.iterations)
    1
    """
    if loss is not None and not callable(loss):
        raise TypeError(f"loss must be callable or None, got {type(loss).__name__}")
    model = _check_compiled(model, need_loss=loss is None)
    x = _check_x(model, x)
    y = _batch(y, "y")
    if y.shape[0] != x.shape[0]:
        raise ValueError(f"y must have one row per sample of x ({x.shape[0]}), got shape {y.shape}")
    optimizer = model.optimizer

    def forward():
        y_pred = _prediction(model, x)
        if loss is None:
            value = model.compute_loss(x=x, y=y, y_pred=y_pred, training=True)
        else:
            value = loss(ops.convert_to_tensor(y), y_pred)
            if tuple(value.shape) != ():
                raise ValueError(f"loss must return a scalar, got shape {tuple(value.shape)}")
        return [optimizer.scale_loss(value)], [value]

    result = scalar_gradients(model, forward)
    variables = model.trainable_variables
    gradients = [ops.convert_to_tensor(g, dtype=v.dtype) for g, v in zip(result.gradients[0], variables)]
    optimizer.apply(gradients, variables)
    return float(np.asarray(result.extras[0]).reshape(()))


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


def sgd_step_gradients(model: keras.Model, x: Any, y: Any, *, start: Sequence[Any], loss: Any,
                       sample_weight: Any = None) -> tuple[float, list[np.ndarray]]:
    """One ``train_on_batch`` step with ``SGD(learning_rate=1.0)`` from the weights ``start``.

    With a learning rate of 1, minus the change of every weight *is* its
    gradient: a backend-neutral way to read the gradient Keras itself
    computed, masks, sample weights and loss reduction included.

    Parameters
    ----------
    model : keras.Model
        A built model; it is (re)compiled here with ``SGD(1.0)`` and ``loss``.
    x, y : array-like
        One batch.
    start : sequence of arrays
        The weights to start from, as `keras.Model.get_weights` returns them.
    loss : str or keras.losses.Loss
        The loss to compile with (a `Loss` carries its ``reduction``).
    sample_weight : array-like, optional
        Passed to ``train_on_batch``.

    Returns
    -------
    (float, list of numpy.ndarray)
        The loss ``train_on_batch`` returned, and the gradient of every weight
        (``get_weights`` order).

    Examples
    --------
    >>> import keras, numpy as np
    >>> model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1, use_bias=False)])
    >>> loss, grads = sgd_step_gradients(model, np.ones((2, 1)), np.zeros((2, 1)), start=[np.ones((1, 1))],
    ...                                  loss="mse")
    >>> round(loss, 4), [g.round(4).tolist() for g in grads]  # d/dw (w - 0)**2 = 2 w = 2
    (1.0, [[[2.0]]])
    """
    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a keras.Model, got {type(model).__name__}")
    if isinstance(start, (str, bytes)) or not isinstance(start, Sequence):
        raise TypeError(f"start must be a list of weight arrays, got {type(start).__name__}")
    if len(start) != len(model.weights):
        raise ValueError(f"start must hold one array per model weight ({len(model.weights)}), got {len(start)}")
    if not isinstance(loss, (str, keras.losses.Loss)):
        raise TypeError(f"loss must be a loss name or a keras.losses.Loss, got {type(loss).__name__}")
    rows = _check_x(model, x).shape[0]  # checked here; Keras gets the arrays as they came
    for name, value in (("y", y), ("sample_weight", sample_weight)):
        found = rows if value is None else _batch(value, name).shape[0]
        if found != rows:
            raise ValueError(f"{name} must have one row per sample of x ({rows}), got {found}")
    model.set_weights(list(start))
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=1.0), loss=loss)
    before = model.get_weights()
    value = float(np.asarray(model.train_on_batch(x, y, sample_weight=sample_weight)).reshape(()))
    return value, [(b - a).astype(b.dtype) for b, a in zip(before, model.get_weights())]


def largest_difference(first: Sequence[Any], second: Sequence[Any]) -> float:
    """The largest absolute element-wise difference between two equally long lists of arrays.

    Examples
    --------
    >>> largest_difference([np.zeros(2), np.ones(3)], [np.array([0.0, 0.5]), np.ones(3)])
    0.5
    """
    for name, value in (("first", first), ("second", second)):
        if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
            raise TypeError(f"{name} must be a list of arrays, got {type(value).__name__}")
    if len(first) != len(second) or not first:
        raise ValueError(f"first and second must be non-empty and equally long, got {len(first)} and {len(second)}")
    gaps = []
    for index, (a, b) in enumerate(zip(first, second)):
        a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
        if a.shape != b.shape:
            raise ValueError(f"first[{index}] and second[{index}] must have one shape, got {a.shape} and {b.shape}")
        gaps.append(float(np.max(np.abs(a - b))) if a.size else 0.0)
    return max(gaps)
