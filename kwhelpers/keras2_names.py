"""Keras 2 loss, metric and optimizer names used in the seeds, mapped to Keras 3.

The seeds (``002_23de8630a4e82ae0.txt`` section 2 and 3, ``000_...``,
``001_...``) pass names such as ``loss='mse'``, ``'cosine_proximity'``,
``metrics=['accuracy']`` or ``optimizer='Adam'``, and quote the Keras 2 source
of 14 losses. This module records, for every such name:

* ``keras3``: the Keras 3 object the name means (a dotted path), and
* ``resolves``: whether the string itself still works in Keras 3 (``keras.losses.get``,
  ``keras.metrics.get``, ``keras.optimizers.get``, which ``compile()`` calls).

A name that no longer resolves is "removed"; ``keras3`` then names its
replacement. The unit tests check every entry against the installed Keras.

It also runs the seed's Keras 2 loss code as written: `seed_loss` compiles
one of `SEED_LOSS_CODE` against a ``K`` namespace. Two are available, because
"the Keras 2 backend" meant different code at different times:

* `keras224_backend` (the default): a float32 NumPy transcription of the
  functions the seed calls, as the multi-backend **Keras 2.2.4** TensorFlow
  backend (``keras/backend/tensorflow_backend.py`` at tag 2.2.4, the seeds'
  era) computed them. It runs on any Keras backend. Its
  ``binary_crossentropy`` clips, converts the probabilities back to logits and
  calls the stable sigmoid cross-entropy, as the seeds quote.
* `keras2_backend`: **tf.keras 2.x**'s backend functions, which Keras 3 keeps
  in the private module ``keras.src.legacy.backend`` (TensorFlow only). Its
  ``binary_crossentropy`` is the later form with ``epsilon`` inside both
  logarithms (tf.keras since TF 1.14).

Examples
--------
>>> entry = lookup("cosine_proximity", "loss")
>>> entry.status, entry.keras3
('removed', 'keras.losses.cosine_similarity')
"""

from __future__ import annotations

import dataclasses
import importlib
import types
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

KINDS = ("loss", "metric", "optimizer")
SEED = "002_23de8630a4e82ae0.txt"


@dataclasses.dataclass(frozen=True)
class NameEntry:
    """One Keras 2 name as a seed writes it, and what it is in Keras 3."""

    name: str
    kind: str
    keras3: str
    resolves: bool
    note: str = ""

    @property
    def status(self) -> str:
        """``"resolves"`` if the string still works in Keras 3, else ``"removed"``."""
        return "resolves" if self.resolves else "removed"


def _losses(names: str, target: str, resolves: bool = True, note: str = "") -> list[NameEntry]:
    return [NameEntry(n, "loss", f"keras.losses.{target}", resolves, note) for n in names.split()]


