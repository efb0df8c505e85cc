"""Tests for the issue-3 helpers in kwhelpers.training and kwhelpers.plots.confusion_heatmaps."""

from __future__ import annotations

import numpy as np
import pytest

import kwhelpers as kw
from kwhelpers import training


@pytest.fixture(scope="module", autouse=True)
def _setup():
    kw.setup(0)


def test_dense_model_is_seeded_and_sets_output_bias():
    a = training.dense_model(5, hidden=(3,), outputs=2, output_activation="softmax",
                             output_bias=[1.0, -1.0], seed=1)
    b = training.dense_model(5, hidden=(3,), outputs=2, output_activation="softmax",
                             output_bias=[1.0, -1.0], seed=1)
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_array_equal(wa, wb)
    assert a.get_weights()[-1].tolist() == [1.0, -1.0]
    assert [w.shape for w in a.get_weights()] == [(5, 3), (3,), (3, 2), (2,)]
    c = training.dense_model(5, hidden=(3,), outputs=2, seed=2)
    assert not np.array_equal(a.get_weights()[0], c.get_weights()[0])


@pytest.mark.parametrize("kwargs, match", [
    ({"input_dim": 0}, "input_dim must be a positive int"),
    ({"input_dim": 3, "outputs": True}, "outputs must be a positive int"),
    ({"input_dim": 3, "hidden": (4, 0)}, r"hidden\[1\] must be a positive int"),
    ({"input_dim": 3, "output_bias": float("nan")}, "output_bias must be finite"),
    ({"input_dim": 3, "outputs": 2, "output_bias": [1.0, 2.0, 3.0]}, r"shape \(2,\), got shape \(3,\)"),
])
def test_dense_model_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        training.dense_model(**kwargs)
    with pytest.raises(TypeError, match="seed must be an int"):
        training.dense_model(3, seed=1.5)


def test_fit_quiet_is_reproducible_and_returns_a_table():
    rng = np.random.RandomState(0)
    x, y = rng.normal(size=(32, 4)).astype("float32"), rng.randint(0, 2, 32)
    tables = []
    for _ in range(2):
        model = training.dense_model(4, hidden=(), seed=0)
        model.compile(optimizer="sgd", loss="binary_crossentropy")
        tables.append(training.fit_quiet(model, x, y, epochs=2, batch_size=8, seed=3))
    assert tables[0].index.tolist() == [1, 2] and tables[0].index.name == "epoch"
    np.testing.assert_array_equal(tables[0]["loss"], tables[1]["loss"])
    with pytest.raises(ValueError, match="verbose"):
        training.fit_quiet(model, x, y, verbose=1)


def test_history_table_rejects_non_history():
    with pytest.raises(TypeError, match="keras History"):
        training.history_table({"loss": [1.0]})


def test_prior_logit():
    assert training.prior_logit([0, 1, 1, 1]) == pytest.approx(np.log(3))
    for bad, match in (([0, 0], "both classes"), ([0, 2], "binary"), ([], "binary")):
        with pytest.raises(ValueError, match=match):
            training.prior_logit(bad)


def test_binary_scores_against_sklearn():
    from sklearn.metrics import average_precision_score, precision_score, recall_score

    rng = np.random.RandomState(0)
    y = rng.randint(0, 2, 50)
    s = rng.uniform(size=50)
    got = training.binary_scores(y, s, threshold=0.4)
    assert got["precision"] == pytest.approx(precision_score(y, s >= 0.4))
    assert got["recall"] == pytest.approx(recall_score(y, s >= 0.4))
    assert got["pr_auc"] == pytest.approx(average_precision_score(y, s))
    assert got["tn"] + got["fp"] + got["fn"] + got["tp"] == 50
    assert training.binary_scores([0, 1], [0.1, 0.2])["precision"] == 0.0


@pytest.mark.parametrize("args, match", [
    (([0, 1], [0.5]), "same length"),
    (([0, 0], [0.5, 0.5]), "both classes"),
    (([0, 1], [0.5, 0.5], 1.0), "threshold"),
    (([0, 1], [0.5, 0.5], "0.5"), "threshold must be a number"),
    (([0, 2], [0.5, 0.5]), r"got values \[0, 2\]"),
    (([0, 1], [0.5, np.nan]), "scores must be finite"),
])
def test_binary_scores_errors(args, match):
    with pytest.raises(ValueError, match=match):
        training.binary_scores(*args)


def test_confusion_heatmaps():
    fig, axes = kw.plots.confusion_heatmaps({"a": [[5, 1], [0, 2]], "b": [[1, 1], [1, 1]]})
    assert [ax.get_title() for ax in axes] == ["a", "b"]
    with pytest.raises(ValueError, match="2x2"):
        kw.plots.confusion_heatmaps({"bad": [[1, 2, 3]]})
    with pytest.raises(ValueError, match="at least one"):
        kw.plots.confusion_heatmaps({})
