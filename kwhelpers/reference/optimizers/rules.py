r"""Per-optimizer update rules (``update_step``), float64 NumPy, one class each.

Each class mirrors ``update_step`` of one Keras optimizer in
``keras/src/optimizers/<file>.py``. Notation: :math:`\theta` the parameter,
:math:`g` the gradient after clipping, :math:`\eta` the learning rate (the
schedule's value at the real step), :math:`t` the *local step*
``iterations + 1`` (with gradient accumulation, ``iterations`` counts updates,
not calls). The base-class features (loss scaling, clipping, weight decay,
gradient accumulation, EMA) live in :mod:`.engine`.

A rule is built from the optimizer's ``get_config()`` and the parameter's shape
and path, keeps its slots in ``self.state`` and returns the new parameter from
``update``.

Where Keras writes ``ops.cast(hyperparameter, variable.dtype)`` with a Python
float, the TensorFlow backend first makes a float32 tensor and then casts it,
so the value is rounded to float32 even for a float64 variable (for example
``ops.cast(0.9, "float64")`` is 0.8999999761581421). The rules reproduce that
with :func:`float32_rounded`; hyperparameters Keras uses directly in
arithmetic (``1 - self.beta_1``) stay exact.

Examples
--------
>>> import numpy as np
>>> rule = SGDRule({"momentum": 0.0, "nesterov": False}, np.zeros(2), "w")
>>> rule.update(np.zeros(2), np.ones(2), 0.1, 1)
array([-0.1, -0.1])
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np


def float32_rounded(value: float) -> float:
    """``value`` rounded to float32, as ``ops.cast(value, dtype)`` does on the TF backend.

    Examples
    --------
    >>> float32_rounded(0.9)
    0.8999999761581421
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.number)):
        raise TypeError(f"value must be a number, got {type(value).__name__}")
    return float(np.float32(value))


class UpdateRule:
    """Base class: the slots of one optimizer for one parameter array.

    Subclasses set ``keras_class`` (the class name in ``keras.optimizers``),
    ``source`` (the mirrored file) and ``hyperparameters`` (the ``get_config()``
    keys they read, besides the base-class ones).
    """

    keras_class: ClassVar[str] = ""
    source: ClassVar[str] = ""
    hyperparameters: ClassVar[tuple[str, ...]] = ()
    zero_slots: ClassVar[tuple[str, ...]] = ()

    def __init__(self, config: Mapping[str, Any], initial: np.ndarray, path: str) -> None:
        self.config = dict(config)
        self.path = path
        self.state: dict[str, np.ndarray] = self.init_state(np.asarray(initial, dtype=np.float64))

    def init_state(self, initial: np.ndarray) -> dict[str, np.ndarray]:
        """Slots created by ``build``: one zero array per name in ``zero_slots``.

        Optimizers whose slots start elsewhere (Adagrad's accumulator, Nadam's
        scalar product...) extend this.
        """
        return {name: np.zeros_like(initial) for name in self.zero_slots}

    def weight_decay(self, config: Mapping[str, Any]) -> float | None:
        r"""Decoupled decay factor used by ``_apply_weight_decay``:
        :math:`\theta \leftarrow \theta - \theta\,\lambda\,\eta` before ``update_step``."""
        return config["weight_decay"]

    def before_updates(self, step: int) -> None:
        """Optimizer-wide work done once per update before the per-variable steps."""

    def update(self, theta: np.ndarray, g: np.ndarray, lr: float, step: int) -> np.ndarray:
        """Return the parameter after one ``update_step``; update ``self.state``."""
        raise NotImplementedError


class SGDRule(UpdateRule):
    r"""SGD (``sgd.py``).

    Without momentum :math:`\theta \leftarrow \theta - \eta g`. With momentum
    :math:`\mu`: :math:`m \leftarrow \mu m - \eta g`, then
    :math:`\theta \leftarrow \theta + m`, or with ``nesterov``
    :math:`\theta \leftarrow \theta + \mu m - \eta g`.
    """

    keras_class = "SGD"
    source = "keras/src/optimizers/sgd.py"
    hyperparameters = ("momentum", "nesterov")
    zero_slots = ("momentum",)

    def update(self, theta, g, lr, step):
        if self.config["momentum"] == 0:
            return theta - g * lr
        mu = float32_rounded(self.config["momentum"])
        m = self.state["momentum"] = self.state["momentum"] * mu - g * lr
        if self.config["nesterov"]:
            return theta + (m * mu - g * lr)
        return theta + m