ENTRIES: tuple[NameEntry, ...] = tuple(
    _losses("mse MSE mean_squared_error", "mean_squared_error")
    + _losses("mae MAE mean_absolute_error", "mean_absolute_error")
    + _losses("mape MAPE mean_absolute_percentage_error", "mean_absolute_percentage_error")
    + _losses("msle MSLE mean_squared_logarithmic_error", "mean_squared_logarithmic_error")
    + _losses("kld KLD", "kl_divergence")
    + _losses("kullback_leibler_divergence", "kl_divergence", False, "renamed kl_divergence")
    + _losses("cosine cosine_proximity", "cosine_similarity", False,
              "renamed cosine_similarity; still -sum(l2_norm(y_true) * l2_norm(y_pred))")
    + _losses("logcosh", "log_cosh", False, "renamed log_cosh")
    + _losses("squared_hinge", "squared_hinge", note="0/1 labels are now converted to -1/1")
    + _losses("hinge", "hinge", note="0/1 labels are now converted to -1/1")
    + _losses("categorical_hinge", "categorical_hinge")
    + _losses("categorical_crossentropy", "categorical_crossentropy")
    + _losses("sparse_categorical_crossentropy", "sparse_categorical_crossentropy")
    + _losses("binary_crossentropy", "binary_crossentropy")
    + _losses("poisson", "poisson")
    + [
        NameEntry("accuracy", "metric", "keras.metrics.Accuracy", True,
                  "compile() picks BinaryAccuracy, SparseCategoricalAccuracy or "
                  "CategoricalAccuracy from the shapes; keras.metrics.get gives Accuracy"),
        NameEntry("binary_accuracy", "metric", "keras.metrics.BinaryAccuracy", True),
        NameEntry("categorical_accuracy", "metric", "keras.metrics.CategoricalAccuracy", True),
        NameEntry("sparse_categorical_accuracy", "metric",
                  "keras.metrics.SparseCategoricalAccuracy", True),
        NameEntry("top_k_categorical_accuracy", "metric",
                  "keras.metrics.TopKCategoricalAccuracy", True, "k=5 by default, as in Keras 2"),
        NameEntry("sparse_top_k_categorical_accuracy", "metric",
                  "keras.metrics.SparseTopKCategoricalAccuracy", True, "k=5 by default, as in Keras 2"),
    ]
    + [NameEntry(n, "optimizer", f"keras.optimizers.{cls}", True,
                 "lr= is refused (ValueError), decay= is ignored with a warning")
       for n, cls in [("sgd", "SGD"), ("SGD", "SGD"), ("rmsprop", "RMSprop"), ("RMSprop", "RMSprop"),
                      ("Adagrad", "Adagrad"), ("Adadelta", "Adadelta"), ("adam", "Adam"),
                      ("Adam", "Adam"), ("Adamax", "Adamax"), ("Nadam", "Nadam")]]
)


def lookup(name: str, kind: str) -> NameEntry:
    """Return the entry for a seed's ``name`` of the given ``kind``.

    Examples
    --------
    >>> lookup("MSE", "loss").keras3
    'keras.losses.mean_squared_error'
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    for entry in ENTRIES:
        if entry.name == name and entry.kind == kind:
            return entry
    raise ValueError(f"{kind} name {name!r} is not used in the seeds; known: "
                     f"{sorted(e.name for e in ENTRIES if e.kind == kind)}")


def keras3_object(entry: NameEntry) -> Any:
    """Import ``entry.keras3`` (a function or class) from the installed Keras.

    Examples
    --------
    >>> keras3_object(lookup("logcosh", "loss")).__name__
    'log_cosh'
    """
    if not isinstance(entry, NameEntry):
        raise TypeError(f"entry must be a NameEntry, got {type(entry).__name__}")
    module, _, attribute = entry.keras3.rpartition(".")
    return getattr(importlib.import_module(module), attribute)


def resolve(name: str, kind: str) -> Any:
    """Resolve a string as Keras 3 does (``keras.<kind>s.get``); Keras's ValueError if it can't.

    Losses come back as functions, metrics and optimizers as fresh instances.

    Examples
    --------
    >>> resolve("kld", "loss").__name__
    'kl_divergence'
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a str, got {type(name).__name__}")
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    import keras

    getter = {"loss": keras.losses.get, "metric": keras.metrics.get,
              "optimizer": keras.optimizers.get}[kind]
    return getter(name)


def table() -> pd.DataFrame:
    """Every entry with what the installed Keras does with it, as a DataFrame.

    Columns: name, kind, resolves_now (measured now, ``resolve`` succeeds),
    keras3, note.

    Examples
    --------
    >>> frame = table()
    >>> bool(frame.set_index("name").loc["cosine_proximity", "resolves_now"])
    False
    """
    import pandas as pd

    rows = []
    for entry in ENTRIES:
        try:
            resolve(entry.name, entry.kind)
            resolves_now = True
        except ValueError:
            resolves_now = False
        rows.append({"name": entry.name, "kind": entry.kind, "resolves_now": resolves_now,
                     "keras3": entry.keras3, "note": entry.note})
    return pd.DataFrame(rows)


# --- the seed's Keras 2 loss code, run as written ---------------------------------

