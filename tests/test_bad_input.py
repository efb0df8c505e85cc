"""Bad-input sweep: every public function of the library modules gets wrong input on purpose.

Each argument gets the wrong things a user can pass: wrong shapes, NaN and
infinities, strings, None, empty arrays, ragged lists, negative or zero values,
bools where numbers belong, and wrong layer or model kinds. Every case must end
in a one-line ``ValueError`` or ``TypeError`` whose message names the argument,
unless it is listed with a documented result (`Documented`), which the case
then checks. `python tests/test_bad_input.py OUT.md` writes the list of cases
and what each returns now (the closing note of the "Users first" issue quotes it).
"""

from __future__ import annotations

import dataclasses
import math
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import kwhelpers as kw

kw.setup(seed=0)

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402

from kwhelpers import data, inspect, multilabel, optimizer_paths, plots, reproducibility  # noqa: E402
from kwhelpers import training, weights  # noqa: E402
from kwhelpers import custom_losses, custom_metrics, keras2_names  # noqa: E402
from kwhelpers.datasets import anomaly, digits, multilabel_digits, sequences  # noqa: E402
from kwhelpers.datasets import class_counts, default_summary, recipe  # noqa: E402
from kwhelpers.reference import losses as ref_losses  # noqa: E402
from kwhelpers.reference import metrics as ref_metrics  # noqa: E402
from kwhelpers.reference import optimizers as ref_optimizers  # noqa: E402
from kwhelpers.reference.optimizers import config as ref_config  # noqa: E402

NAN, INF = float("nan"), float("inf")


@dataclasses.dataclass(frozen=True)
class Documented:
    """A bad input with a documented result instead of an error; ``check`` verifies it."""

    note: str
    check: Callable[[Any], bool]


@dataclasses.dataclass(frozen=True)
class Case:
    function: str
    argument: str
    tried: str
    call: Callable[[], Any]
    documented: Documented | None = None

    @property
    def id(self) -> str:
        return f"{self.function}({self.argument}={self.tried})"


CASES: list[Case] = []


@dataclasses.dataclass(frozen=True)
class Fresh:
    """A valid argument made anew for every case (an optimizer can be built only once)."""

    make: Callable[[], Any]


def _fresh(value: Any) -> Any:
    return value.make() if isinstance(value, Fresh) else value


def cases(function: str, make: Callable[..., Any], valid: dict[str, Any],
          bad: dict[str, list[tuple[str, Any]]],
          documented: dict[tuple[str, str], Documented] | None = None) -> None:
    """One case per (argument, bad value): ``make(**valid)`` with that argument replaced."""
    documented = documented or {}
    for argument, values in bad.items():
        for tried, value in values:
            def call(argument=argument, value=value):
                return make(**{**{k: _fresh(v) for k, v in valid.items()}, argument: _fresh(value)})

            CASES.append(Case(function, argument, tried, call, documented.get((argument, tried))))


def single(function: str, argument: str, tried: str, call: Callable[[], Any],
           documented: Documented | None = None) -> None:
    CASES.append(Case(function, argument, tried, call, documented))


# ----------------------------------------------------------------------------- bad values
STR = ("a string", "abc")
NONE = ("None", None)
RAGGED = ("ragged [[0, 1], [1]]", [[0, 1], [1]])
EMPTY = ("empty []", [])
NAN_ARRAY = ("[0.5, nan]", [0.5, NAN])
INF_ARRAY = ("[0.5, inf]", [0.5, INF])
ARRAY = [STR, NONE, RAGGED, NAN_ARRAY, INF_ARRAY]
LABELS = ARRAY + [EMPTY, ("non-integer [0, 0.5]", [0, 0.5]), ("negative [0, -1]", [0, -1]),
                  ("bools [True, False]", [True, False]), ("4-D zeros", np.zeros((1, 1, 1, 1)))]
NONNEG = ARRAY + [EMPTY, ("negative [1.0, -1.0]", [1.0, -1.0])]
POSITIVE_INT = [("0", 0), ("-1", -1), ("1.5", 1.5), ("True", True), ("'3'", "3"), NONE, ("nan", NAN)]
INT = [("1.5", 1.5), ("True", True), ("'0'", "0"), NONE]
REAL = [("nan", NAN), ("inf", INF), ("True", True), ("'0.5'", "0.5"), NONE]
CHOICE = [("'nonsense'", "nonsense"), ("3", 3)]


def raises_nothing(_: Any) -> bool:
    return True


# ----------------------------------------------------------------------------- weights
cases("weights.class_weights", weights.class_weights, {"y": [0, 0, 1], "method": "balanced"},
      {"y": LABELS, "method": CHOICE + [NONE], "beta": [("1.0", 1.0), ("-0.1", -0.1)] + REAL,
       "layout": CHOICE})
cases("weights.validate_class_weight", weights.validate_class_weight, {"class_weight": {0: 1.0}},
      {"class_weight": [STR, NONE, ("[1.0, 2.0]", [1.0, 2.0]), ("{}", {}), ("{0: nan}", {0: NAN}),
                        ("{0: inf}", {0: INF}), ("{0: -1.0}", {0: -1.0}), ("{0.0: 1.0}", {0.0: 1.0}),
                        ("{True: 1.0}", {True: 1.0}), ("{-1: 1.0}", {-1: 1.0}),
                        ("{0: '1'}", {0: "1"}), ("{0: True}", {0: True}), ("{0: None}", {0: None})]})
cases("weights.infer_layout", weights.infer_layout, {"y": [0, 1, 2]},
      {"y": [STR, NONE, RAGGED, ("scalar 3", 3), ("4-D zeros", np.zeros((1, 1, 1, 1))),
             ("0/1 matrix", np.eye(2))]})
cases("weights.labels_to_indices", weights.labels_to_indices, {"y": [0, 1, 2], "layout": None},
      {"y": LABELS, "layout": CHOICE},
      {("y", "empty []"): Documented("(empty int64 indices, 'sparse'): no labels, nothing to index",
                                     lambda r: r[0].shape == (0,) and r[1] == "sparse")})
cases("weights.class_weight_to_sample_weight", weights.class_weight_to_sample_weight,
      {"y": [0, 1, 0], "class_weight": {0: 1.0, 1: 2.0}},
      {"y": LABELS[:-1] + [("a class missing from class_weight [0, 2]", [0, 2])],
       "class_weight": [STR, NONE, ("{}", {}), ("{0: nan, 1: 1.0}", {0: NAN, 1: 1.0}),
                        ("{0: -1.0, 1: 1.0}", {0: -1.0, 1: 1.0})],
       "layout": CHOICE + [("'one_hot' for 1-D y", "one_hot")]},
      {("y", "empty []"): Documented("an empty (0,) float32 array: no samples, no weights",
                                     lambda r: r.shape == (0,) and r.dtype == np.float32)})
