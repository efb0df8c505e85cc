"""Reproducible, quiet TensorFlow/Keras sessions for the notebooks and tests.

`setup` is the first thing every notebook calls. It must run before anything
imports TensorFlow, because TensorFlow's C++ runtime writes its start-up notices
(``WARNING: All log messages before absl::InitializeLog()...``, the oneDNN and
``cpu_feature_guard`` lines) straight to file descriptor 2. A Jupyter kernel
captures that descriptor into the notebook, sometimes and not always, and a
stored stderr line makes nbval flaky. ``TF_CPP_MIN_LOG_LEVEL=3`` alone does not
stop those lines, so `setup` silences them at the descriptor level:

* while TensorFlow is imported and its devices are created, descriptor 2 points
  at a log file (see `EnvironmentReport.native_log`);
* inside a Jupyter kernel, descriptor 2 stays pointed at that file, so later C++
  log lines (for example ``Local rendezvous is aborting``) never reach the
  notebook. Python's own ``sys.stderr`` is untouched: warnings and tracebacks
  raised by Python code are still shown.

Environment variables read by `setup`:

``KWHELPERS_THREADS``
    If set to a positive integer, TensorFlow's intra- and inter-op thread
    pools get that many threads (``make test-numerics`` uses 1).
``KWHELPERS_SETUP_LOG``
    If set to a path, `setup` appends its report there as a JSON line; the
    report runner uses it to learn each notebook's seed and devices.
"""

from __future__ import annotations

import dataclasses
import os
import platform
import random
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_QUIET_ENV = {
    "TF_CPP_MIN_LOG_LEVEL": "3",
    "TF_CPP_MIN_VLOG_LEVEL": "0",
    "ABSL_MIN_LOG_LEVEL": "3",
    "GRPC_VERBOSITY": "ERROR",
    "GLOG_minloglevel": "3",
}
_THREADS_VARIABLE = "KWHELPERS_THREADS"
SETUP_LOG_VARIABLE = "KWHELPERS_SETUP_LOG"
_state: dict[str, Any] = {"native_log": None, "threads_applied": None}


@dataclasses.dataclass(frozen=True)
class EnvironmentReport:
    """What `setup` configured, shown as a two-column table in notebooks."""

    seed: int
    python: str
    platform: str
    tensorflow: str
    keras: str
    keras_backend: str
    numpy: str
    devices: tuple[str, ...]
    gpus: int
    op_determinism: bool
    tf32: bool
    intra_op_threads: int
    inter_op_threads: int
    onednn_opts: str
    native_log: str

    def as_dict(self) -> dict[str, str]:
        """Return the report as ``{field: printable value}``."""
        return {
            field.name: (", ".join(value) if isinstance(value, tuple) else str(value))
            for field in dataclasses.fields(self)
            for value in [getattr(self, field.name)]
        }

    def to_frame(self):  # -> pandas.DataFrame (pandas imported lazily)
        """Return the report as a one-column :class:`pandas.DataFrame`."""
        import pandas as pd

        return pd.DataFrame.from_dict(self.as_dict(), orient="index", columns=["value"])

    def _repr_html_(self) -> str:
        return self.to_frame()._repr_html_()

    def __str__(self) -> str:
        width = max(len(k) for k in self.as_dict())
        return "\n".join(f"{k:<{width}}  {v}" for k, v in self.as_dict().items())


def _in_jupyter_kernel() -> bool:
    return "ipykernel" in sys.modules and type(sys.stderr).__module__.startswith("ipykernel")


def _native_log_path() -> str:
    if _state["native_log"] is None:
        handle, path = tempfile.mkstemp(prefix=f"kwhelpers-native-{os.getpid()}-", suffix=".log")
        os.close(handle)
        _state["native_log"] = path
    return _state["native_log"]


@contextmanager
def _stderr_descriptor_to(path: str) -> Iterator[None]:
    """Point file descriptor 2 at ``path`` for the duration of the block."""
    sys.stderr.flush()
    saved = os.dup(2)
    target = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.dup2(target, 2)
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)
        os.close(target)


def _redirect_native_stderr_for_good(path: str) -> None:
    target = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    os.dup2(target, 2)
    os.close(target)


def _threads_from_environment() -> int | None:
    raw = os.environ.get(_THREADS_VARIABLE)
    if raw is None or raw == "":
        return None
    try:
        threads = int(raw)
    except ValueError:
        threads = 0
    if threads < 1:
        raise ValueError(
            f"environment variable {_THREADS_VARIABLE} must be a positive integer, got {raw!r}"
        )
    return threads