SEED_LOSS_CODE: dict[str, str] = {
    "mean_squared_error": """\
def mean_squared_error(y_true, y_pred):
    return K.mean(K.square(y_pred - y_true), axis=-1)""",
    "mean_absolute_error": """\
def mean_absolute_error(y_true, y_pred):
    return K.mean(K.abs(y_pred - y_true), axis=-1)""",
    "mean_absolute_percentage_error": """\
def mean_absolute_percentage_error(y_true, y_pred):
    diff = K.abs((y_true - y_pred) / K.clip(K.abs(y_true),
                                            K.epsilon(),
                                            None))
    return 100. * K.mean(diff, axis=-1)""",
    "mean_squared_logarithmic_error": """\
def mean_squared_logarithmic_error(y_true, y_pred):
    first_log = K.log(K.clip(y_pred, K.epsilon(), None) + 1.)
    second_log = K.log(K.clip(y_true, K.epsilon(), None) + 1.)
    return K.mean(K.square(first_log - second_log), axis=-1)""",
    "squared_hinge": """\
def squared_hinge(y_true, y_pred):
    return K.mean(K.square(K.maximum(1. - y_true * y_pred, 0.)), axis=-1)""",
    "hinge": """\
def hinge(y_true, y_pred):
    return K.mean(K.maximum(1. - y_true * y_pred, 0.), axis=-1)""",
    "categorical_hinge": """\
def categorical_hinge(y_true, y_pred):
    pos = K.sum(y_true * y_pred, axis=-1)
    neg = K.max((1. - y_true) * y_pred, axis=-1)
    return K.maximum(0., neg - pos + 1.)""",
    "logcosh": """\
def logcosh(y_true, y_pred):
    def _logcosh(x):
        return x + K.softplus(-2. * x) - K.log(2.)
    return K.mean(_logcosh(y_pred - y_true), axis=-1)""",
    "categorical_crossentropy": """\
def categorical_crossentropy(y_true, y_pred):
    return K.categorical_crossentropy(y_true, y_pred)""",
    "sparse_categorical_crossentropy": """\
def sparse_categorical_crossentropy(y_true, y_pred):
    return K.sparse_categorical_crossentropy(y_true, y_pred)""",
    "binary_crossentropy": """\
def binary_crossentropy(y_true, y_pred):
    return K.mean(K.binary_crossentropy(y_true, y_pred), axis=-1)""",
    "kullback_leibler_divergence": """\
def kullback_leibler_divergence(y_true, y_pred):
    y_true = K.clip(y_true, K.epsilon(), 1)
    y_pred = K.clip(y_pred, K.epsilon(), 1)
    return K.sum(y_true * K.log(y_true / y_pred), axis=-1)""",
    "poisson": """\
def poisson(y_true, y_pred):
    return K.mean(y_pred - y_true * K.log(y_pred + K.epsilon()), axis=-1)""",
    "cosine_proximity": """\
def cosine_proximity(y_true, y_pred):
    y_true = K.l2_normalize(y_true, axis=-1)
    y_pred = K.l2_normalize(y_pred, axis=-1)
    return -K.sum(y_true * y_pred, axis=-1)""",
}

_BACKEND_FUNCTIONS = ("mean", "square", "abs", "clip", "log", "maximum", "sum", "max", "softplus",
                      "l2_normalize", "categorical_crossentropy", "sparse_categorical_crossentropy",
                      "binary_crossentropy")


def keras2_backend() -> types.SimpleNamespace:
    """Return ``K`` from **tf.keras 2.x**'s backend, as Keras 3 keeps it (TensorFlow only).

    The functions come from ``keras.src.legacy.backend``: private, and not
    the seeds' Keras 2.2.4 (see `keras224_backend`). That module is tf.keras
    2's backend; for example its ``binary_crossentropy`` computes
    ``-(y log(p + eps) + (1 - y) log(1 - p + eps))`` after clipping, the form
    tf.keras used from TF 1.14 on. ``K.epsilon`` is ``keras.backend.epsilon``,
    which that module does not define. It needs TensorFlow installed.

    Examples
    --------
    >>> K = keras2_backend()
    >>> K.epsilon()
    1e-07
    """
    import keras
    from keras.src.legacy import backend as legacy  # private: the only copy of tf.keras 2's backend

    functions = {name: getattr(legacy, name) for name in _BACKEND_FUNCTIONS}
    return types.SimpleNamespace(epsilon=keras.backend.epsilon, **functions)


