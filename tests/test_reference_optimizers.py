"""The float64 reference optimizers against the real Keras optimizers.

For every optimizer Keras exports, hypothesis draws hyperparameters, a shape,
an initial value and 50 gradients; the real optimizer steps a ``keras.Variable``
and :func:`simulate` must reproduce the trajectory.

Tolerances (``atol`` is scaled by the trajectory's largest magnitude, because
coordinates pass through zero, where a purely relative test is meaningless):

* float64 variables: rtol = atol/scale = 1e-10 (the reference mirrors every
  float32 rounding Keras does on hyperparameters); 1e-6 when a learning-rate
  schedule is used, because Keras evaluates schedules in float32 arithmetic;
* float32 variables: rtol = atol/scale = 1e-5 (the float32 rounding of 50 steps).

Muon is tested with float32 only: Keras's Muon cannot step a float64 2-D
variable (``lr * update`` mixes the float32 learning rate with float64).

The property tests draw only a few examples per optimizer, so a branch may go
undrawn (RMSprop's ``centered=True`` did); `test_boolean_options_match_keras`
runs every boolean option of every mirrored optimizer both ways on fixed
problems, and `test_every_boolean_option_is_exercised_both_ways` checks that
list against the installed Keras's configs. Shrinking is off for the tests
that step Keras for 50 steps: a failing example is reported as drawn, in the
time a passing run takes, instead of after minutes of shrinking.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

keras = pytest.importorskip("keras")

from kwhelpers.optimizer_paths import keras_trajectory  # noqa: E402
from kwhelpers.reference import optimizers as ref  # noqa: E402

STEPS = 50
SCHEDULES = keras.optimizers.schedules
# No shrinking: each example steps Keras 50 times, and shrinking a failure took > 9.5 minutes.
NO_SHRINK = tuple(phase for phase in Phase if phase is not Phase.shrink)
HYPOTHESIS = settings(max_examples=4, deadline=None, derandomize=True, phases=NO_SHRINK,
                      suppress_health_check=[HealthCheck.too_slow])


def unit(low: float, high: float) -> st.SearchStrategy[float]:
    return st.floats(low, high, allow_nan=False, allow_infinity=False)


def log_uniform(low: float, high: float) -> st.SearchStrategy[float]:
    return unit(math.log10(low), math.log10(high)).map(lambda e: float(10.0**e))


LR = log_uniform(1e-3, 0.2)
BETA_1 = unit(0.5, 0.99)
BETA_2 = unit(0.9, 0.9999)
EPSILON = log_uniform(1e-8, 1e-3)
MOMENTUM = st.one_of(st.just(0.0), unit(0.05, 0.95))

OPTIMIZER_SETTINGS = {
    "SGD": st.fixed_dictionaries({"learning_rate": LR, "momentum": MOMENTUM,
                                  "nesterov": st.booleans()}),
    "RMSprop": st.fixed_dictionaries({"learning_rate": LR, "rho": unit(0.5, 0.99),
                                      "momentum": MOMENTUM, "epsilon": EPSILON,
                                      "centered": st.booleans()}),
    "Adagrad": st.fixed_dictionaries({"learning_rate": LR, "epsilon": EPSILON,
                                      "initial_accumulator_value": unit(0.0, 1.0)}),
    "Adadelta": st.fixed_dictionaries({"learning_rate": log_uniform(1e-2, 1.0),
                                       "rho": unit(0.5, 0.99), "epsilon": EPSILON}),
    "Adam": st.fixed_dictionaries({"learning_rate": LR, "beta_1": BETA_1, "beta_2": BETA_2,
                                   "epsilon": EPSILON, "amsgrad": st.booleans()}),
    "AdamW": st.fixed_dictionaries({"learning_rate": LR, "weight_decay": unit(0.0, 0.2),
                                    "beta_1": BETA_1, "beta_2": BETA_2, "epsilon": EPSILON,
                                    "amsgrad": st.booleans()}),
    "Adamax": st.fixed_dictionaries({"learning_rate": LR, "beta_1": BETA_1, "beta_2": BETA_2,
                                     "epsilon": EPSILON}),
    "Nadam": st.fixed_dictionaries({"learning_rate": LR, "beta_1": BETA_1, "beta_2": BETA_2,
                                    "epsilon": EPSILON}),
    "Ftrl": st.fixed_dictionaries({
        "learning_rate": log_uniform(1e-2, 0.5), "learning_rate_power": unit(-1.0, 0.0),
        "initial_accumulator_value": unit(0.0, 1.0), "l1_regularization_strength": unit(0.0, 0.2),
        "l2_regularization_strength": unit(0.0, 0.2),
        "l2_shrinkage_regularization_strength": unit(0.0, 0.2), "beta": unit(0.0, 0.5)}),
    "Lion": st.fixed_dictionaries({"learning_rate": LR, "beta_1": BETA_1, "beta_2": BETA_2}),
    "Lamb": st.fixed_dictionaries({"learning_rate": LR, "beta_1": BETA_1, "beta_2": BETA_2,
                                   "epsilon": EPSILON}),
    "Adafactor": st.fixed_dictionaries({
        "learning_rate": log_uniform(1e-2, 1.0), "beta_2_decay": unit(-1.0, -0.5),
        "epsilon_2": log_uniform(1e-4, 1e-2), "clip_threshold": unit(0.5, 2.0),
        "relative_step": st.booleans()}),
    "Muon": st.fixed_dictionaries({
        "learning_rate": LR, "momentum": unit(0.5, 0.99), "nesterov": st.booleans(),
        "ns_steps": st.integers(1, 6), "rms_rate": st.one_of(st.none(), unit(0.1, 0.3)),
        "adam_lr_ratio": unit(0.1, 1.0), "adam_beta_1": BETA_1, "adam_beta_2": BETA_2,
        "weight_decay": unit(0.0, 0.1), "adam_weight_decay": unit(0.0, 0.1),
        "exclude_layers": st.sampled_from([[], ["head"]])}),
    "ScheduleFreeAdamW": st.fixed_dictionaries({
        "learning_rate": LR, "beta_1": BETA_1, "beta_2": BETA_2, "epsilon": EPSILON,
        "warmup_steps": st.integers(0, 20)}),
}
SHAPES = st.sampled_from([(5,), (2, 3), (4, 2), (2, 2, 3)])
# Muon picks its branch from the variable's path.
NAMES = st.sampled_from(["dense_kernel", "token_embedding", "head_kernel"])


def random_problem(seed: int, shape: tuple[int, ...], scale: float,
                   steps: int = STEPS) -> tuple[np.ndarray, np.ndarray]:
    """An initial value and ``steps`` gradients, already representable in float32."""
    rng = np.random.default_rng(seed)
    initial = rng.normal(size=shape).astype(np.float32).astype(np.float64)
    gradients = (scale * rng.normal(size=(steps, *shape))).astype(np.float32).astype(np.float64)
    return initial, gradients


def assert_trajectories_match(reference: np.ndarray, real: np.ndarray, tolerance: float) -> None:
    scale = max(1.0, float(np.max(np.abs(real))))
    np.testing.assert_allclose(reference, real, rtol=tolerance, atol=tolerance * scale)


def check_against_keras(make, initial, gradients, dtypes=("float64", "float32"),
                        schedule=False, name="variable"):
    tolerances = {"float64": 1e-6 if schedule else 1e-10, "float32": 1e-5}
    expected = ref.simulate(make(), initial, gradients, name=name)
    assert expected.shape == (len(gradients) + 1, *initial.shape)
    assert np.all(np.isfinite(expected))
    for dtype in dtypes:
        real = keras_trajectory(make(), initial, gradients, dtype=dtype, name=name)
        assert_trajectories_match(expected, real, tolerances[dtype])


def test_every_exported_optimizer_is_mirrored_or_refused():
    exported = {name for name in dir(keras.optimizers)
                if isinstance(getattr(keras.optimizers, name), type)
                and issubclass(getattr(keras.optimizers, name), keras.optimizers.Optimizer)}
    wrappers = {"Optimizer", "LossScaleOptimizer", "MultiOptimizer"}
    assert exported - wrappers == set(ref.SUPPORTED)
    assert len(ref.SUPPORTED) == 14


@pytest.mark.parametrize("optimizer_name", sorted(OPTIMIZER_SETTINGS))
@HYPOTHESIS
@given(data=st.data(), seed=st.integers(0, 2**31 - 1), shape=SHAPES,
       scale=log_uniform(0.1, 10.0))
def test_simulate_matches_keras_for_50_steps(optimizer_name, data, seed, shape, scale):
    config = data.draw(OPTIMIZER_SETTINGS[optimizer_name], label="config")
    name = data.draw(NAMES, label="name") if optimizer_name == "Muon" else "variable"
    cls = getattr(keras.optimizers, optimizer_name)
    initial, gradients = random_problem(seed, shape, scale)
    dtypes = ("float32",) if optimizer_name == "Muon" else ("float64", "float32")
    check_against_keras(lambda: cls(**config), initial, gradients, dtypes=dtypes, name=name)


# Every boolean option both ways (and Muon's rms_rate=None), on fixed problems: (optimizer,
# config, variable name). `test_every_boolean_option_is_exercised_both_ways` keeps it complete.
BOOLEAN_CASES = [
    ("SGD", {"learning_rate": 0.05, "momentum": 0.9, "nesterov": False}, "variable"),
    ("SGD", {"learning_rate": 0.05, "momentum": 0.9, "nesterov": True}, "variable"),
    ("SGD", {"learning_rate": 0.05, "momentum": 0.0, "nesterov": True}, "variable"),
    ("RMSprop", {"learning_rate": 0.01, "rho": 0.8, "centered": False}, "variable"),
    ("RMSprop", {"learning_rate": 0.01, "rho": 0.8, "centered": True}, "variable"),
    ("RMSprop", {"learning_rate": 0.01, "rho": 0.8, "momentum": 0.5, "centered": True}, "variable"),
    ("Adam", {"learning_rate": 0.05, "amsgrad": False}, "variable"),
    ("Adam", {"learning_rate": 0.05, "amsgrad": True}, "variable"),
    ("AdamW", {"learning_rate": 0.05, "weight_decay": 0.1, "amsgrad": False}, "variable"),
    ("AdamW", {"learning_rate": 0.05, "weight_decay": 0.1, "amsgrad": True}, "variable"),
    ("Adafactor", {"learning_rate": 0.1, "relative_step": True}, "variable"),
    ("Adafactor", {"learning_rate": 0.1, "relative_step": False}, "variable"),
    ("Muon", {"learning_rate": 0.02, "nesterov": True}, "dense_kernel"),
    ("Muon", {"learning_rate": 0.02, "nesterov": False}, "dense_kernel"),
    ("Muon", {"learning_rate": 0.02, "rms_rate": None}, "dense_kernel"),
    ("Muon", {"learning_rate": 0.02, "exclude_embeddings": True}, "token_embedding"),
    ("Muon", {"learning_rate": 0.02, "exclude_embeddings": False}, "token_embedding"),
    ("Nadam", {"learning_rate": 0.05, "use_ema": True, "ema_momentum": 0.9}, "variable"),
    ("Nadam", {"learning_rate": 0.05, "use_ema": False}, "variable"),
]


@pytest.mark.parametrize("optimizer_name, config, name", BOOLEAN_CASES,
                         ids=[f"{n}-{'-'.join(f'{k}={v}' for k, v in c.items() if k != 'learning_rate')}"
                              for n, c, _ in BOOLEAN_CASES])
def test_boolean_options_match_keras(optimizer_name, config, name):
    cls = getattr(keras.optimizers, optimizer_name)
    initial, gradients = random_problem(11, (3, 4) if optimizer_name == "Muon" else (2, 3), 1.0,
                                        steps=30)
    dtypes = ("float32",) if optimizer_name == "Muon" else ("float64",)
    check_against_keras(lambda: cls(**config), initial, gradients, dtypes=dtypes, name=name)


def test_every_boolean_option_is_exercised_both_ways():
    missing = []
    for optimizer_name in ref.SUPPORTED:
        defaults = getattr(keras.optimizers, optimizer_name)().get_config()
        for key, default in defaults.items():
            if not isinstance(default, bool):
                continue
            seen = {bool(config.get(key, default)) for name, config, _ in BOOLEAN_CASES
                    if name == optimizer_name}
            if key == "use_ema":  # a base-class option: one optimizer both ways is enough
                seen = {bool(config.get(key, default)) for _, config, _ in BOOLEAN_CASES}
            if seen != {True, False}:
                missing.append(f"{optimizer_name}.{key} (seen {sorted(seen)})")
    assert not missing, f"boolean options not run both ways: {missing}"
    assert any(config.get("rms_rate", 0.2) is None for _, config, _ in BOOLEAN_CASES)


def test_the_centered_rmsprop_branch_changes_the_trajectory():
    """A reference whose centered branch did nothing would pass a test that never enables it."""
    initial, gradients = random_problem(12, (4,), 1.0, steps=10)
    plain = ref.simulate(keras.optimizers.RMSprop(rho=0.8), initial, gradients)
    centered = ref.simulate(keras.optimizers.RMSprop(rho=0.8, centered=True), initial, gradients)
    assert np.max(np.abs(plain - centered)) > 1e-3


BASE_FEATURES = {
    "clipnorm": st.builds(dict, clipnorm=log_uniform(0.1, 3.0)),
    "clipvalue": st.builds(dict, clipvalue=log_uniform(0.05, 2.0)),
    "global_clipnorm": st.builds(dict, global_clipnorm=log_uniform(0.1, 3.0)),
    "weight_decay": st.builds(dict, weight_decay=unit(0.0, 0.5)),
    "loss_scale_factor": st.builds(dict, loss_scale_factor=log_uniform(0.1, 1000.0)),
    "gradient_accumulation_steps": st.builds(dict, gradient_accumulation_steps=st.integers(2, 5)),
    "use_ema": st.builds(dict, use_ema=st.just(True), ema_momentum=unit(0.5, 0.999),
                         ema_overwrite_frequency=st.one_of(st.none(), st.integers(1, 7))),
}
FEATURE_OPTIMIZERS = st.sampled_from(["SGD", "Adam", "RMSprop", "Nadam", "Lamb", "Adafactor",
                                      "ScheduleFreeAdamW", "Ftrl"])


@pytest.mark.parametrize("feature", sorted(BASE_FEATURES))
@settings(max_examples=3, deadline=None, derandomize=True, phases=NO_SHRINK,
          suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), optimizer_name=FEATURE_OPTIMIZERS, seed=st.integers(0, 2**31 - 1),
       shape=SHAPES, scale=log_uniform(0.1, 10.0))
def test_base_class_features_match_keras(feature, data, optimizer_name, seed, shape, scale):
    options = data.draw(BASE_FEATURES[feature], label="options")
    cls = getattr(keras.optimizers, optimizer_name)
    initial, gradients = random_problem(seed, shape, scale)
    check_against_keras(lambda: cls(learning_rate=0.05, **options), initial, gradients)


SCHEDULE_STRATEGIES = {
    "ExponentialDecay": st.builds(SCHEDULES.ExponentialDecay, initial_learning_rate=LR,
                                  decay_steps=st.integers(1, 20), decay_rate=unit(0.1, 0.99),
                                  staircase=st.booleans()),
    "InverseTimeDecay": st.builds(SCHEDULES.InverseTimeDecay, initial_learning_rate=LR,
                                  decay_steps=st.integers(1, 20), decay_rate=unit(0.0, 2.0),
                                  staircase=st.booleans()),
    "PolynomialDecay": st.builds(SCHEDULES.PolynomialDecay, initial_learning_rate=LR,
                                 decay_steps=st.integers(1, 40), end_learning_rate=unit(0.0, 1e-3),
                                 power=unit(0.5, 3.0), cycle=st.booleans()),
    "PiecewiseConstantDecay": st.lists(st.integers(0, 60), min_size=1, max_size=4, unique=True).flatmap(
        lambda b: st.builds(SCHEDULES.PiecewiseConstantDecay, st.just(sorted(b)),
                            st.lists(LR, min_size=len(b) + 1, max_size=len(b) + 1))),
    "CosineDecay": st.builds(SCHEDULES.CosineDecay, initial_learning_rate=LR,
                             decay_steps=st.integers(1, 40), alpha=unit(0.0, 0.5),
                             warmup_target=st.one_of(st.none(), LR),
                             warmup_steps=st.integers(0, 20)),
    "CosineDecayRestarts": st.builds(SCHEDULES.CosineDecayRestarts, initial_learning_rate=LR,
                                     first_decay_steps=st.integers(1, 10),
                                     t_mul=st.sampled_from([1.0, 1.5, 2.0]),
                                     m_mul=unit(0.3, 1.0), alpha=unit(0.0, 0.3)),
}


@pytest.mark.parametrize("schedule, option", [
    (SCHEDULES.ExponentialDecay(0.1, decay_steps=4, decay_rate=0.5, staircase=False), "staircase"),
    (SCHEDULES.ExponentialDecay(0.1, decay_steps=4, decay_rate=0.5, staircase=True), "staircase"),
    (SCHEDULES.InverseTimeDecay(0.1, decay_steps=4, decay_rate=0.5, staircase=False), "staircase"),
    (SCHEDULES.InverseTimeDecay(0.1, decay_steps=4, decay_rate=0.5, staircase=True), "staircase"),
    (SCHEDULES.PolynomialDecay(0.1, decay_steps=7, power=2.0, cycle=False), "cycle"),
    (SCHEDULES.PolynomialDecay(0.1, decay_steps=7, power=2.0, cycle=True), "cycle"),
], ids=lambda v: f"{type(v).__name__}-{v.get_config()}" if not isinstance(v, str) else v)
def test_schedule_boolean_options_both_ways(schedule, option):
    """The schedules' boolean options, each both ways (the property test draws them at random)."""
    config = {k: v for k, v in schedule.get_config().items() if k != "name"}
    other = dict(config, **{option: not config[option]})
    name = type(schedule).__name__
    for step in range(0, 25):
        expected = float(keras.ops.convert_to_numpy(schedule(step)))
        assert ref.schedule_value(name, config, step) == pytest.approx(expected, rel=1e-6, abs=1e-9)
    assert any(ref.schedule_value(name, config, s) != pytest.approx(ref.schedule_value(name, other, s),
                                                                    rel=1e-6) for s in range(25))