class RMSpropRule(UpdateRule):
    r"""RMSprop (``rmsprop.py``).

    :math:`v \leftarrow \rho v + (1-\rho) g^2`; if ``centered``,
    :math:`\bar g \leftarrow \rho \bar g + (1-\rho) g` and
    :math:`d = v - \bar g^2 + \epsilon`, else :math:`d = v + \epsilon`
    (epsilon *inside* the square root);
    :math:`\Delta = \eta g / \sqrt{d}`. With momentum :math:`\mu > 0`:
    :math:`m \leftarrow \mu m + \Delta`, :math:`\theta \leftarrow \theta - m`;
    else :math:`\theta \leftarrow \theta - \Delta`.
    """

    keras_class = "RMSprop"
    source = "keras/src/optimizers/rmsprop.py"
    hyperparameters = ("rho", "momentum", "epsilon", "centered")
    zero_slots = ("velocity", "momentum", "average_gradient")

    def update(self, theta, g, lr, step):
        c, s = self.config, self.state
        rho = c["rho"]
        s["velocity"] = rho * s["velocity"] + (1 - rho) * g**2
        if c["centered"]:
            s["average_gradient"] = rho * s["average_gradient"] + (1 - rho) * g
            denominator = s["velocity"] - s["average_gradient"] ** 2 + c["epsilon"]
        else:
            denominator = s["velocity"] + c["epsilon"]
        increment = lr * g / np.sqrt(denominator)
        if c["momentum"] > 0:
            s["momentum"] = c["momentum"] * s["momentum"] + increment
            return theta - s["momentum"]
        return theta - increment


class AdagradRule(UpdateRule):
    r"""Adagrad (``adagrad.py``).

    :math:`a_0 =` ``initial_accumulator_value`` (float32-rounded by ``initializers.Constant``);
    :math:`a \leftarrow a + g^2`;
    :math:`\theta \leftarrow \theta - \eta g / \sqrt{a + \epsilon}`.
    """

    keras_class = "Adagrad"
    source = "keras/src/optimizers/adagrad.py"
    hyperparameters = ("initial_accumulator_value", "epsilon")

    def init_state(self, initial):
        return {"accumulator": np.full_like(initial, float32_rounded(self.config["initial_accumulator_value"]))}

    def update(self, theta, g, lr, step):
        self.state["accumulator"] = self.state["accumulator"] + g**2
        return theta - lr * g / np.sqrt(self.state["accumulator"] + self.config["epsilon"])


class AdadeltaRule(UpdateRule):
    r"""Adadelta (``adadelta.py``).

    :math:`E_g \leftarrow \rho E_g + (1-\rho) g^2`;
    :math:`\delta = -\sqrt{E_\delta + \epsilon}\, g / \sqrt{E_g + \epsilon}`;
    :math:`E_\delta \leftarrow \rho E_\delta + (1-\rho)\delta^2`;
    :math:`\theta \leftarrow \theta + \eta\,\delta`. The paper has no
    :math:`\eta` (it is 1); Keras multiplies by the learning rate.
    """

    keras_class = "Adadelta"
    source = "keras/src/optimizers/adadelta.py"
    hyperparameters = ("rho", "epsilon")
    zero_slots = ("accumulated_grad", "accumulated_delta_var")

    def update(self, theta, g, lr, step):
        c, s = self.config, self.state
        rho, eps = c["rho"], c["epsilon"]
        s["accumulated_grad"] = rho * s["accumulated_grad"] + (1 - rho) * g**2
        delta = -np.sqrt(s["accumulated_delta_var"] + eps) * g / np.sqrt(s["accumulated_grad"] + eps)
        s["accumulated_delta_var"] = rho * s["accumulated_delta_var"] + (1 - rho) * delta**2
        return theta + lr * delta


