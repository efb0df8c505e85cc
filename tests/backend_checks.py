"""Representative checks of every kwhelpers module on one Keras backend, in a fresh process.

Run by tests/test_backends.py as ``python tests/backend_checks.py BACKEND RESULT.json``:
``kw.setup(0, backend=BACKEND)`` first (before Keras is imported), then every check;
the result file maps each check's name to "ok" or its traceback. One process per
backend keeps the cost to one Keras start-up (several seconds) per backend.
"""

from __future__ import annotations

import json
import sys
import traceback

import numpy as np

CHECKS = {}


def check(function):
    CHECKS[function.__name__] = function
    return function


def _model(outputs=3, hidden=4, loss="binary_crossentropy", optimizer="sgd", seed=0):
    import keras

    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input((5,)), keras.layers.Dense(hidden, activation="tanh", name="hidden"),
                              keras.layers.Dense(outputs, activation="sigmoid", name="output")])
    model.compile(optimizer=optimizer, loss=loss)
    return model


def _xy(rows=6, outputs=3, seed=0):
    rng = np.random.default_rng(seed)
    return (rng.normal(size=(rows, 5)).astype(np.float32),
            rng.integers(0, 2, size=(rows, outputs)).astype(np.float32))


@check
def data():
    import kwhelpers as kw

    digits = kw.data.load("digits")
    assert digits["x_train"].shape == (1078, 64)


@check
def weights():
    import keras

    import kwhelpers as kw

    rng = np.random.RandomState(0)
    x = rng.normal(size=(24, 3)).astype(np.float32)
    y = rng.randint(0, 3, size=24)
    class_weight = {2: 1.25, 0: 0.5, 1: 2.0}
    ours = kw.weights.class_weight_to_sample_weight(keras.ops.convert_to_tensor(y), class_weight)
    assert ours.tolist() == [class_weight[int(k)] for k in y]
    trained = []
    for kwargs in ({"class_weight": class_weight}, {"sample_weight": ours}):
        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(3, activation="softmax")])
        model.compile(optimizer=keras.optimizers.SGD(0.1), loss="sparse_categorical_crossentropy")
        model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0, **kwargs)
        trained.append(model.get_weights())
    for a, b in zip(*trained):
        np.testing.assert_array_equal(a, b)


@check
def inspect_output_gradients():
    import kwhelpers as kw

    model = _model()
    result = kw.inspect.output_gradients(model, *_xy())
    summed = result.summed()
    for name in result.names:
        np.testing.assert_allclose(summed[name], result.total[name], rtol=1e-4, atol=1e-7)
    for j in range(3):
        others = [k for k in range(3) if k != j]
        assert (result.per_output[j]["output/kernel"][:, others] == 0).all()
    np.testing.assert_allclose(result.term_values.sum(), result.total_loss, rtol=1e-5)
    table = kw.inspect.gradient_reach(result, model.get_layer("output"), ["a", "b", "c"])
    assert (table.loc[["a", "b", "c"], ["unit a", "unit b", "unit c"]].to_numpy()
            [~np.eye(3, dtype=bool)] == 0).all()
    try:
        kw.inspect.gradient_reach(result, model.get_layer("hidden"))
    except ValueError as error:
        assert "output layer 'output'" in str(error)
    else:
        raise AssertionError("a hidden layer was accepted as the output layer")


@check
def inspect_fit_step_by_hand():
    import kwhelpers as kw

    x, y = _xy()
    for loss, optimizer in (("mse", "sgd"), ("binary_crossentropy", "adam")):
        if True:
            model = _model(loss=loss, optimizer=optimizer)
            twin = kw.inspect.compiled_twin(model)
            history = model.fit(x, y, batch_size=6, epochs=1, verbose=0, shuffle=False)
            value = kw.inspect.fit_step_by_hand(twin, x, y)
            assert abs(value - history.history["loss"][0]) <= 1e-5 * abs(value), (loss, value)
            assert int(twin.optimizer.iterations) == 1
            for a, b in zip(model.get_weights(), twin.get_weights()):
                np.testing.assert_allclose(a, b, rtol=0, atol=1e-6, err_msg=f"{loss} {optimizer}")