# --- Keras 2.2.4's TensorFlow backend, transcribed to NumPy --------------------------
# Source: keras-team/keras tag 2.2.4, keras/backend/tensorflow_backend.py (line numbers
# below) and keras/backend/common.py L9 (_EPSILON = 1e-7). Every function computes in
# float32, Keras 2.2.4's default floatx, as the TensorFlow ops did.

_FLOATX = np.float32
KERAS224_EPSILON = 1e-7


def _k(x: Any) -> np.ndarray:
    """A value as a Keras 2.2.4 float32 tensor."""
    return np.asarray(x, dtype=_FLOATX)


def _k_clip(x: Any, min_value: Any, max_value: Any) -> np.ndarray:
    """``K.clip`` (L1586-L1604): ``max_value=None`` means no upper bound."""
    if max_value is not None and max_value < min_value:
        max_value = min_value
    if max_value is None:
        max_value = np.inf
    return np.clip(_k(x), _k(min_value), _k(max_value))


def _k_l2_normalize(x: Any, axis: Any = None) -> np.ndarray:
    """``K.l2_normalize`` (L3448): ``tf.nn.l2_normalize``, x / sqrt(max(sum x^2, 1e-12))."""
    x = _k(x)
    square_sum = np.sum(x * x, axis=axis, keepdims=True)
    return x / np.sqrt(np.maximum(square_sum, _k(1e-12)))


def _k_softplus(x: Any) -> np.ndarray:
    """``K.softplus`` (L3234): ``tf.nn.softplus``, log(1 + exp(x)) computed stably."""
    return np.logaddexp(_k(0.0), _k(x))


def _k_categorical_crossentropy(target: Any, output: Any, from_logits: bool = False,
                                axis: int = -1) -> np.ndarray:
    """``K.categorical_crossentropy`` (L3258-L3298): renormalise, clip, -sum(y log p)."""
    target, output = _k(target), _k(output)
    if from_logits:
        shifted = output - np.max(output, axis=axis, keepdims=True)
        log_softmax = shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))
        return -np.sum(target * log_softmax, axis=axis)
    output = output / np.sum(output, axis=axis, keepdims=True)
    eps = _k(KERAS224_EPSILON)
    output = np.clip(output, eps, _k(1.0) - eps)
    return -np.sum(target * np.log(output), axis=axis)


def _k_sparse_categorical_crossentropy(target: Any, output: Any, from_logits: bool = False,
                                       axis: int = -1) -> np.ndarray:
    """``K.sparse_categorical_crossentropy`` (L3301-L3354) for the last axis.

    Probabilities are clipped and logged, then fed to
    ``tf.nn.sparse_softmax_cross_entropy_with_logits`` (so they are
    renormalised); the result has the shape of ``output`` without its last axis.
    """
    if axis not in (-1, np.ndim(output) - 1):
        raise NotImplementedError(f"only the last axis is transcribed, got axis={axis}")
    output = _k(output)
    if not from_logits:
        eps = _k(KERAS224_EPSILON)
        output = np.log(np.clip(output, eps, _k(1.0) - eps))
    labels = np.asarray(target).reshape(-1).astype(np.int64)
    logits = output.reshape(-1, output.shape[-1])
    if labels.shape[0] != logits.shape[0] or np.any((labels < 0) | (labels >= logits.shape[-1])):
        raise ValueError(f"target must hold one label in [0, {logits.shape[-1]}) per row of output, "
                         f"got {np.asarray(target).tolist()}")
    shifted = logits - np.max(logits, axis=-1, keepdims=True)
    log_softmax = shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))
    result = -np.take_along_axis(log_softmax, labels[:, None], axis=-1)[:, 0]
    return result.reshape(output.shape[:-1])