single("weights.combine_sample_weights", "weights", "none", weights.combine_sample_weights)
for tried, value in NONNEG + [("3-D ones", np.ones((1, 1, 1))), ("bools [True, False]", [True, False])]:
    single("weights.combine_sample_weights", "weights", tried,
           lambda value=value: weights.combine_sample_weights([1.0, 1.0], value),
           Documented("bools multiply as 1.0 and 0.0 (a 0/1 mask is a valid weight)",
                      lambda r: r.tolist() == [1.0, 0.0]) if tried.startswith("bools") else None)
single("weights.combine_sample_weights", "weights", "different lengths (2,) and (3,)",
       lambda: weights.combine_sample_weights([1.0, 1.0], [1.0, 1.0, 1.0]))
for function in (weights.padding_weights, weights.recency_weights):
    name = f"weights.{function.__name__}"
    cases(name, function, {"lengths": [1, 2], "maxlen": 3},
          {"lengths": NONNEG[:2] + [RAGGED, NAN_ARRAY, INF_ARRAY, ("[2.5]", [2.5]), ("[-1]", [-1]),
                                    ("[4] > maxlen", [4]), ("bools [True]", [True]),
                                    ("2-D [[1]]", [[1]])],
           "maxlen": POSITIVE_INT, "padding": CHOICE},
          {("lengths", "empty []"): Documented("an empty (0, maxlen) array", lambda r: r.shape == (0, 3))})
cases("weights.recency_weights", weights.recency_weights, {"lengths": [1, 2], "maxlen": 3},
      {"schedule": CHOICE, "half_life": [("0.0", 0.0), ("-1.0", -1.0)] + REAL})
cases("weights.normalize_mean_one", weights.normalize_mean_one, {"sample_weight": [1.0, 3.0]},
      {"sample_weight": NONNEG + [("all zeros", [0.0, 0.0])]})
cases("weights.oversample_indices", weights.oversample_indices, {"y": [0, 0, 1], "seed": 0},
      {"y": LABELS + [("2-D [[0, 1]]", [[0, 1]])], "seed": INT + [("-1", -1)]})

# ----------------------------------------------------------------------------- multilabel
MULTI_HOT = np.array([[1, 0], [0, 1], [0, 1]])
MATRIX = [STR, NONE, RAGGED, ("empty (0, 2)", np.zeros((0, 2))), ("1-D [1, 0]", [1, 0]),
          ("[[0.5, nan]]", [[0.5, NAN]]), ("values 2 [[2, 1]]", [[2, 1]])]
cases("multilabel.positive_weights", multilabel.positive_weights, {"y": MULTI_HOT},
      {"y": MATRIX + [("a label with no positive", [[1, 0], [0, 0]]),
                      ("a label positive in every row", [[1, 1], [1, 0]])]},
      {("y", "bools"): None})
cases("multilabel.PositiveWeightedBinaryCrossentropy", multilabel.PositiveWeightedBinaryCrossentropy,
      {"pos_weight": [1.0, 2.0]},
      {"pos_weight": [STR, NONE, EMPTY, ("[1.0, 0.0]", [1.0, 0.0]), ("[1.0, -2.0]", [1.0, -2.0]),
                      ("[1.0, nan]", [1.0, NAN]), ("[1.0, inf]", [1.0, INF]), ("[[1.0]]", [[1.0]]),
                      RAGGED, ("bools [True, True]", [True, True])],
       "from_logits": [("1", 1), ("'yes'", "yes"), NONE]})
for tried, y_pred in [("3 labels for 2 weights", np.full((2, 3), 0.5)),
                      ("a string", "abc")]:
    single("multilabel.PositiveWeightedBinaryCrossentropy.__call__", "y_pred", tried,
           lambda y_pred=y_pred: multilabel.PositiveWeightedBinaryCrossentropy([1.0, 2.0])(
               np.zeros((2, 2)), y_pred))
cases("multilabel.per_label_recall", multilabel.per_label_recall,
      {"y_true": MULTI_HOT, "y_score": np.full((3, 2), 0.5)},
      {"y_true": MATRIX + [("a label with no positive", [[1, 0], [0, 0], [1, 0]])],
       "y_score": [STR, NONE, RAGGED, ("shape (3, 3)", np.zeros((3, 3))),
                   ("a NaN score", [[0.5, NAN], [0.5, 0.5], [0.5, 0.5]])],
       "threshold": REAL})

# ----------------------------------------------------------------------------- training
cases("training.dense_model", training.dense_model, {"input_dim": 3},
      {"input_dim": POSITIVE_INT, "outputs": POSITIVE_INT,
       "hidden": [("(4, 0)", (4, 0)), ("(4, -1)", (4, -1)), ("(2.5,)", (2.5,)), ("an int 4", 4),
                  ("a string '16'", "16"), NONE],
       "output_activation": [("'nonsense'", "nonsense"), ("3", 3), NONE, ("''", "")],
       "output_bias": [("nan", NAN), ("inf", INF), ("[1.0, 2.0] for 1 output", [1.0, 2.0]), STR,
                       ("True", True)],
       "seed": INT},
      {("output_activation", "None"): Documented("None is Keras's 'no activation' (linear), documented",
                                                 lambda r: r.layers[-1].activation.__name__ == "linear")})
cases("training.history_table", training.history_table, {"history": None},
      {"history": [NONE, STR, ("a dict {'loss': [1.0]}", {"loss": [1.0]})]})
single("training.history_table", "history", "a History with ragged logs",
       lambda: training.history_table(type("H", (), {"history": {"loss": [1.0], "acc": [1.0, 2.0]}})()))
single("training.history_table", "history", "a History with string logs",
       lambda: training.history_table(type("H", (), {"history": {"loss": ["a"]}})()))
cases("training.prior_logit", training.prior_logit, {"y": [0, 1, 1]},
      {"y": [STR, NONE, RAGGED, EMPTY, NAN_ARRAY, ("[0, 2]", [0, 2]), ("all zeros", [0, 0]),
             ("all ones", [1, 1])]},
      {("y", "bools"): None})
cases("training.binary_scores", training.binary_scores, {"y_true": [0, 1, 1], "scores": [0.2, 0.9, 0.4]},
      {"y_true": [STR, NONE, RAGGED, EMPTY, ("[0, 2, 1]", [0, 2, 1]), ("one class [1, 1, 1]", [1, 1, 1])],
       "scores": [STR, NONE, RAGGED, ("length 2", [0.1, 0.2]), ("[0.2, nan, 0.4]", [0.2, NAN, 0.4])],
       "threshold": REAL + [("0.0", 0.0), ("1.0", 1.0)]})


def _fit_quiet(**kwargs):
    model = training.dense_model(3, hidden=(), seed=0)
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    defaults = {"model": model, "x": np.zeros((4, 3)), "y": np.zeros(4)}
    return training.fit_quiet(**{**defaults, **kwargs}, epochs=1)