@check
def inspect_update_recorder():
    import kwhelpers as kw

    model = _model()
    x, y = _xy()
    x[:, 2] = 0.0
    before = kw.inspect.weights_snapshot(model)
    recorder = kw.inspect.UpdateRecorder()
    model.fit(x, y, batch_size=3, epochs=1, verbose=0, shuffle=False, callbacks=[recorder])
    counts = recorder.to_frame("changed")
    assert counts["iterations"].tolist() == [1, 2]
    assert counts["hidden/kernel"].tolist() == [16, 16], counts
    after = kw.inspect.weights_snapshot(model)
    np.testing.assert_array_equal(after["hidden/kernel"][2], before["hidden/kernel"][2])
    assert (recorder.to_frame()["output/kernel"] > 0).all()


@check
def multilabel():
    import keras

    import kwhelpers as kw

    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, size=(5, 3)).astype(np.float32)
    logits = rng.normal(0, 3, size=(5, 3)).astype(np.float32)
    weights = np.array([0.5, 2.0, 4.0])
    loss = kw.multilabel.PositiveWeightedBinaryCrossentropy(weights, from_logits=True)
    z = logits.astype(np.float64)
    expected = (weights * y * np.logaddexp(0, -z) + (1 - y) * np.logaddexp(0, z)).mean()
    np.testing.assert_allclose(float(loss(y, logits)), expected, rtol=1e-5)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(3, activation="sigmoid")])
    model.compile(optimizer="sgd", loss=kw.multilabel.PositiveWeightedBinaryCrossentropy(weights))
    assert np.isfinite(model.fit(np.ones((4, 3)), y[:4], epochs=1, verbose=0).history["loss"][0])
    assert kw.multilabel.positive_weights(np.array([[1, 0], [0, 1], [0, 1]])).tolist()[0] == 2.0


@check
def training():
    import kwhelpers as kw

    rng = np.random.RandomState(0)
    x, y = rng.normal(size=(32, 4)).astype("float32"), rng.randint(0, 2, 32)
    tables = []
    for _ in range(2):
        model = kw.training.dense_model(4, hidden=(3,), seed=0, output_bias=-0.5)
        model.compile(optimizer="sgd", loss="binary_crossentropy")
        tables.append(kw.training.fit_quiet(model, x, y, epochs=2, batch_size=8, seed=3))
    np.testing.assert_array_equal(tables[0]["loss"], tables[1]["loss"])
    assert model.get_weights()[-1].tolist() != [0.0]


@check
def custom_losses():
    import kwhelpers as kw

    loss = kw.custom_losses.PerOutputWeightedMSE([1.0, 3.0])
    assert float(loss(np.zeros((1, 2), np.float32), np.ones((1, 2), np.float32))) == 2.0
    try:
        kw.custom_losses.custom_mse(np.zeros((2, 1), "float32"), np.ones((2, 1), "float32"))
    except RuntimeError as error:
        assert "needs the tensorflow backend" in str(error) and "\n" not in str(error)
    else:
        raise AssertionError("the seed's tf.keras.backend code ran on another backend")


@check
def custom_metrics():
    import keras

    import kwhelpers as kw

    y_true = np.array([[2.0], [4.0], [5.0]], np.float32)
    y_pred = np.array([[1.0], [5.0], [5.0]], np.float32)
    w = np.array([1.0, 3.0, 0.5], np.float32)
    ours, theirs = kw.custom_metrics.PercentageError(), keras.metrics.MeanAbsolutePercentageError()
    ours.update_state(y_true, y_pred, sample_weight=w)
    theirs.update_state(y_true, y_pred, sample_weight=w)
    np.testing.assert_allclose(float(ours.result()), float(theirs.result()), rtol=1e-5)
    assert float(kw.custom_metrics.mean_pred(None, np.array([[1.0], [3.0]]))) == 2.0
    seed = kw.custom_metrics.SeedPercentageError()  # the seed's code, K from keras.ops: any backend
    seed.update_state(y_true, y_pred)
    np.testing.assert_allclose(float(seed.result()), np.mean(np.abs(y_true - y_pred) / y_true), rtol=1e-6)


@check
def reference_optimizers():
    import keras

    from kwhelpers.optimizer_paths import keras_trajectory
    from kwhelpers.reference import optimizers as ref

    rng = np.random.default_rng(1)
    failures = []
    for name in ref.SUPPORTED:
        for options in ({}, {"centered": True, "momentum": 0.5} if name == "RMSprop" else None):
            if options is None:
                continue
            shape = (3, 4) if name == "Muon" else (2, 3)
            initial = rng.normal(size=shape).astype(np.float32).astype(np.float64)
            gradients = rng.normal(size=(20, *shape)).astype(np.float32).astype(np.float64)
            make = lambda: getattr(keras.optimizers, name)(learning_rate=0.05, **options)  # noqa: E731
            expected = ref.simulate(make(), initial, gradients, name="dense_kernel")
            real = keras_trajectory(make(), initial, gradients, dtype="float32", name="dense_kernel")
            scale = max(1.0, float(np.max(np.abs(real))))
            gap = float(np.max(np.abs(expected - real)) / scale)
            if not gap <= 1e-5:
                failures.append(f"{name}{options or ''}: scaled gap {gap:.3g}")
    assert not failures, failures