@pytest.mark.parametrize("schedule_name", sorted(SCHEDULE_STRATEGIES))
@settings(max_examples=15, deadline=None, derandomize=True)
@given(data=st.data())
def test_schedules_match_keras_at_every_step(schedule_name, data):
    schedule = data.draw(SCHEDULE_STRATEGIES[schedule_name], label="schedule")
    config = {k: v for k, v in schedule.get_config().items() if k != "name"}
    for step in range(0, 61, 3):
        expected = float(keras.ops.convert_to_numpy(schedule(step)))
        # Keras computes in float32: agreement to float32 rounding.
        assert ref.schedule_value(schedule_name, config, step) == pytest.approx(expected, rel=1e-5, abs=1e-9)


@settings(max_examples=3, deadline=None, derandomize=True, phases=NO_SHRINK)
@given(schedule_name=st.sampled_from(sorted(SCHEDULE_STRATEGIES)), data=st.data(),
       seed=st.integers(0, 2**31 - 1))
def test_optimizer_with_schedule_matches_keras(schedule_name, data, seed):
    schedule = data.draw(SCHEDULE_STRATEGIES[schedule_name], label="schedule")
    initial, gradients = random_problem(seed, (4,), 1.0)
    check_against_keras(lambda: keras.optimizers.Adam(learning_rate=schedule), initial, gradients,
                        schedule=True)