cases("training.fit_quiet", _fit_quiet, {},
      {"model": [STR, NONE, ("a Dense layer", keras.layers.Dense(1))], "seed": INT,
       "verbose": [("1", 1)]})

# ----------------------------------------------------------------------------- inspect
def _model(outputs=3, hidden=4, loss="binary_crossentropy"):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((5,)), keras.layers.Dense(hidden, activation="tanh", name="hidden"),
                              keras.layers.Dense(outputs, activation="sigmoid", name="output")])
    model.compile(optimizer="sgd", loss=loss)
    return model


def _two_outputs():
    inputs = keras.Input((5,))
    model = keras.Model(inputs, [keras.layers.Dense(3)(inputs), keras.layers.Dense(1)(inputs)])
    model.compile(optimizer="sgd", loss=["mse", "mse"])
    return model


def _uncompiled():
    return keras.Sequential([keras.Input((5,)), keras.layers.Dense(3)])


def _unbuilt():
    model = keras.Sequential([keras.layers.Dense(3)])
    model.compile(optimizer="sgd", loss="mse")
    return model


X5, Y3 = np.ones((4, 5), np.float32), np.eye(3, dtype=np.float32)[[0, 1, 2, 0]]
MODELS = [STR, NONE, ("a Dense layer", keras.layers.Dense(3)), ("an uncompiled model", _uncompiled()),
          ("an unbuilt model", _unbuilt()), ("a two-output model", _two_outputs())]
XS = [STR, NONE, RAGGED, ("empty (0, 5)", np.zeros((0, 5))), ("shape (4, 4)", np.ones((4, 4))),
      ("a NaN", np.where(np.eye(4, 5) > 0, NAN, 1.0)), ("an inf", np.where(np.eye(4, 5) > 0, INF, 1.0)),
      ("scalar 1.0", 1.0)]
YS = [STR, NONE, RAGGED, ("a NaN", np.where(Y3 > 0, NAN, 0.0)), ("an inf", np.where(Y3 > 0, INF, 0.0)),
      ("3 rows for 4 samples", Y3[:3])]
for function in (inspect.output_gradients, inspect.fit_step_by_hand):
    cases(f"inspect.{function.__name__}", lambda function=function, **k: function(**k),
          {"model": _model(), "x": X5, "y": Y3},
          {"model": MODELS, "x": XS, "y": YS + ([("shape (4, 2)", Y3[:, :2]), ("1-D (4,)", Y3[:, 0])]
                                                if function is inspect.output_gradients else [])})
cases("inspect.output_gradients", inspect.output_gradients, {"model": _model(), "x": X5, "y": Y3},
      {"elementwise_loss": [("3", 3), NONE, ("a loss giving (batch,)",
                                             lambda t, p: keras.ops.mean(p, axis=-1))]})
cases("inspect.fit_step_by_hand", inspect.fit_step_by_hand, {"model": _model(), "x": X5, "y": Y3},
      {"loss": [("3", 3), STR, ("a loss giving (batch, 3)", lambda t, p: p)]})
for function in (inspect.weight_names, inspect.weights_snapshot, inspect.compiled_twin):
    cases(f"inspect.{function.__name__}", function, {"model": _model()},
          {"model": MODELS[:3] + ([("an uncompiled model", _uncompiled())]
                                  if function is inspect.compiled_twin else [])})
_RESULT_MODEL = _model(hidden=5)
_RESULT = inspect.output_gradients(_RESULT_MODEL, X5, Y3)
cases("inspect.gradient_reach", inspect.gradient_reach,
      {"result": _RESULT, "output_layer": _RESULT_MODEL.get_layer("output")},
      {"result": [NONE, STR, ("a dict", {})],
       "output_layer": [NONE, STR, ("the hidden Dense(5)", _RESULT_MODEL.get_layer("hidden")),
                        ("a layer of another model", keras.layers.Dense(3)),
                        ("the model itself", _RESULT_MODEL)],
       "labels": [("2 names", ["a", "b"]), ("a string 'abc'", "abc"), ("duplicates", ["a", "a", "b"]),
                  ("an int", 3)]},
      {("labels", "a string 'abc'"): None})
_STEP_MODEL = _model()
cases("inspect.sgd_step_gradients", inspect.sgd_step_gradients,
      {"model": _STEP_MODEL, "x": X5, "y": Y3, "start": _STEP_MODEL.get_weights(), "loss": "mse"},
      {"model": MODELS[:3], "x": XS, "y": [STR, RAGGED, ("a NaN", np.where(Y3 > 0, NAN, 0.0)), ("3 rows for 4 samples", Y3[:3])],
       "start": [NONE, STR, ("one array too few", _STEP_MODEL.get_weights()[:-1])],
       "loss": [("3", 3), NONE],
       "sample_weight": [STR, ("3 rows for 4 samples", np.ones(3)), ("[0.5, inf]...", np.array([0.5, INF, 1, 1]))]})
cases("inspect.largest_difference", inspect.largest_difference,
      {"first": [np.zeros(2)], "second": [np.ones(2)]},
      {"first": [NONE, STR, EMPTY, ("two arrays for one", [np.zeros(2), np.zeros(2)])],
       "second": [NONE, ("an array of another shape", [np.ones(3)])]})
single("inspect.UpdateRecorder.to_frame", "stat", "'mean'", lambda: inspect.UpdateRecorder().to_frame("mean"))
single("inspect.UpdateRecorder", "model", "an uncompiled model",
       lambda: _uncompiled().fit(X5, Y3, epochs=1, verbose=0, callbacks=[inspect.UpdateRecorder()]))

# ----------------------------------------------------------------------------- data and datasets
cases("data.load", data.load, {"name": "digits"},
      {"name": [NONE, ("3", 3), ("'nope'", "nope"), ("''", "")]})
cases("data.describe", data.describe, {"name": "digits"}, {"name": [NONE, ("3", 3), ("'nope'", "nope")]})
cases("data.build", data.build, {"name": "digits"},
      {"name": [NONE, ("3", 3), ("'nope'", "nope")], "directory": [("3", 3)]})
cases("data.arrays_sha256", data.arrays_sha256, {"arrays": {"x": np.zeros(2)}},
      {"arrays": [NONE, STR, ("a list", [np.zeros(2)]), ("an object array", {"x": np.array([{}])}),
                  ("an int key", {1: np.zeros(2)})]})
cases("data.write_npz", data.write_npz, {"path": "/tmp/never-written.npz", "arrays": {"x": np.zeros(2)}},
      {"arrays": [NONE, STR, ("an object array", {"x": np.array([{}])}), ("an int key", {1: np.zeros(2)}),
                  ("{}", {})],
       "path": [NONE, ("3", 3)]})
cases("data.sha256_of", data.sha256_of, {"path": __file__},
      {"path": [NONE, ("3", 3), ("a missing file", "/nonexistent/file")]},
      {("path", "a missing file"): Documented("FileNotFoundError naming the path",
                                             lambda r: isinstance(r, FileNotFoundError))})