def _k_binary_crossentropy(target: Any, output: Any, from_logits: bool = False) -> np.ndarray:
    """``K.binary_crossentropy`` (L3357-L3379): clip, back to logits, sigmoid cross-entropy.

    ``output = clip(output, eps, 1 - eps); output = log(output / (1 - output))``,
    then ``tf.nn.sigmoid_cross_entropy_with_logits``:
    ``max(z, 0) - z * y + log(1 + exp(-|z|))``.
    """
    target, output = _k(target), _k(output)
    if not from_logits:
        eps = _k(KERAS224_EPSILON)
        output = np.clip(output, eps, _k(1.0) - eps)
        output = np.log(output / (_k(1.0) - output))
    return np.maximum(output, _k(0.0)) - output * target + np.log1p(np.exp(-np.abs(output)))


def keras224_backend() -> types.SimpleNamespace:
    """Return ``K``: the Keras 2.2.4 TensorFlow-backend functions the seed's loss code calls, in NumPy.

    A float32 transcription of ``keras/backend/tensorflow_backend.py`` at
    tag 2.2.4 (the seeds' era), so the seed's code runs as written on any
    Keras backend: ``mean``, ``sum``, ``max`` (``reduce_*``), ``square``,
    ``abs``, ``log``, ``maximum``, ``softplus``, ``clip`` (``None`` = no
    upper bound), ``l2_normalize``, the three cross-entropies, and
    ``epsilon()`` = 1e-7 (``keras/backend/common.py`` L9).

    Examples
    --------
    >>> K = keras224_backend()
    >>> round(float(K.binary_crossentropy(1.0, 0.8)), 6)   # -log(0.8)
    0.223144
    >>> K.clip([0.0, 5.0], 1e-7, None).tolist()
    [1.0000000116860974e-07, 5.0]
    """
    return types.SimpleNamespace(
        epsilon=lambda: KERAS224_EPSILON,
        mean=lambda x, axis=None, keepdims=False: np.mean(_k(x), axis=axis, keepdims=keepdims),
        sum=lambda x, axis=None, keepdims=False: np.sum(_k(x), axis=axis, keepdims=keepdims),
        max=lambda x, axis=None, keepdims=False: np.max(_k(x), axis=axis, keepdims=keepdims),
        square=lambda x: np.square(_k(x)),
        abs=lambda x: np.abs(_k(x)),
        log=lambda x: np.log(_k(x)),
        maximum=lambda x, y: np.maximum(_k(x), _k(y)),
        softplus=_k_softplus,
        clip=_k_clip,
        l2_normalize=_k_l2_normalize,
        categorical_crossentropy=_k_categorical_crossentropy,
        sparse_categorical_crossentropy=_k_sparse_categorical_crossentropy,
        binary_crossentropy=_k_binary_crossentropy,
    )


SEED_BACKENDS = ("keras-2.2.4", "tf.keras")


def seed_loss(name: str, backend: str = "keras-2.2.4") -> Callable[[Any, Any], Any]:
    """Compile the seed's Keras 2 code for loss ``name`` against a Keras 2 ``K``.

    Parameters
    ----------
    name : str
        One of `SEED_LOSS_CODE`.
    backend : {"keras-2.2.4", "tf.keras"}
        ``"keras-2.2.4"`` (default): `keras224_backend`, the seeds' Keras in
        NumPy, any Keras backend. ``"tf.keras"``: `keras2_backend`, tf.keras
        2.x's backend kept privately in Keras 3 (TensorFlow only).

    Examples
    --------
    >>> import numpy as np
    >>> float(seed_loss("mean_squared_error")(np.array([[0.0, 2.0]]), np.array([[1.0, 1.0]]))[0])
    1.0
    """
    if name not in SEED_LOSS_CODE:
        raise ValueError(f"name must be one of the seed's losses {sorted(SEED_LOSS_CODE)}, got {name!r}")
    if backend not in SEED_BACKENDS:
        raise ValueError(f"backend must be one of {SEED_BACKENDS}, got {backend!r}")
    K = keras224_backend() if backend == "keras-2.2.4" else keras2_backend()
    namespace: dict[str, Any] = {"K": K}
    exec(compile(SEED_LOSS_CODE[name], f"<seed {SEED}: {name}>", "exec"), namespace)
    return namespace[name]
