"""Read a Keras optimizer instance into what the reference needs, or refuse clearly.

Everything comes from ``optimizer.get_config()``, plus the two settings that
``get_config()`` does not carry: ``exclude_from_weight_decay`` (kept in private
attributes by ``base_optimizer.py``) and whether the instance is exactly a
built-in class. Anything the reference does not mirror raises
``NotImplementedError`` naming it: a custom subclass, ``LossScaleOptimizer``,
``MultiOptimizer``, a callable or custom learning-rate schedule, an unknown
config key (a newer Keras), ``exclude_from_weight_decay(var_list=...)``.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Mapping
from typing import Any

from kwhelpers.reference.optimizers.rules import RULES, UpdateRule, float32_rounded
from kwhelpers.reference.optimizers.schedules import SCHEDULES, schedule_value

BASE_KEYS = ("name", "learning_rate", "weight_decay", "clipnorm", "global_clipnorm", "clipvalue",
             "use_ema", "ema_momentum", "ema_overwrite_frequency", "loss_scale_factor",
             "gradient_accumulation_steps")
SCHEDULE_MODULE = "keras.optimizers.schedules"


@dataclasses.dataclass(frozen=True)
class LearningRate:
    """A constant learning rate or a built-in schedule, evaluated at the real step.

    Examples
    --------
    >>> LearningRate(0.5).at(3)
    0.5
    """

    value: float | None = None
    schedule: str | None = None
    schedule_config: Mapping[str, Any] | None = None

    def at(self, step: int) -> float:
        """The learning rate at real step ``step`` (0 for the first update)."""
        if self.schedule is None:
            return float(self.value)
        # Keras evaluates the schedule in float32 (the dtype of a Python-float
        # initial_learning_rate); rounding the float64 value matches it to an ulp or two.
        return float32_rounded(schedule_value(self.schedule, self.schedule_config, step))


@dataclasses.dataclass(frozen=True)
class OptimizerSpec:
    """What :func:`read_optimizer` extracts from an optimizer instance."""

    rule_class: type[UpdateRule]
    config: Mapping[str, Any]
    learning_rate: LearningRate
    decay_applies: bool


def read_learning_rate(value: Any) -> LearningRate:
    """Turn ``get_config()["learning_rate"]`` into a :class:`LearningRate`.

    Raises ``NotImplementedError`` for a callable or a schedule other than the
    six built-in ones.

    Examples
    --------
    >>> read_learning_rate({"module": "keras.optimizers.schedules", "class_name": "CosineDecay",
    ...                     "config": {"initial_learning_rate": 1.0, "decay_steps": 2}}).at(1)
    0.5
    """
    if isinstance(value, bool):
        raise TypeError("value (the learning_rate) must be a float or a schedule's config, got a bool")
    if isinstance(value, (int, float)):
        if not math.isfinite(value):
            raise ValueError(f"value (the learning_rate) must be finite, got {value}")
        return LearningRate(value=float(value))
    if isinstance(value, Mapping):
        name = value.get("class_name")
        if value.get("module") == SCHEDULE_MODULE and name in SCHEDULES:
            config = {k: v for k, v in value["config"].items() if k != "name"}
            return LearningRate(schedule=name, schedule_config=config)
        if value.get("module") == SCHEDULE_MODULE or name not in ("function", "__lambda__"):
            what = f"schedule {name!r}"
        else:
            what = "callable"
        raise NotImplementedError(
            f"a {what} learning_rate is not mirrored: only a float or one of the schedules "
            f"{sorted(SCHEDULES)}")
    raise NotImplementedError(f"learning_rate of type {type(value).__name__} is not mirrored")


BACKEND_OPTIMIZER_MODULES = "keras.src.backend."


def public_optimizer_class(cls: type) -> type | None:
    """The public ``keras.optimizers`` class an optimizer instance of class ``cls`` is, or None.

    On the PyTorch backend ``keras.optimizers.Adam(...)`` builds an instance of
    ``keras.src.backend.torch.optimizers.torch_adam.Adam``, a subclass that only
    changes how the update is run on tensors; such a backend class counts as its
    public base. A user's subclass (which may change the update) does not.

    Examples
    --------
    >>> import keras
    >>> public_optimizer_class(type(keras.optimizers.Adam())).__name__
    'Adam'
    >>> class Mine(keras.optimizers.Adam):
    ...     pass
    >>> public_optimizer_class(Mine) is None
    True
    """
    import keras

    if not isinstance(cls, type):
        raise TypeError(f"cls must be a class (type(optimizer)), got {type(cls).__name__}")

    def public(candidate: type) -> bool:
        return getattr(keras.optimizers, candidate.__name__, None) is candidate

    if public(cls):
        return cls
    if cls.__module__.startswith(BACKEND_OPTIMIZER_MODULES):
        bases = [base for base in cls.__mro__[1:] if public(base)]
        if bases and bases[0].__name__ == cls.__name__:
            return bases[0]
    return None


def read_optimizer(optimizer: Any, name: str) -> OptimizerSpec:
    """Check that ``optimizer`` is a mirrored built-in Keras optimizer and read it.

    Parameters
    ----------
    optimizer : keras.optimizers.Optimizer
        The instance to mirror.
    name : str
        The variable's name, matched against ``exclude_from_weight_decay(var_names=...)``.

    Raises
    ------
    TypeError
        If ``optimizer`` is not a Keras optimizer.
    NotImplementedError
        If the optimizer class, one of its settings or its learning rate is not mirrored.

    Examples
    --------
    >>> import keras
    >>> read_optimizer(keras.optimizers.SGD(), "w").rule_class.__name__
    'SGDRule'
    """
    import keras

    if not isinstance(optimizer, keras.optimizers.Optimizer):
        raise TypeError(f"optimizer must be a keras.optimizers.Optimizer instance, got {type(optimizer).__name__}")
    if not isinstance(name, str):
        raise TypeError(f"name must be a str (the variable's path), got {type(name).__name__}")
    cls = type(optimizer)
    public = public_optimizer_class(cls)
    rule_class = RULES.get(public.__name__) if public is not None else None
    if rule_class is None:
        raise NotImplementedError(
            f"optimizer {cls.__module__}.{cls.__qualname__} is not mirrored; the reference covers "
            f"exactly these built-in classes: {sorted(RULES)}")
    config = optimizer.get_config()
    unknown = sorted(set(config) - set(BASE_KEYS) - set(rule_class.hyperparameters))
    if unknown:
        raise NotImplementedError(f"{cls.__name__} config key(s) {unknown} are not mirrored")
    if getattr(optimizer, "_exclude_from_weight_decay", None):
        raise NotImplementedError(
            "exclude_from_weight_decay(var_list=...) is keyed by variable identity and is not "
            "mirrored; use var_names=[...] patterns instead")
    pattern = getattr(optimizer, "_exclude_from_weight_decay_pattern", None)
    decay_applies = pattern is None or re.search(pattern, name) is None
    return OptimizerSpec(rule_class=rule_class, config=config,
                         learning_rate=read_learning_rate(config["learning_rate"]),
                         decay_applies=decay_applies)