cases("data.read_manifest", data.read_manifest, {}, {"directory": [("3", 3), STR]},
      {("directory", "a string"): Documented("a str is taken as a path: {} when it has no manifest",
                                             lambda r: r == {})})
cases("data.write_manifest", data.write_manifest, {"manifest": {}, "directory": Path("/nonexistent")},
      {"manifest": [NONE, STR, ("a list", [])], "directory": [("3", 3)]})
cases("datasets.recipe", recipe, {"name": "digits"}, {"name": [NONE, ("3", 3), ("'nope'", "nope")]})
cases("datasets.class_counts", class_counts, {"labels": [0, 1]},
      {"labels": [NONE, STR, RAGGED, ("2-D", [[0, 1]])]},
      {("labels", "a string"): None})
cases("datasets.default_summary", default_summary, {"arrays": {"y": np.array([0, 1])}},
      {"arrays": [NONE, STR, ("a scalar array", {"x": np.array(1.0)})]})
cases("datasets.digits.split_indices", digits.split_indices, {"n": 10, "fractions": (0.6, 0.2, 0.2), "seed": 0},
      {"n": [("-1", -1), ("1.5", 1.5), ("True", True), NONE],
       "fractions": [("(0.5, 0.2, 0.2)", (0.5, 0.2, 0.2)), ("(1.2, -0.1, -0.1)", (1.2, -0.1, -0.1)),
                     ("two fractions", (0.5, 0.5)), NONE, STR, ("(nan, 0.5, 0.5)", (NAN, 0.5, 0.5))],
       "seed": INT + [("-1", -1)]})
cases("datasets.anomaly.shift_images", anomaly.shift_images,
      {"images": np.zeros((1, 64), np.float32), "dy": 1, "dx": 0},
      {"images": [NONE, STR, RAGGED, ("shape (1, 10)", np.zeros((1, 10)))],
       "dy": [("8", 8), ("1.5", 1.5), ("True", True), NONE], "dx": [("-8", -8), ("'1'", "1")],
       "side": [("0", 0), ("-2", -2), ("2.5", 2.5)]})
cases("datasets.anomaly.split_originals", anomaly.split_originals, {"digit": np.array([0] * 20 + [9] * 20)},
      {"digit": [NONE, STR, RAGGED, ("2-D", np.zeros((2, 2), int)), ("too few 9s", np.array([0] * 20 + [9] * 3)),
                 ("floats", np.array([0.5] * 40))]})
cases("datasets.multilabel_digits.attribute_matrix", multilabel_digits.attribute_matrix,
      {"digits": np.array([3, 6])},
      {"digits": [NONE, STR, RAGGED, ("floats [1.0]", np.array([1.0])), ("[10]", np.array([10])),
                  ("[-1]", np.array([-1])), ("2-D", np.zeros((1, 1), int)), ("bools", np.array([True]))]})
cases("datasets.sequences.running_mean_labels", sequences.running_mean_labels,
      {"tokens": np.array([[1, 2, 0]]), "lengths": np.array([2])},
      {"tokens": [NONE, STR, RAGGED, ("1-D", np.array([1, 2])), ("token 4", np.array([[1, 4, 0]])),
                  ("floats", np.array([[1.5, 2.0, 0.0]]))],
       "lengths": [NONE, STR, ("[4] > 3 steps", np.array([4])), ("[-1]", np.array([-1])),
                   ("2 lengths for 1 row", np.array([1, 2])), ("[1.5]", np.array([1.5]))]})

# ----------------------------------------------------------------------------- reference: losses
MSE = keras.losses.MeanSquaredError()
LOSSES = [NONE, STR, ("the function keras.losses.mean_squared_error", keras.losses.mean_squared_error),
          ("a keras.metrics.Mean", keras.metrics.Mean())]
PAIR = [STR, NONE, RAGGED, ("strings [['a']]", [["a"]])]
for function in (ref_losses.compute, ref_losses.per_sample):
    cases(f"reference.losses.{function.__name__}", function,
          {"loss": MSE, "y_true": [[0.0, 1.0]], "y_pred": [[1.0, 1.0]]},
          {"loss": LOSSES, "y_true": PAIR + [("shape (2, 3)", np.zeros((2, 3)))], "y_pred": PAIR})
cases("reference.losses.compute", ref_losses.compute,
      {"loss": MSE, "y_true": [[0.0, 1.0]], "y_pred": [[1.0, 1.0]]},
      {"sample_weight": [STR, ("3 weights for 1 sample", [1.0, 2.0, 3.0])]},
      {("sample_weight", "3 weights for 1 sample"): Documented(
          "1.0, as Keras returns: it broadcasts the one per-sample loss against the 3 weights",
          lambda r: float(r) == 1.0)})
single("reference.losses.compute", "y_pred", "NaN",
       lambda: ref_losses.compute(MSE, [[0.0]], [[NAN]]),
       Documented("NaN, as Keras returns (the reference mirrors Keras, NaN in, NaN out)",
                  lambda r: bool(np.isnan(r))))
cases("reference.losses.loss_options", ref_losses.loss_options, {"loss": MSE}, {"loss": LOSSES})
cases("reference.losses.reduce_weighted_values", ref_losses.reduce_weighted_values,
      {"values": np.ones(2)},
      {"reduction": CHOICE, "values": [STR, NONE, RAGGED],
       "sample_weight": [STR, ("3 weights for 2 values", np.ones(3))]})
cases("reference.losses.squeeze_or_expand_to_same_rank", ref_losses.squeeze_or_expand_to_same_rank,
      {"x1": np.zeros(3), "x2": np.zeros((3, 1))},
      {"x1": [NONE, STR, ("a list", [0.0])], "x2": [NONE, ("a list", [0.0])]},
      {("x1", "a list"): Documented("lists are converted with numpy.asarray", lambda r: r[0].shape == (1, 1)),
       ("x2", "a list"): Documented("lists are converted with numpy.asarray", lambda r: r[1].shape == (1,))})
cases("reference.losses.numerical_gradient", ref_losses.numerical_gradient,
      {"loss": MSE, "y_true": [[0.0]], "y_pred": [[1.0]]},
      {"step": [("1", 1), ("0.0", 0.0), ("nan", NAN), ("True", True), STR], "loss": LOSSES,
       "y_pred": PAIR})