@check
def reference_losses():
    import keras

    from kwhelpers.reference import losses as ref

    rng = np.random.default_rng(2)
    y_true = (rng.uniform(size=(4, 3)) > 0.5).astype(np.float32)
    y_pred = rng.uniform(0.05, 0.95, size=(4, 3)).astype(np.float32)
    weight = np.array([1.0, 0.5, 2.0, 0.0], np.float32)
    for loss in (keras.losses.BinaryCrossentropy(), keras.losses.MeanSquaredError(),
                 keras.losses.CategoricalCrossentropy(from_logits=True), keras.losses.Huber(delta=0.5)):
        tensors = [keras.ops.convert_to_tensor(a) for a in (y_true, y_pred, weight)]
        expected = float(keras.ops.convert_to_numpy(loss(*tensors[:2], sample_weight=tensors[2])))
        if keras.backend.backend() == "torch":
            # like a CUDA tensor, a tensor that requires grad cannot go through numpy.asarray
            tensors[1] = tensors[1].clone().requires_grad_(True)
        np.testing.assert_allclose(float(ref.compute(loss, *tensors)), expected, rtol=1e-5, atol=1e-7,
                                   err_msg=loss.name)
    # probabilities that do not sum to 1: TensorFlow clips then renormalises, JAX and PyTorch the other way
    scores, labels = np.array([[3.0, 5.0], [0.2, 0.3]], np.float32), np.array([0.0, 1.0], np.float32)
    loss = keras.losses.SparseCategoricalCrossentropy(reduction=None)
    expected = keras.ops.convert_to_numpy(loss(labels, scores))
    np.testing.assert_allclose(ref.compute(loss, labels, scores), expected, rtol=1e-5, err_msg="unnormalised")


@check
def reference_metrics():
    import keras

    from kwhelpers.reference import metrics as ref

    y_pred = keras.ops.convert_to_tensor(np.array([[0.2, 0.8], [0.6, 0.4], [0.5, 0.5]], np.float32))
    labels = keras.ops.convert_to_tensor(np.array([1, 1, 0]))
    metric = keras.metrics.SparseCategoricalAccuracy()
    metric.update_state(labels, y_pred)
    value = ref.compute_metric(keras.metrics.SparseCategoricalAccuracy(), labels, y_pred)
    np.testing.assert_allclose(value, float(keras.ops.convert_to_numpy(metric.result())), rtol=1e-6)
    np.testing.assert_allclose(value, 2 / 3, rtol=1e-12)


@check
def reproducibility():
    import kwhelpers as kw

    first = kw.reproducibility.train_digits_classifier(seed=0, epochs=1, hidden_units=8)
    second = kw.reproducibility.train_digits_classifier(seed=0, epochs=1, hidden_units=8)
    assert kw.reproducibility.max_abs_difference(first, second) == 0.0


@check
def keras2_names():
    import kwhelpers as kw

    frame = kw.keras2_names.table()
    assert not frame.set_index("name").loc["cosine_proximity", "resolves_now"]


@check
def plots():
    import matplotlib

    matplotlib.use("Agg")
    import kwhelpers as kw

    x = np.linspace(-1, 1, 5)
    fig, axes = kw.plots.loss_and_gradient(x, {"x^2": (x**2, 2 * x)})
    assert len(axes) == 2
    matplotlib.pyplot.close(fig)


def main(backend: str, out: str) -> int:
    import kwhelpers as kw

    kw.setup(0, backend=backend)
    import keras

    import time

    results = {"__backend__": keras.backend.backend(), "__seconds__": {}}
    for name, function in CHECKS.items():
        start = time.perf_counter()
        try:
            function()
            results[name] = "ok"
        except Exception:  # report every failure, not only the first
            results[name] = traceback.format_exc(limit=6)
        results["__seconds__"][name] = round(time.perf_counter() - start, 2)
    with open(out, "w") as handle:
        json.dump(results, handle)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