def _adam_moments(state: dict[str, np.ndarray], g: np.ndarray, beta_1: float, beta_2: float) -> None:
    state["momentum"] = state["momentum"] + (g - state["momentum"]) * (1 - beta_1)
    state["velocity"] = state["velocity"] + (g**2 - state["velocity"]) * (1 - beta_2)


class AdamRule(UpdateRule):
    r"""Adam (``adam.py``); AdamW (``adamw.py``) is this rule plus decoupled weight decay.

    :math:`m \leftarrow m + (g - m)(1-\beta_1)`,
    :math:`v \leftarrow v + (g^2 - v)(1-\beta_2)`; with ``amsgrad``
    :math:`\hat v \leftarrow \max(\hat v, v)` replaces :math:`v` below;
    :math:`\alpha = \eta \sqrt{1-\beta_2^t} / (1-\beta_1^t)`;
    :math:`\theta \leftarrow \theta - \alpha m / (\sqrt{v} + \epsilon)`
    (epsilon outside the root, not bias-corrected: "epsilon hat").
    """

    keras_class = "Adam"
    source = "keras/src/optimizers/adam.py"
    hyperparameters = ("beta_1", "beta_2", "epsilon", "amsgrad")
    zero_slots = ("momentum", "velocity", "velocity_hat")

    def update(self, theta, g, lr, step):
        c, s = self.config, self.state
        alpha = lr * np.sqrt(1 - float32_rounded(c["beta_2"]) ** step) / (
            1 - float32_rounded(c["beta_1"]) ** step)
        _adam_moments(s, g, c["beta_1"], c["beta_2"])
        v = s["velocity"]
        if c["amsgrad"]:
            v = s["velocity_hat"] = np.maximum(s["velocity_hat"], v)
        return theta - s["momentum"] * alpha / (np.sqrt(v) + c["epsilon"])


class AdamWRule(AdamRule):
    r"""AdamW (``adamw.py``): exactly :class:`AdamRule`; the decoupled decay
    :math:`\theta \leftarrow \theta(1 - \lambda\eta)` comes from the base class
    (``weight_decay`` defaults to 0.004 and may not be None)."""

    keras_class = "AdamW"
    source = "keras/src/optimizers/adamw.py"


class AdamaxRule(UpdateRule):
    r"""Adamax (``adamax.py``).

    :math:`m \leftarrow m + (g - m)(1-\beta_1)`,
    :math:`u \leftarrow \max(\beta_2 u, |g|)`,
    :math:`\theta \leftarrow \theta - \eta m / ((1-\beta_1^t)(u + \epsilon))`.
    """

    keras_class = "Adamax"
    source = "keras/src/optimizers/adamax.py"
    hyperparameters = ("beta_1", "beta_2", "epsilon")
    zero_slots = ("momentum", "norm")

    def update(self, theta, g, lr, step):
        c, s = self.config, self.state
        s["momentum"] = s["momentum"] + (g - s["momentum"]) * (1 - c["beta_1"])
        s["norm"] = np.maximum(c["beta_2"] * s["norm"], np.abs(g))
        return theta - lr * s["momentum"] / ((1 - float32_rounded(c["beta_1"]) ** step) * (s["norm"] + c["epsilon"]))