# ----------------------------------------------------------------------------- reference: metrics
SCORES = np.array([[0.2, 0.8], [0.6, 0.4]])
METRIC_ARRAYS = [STR, NONE, RAGGED, ("[[nan, 1.0]]", [[NAN, 1.0]]), ("[[inf, 1.0]]", [[INF, 1.0]])]
for function, y_true in [(ref_metrics.binary_accuracy, [[1.0], [0.0]]),
                         (ref_metrics.categorical_accuracy, [[0, 1], [1, 0]]),
                         (ref_metrics.sparse_categorical_accuracy, [1, 0]),
                         (ref_metrics.top_k_categorical_accuracy, [[0, 1], [1, 0]]),
                         (ref_metrics.sparse_top_k_categorical_accuracy, [1, 0]),
                         (ref_metrics.mean_absolute_percentage_error, [[1.0], [2.0]])]:
    y_pred = SCORES[:, :1] if function in (ref_metrics.binary_accuracy,
                                           ref_metrics.mean_absolute_percentage_error) else SCORES
    cases(f"reference.metrics.{function.__name__}", function, {"y_true": y_true, "y_pred": y_pred},
          {"y_true": METRIC_ARRAYS + [("wrong shape (3, 3)", np.zeros((3, 3)))], "y_pred": METRIC_ARRAYS})
for function in (ref_metrics.top_k_categorical_accuracy, ref_metrics.sparse_top_k_categorical_accuracy):
    cases(f"reference.metrics.{function.__name__}", function,
          {"y_true": [1, 0] if "sparse" in function.__name__ else [[0, 1], [1, 0]], "y_pred": SCORES},
          {"k": [("0", 0), ("-1", -1), ("1.5", 1.5), ("True", True), NONE, STR]})
cases("reference.metrics.binary_accuracy", ref_metrics.binary_accuracy,
      {"y_true": [[1.0]], "y_pred": [[0.5]]}, {"threshold": REAL})
cases("reference.metrics.sparse_top_k_categorical_accuracy", ref_metrics.sparse_top_k_categorical_accuracy,
      {"y_true": [1, 0], "y_pred": SCORES}, {"from_sorted_ids": [("1", 1), ("'yes'", "yes"), NONE]})
cases("reference.metrics.mean_absolute_percentage_error", ref_metrics.mean_absolute_percentage_error,
      {"y_true": [[1.0]], "y_pred": [[0.5]]}, {"epsilon": [("0.0", 0.0), ("-1.0", -1.0)] + REAL})
cases("reference.metrics.in_top_k", ref_metrics.in_top_k,
      {"targets": np.array([1, 0]), "predictions": SCORES, "k": 1},
      {"targets": [NONE, STR, RAGGED, ("[0.5, 0]", [0.5, 0]), ("[2, 0]", [2, 0]), ("[-1, 0]", [-1, 0]),
                   ("3 targets", [0, 0, 0])],
       "predictions": [NONE, STR, RAGGED, ("1-D", np.array([0.1, 0.9])), ("empty (2, 0)", np.zeros((2, 0)))],
       "k": [("0", 0), ("1.5", 1.5), ("True", True), NONE]})
cases("reference.metrics.weighted_mean", ref_metrics.weighted_mean, {"values": [1.0, 0.0]},
      {"values": METRIC_ARRAYS + [EMPTY],
       "sample_weight": [STR, RAGGED, ("3 weights for 2 values", [1.0, 1.0, 1.0]), ("[1.0, nan]", [1.0, NAN]),
                         ("negative [1.0, -1.0]", [1.0, -1.0])]},
      {("values", "empty []"): Documented("0.0, as keras.metrics.Mean gives with no sample",
                                          lambda r: r == 0.0),
       ("sample_weight", "negative [1.0, -1.0]"): Documented(
           "1.0 = (1*1 + 0*-1) / (1 - 1) -> divide_no_nan: 0.0; Keras accepts negative weights too",
           lambda r: r == 0.0)})
cases("reference.metrics.compute_metric", ref_metrics.compute_metric,
      {"metric": keras.metrics.BinaryAccuracy(), "y_true": [[1.0]], "y_pred": [[0.5]]},
      {"metric": [NONE, STR, ("keras.metrics.AUC()", keras.metrics.AUC())], "y_true": METRIC_ARRAYS[:3],
       "y_pred": METRIC_ARRAYS[:3]},
      {("metric", "keras.metrics.AUC()"): Documented("NotImplementedError naming AUC (no reference for it)",
                                                     lambda r: isinstance(r, NotImplementedError))})

# ----------------------------------------------------------------------------- reference: optimizers
OPTIMIZERS = [NONE, STR, ("the class keras.optimizers.SGD", keras.optimizers.SGD)]
cases("reference.optimizers.simulate", ref_optimizers.simulate,
      {"optimizer": Fresh(lambda: keras.optimizers.SGD(0.1)), "initial": [1.0, 2.0], "gradients": [[1.0, 1.0]]},
      {"optimizer": OPTIMIZERS,
       "initial": [STR, NONE, RAGGED, ("[nan, 1.0]", [NAN, 1.0]), ("[inf, 1.0]", [INF, 1.0])],
       "gradients": [STR, NONE, ("3.0", 3.0), ("wrong shape [[1.0]]", [[1.0]]), ("[['a', 'b']]", [["a", "b"]]),
                     ("[[nan, 1.0]]", [[NAN, 1.0]])],
       "name": [NONE, ("3", 3)]},
      {("gradients", "[[nan, 1.0]]"): Documented(
          "the NaN propagates into the trajectory, as Keras applies it (shows a diverging run as it is)",
          lambda r: bool(np.isnan(r[1, 0])) and r[1, 1] == pytest.approx(1.9))})
cases("reference.optimizers.ReferenceOptimizer", ref_optimizers.ReferenceOptimizer,
      {"optimizer": keras.optimizers.Adam(), "initial": np.zeros(2)},
      {"optimizer": OPTIMIZERS, "initial": [STR, NONE, ("[nan, 0.0]", [NAN, 0.0])], "name": [NONE, ("3", 3)]})
single("reference.optimizers.ReferenceOptimizer.apply", "gradient", "wrong shape (3,)",
       lambda: ref_optimizers.ReferenceOptimizer(keras.optimizers.Adam(), np.zeros(2)).apply(np.zeros(3)))
single("reference.optimizers.ReferenceOptimizer.apply", "gradient", "a string",
       lambda: ref_optimizers.ReferenceOptimizer(keras.optimizers.Adam(), np.zeros(2)).apply("abc"))
cases("reference.optimizers.clip_gradients", ref_optimizers.clip_gradients, {"gradients": [np.ones(2)]},
      {"gradients": [NONE, STR, ("[]", []), ("an array, not a list", np.ones(2)), ("[['a']]", [["a"]])],
       "clipnorm": [STR, ("nan", NAN)], "clipvalue": [STR, ("True", True)], "global_clipnorm": [STR]},
      {("gradients", "an array, not a list"): None})
single("reference.optimizers.clip_gradients", "clipnorm", "clipnorm and clipvalue both set",
       lambda: ref_optimizers.clip_gradients([np.ones(2)], clipnorm=1.0, clipvalue=1.0))
for tried, documented in [("-1.0", "no clipping: <= 0 means off, as in Keras (`if clipnorm and clipnorm > 0`)"),
                          ("0.0", "no clipping: 0 means off, as in Keras")]:
    single("reference.optimizers.clip_gradients", "clipnorm", tried,
           lambda tried=tried: ref_optimizers.clip_gradients([np.ones(2) * 5], clipnorm=float(tried)),
           Documented(documented, lambda r: np.array_equal(r[0], np.ones(2) * 5)))