def test_ema_average_matches_keras_moving_average():
    initial, gradients = random_problem(3, (2, 3), 1.0, steps=20)

    def make():
        return keras.optimizers.Adam(learning_rate=0.05, use_ema=True, ema_momentum=0.9,
                                     gradient_accumulation_steps=3)

    reference = ref.ReferenceOptimizer(make(), initial)
    for g in gradients:
        reference.apply(g)
    optimizer = make()
    variable = keras.Variable(initial, dtype="float64")
    for g in gradients:
        optimizer.apply([keras.ops.convert_to_tensor(g)], [variable])
    average = optimizer._model_variables_moving_average[0].numpy()
    np.testing.assert_allclose(reference.ema, average, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(reference.params, variable.numpy(), rtol=1e-12, atol=1e-12)


def test_gradient_accumulation_moves_only_every_nth_call():
    initial, gradients = random_problem(4, (3,), 1.0, steps=6)
    path = ref.simulate(keras.optimizers.SGD(learning_rate=0.1, gradient_accumulation_steps=3),
                        initial, gradients)
    np.testing.assert_array_equal(path[1], path[0])
    np.testing.assert_array_equal(path[2], path[0])
    np.testing.assert_allclose(path[3], initial - 0.1 * gradients[:3].mean(axis=0), rtol=1e-6)


def test_weight_decay_var_names_exclusion_is_mirrored():
    initial, gradients = random_problem(5, (3,), 1.0, steps=10)

    def make():
        optimizer = keras.optimizers.AdamW(learning_rate=0.1, weight_decay=0.5)
        optimizer.exclude_from_weight_decay(var_names=["bias"])
        return optimizer

    excluded = ref.simulate(make(), initial, gradients, name="dense_bias")
    decayed = ref.simulate(make(), initial, gradients, name="dense_kernel")
    assert not np.allclose(excluded, decayed)
    for name, expected in (("dense_bias", excluded), ("dense_kernel", decayed)):
        real = keras_trajectory(make(), initial, gradients, dtype="float64", name=name)
        assert_trajectories_match(expected, real, 1e-10)


def test_schedule_free_adamw_reads_the_updated_momentum_on_tensorflow():
    """TF's ``momentum.value`` is the live variable: the 'old' z is already updated."""
    from kwhelpers.reference.optimizers.rules import ScheduleFreeAdamWRule

    initial, gradients = random_problem(6, (4,), 1.0, steps=20)
    real = keras_trajectory(keras.optimizers.ScheduleFreeAdamW(), initial, gradients, dtype="float64")
    assert_trajectories_match(ref.simulate(keras.optimizers.ScheduleFreeAdamW(), initial, gradients),
                              real, 1e-10)
    try:
        ScheduleFreeAdamWRule.z_old_is_snapshot = True
        snapshot = ref.simulate(keras.optimizers.ScheduleFreeAdamW(), initial, gradients)
    finally:
        ScheduleFreeAdamWRule.z_old_is_snapshot = None
    assert np.max(np.abs(snapshot - real)) > 1e-4


@pytest.mark.parametrize("options", [{"clipnorm": 1.0}, {"global_clipnorm": 1.0}, {"clipvalue": 0.5},
                                     {}])
def test_clip_gradients_matches_keras_on_two_variables(options):
    rng = np.random.default_rng(7)
    grads = [rng.normal(size=(3,)) * 2, rng.normal(size=(2, 2))]
    variables = [keras.Variable(np.zeros(g.shape), dtype="float64") for g in grads]
    keras.optimizers.SGD(learning_rate=1.0, **options).apply(
        [keras.ops.convert_to_tensor(g) for g in grads], variables)
    clipped = ref.clip_gradients(grads, **options)
    for c, v in zip(clipped, variables):
        np.testing.assert_allclose(c, -v.numpy(), rtol=1e-12)


def test_clip_gradients_per_tensor_versus_global():
    grads = [np.array([3.0, 4.0]), np.array([0.0, 0.5])]
    per_tensor = ref.clip_gradients(grads, clipnorm=1.0)
    overall = ref.clip_gradients(grads, global_clipnorm=1.0)
    np.testing.assert_allclose(per_tensor[1], grads[1])  # norm 0.5 < 1: untouched
    np.testing.assert_allclose(per_tensor[0], [0.6, 0.8])
    total = math.sqrt(25.25)
    np.testing.assert_allclose(overall[1], grads[1] / total)
    np.testing.assert_allclose(ref.clip_gradients(grads, clipvalue=1.0)[0], [1.0, 1.0])


def test_unmirrored_things_raise_not_implemented_naming_them():
    initial, gradients = np.zeros(2), np.ones((1, 2))

    class MySGD(keras.optimizers.SGD):
        pass

    class Adam(keras.optimizers.Adam):  # a user's subclass with the built-in's name
        def update_step(self, gradient, variable, learning_rate):
            return super().update_step(2 * gradient, variable, learning_rate)

    def constant_rate():
        return 0.1

    cases = [
        (MySGD(), "MySGD"),
        (Adam(), "test_reference_optimizers"),
        (keras.optimizers.LossScaleOptimizer(keras.optimizers.SGD()), "LossScaleOptimizer"),
        (keras.optimizers.SGD(learning_rate=constant_rate), "callable"),
    ]
    excluded = keras.optimizers.AdamW()
    excluded.exclude_from_weight_decay(var_list=[keras.Variable(np.zeros(2))])
    cases.append((excluded, "var_list"))

    class MyDecay(SCHEDULES.LearningRateSchedule):
        def __call__(self, step):
            return 0.1

        def get_config(self):
            return {}

    cases.append((keras.optimizers.SGD(learning_rate=MyDecay()), "MyDecay"))
    for optimizer, named in cases:
        with pytest.raises(NotImplementedError, match=named):
            ref.simulate(optimizer, initial, gradients)


def test_unknown_config_key_is_refused(monkeypatch):
    optimizer = keras.optimizers.SGD()
    config = dict(optimizer.get_config(), shiny_new_option=1)
    monkeypatch.setattr(optimizer, "get_config", lambda: config)
    with pytest.raises(NotImplementedError, match="shiny_new_option"):
        ref.simulate(optimizer, np.zeros(2), [])


def test_input_validation_names_the_argument():
    with pytest.raises(TypeError, match="optimizer"):
        ref.simulate("adam", np.zeros(2), [])
    with pytest.raises(ValueError, match=r"gradients\[1\].*\(2,\).*\(3,\)"):
        ref.simulate(keras.optimizers.SGD(), np.zeros(2), [np.ones(2), np.ones(3)])
    with pytest.raises(TypeError, match="gradients"):
        ref.simulate(keras.optimizers.SGD(), np.zeros(2), 3.0)
    with pytest.raises(TypeError, match="initial"):
        ref.simulate(keras.optimizers.SGD(), "abc", [])
    with pytest.raises(ValueError, match="step"):
        ref.schedule_value("ExponentialDecay", {"initial_learning_rate": 1.0, "decay_steps": 1,
                                                "decay_rate": 0.5}, -1)
    with pytest.raises(ValueError, match="at most one"):
        ref.clip_gradients([np.ones(2)], clipnorm=1.0, clipvalue=1.0)


def test_zero_steps_returns_only_the_initial_value():
    path = ref.simulate(keras.optimizers.Adam(), np.arange(3.0), [])
    assert path.shape == (1, 3)
    np.testing.assert_array_equal(path[0], np.arange(3.0))


def test_newton_schulz_approximately_orthogonalises():
    rng = np.random.default_rng(8)
    x = rng.normal(size=(3, 5))
    y = ref.newton_schulz5(x, 5, 3.4445, -4.7750, 2.0315)
    singular = np.linalg.svd(y, compute_uv=False)
    # The quintic iteration pushes singular values into roughly [0.7, 1.2], not exactly 1.
    assert np.all((singular > 0.5) & (singular < 1.5))
    np.testing.assert_allclose(ref.newton_schulz5(x.T, 5, 3.4445, -4.7750, 2.0315), y.T, rtol=1e-12)