class NadamRule(UpdateRule):
    r"""Nadam (``nadam.py``), Dozat's momentum schedule with the fixed 0.96.

    :math:`\mu_t = \beta_1(1 - \tfrac12 0.96^{t})`; the optimizer-wide product
    :math:`\Pi_t = \prod_{i \le t}\mu_i` is updated once per update;
    :math:`m, v` as in Adam;
    :math:`\hat m = \mu_{t+1} m / (1 - \Pi_t\mu_{t+1}) + (1-\mu_t) g / (1 - \Pi_t)`,
    :math:`\hat v = v / (1-\beta_2^t)`,
    :math:`\theta \leftarrow \theta - \eta \hat m / (\sqrt{\hat v} + \epsilon)`.
    Keras 2.2.4 computed :math:`\mu_t = \beta_1(1 - \tfrac12 0.96^{t s})` with
    ``schedule_decay`` :math:`s` = 0.004 (``keras/optimizers.py`` L645-L651 at tag
    2.2.4); Keras 3's fixed :math:`0.96^{t}` equals that rule with :math:`s = 1`,
    a 250x faster warm-up, and ``schedule_decay`` is no longer an argument.
    """

    keras_class = "Nadam"
    source = "keras/src/optimizers/nadam.py"
    hyperparameters = ("beta_1", "beta_2", "epsilon")

    zero_slots = ("momentum", "velocity")

    def init_state(self, initial):
        return {**super().init_state(initial), "u_product": np.ones(())}

    @staticmethod
    def _mu(beta_1: float, decay: float, step: int) -> float:
        return beta_1 * (1.0 - 0.5 * decay**step)

    def before_updates(self, step):
        # ``_backend_update_step`` uses the Python floats beta_1 and 0.96 as they are.
        self.state["u_product"] = self.state["u_product"] * self._mu(self.config["beta_1"], 0.96, step)

    def update(self, theta, g, lr, step):
        s = self.state
        # ``update_step`` casts beta_1, beta_2 and 0.96 (float32-rounded).
        beta_1, beta_2 = float32_rounded(self.config["beta_1"]), float32_rounded(self.config["beta_2"])
        decay = float32_rounded(0.96)
        u_t, u_next = self._mu(beta_1, decay, step), self._mu(beta_1, decay, step + 1)
        product, product_next = s["u_product"], s["u_product"] * u_next
        _adam_moments(s, g, beta_1, beta_2)
        m_hat = u_next * s["momentum"] / (1 - product_next) + (1 - u_t) * g / (1 - product)
        v_hat = s["velocity"] / (1 - beta_2**step)
        return theta - m_hat * lr / (np.sqrt(v_hat) + self.config["epsilon"])


class FtrlRule(UpdateRule):
    r"""FTRL-Proximal (``ftrl.py``), with :math:`p` = ``learning_rate_power``.

    :math:`\lambda_2' = \lambda_2 + \beta / (2\eta)`;
    :math:`\tilde g = g + 2\lambda_{\text{shrink}}\theta`;
    :math:`n' = n + g^2`;
    :math:`z \leftarrow z + \tilde g - (n'^{-p} - n^{-p})\theta / \eta`;
    :math:`\theta \leftarrow (\mathrm{clip}(z, -\lambda_1, \lambda_1) - z) /
    (n'^{-p}/\eta + 2\lambda_2')`; :math:`n \leftarrow n'`.
    """

    keras_class = "Ftrl"
    source = "keras/src/optimizers/ftrl.py"
    hyperparameters = ("learning_rate_power", "initial_accumulator_value",
                       "l1_regularization_strength", "l2_regularization_strength",
                       "l2_shrinkage_regularization_strength", "beta")

    zero_slots = ("linear",)

    def init_state(self, initial):
        accumulator = np.full_like(initial, float32_rounded(self.config["initial_accumulator_value"]))
        return {**super().init_state(initial), "accumulator": accumulator}

    def update(self, theta, g, lr, step):
        c, s = self.config, self.state
        power = -c["learning_rate_power"]
        l1 = c["l1_regularization_strength"]
        l2 = c["l2_regularization_strength"] + c["beta"] / (2.0 * lr)
        grad_to_use = g + 2 * c["l2_shrinkage_regularization_strength"] * theta
        accumulator = s["accumulator"]
        new_accumulator = accumulator + g**2
        s["linear"] = s["linear"] + (
            grad_to_use - (new_accumulator**power - accumulator**power) / lr * theta)
        quadratic = new_accumulator**power / lr + 2 * l2
        s["accumulator"] = new_accumulator
        return (np.clip(s["linear"], -l1, l1) - s["linear"]) / quadratic


class LionRule(UpdateRule):
    r"""Lion (``lion.py``).

    :math:`\theta \leftarrow \theta - \eta\,\mathrm{sign}(\beta_1 m + (1-\beta_1) g)`,
    then :math:`m \leftarrow \beta_2 m + (1-\beta_2) g`. Every coordinate moves
    by exactly :math:`\pm\eta` (or 0 where the argument of sign is 0).
    """

    keras_class = "Lion"
    source = "keras/src/optimizers/lion.py"
    hyperparameters = ("beta_1", "beta_2")
    zero_slots = ("momentum",)

    def update(self, theta, g, lr, step):
        s = self.state
        beta_1, beta_2 = float32_rounded(self.config["beta_1"]), float32_rounded(self.config["beta_2"])
        new = theta - lr * np.sign(s["momentum"] * beta_1 + g * (1.0 - beta_1))
        s["momentum"] = s["momentum"] * beta_2 + g * (1.0 - beta_2)
        return new