cases("reference.optimizers.schedule_value", ref_optimizers.schedule_value,
      {"class_name": "ExponentialDecay", "step": 1,
       "config": {"initial_learning_rate": 0.1, "decay_steps": 2, "decay_rate": 0.5}},
      {"class_name": [NONE, ("'Nonsense'", "Nonsense")],
       "config": [NONE, STR, ("{}", {}), ("decay_steps 0", {"initial_learning_rate": 0.1, "decay_steps": 0,
                                                             "decay_rate": 0.5}),
                  ("an unknown key", {"initial_learning_rate": 0.1, "decay_steps": 2, "decay_rate": 0.5,
                                      "shiny": 1})],
       "step": [("-1", -1), ("1.5", 1.5), ("True", True), NONE]},
      {("class_name", "'Nonsense'"): Documented("NotImplementedError naming the schedule",
                                               lambda r: isinstance(r, NotImplementedError))})
cases("reference.optimizers.newton_schulz5", ref_optimizers.newton_schulz5,
      {"x": np.eye(2), "steps": 5, "a": 3.4445, "b": -4.775, "c": 2.0315},
      {"x": [NONE, STR, ("1-D", np.ones(3)), ("a NaN", np.array([[NAN, 0.0], [0.0, 1.0]]))],
       "steps": [("-1", -1), ("1.5", 1.5), NONE], "a": [("nan", NAN), STR]})
cases("reference.optimizers.read_learning_rate", ref_config.read_learning_rate, {"value": 0.1},
      {"value": [NONE, STR, ("True", True), ("nan", NAN), ("-0.1", -0.1)]},
      {("value", "None"): Documented("NotImplementedError: only a float or a built-in schedule is mirrored",
                                     lambda r: isinstance(r, NotImplementedError)),
       ("value", "a string"): Documented("NotImplementedError: only a float or a built-in schedule is mirrored",
                                         lambda r: isinstance(r, NotImplementedError)),
       ("value", "-0.1"): Documented("LearningRate(-0.1): Keras accepts a negative rate (gradient ascent)",
                                     lambda r: r.value == -0.1)})

cases("reference.optimizers.read_optimizer", ref_config.read_optimizer,
      {"optimizer": keras.optimizers.SGD(), "name": "w"},
      {"optimizer": OPTIMIZERS, "name": [NONE, ("3", 3)]})
cases("reference.optimizers.public_optimizer_class", ref_config.public_optimizer_class,
      {"cls": keras.optimizers.SGD}, {"cls": [NONE, STR, ("an instance", keras.optimizers.SGD())]})
cases("reference.optimizers.float32_rounded", ref_optimizers.rules.float32_rounded, {"value": 0.9},
      {"value": [NONE, STR, ("True", True), ("[0.9]", [0.9])]},
      {})

# ----------------------------------------------------------------------------- optimizer_paths
SURFACE_POINTS = [NONE, STR, ("3 coordinates", [1.0, 2.0, 3.0]), ("[nan, 1.0]", [NAN, 1.0])]
for method in ("value", "gradient"):
    cases(f"optimizer_paths.QUADRATIC.{method}", getattr(optimizer_paths.QUADRATIC, method),
          {"point": [1.0, 1.0]}, {"point": SURFACE_POINTS})
cases("optimizer_paths.scaled_gap", optimizer_paths.scaled_gap, {"expected": [0.0], "actual": [1.0]},
      {"expected": [NONE, STR, RAGGED, EMPTY, ("[nan]", [NAN]), ("shape (2,)", [0.0, 1.0])],
       "actual": [NONE, ("[inf]", [INF])]})
cases("optimizer_paths.keras_trajectory", optimizer_paths.keras_trajectory,
      {"optimizer": Fresh(keras.optimizers.SGD), "initial": [0.0], "gradients": [[1.0]]},
      {"optimizer": OPTIMIZERS, "initial": [NONE, STR, ("[nan]", [NAN])],
       "gradients": [NONE, STR, ("wrong shape [[1.0, 2.0]]", [[1.0, 2.0]]), ("[['a']]", [["a"]])],
       "dtype": [("'float16'", "float16"), NONE], "name": [NONE, ("3", 3), ("''", "")]})
for function in (optimizer_paths.keras_descent, optimizer_paths.reference_descent):
    cases(f"optimizer_paths.{function.__name__}", lambda function=function, **k: function(**k),
          {"optimizer": Fresh(lambda: keras.optimizers.SGD(0.01)), "gradient": optimizer_paths.QUADRATIC.gradient,
           "start": optimizer_paths.QUADRATIC.start, "steps": 1},
          {"optimizer": OPTIMIZERS, "gradient": [NONE, ("3", 3), ("a wrong-shape gradient", lambda p: np.zeros(3))],
           "start": [NONE, STR, ("[nan, 1.0]", [NAN, 1.0])], "steps": [("-1", -1), ("1.5", 1.5), ("True", True)],
           "name": [NONE, ("3", 3)]})
cases("optimizer_paths.SoftmaxRegression", optimizer_paths.SoftmaxRegression,
      {"x": np.eye(2), "y": np.array([0, 1]), "classes": 2},
      {"x": [NONE, STR, ("1-D", np.ones(2)), ("a NaN", np.array([[NAN, 0.0], [0.0, 1.0]]))],
       "y": [NONE, ("[0, 2]", np.array([0, 2])), ("[0.5, 1]", np.array([0.5, 1.0])), ("3 labels", np.array([0, 1, 1])),
             ("[-1, 0]", np.array([-1, 0])), EMPTY],
       "classes": [("0", 0), ("1.5", 1.5), ("True", True), NONE]})
for method in ("loss", "gradient"):
    cases(f"optimizer_paths.SoftmaxRegression.{method}",
          lambda method=method, **k: getattr(optimizer_paths.SoftmaxRegression(np.eye(2), np.array([0, 1]), 2),
                                             method)(**k),
          {"weights": np.zeros((3, 2))},
          {"weights": [NONE, STR, ("shape (2, 2)", np.zeros((2, 2))), ("a NaN", np.full((3, 2), NAN))]})

# ----------------------------------------------------------------------------- reproducibility
cases("reproducibility.train_digits_classifier", reproducibility.train_digits_classifier, {"seed": 0},
      {"seed": INT + [("-1", -1)], "epochs": POSITIVE_INT, "hidden_units": POSITIVE_INT})
cases("reproducibility.max_abs_difference", reproducibility.max_abs_difference,
      {"first": [np.zeros(2)], "second": [np.zeros(2)]},
      {"first": [NONE, STR, EMPTY, ("[[nan, 0.0]]", [np.array([NAN, 0.0])]), ("an array", np.zeros(2))],
       "second": [NONE, ("2 arrays for 1", [np.zeros(2), np.zeros(2)]), ("shape (3,)", [np.zeros(3)]),
                  ("[['a', 'b']]", [np.array(["a", "b"])])]},
      {("first", "a string"): None})