def _validate_seed(seed: object) -> int:
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"seed must be an int, got {type(seed).__name__} ({seed!r})")
    if not 0 <= seed < 2**32:
        raise ValueError(f"seed must be in [0, 2**32), got {seed}")
    return seed


def _configure_tensorflow(threads: int | None) -> None:
    """Import TensorFlow and set the process-wide options (idempotent)."""
    import tensorflow as tf

    if threads is not None and _state["threads_applied"] is None:
        try:
            tf.config.threading.set_intra_op_parallelism_threads(threads)
            tf.config.threading.set_inter_op_parallelism_threads(threads)
            _state["threads_applied"] = threads
        except RuntimeError as error:  # runtime already initialised by someone else
            raise RuntimeError(
                f"{_THREADS_VARIABLE}={threads} could not be applied: TensorFlow's runtime "
                "was initialised before kwhelpers.setup(); call setup() first"
            ) from error
    for gpu in tf.config.list_physical_devices("GPU"):
        try:
            tf.config.experimental.set_memory_growth(gpu, True)
        except RuntimeError:  # already initialised: the setting is fixed for this process
            pass
    tf.config.experimental.enable_tensor_float_32_execution(False)
    tf.config.experimental.enable_op_determinism()
    tf.constant(0.0) + 1.0  # create the devices now, while stderr is redirected
    tf.get_logger().setLevel("ERROR")
    import absl.logging

    absl.logging.set_verbosity(absl.logging.ERROR)


def setup(seed: int = 0) -> EnvironmentReport:
    """Make this process reproducible and quiet, then describe it.

    Seeds Python, NumPy and Keras (``keras.utils.set_random_seed``), turns on
    TensorFlow op determinism, turns TF32 off, enables GPU memory growth and
    keeps TensorFlow's C++ log lines out of the notebook (see the module
    docstring). Safe to call again: a second call only re-seeds.

    Parameters
    ----------
    seed : int
        Seed for every random number generator, in ``[0, 2**32)``.

    Returns
    -------
    EnvironmentReport
        Versions, devices, determinism flags and thread counts. It displays
        as a small table in a notebook.

    Examples
    --------
    >>> import kwhelpers as kw
    >>> report = kw.setup(seed=0)
    >>> report.op_determinism
    True
    """
    seed = _validate_seed(seed)
    threads = _threads_from_environment()
    for name, value in _QUIET_ENV.items():
        os.environ.setdefault(name, value)
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    if not _in_jupyter_kernel():
        os.environ.setdefault("MPLBACKEND", "Agg")

    log_path = _native_log_path()
    with _stderr_descriptor_to(log_path):
        _configure_tensorflow(threads)
    if _in_jupyter_kernel():
        _redirect_native_stderr_for_good(log_path)

    import keras
    import numpy as np

    random.seed(seed)
    np.random.seed(seed)
    keras.utils.set_random_seed(seed)
    report = environment_report(seed)
    _append_to_setup_log(report)
    return report


def _append_to_setup_log(report: EnvironmentReport) -> None:
    """Record the report for ``python -m kwhelpers report`` (which sets the variable)."""
    path = os.environ.get(SETUP_LOG_VARIABLE)
    if path:
        import json

        with open(path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(dataclasses.asdict(report)) + "\n")


def environment_report(seed: int) -> EnvironmentReport:
    """Describe the running TensorFlow/Keras environment.

    Parameters
    ----------
    seed : int
        The seed to record in the report (as passed to `setup`).

    Examples
    --------
    >>> import kwhelpers as kw
    >>> kw.setup(0).keras.startswith("3.")
    True
    """
    import keras
    import numpy as np
    import tensorflow as tf

    return EnvironmentReport(
        seed=seed,
        python=platform.python_version(),
        platform=f"{platform.system()} {platform.machine()}",
        tensorflow=tf.__version__,
        keras=keras.__version__,
        keras_backend=keras.backend.backend(),
        numpy=np.__version__,
        devices=tuple(d.name for d in tf.config.list_logical_devices()),
        gpus=len(tf.config.list_physical_devices("GPU")),
        op_determinism=_op_determinism_enabled(),
        tf32=tf.config.experimental.tensor_float_32_execution_enabled(),
        intra_op_threads=tf.config.threading.get_intra_op_parallelism_threads(),
        inter_op_threads=tf.config.threading.get_inter_op_parallelism_threads(),
        onednn_opts=os.environ.get("TF_ENABLE_ONEDNN_OPTS", "default"),
        native_log=_state["native_log"] or "",
    )


def _op_determinism_enabled() -> bool:
    # Not exported under tf.config in TF 2.21; the framework module has it.
    from tensorflow.python.framework import config as tf_framework_config

    return bool(tf_framework_config.is_op_determinism_enabled())