class LambRule(UpdateRule):
    r"""LAMB (``lamb.py``): Adam's direction rescaled by a layer-wise trust ratio.

    :math:`m, v` as in Adam; :math:`u = (m/(1-\beta_1^t)) /
    (\sqrt{v/(1-\beta_2^t)} + \epsilon)`;
    :math:`r = \lVert\theta\rVert / \lVert u\rVert` (1 if either norm is 0);
    :math:`\theta \leftarrow \theta - r\,\eta\,u`. The norms are over the whole
    array (one "layer" = one variable).
    """

    keras_class = "Lamb"
    source = "keras/src/optimizers/lamb.py"
    hyperparameters = ("beta_1", "beta_2", "epsilon")
    zero_slots = ("momentum", "velocity")

    def update(self, theta, g, lr, step):
        c, s = self.config, self.state
        _adam_moments(s, g, c["beta_1"], c["beta_2"])
        m_hat = s["momentum"] / (1.0 - float32_rounded(c["beta_1"]) ** step)
        v_hat = s["velocity"] / (1.0 - float32_rounded(c["beta_2"]) ** step)
        u = m_hat / (np.sqrt(v_hat) + c["epsilon"])
        w_norm, u_norm = np.sqrt(np.sum(theta**2)), np.sqrt(np.sum(u**2))
        ratio = w_norm / u_norm if (w_norm > 0 and u_norm > 0) else 1.0
        return theta - ratio * lr * u


def _rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x))))


class AdafactorRule(UpdateRule):
    r"""Adafactor (``adafactor.py``).

    :math:`\rho_t = \min(\eta, 1/\sqrt t)` (``relative_step`` changes nothing:
    Keras takes this minimum in both cases);
    :math:`\alpha_t = \max(\epsilon_2, \mathrm{RMS}(\theta))\,\rho_t`;
    :math:`\hat\beta_{2,t} = 1 - t^{c}` with :math:`c` = ``beta_2_decay``;
    :math:`G = g^2 + \epsilon_1`. For arrays of rank >= 2, factored second
    moments over the last two axes: :math:`r \leftarrow \hat\beta r +
    (1-\hat\beta)\,\mathrm{mean}_{-1} G`, :math:`c \leftarrow \hat\beta c +
    (1-\hat\beta)\,\mathrm{mean}_{-2} G`,
    :math:`v = (r / \mathrm{mean}_{-1} r)\, c`; otherwise
    :math:`v \leftarrow \hat\beta v + (1-\hat\beta) G`. Then
    :math:`u = g/\sqrt v`, :math:`\hat u = u / \max(1, \mathrm{RMS}(u)/d)`,
    :math:`\theta \leftarrow \theta - \alpha_t \hat u`.
    """

    keras_class = "Adafactor"
    source = "keras/src/optimizers/adafactor.py"
    hyperparameters = ("beta_2_decay", "epsilon_1", "epsilon_2", "clip_threshold", "relative_step")

    def init_state(self, initial):
        state = {"velocity": np.zeros_like(initial)}
        if initial.ndim >= 2:
            state["r"] = np.zeros(initial.shape[:-1])
            state["c"] = np.zeros(initial.shape[:-2] + initial.shape[-1:])
        return state

    def update(self, theta, g, lr, step):
        c, s = self.config, self.state
        rho = min(lr, 1.0 / np.sqrt(step))
        alpha = max(float32_rounded(c["epsilon_2"]), _rms(theta)) * rho
        square = g**2 + c["epsilon_1"]
        beta = 1.0 - float(step) ** c["beta_2_decay"]
        if theta.ndim >= 2:
            s["r"] = beta * s["r"] + (1 - beta) * square.mean(axis=-1)
            s["c"] = beta * s["c"] + (1 - beta) * square.mean(axis=-2)
            row = s["r"] / s["r"].mean(axis=-1, keepdims=True)
            s["velocity"] = row[..., :, None] * s["c"][..., None, :]
        else:
            s["velocity"] = beta * s["velocity"] + (1 - beta) * square
        u = g / np.sqrt(s["velocity"])
        u_hat = u / max(1.0, _rms(u) / c["clip_threshold"])
        return theta - alpha * u_hat