cases("reproducibility.round_to_tf32", reproducibility.round_to_tf32, {"values": np.float32(1.0)},
      {"values": [NONE, STR, RAGGED, ("[nan]", np.array([NAN], np.float32)), ("bools", [True])]},
      {("values", "[nan]"): Documented("NaN stays NaN (documented)", lambda r: bool(np.isnan(r).all())),
       ("values", "bools"): None})

# ----------------------------------------------------------------------------- custom losses and metrics
cases("custom_losses.PerOutputWeightedMSE", custom_losses.PerOutputWeightedMSE, {"output_weights": [1.0, 2.0]},
      {"output_weights": [NONE, STR, EMPTY, ("[1.0, -1.0]", [1.0, -1.0]), ("[1.0, nan]", [1.0, NAN]),
                          ("[1.0, inf]", [1.0, INF]), ("['a']", ["a"]), ("[[1.0]]", [[1.0]]),
                          ("bools [True]", [True])]})
single("custom_losses.PerOutputWeightedMSE.__call__", "y_pred", "3 columns for 2 weights",
       lambda: custom_losses.PerOutputWeightedMSE([1.0, 2.0])(np.zeros((2, 3)), np.zeros((2, 3))))
for seed_function in (custom_losses.custom_mse, custom_losses.weighted_mse):
    single(f"custom_losses.{seed_function.__name__}", "y_true", "a string",
           lambda seed_function=seed_function: seed_function("abc", np.zeros((2, 1), np.float32)),
           Documented("the seed's code as written: TensorFlow's own error (it is kept to show the seed)",
                      lambda r: isinstance(r, Exception)))
single("custom_metrics.SeedPercentageError", "y_true", "a string",
       lambda: custom_metrics.SeedPercentageError().update_state("abc", [[1.0]]),
       Documented("the seed's metric as written: TensorFlow's own error (kept to show the seed)",
                  lambda r: isinstance(r, Exception)))
single("custom_metrics.mean_pred", "y_pred", "a string", lambda: custom_metrics.mean_pred(None, "abc"),
       Documented("the seed's function as written: Keras's own error", lambda r: isinstance(r, Exception)))
for tried, args in [("y_true (2, 1) vs y_pred (2, 2)", ([[1.0], [2.0]], [[1.0, 2.0], [3.0, 4.0]], None)),
                    ("3 weights for 2 samples", ([[1.0], [2.0]], [[1.0], [2.0]], [1.0, 2.0, 3.0])),
                    ("a string", ("abc", [[1.0]], None))]:
    argument = "sample_weight" if "weights" in tried else ("y_true" if "string" in tried else "y_pred")
    single("custom_metrics.PercentageError.update_state", argument, tried,
           lambda args=args: custom_metrics.PercentageError().update_state(*args[:2], sample_weight=args[2]))

single("custom_metrics.SampleWeightProbe.update_state", "y_pred", "a scalar",
       lambda: custom_metrics.SampleWeightProbe().update_state(1.0, 1.0))

# ----------------------------------------------------------------------------- keras2_names
cases("keras2_names.lookup", keras2_names.lookup, {"name": "mse", "kind": "loss"},
      {"name": [NONE, ("'nonsense'", "nonsense"), ("3", 3)], "kind": CHOICE + [NONE]})
cases("keras2_names.resolve", keras2_names.resolve, {"name": "mse", "kind": "loss"},
      {"name": [NONE, ("3", 3)], "kind": CHOICE})
cases("keras2_names.keras3_object", keras2_names.keras3_object, {"entry": keras2_names.ENTRIES[0]},
      {"entry": [NONE, STR]})
cases("keras2_names.seed_loss", keras2_names.seed_loss, {"name": "mean_squared_error"},
      {"name": [NONE, ("'mse'", "mse"), ("3", 3)]})

# ----------------------------------------------------------------------------- plots
cases("plots.figure", plots.figure, {},
      {"nrows": POSITIVE_INT, "ncols": POSITIVE_INT, "width": [("0", 0), ("-1.0", -1.0), ("nan", NAN), STR],
       "height": [("0", 0), ("inf", INF)]})
X4 = np.linspace(0.0, 1.0, 4)
cases("plots.loss_and_gradient", plots.loss_and_gradient, {"x": X4, "curves": {"a": (X4, X4)}},
      {"x": [NONE, STR, ("2-D", np.zeros((2, 2))), ("one point", [0.0]), ("[0, nan]", [0.0, NAN])],
       "curves": [NONE, ("{}", {}), ("a list", [(X4, X4)]), ("a 3-tuple", {"a": (X4, X4, X4)}),
                  ("wrong length", {"a": (X4, X4[:2])}), ("strings", {"a": ("abc", "def")})]})
cases("plots.gradient_reach_heatmap", plots.gradient_reach_heatmap,
      {"table": inspect.gradient_reach(_RESULT, _RESULT_MODEL.get_layer("output"))},
      {"table": [NONE, STR, ("a NumPy array", np.ones((2, 2))), ("an empty DataFrame", __import__("pandas").DataFrame()),
                 ("a negative norm", -inspect.gradient_reach(_RESULT, _RESULT_MODEL.get_layer("output")))],
       "ax": [STR]})
cases("plots.confusion_heatmaps", plots.confusion_heatmaps, {"matrices": {"a": np.eye(2, dtype=int)}},
      {"matrices": [NONE, ("{}", {}), STR, ("a 3x3 matrix", {"a": np.eye(3, dtype=int)}),
                    ("negative counts", {"a": -np.eye(2, dtype=int)}), ("float counts", {"a": np.eye(2) / 2}),
                    ("a NaN", {"a": np.array([[NAN, 1.0], [1.0, 1.0]])})],
       "labels": [NONE, STR]},
      {("labels", "a string"): None})
PATHS = {"a": np.array([optimizer_paths.QUADRATIC.start] * 2)}
cases("plots.descent_paths", plots.descent_paths, {"surface": optimizer_paths.QUADRATIC, "paths": PATHS},
      {"surface": [NONE, STR], "paths": [NONE, ("{}", {}), ("shape (3, 3)", {"a": np.zeros((3, 3))})],
       "ncols": POSITIVE_INT, "panel": [("0", 0), ("nan", NAN)]})
cases("plots.loss_curves", plots.loss_curves,
      {"frame": __import__("pandas").DataFrame({"step": [0, 1], "loss": [2.0, 1.0], "optimizer": ["A", "A"]})},
      {"frame": [NONE, STR, ("a frame without 'loss'", __import__("pandas").DataFrame({"step": [0]}))],
       "x": [("'nope'", "nope"), NONE]})