def newton_schulz5(x: np.ndarray, steps: int, a: float, b: float, c: float) -> np.ndarray:
    r"""Muon's quintic Newton-Schulz orthogonalisation (``muon.py``,
    ``zeropower_via_newtonschulz5``): work on the wide orientation,
    :math:`X \leftarrow X / (\lVert X\rVert_F + 10^{-7})`, then ``steps`` times
    :math:`A = XX^\top`, :math:`X \leftarrow aX + (bA + cA^2)X`.

    Examples
    --------
    >>> import numpy as np
    >>> out = newton_schulz5(np.eye(2) * 3.0, 5, 3.4445, -4.7750, 2.0315)
    >>> out.shape
    (2, 2)
    """
    from kwhelpers import _checks

    x = _checks.numeric_array(x, "x").astype(np.float64)
    if x.ndim < 2:
        raise ValueError(f"x must be a matrix (or a stack of them), got shape {x.shape}")
    steps = _checks.integer(steps, "steps", minimum=0)
    a, b, c = (_checks.real(value, name) for value, name in ((a, "a"), (b, "b"), (c, "c")))
    tall = x.shape[-2] > x.shape[-1]
    if tall:
        x = np.swapaxes(x, -1, -2)
    x = x / (np.linalg.norm(x, axis=(-2, -1), keepdims=True) + 1e-7)
    for _ in range(steps):
        gram = x @ np.swapaxes(x, -1, -2)
        x = a * x + (b * gram + c * gram @ gram) @ x
    return np.swapaxes(x, -1, -2) if tall else x


class MuonRule(UpdateRule):
    r"""Muon (``muon.py``): Newton-Schulz-orthogonalised momentum for 2-D
    parameters, AdamW for the rest.

    A parameter uses the AdamW branch when it is not 2-D, when
    ``exclude_embeddings`` and its path contains "embedding", or when a pattern
    of ``exclude_layers`` matches its path (``re.search``). AdamW branch: Adam
    with ``adam_beta_1/2``, ``epsilon`` and learning rate
    :math:`\eta\cdot` ``adam_lr_ratio``, decay ``adam_weight_decay``. Muon
    branch: :math:`m \leftarrow \mu m + g`; :math:`G = g + \mu m` (nesterov)
    or :math:`m`; :math:`U = \mathrm{NS}_5(G)`;
    :math:`\theta \leftarrow \theta - \eta U \cdot s` with
    :math:`s = \sqrt{\max(n_0, n_1)}\cdot` ``rms_rate`` (1 if None); decay
    ``weight_decay``.
    """

    keras_class = "Muon"
    source = "keras/src/optimizers/muon.py"
    hyperparameters = ("adam_beta_1", "adam_beta_2", "epsilon", "exclude_layers", "muon_a",
                       "muon_b", "muon_c", "adam_lr_ratio", "momentum", "ns_steps", "nesterov",
                       "exclude_embeddings", "adam_weight_decay", "rms_rate")

    def init_state(self, initial):
        c = self.config
        self.use_adamw = (
            initial.ndim != 2
            or (c["exclude_embeddings"] and "embedding" in self.path.lower())
            or any(re.search(keyword, self.path) for keyword in c["exclude_layers"]))
        state = {"momentum": np.zeros_like(initial)}
        if self.use_adamw:
            state["velocity"] = np.zeros_like(initial)
        return state

    def weight_decay(self, config):
        return config["adam_weight_decay"] if self.use_adamw else config["weight_decay"]

    def update(self, theta, g, lr, step):
        c, s = self.config, self.state
        if self.use_adamw:
            # ``learning_rate * adam_lr_ratio`` is computed on the float32 learning-rate variable.
            lr = float32_rounded(lr * c["adam_lr_ratio"])
            alpha = lr * np.sqrt(1 - float32_rounded(c["adam_beta_2"]) ** step) / (
                1 - float32_rounded(c["adam_beta_1"]) ** step)
            _adam_moments(s, g, c["adam_beta_1"], c["adam_beta_2"])
            return theta - s["momentum"] * alpha / (np.sqrt(s["velocity"]) + c["epsilon"])
        s["momentum"] = s["momentum"] + (g + s["momentum"] * (c["momentum"] - 1))
        direction = g + c["momentum"] * s["momentum"] if c["nesterov"] else s["momentum"]
        update = lr * newton_schulz5(direction, c["ns_steps"], c["muon_a"], c["muon_b"], c["muon_c"])
        if c["rms_rate"] is not None:
            update = update * np.sqrt(max(theta.shape[0], theta.shape[1])) * c["rms_rate"]
        return theta - update