# ----------------------------------------------------------------------------- the checks
def outcome(case: Case) -> tuple[str, Any]:
    """("raised", exception) or ("returned", value)."""
    import matplotlib.pyplot as plt

    try:
        value = case.call()
    except Exception as error:  # every exception is recorded and judged below
        return "raised", error
    finally:
        plt.close("all")
    return "returned", value


def _names_argument(message: str, argument: str) -> bool:
    return re.search(rf"(?<![A-Za-z0-9_]){re.escape(argument)}(?![A-Za-z0-9_])", message) is not None


def verdict(case: Case) -> tuple[bool, str]:
    """(passes, what it does now) for one case."""
    kind, value = outcome(case)
    if kind == "raised":
        now = f"{type(value).__name__}: {value}"
    else:
        now = f"returns {_short(value)}"
    if case.documented is not None:
        result = value
        try:
            ok = bool(case.documented.check(result))
        except Exception:
            ok = False
        return ok, now
    if kind != "raised":
        return False, now
    message = str(value)
    ok = (isinstance(value, (ValueError, TypeError)) and "\n" not in message.strip()
          and _names_argument(message, case.argument))
    return ok, now


def _short(value: Any) -> str:
    text = repr(value) if not isinstance(value, np.ndarray) else f"array{value.shape} {value.dtype}"
    text = " ".join(text.split())
    return text if len(text) <= 80 else text[:77] + "..."


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_gets_a_one_line_error_naming_the_argument(case):
    ok, now = verdict(case)
    expected = (f"documented: {case.documented.note}" if case.documented
                else f"a one-line ValueError/TypeError naming {case.argument!r}")
    assert ok, f"{case.id}: expected {expected}; it {now}"


def test_every_public_function_is_swept():
    """Every public function and class of the library modules has at least one case."""
    import inspect as python_inspect

    from kwhelpers import datasets
    from kwhelpers.datasets import quality
    from kwhelpers.reference.optimizers import engine, rules, schedules

    modules = {"weights": weights, "multilabel": multilabel, "training": training, "inspect": inspect,
               "data": data, "reference.losses": ref_losses, "reference.metrics": ref_metrics,
               "reference.optimizers": ref_optimizers, "reference.optimizers.config": ref_config,
               "reference.optimizers.engine": engine, "reference.optimizers.rules": rules,
               "reference.optimizers.schedules": schedules, "optimizer_paths": optimizer_paths,
               "plots": plots, "reproducibility": reproducibility, "custom_losses": custom_losses,
               "custom_metrics": custom_metrics, "keras2_names": keras2_names, "datasets": datasets,
               "datasets.digits": digits, "datasets.anomaly": anomaly,
               "datasets.multilabel_digits": multilabel_digits, "datasets.quality": quality,
               "datasets.sequences": sequences}
    swept = {c.function.split("(")[0] for c in CASES}
    exempt = {
        # no argument to validate
        "data.data_dir", "data.names", "keras2_names.table", "keras2_names.keras2_backend",
        "keras2_names.keras224_backend",
        "datasets.all_recipes", "datasets.digits.digits_pixels", "datasets.digits.build_digits",
        "datasets.anomaly.build_digits_anomaly", "datasets.quality.build_digits_quality",
        "datasets.multilabel_digits.build_digits_multilabel",
        "datasets.sequences.build_running_mean_sequences",
        # records and exceptions, not functions of user input
        "inspect.OutputGradients", "keras2_names.NameEntry", "optimizer_paths.Surface",
        "datasets.Recipe", "data.UnknownNameError", "reference.optimizers.config.LearningRate",
        "reference.optimizers.config.OptimizerSpec",
        # a Keras-op function (Keras validates its tensors), and the seed's summary of its own build
        "inspect.mean_binary_crossentropy", "datasets.multilabel_digits.summarize_multilabel",
        # built by ReferenceOptimizer from a validated optimizer config, and the schedule formulas
        # that schedule_value calls after validating the config
        *(f"reference.optimizers.rules.{name}" for name in vars(rules) if name.endswith("Rule")),
        *(f"reference.optimizers.schedules.{name}" for name in schedules.SCHEDULES_FUNCTIONS),
        "reference.optimizers.schedules._cosine",
    }
    missing = []
    for prefix, module in modules.items():
        for name, item in vars(module).items():
            if name.startswith("_") or not callable(item) or getattr(item, "__module__", "") != module.__name__:
                continue
            qualified = f"{prefix}.{name}"
            short = f"{prefix.split('.')[0]}.{prefix.split('.')[1]}.{name}" if prefix.count(".") >= 2 \
                else qualified
            if qualified not in exempt and not any(s in (qualified, short) or s.startswith(qualified + ".")
                                                   or s.startswith(short + ".") for s in swept):
                missing.append(qualified)
    assert not missing, f"public functions without a bad-input case: {missing}"


@settings(max_examples=40, deadline=None)
@given(hnp.arrays(np.float64, st.integers(1, 6), elements=st.floats(allow_nan=True, allow_infinity=True)))
def test_weight_functions_take_any_float_array_or_refuse_it_by_name(values):
    """Hypothesis: any float vector (NaN, inf, negatives, huge values) as weights or lengths."""
    for function, call, argument in [
        (weights.normalize_mean_one, lambda: weights.normalize_mean_one(values), "sample_weight"),
        (weights.combine_sample_weights, lambda: weights.combine_sample_weights(values), "weights"),
        (weights.padding_weights, lambda: weights.padding_weights(values, 8), "lengths"),
        (weights.class_weights, lambda: weights.class_weights(values), "y"),
    ]:
        try:
            result = call()
        except (ValueError, TypeError) as error:
            assert _names_argument(str(error), argument), (function.__name__, str(error))
            assert "\n" not in str(error)
        else:
            if isinstance(result, dict):
                assert all(math.isfinite(v) and v > 0 for v in result.values())
            else:
                assert np.all(np.isfinite(result)) and np.all(result >= 0), (function.__name__, result)


def write_list(path: str) -> None:
    """Write the cases and what each does now as a Markdown table."""
    lines = ["# Bad-input sweep: input tried -> what it returns now", "",
             "Generated by `python tests/test_bad_input.py OUT.md` (the cases of `tests/test_bad_input.py`).",
             "Every case must be a one-line `ValueError`/`TypeError` naming the argument, unless its",
             "documented result is given.", "",
             "| function | argument | input tried | now | verdict |", "|---|---|---|---|---|"]
    for case in CASES:
        ok, now = verdict(case)
        note = f"documented: {case.documented.note}" if case.documented else "error naming the argument"
        cell = now.replace("|", "\\|").replace("\n", " ")
        if len(cell) > 220:
            cell = cell[:217] + "..."
        lines.append(f"| `{case.function}` | `{case.argument}` | {case.tried} | {cell} | "
                     f"{'ok' if ok else 'FAILS'} ({note}) |")
    Path(path).write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    write_list(sys.argv[1])