class ScheduleFreeAdamWRule(UpdateRule):
    r"""Schedule-free AdamW (``schedule_free_adamw.py``), as run by the TensorFlow backend.

    The parameter holds :math:`y`; the slot ``momentum`` holds :math:`z`
    (initialised to :math:`\theta_0`). With warm-up
    :math:`\eta_t = \eta\min(t/T_w, 1)`:
    :math:`v \leftarrow v + (g^2 - v)(1-\beta_2)`;
    :math:`z \leftarrow z - \eta_t g / (\sqrt{v/(1-\beta_2^t)} + \epsilon)`;
    :math:`x = (y - (1-\beta_1) z_{\text{old}})/\beta_1`;
    :math:`x' = (1 - 1/t)\,x + z/t`;
    :math:`y \leftarrow (1-\beta_1) z + \beta_1 x'`.

    On the TensorFlow backend ``momentum.value`` is the live ``tf.Variable``,
    not a snapshot, so :math:`z_{\text{old}}` is read *after* the
    ``assign_sub``: it equals the new :math:`z`. On JAX ``.value`` is an
    immutable array, the old :math:`z`. The rule follows the running backend
    (``z_old_is_snapshot=None``); set the class attribute to True or False to
    force one reading.
    """

    keras_class = "ScheduleFreeAdamW"
    source = "keras/src/optimizers/schedule_free_adamw.py"
    hyperparameters = ("beta_1", "beta_2", "epsilon", "warmup_steps")
    z_old_is_snapshot: ClassVar[bool | None] = None  # None: as the running backend does

    def init_state(self, initial):
        return {"momentum": initial.copy(), "velocity": np.zeros_like(initial)}

    def _snapshot(self) -> bool:
        if self.z_old_is_snapshot is not None:
            return bool(self.z_old_is_snapshot)
        import keras

        return keras.backend.backend() in SNAPSHOT_BACKENDS

    def update(self, theta, g, lr, step):
        c, s = self.config, self.state
        b1, b2 = float32_rounded(c["beta_1"]), float32_rounded(c["beta_2"])
        if c["warmup_steps"] > 0:
            lr = lr * min(step / c["warmup_steps"], 1.0)
        z_before = s["momentum"]
        s["velocity"] = s["velocity"] + (g**2 - s["velocity"]) * (1 - b2)
        denominator = np.sqrt(s["velocity"] / (1 - b2**step)) + float32_rounded(c["epsilon"])
        s["momentum"] = z_before - lr * g / denominator
        z_old = z_before if self._snapshot() else s["momentum"]
        weight = 1.0 / step
        x_old = (theta - (1 - b1) * z_old) / b1
        x_new = (1 - weight) * x_old + weight * s["momentum"]
        return (1 - b1) * s["momentum"] + b1 * x_new


# Backends on which ScheduleFreeAdamW's ``momentum.value`` is the value before the update.
SNAPSHOT_BACKENDS = ("jax",)

RULES: dict[str, type[UpdateRule]] = {
    rule.keras_class: rule
    for rule in (SGDRule, RMSpropRule, AdagradRule, AdadeltaRule, AdamRule, AdamWRule, AdamaxRule,
                 NadamRule, FtrlRule, LionRule, LambRule, AdafactorRule, MuonRule,
                 ScheduleFreeAdamWRule)
}
