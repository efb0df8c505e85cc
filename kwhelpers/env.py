"""Reproducible, quiet Keras sessions on the TensorFlow, JAX or PyTorch backend.

`setup` is the first thing every notebook calls. It must run before anything
imports Keras, because the backend is chosen when Keras is imported, and
because TensorFlow's C++ runtime writes its start-up notices
(``WARNING: All log messages before absl::InitializeLog()...``, the oneDNN and
``cpu_feature_guard`` lines) straight to file descriptor 2. A Jupyter kernel
captures that descriptor into the notebook, sometimes and not always, and a
stored stderr line makes nbval flaky. ``TF_CPP_MIN_LOG_LEVEL=3`` alone does not
stop those lines, so `setup` silences them at the descriptor level:

* while the backend is imported and its devices are created, descriptor 2
  points at a log file (`native_log_tail` prints its end);
* inside a Jupyter kernel, descriptor 2 stays pointed at that file, so later
  C++ log lines (for example ``Local rendezvous is aborting``) never reach the
  notebook. Python's own ``sys.stderr`` is untouched: warnings and tracebacks
  raised by Python code are still shown. The file is removed when the process
  exits normally; after a crash it stays, for `native_log_tail` to read.

NumPy's BLAS runs on one thread (see `_limit_blas_threads`). For each backend
`setup` asks for deterministic kernels and full float32 precision, so that a GPU run gives the numbers a CPU run gives as closely as
the backend allows: TensorFlow: op determinism, TF32 off; JAX: float32 matmuls
at "highest" precision and XLA's deterministic GPU ops; PyTorch: deterministic
algorithms, the cuBLAS workspace setting, "highest" float32 matmul precision,
TF32 off in cuBLAS and cuDNN.

Environment variables read by `setup`:

``KERAS_BACKEND``
    The backend when `setup` is not given one (default ``tensorflow``).
``KWHELPERS_THREADS``
    If set to a positive integer, the backend's CPU thread pools get that
    many threads (``make test-numerics`` uses 1).
``KWHELPERS_LEDGER``
    If set to a path, `setup` appends a description of the environment there
    as a JSON line, next to the claims (see `kwhelpers.claims`).
"""

from __future__ import annotations

import atexit
import dataclasses
import os
import platform
import random
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from kwhelpers.claims import BACKENDS, write_record

_QUIET_ENV = {
    "TF_CPP_MIN_LOG_LEVEL": "3",
    "TF_CPP_MIN_VLOG_LEVEL": "0",
    "ABSL_MIN_LOG_LEVEL": "3",
    "GRPC_VERBOSITY": "ERROR",
    "GLOG_minloglevel": "3",
}
_THREADS_VARIABLE = "KWHELPERS_THREADS"
_state: dict[str, Any] = {"native_log": None, "threads_applied": None, "backend": None}


@dataclasses.dataclass(frozen=True)
class EnvironmentReport:
    """What `setup` configured, shown as a two-column table in notebooks."""

    seed: int
    python: str
    platform: str
    keras: str
    keras_backend: str
    backend_version: str
    numpy: str
    devices: tuple[str, ...]
    gpus: int
    deterministic_ops: bool
    full_float32_matmul: bool
    threads: str
    onednn_opts: str

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


def _remove_native_log() -> None:
    path = _state["native_log"]
    if path:
        try:
            os.unlink(path)
        except OSError:
            pass


def _native_log_path() -> str:
    if _state["native_log"] is None:
        handle, path = tempfile.mkstemp(prefix=f"kwhelpers-native-{os.getpid()}-", suffix=".log")
        os.close(handle)
        _state["native_log"] = path
        atexit.register(_remove_native_log)
    return _state["native_log"]


def native_log_path() -> str | None:
    """The file that receives native log lines in this process (None before `setup`).

    Examples
    --------
    >>> import kwhelpers as kw
    >>> _ = kw.setup(0)
    >>> native_log_path().endswith(".log")
    True
    """
    return _state["native_log"]


def native_log_tail(lines: int = 20) -> str:
    """Return the last ``lines`` lines that native code (TensorFlow's C++ runtime, XLA) wrote.

    `setup` keeps those lines out of the notebook; read them here when
    something crashes or hangs without a Python traceback.

    Examples
    --------
    >>> import kwhelpers as kw
    >>> _ = kw.setup(0)
    >>> isinstance(native_log_tail(), str)
    True
    """
    if isinstance(lines, bool) or not isinstance(lines, int) or lines < 1:
        raise ValueError(f"lines must be a positive int, got {lines!r}")
    path = _state["native_log"]
    if not path or not os.path.exists(path):
        return ""
    with open(path, encoding="utf-8", errors="replace") as handle:
        return "".join(handle.readlines()[-lines:])


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


def _choose_backend(backend: object) -> str:
    """The backend to use: the argument, else ``KERAS_BACKEND``, else TensorFlow; refuse a switch."""
    if backend is None:
        backend = os.environ.get("KERAS_BACKEND") or "tensorflow"
        what = "environment variable KERAS_BACKEND"
    else:
        what = "backend"
    if backend not in BACKENDS:
        raise ValueError(f"{what} must be one of {list(BACKENDS)}, got {backend!r}")
    chosen = _state["backend"]
    if chosen is None and "keras" in sys.modules:
        chosen = sys.modules["keras"].backend.backend()
    if chosen is not None and chosen != backend:
        raise RuntimeError(f"backend: Keras already runs on {chosen!r} in this process and cannot switch "
                           f"to {backend!r}; restart the kernel and call setup() before importing keras")
    return str(backend)


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


def _configure_jax(threads: int | None) -> None:
    """Deterministic GPU ops and one CPU thread pool size must be set before JAX starts."""
    flags = os.environ.get("XLA_FLAGS", "")
    wanted = ["--xla_gpu_deterministic_ops=true"]
    if threads is not None:
        wanted += ["--xla_cpu_multi_thread_eigen=false", f"intra_op_parallelism_threads={threads}"]
    for flag in wanted:
        if flag not in flags:
            flags = f"{flags} {flag}".strip()
    os.environ["XLA_FLAGS"] = flags
    os.environ.setdefault("XLA_PYTHON_CLIENT_PREALLOCATE", "false")
    import jax

    jax.config.update("jax_default_matmul_precision", "highest")
    jax.numpy.zeros(1).block_until_ready()  # create the devices now, while stderr is redirected


def _configure_torch(threads: int | None) -> None:
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    import torch

    if threads is not None and _state["threads_applied"] is None:
        torch.set_num_threads(threads)
        _state["threads_applied"] = threads
    torch.use_deterministic_algorithms(True)
    torch.set_float32_matmul_precision("highest")
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.backends.cudnn.benchmark = False
    torch.zeros(1)


def _limit_blas_threads() -> None:
    """Run NumPy's BLAS on one thread.

    The suite's NumPy arrays are small, and idle BLAS threads spin beside
    the backend's own thread pool: on a 2-core machine running two notebooks
    at once, that made some notebooks up to four times slower. One thread
    also fixes the summation order of NumPy's matrix products.
    """
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")


_CONFIGURE = {"tensorflow": _configure_tensorflow, "jax": _configure_jax, "torch": _configure_torch}


def setup(seed: int = 0, backend: str | None = None) -> EnvironmentReport:
    """Make this process reproducible and quiet, then describe it.

    Chooses the Keras backend, seeds Python, NumPy and Keras
    (``keras.utils.set_random_seed``), asks the backend for deterministic
    kernels and full float32 precision and keeps native log lines out of the
    notebook (see the module docstring). Safe to call again: a second call
    only re-seeds.

    Parameters
    ----------
    seed : int
        Seed for every random number generator, in ``[0, 2**32)``.
    backend : {"tensorflow", "jax", "torch"}, optional
        The Keras backend; by default ``KERAS_BACKEND``, else TensorFlow. It
        must be chosen before Keras is imported and cannot change afterwards.

    Returns
    -------
    EnvironmentReport
        Versions, devices, determinism flags and thread counts. It displays
        as a small table in a notebook.

    Examples
    --------
    >>> import kwhelpers as kw
    >>> report = kw.setup(seed=0)
    >>> report.deterministic_ops
    True
    """
    seed = _validate_seed(seed)
    backend = _choose_backend(backend)
    threads = _threads_from_environment()
    for name, value in _QUIET_ENV.items():
        os.environ.setdefault(name, value)
    os.environ["KERAS_BACKEND"] = backend
    if not _in_jupyter_kernel():
        os.environ.setdefault("MPLBACKEND", "Agg")

    _limit_blas_threads()
    log_path = _native_log_path()
    with _stderr_descriptor_to(log_path):
        _CONFIGURE[backend](threads)
        import keras
        import numpy as np

        _state["backend"] = backend
        random.seed(seed)
        np.random.seed(seed)
        keras.utils.set_random_seed(seed)  # imports TensorFlow, when installed, on every backend
        report = environment_report(seed)
    if _in_jupyter_kernel():
        _redirect_native_stderr_for_good(log_path)
    write_record({"kind": "environment", **dataclasses.asdict(report), "api": exported_names()})
    return report


def exported_names() -> dict[str, list[str]]:
    """The public names of ``keras.optimizers``, ``keras.losses`` and ``keras.metrics``.

    The ledger records them, so an upgrade report can say which names a new
    Keras adds or removes.

    Examples
    --------
    >>> import kwhelpers as kw
    >>> _ = kw.setup(0)
    >>> "Adam" in exported_names()["optimizers"]
    True
    """
    import keras

    modules = {"optimizers": keras.optimizers, "losses": keras.losses, "metrics": keras.metrics}
    return {kind: sorted(name for name in dir(module) if not name.startswith("_") and name != "schedules")
            for kind, module in modules.items()}


def _backend_facts(backend: str) -> dict[str, Any]:
    """Version, devices and determinism settings as the running backend reports them."""
    if backend == "tensorflow":
        import tensorflow as tf
        from tensorflow.python.framework import config as tf_framework_config  # not exported in TF 2.21

        return {
            "version": tf.__version__,
            "devices": tuple(d.name for d in tf.config.list_logical_devices()),
            "gpus": len(tf.config.list_physical_devices("GPU")),
            "deterministic": bool(tf_framework_config.is_op_determinism_enabled()),
            "full_float32": not tf.config.experimental.tensor_float_32_execution_enabled(),
            "threads": f"intra {tf.config.threading.get_intra_op_parallelism_threads()}, "
                       f"inter {tf.config.threading.get_inter_op_parallelism_threads()} (0 = all cores)",
        }
    if backend == "jax":
        import jax

        return {
            "version": jax.__version__,
            "devices": tuple(str(d) for d in jax.devices()),
            "gpus": sum(d.platform == "gpu" for d in jax.devices()),
            "deterministic": "--xla_gpu_deterministic_ops=true" in os.environ.get("XLA_FLAGS", ""),
            "full_float32": jax.config.jax_default_matmul_precision == "highest",
            "threads": "1" if "intra_op_parallelism_threads=1" in os.environ.get("XLA_FLAGS", "") else "all cores",
        }
    import torch

    gpus = torch.cuda.device_count()
    return {
        "version": torch.__version__,
        "devices": ("cpu",) + tuple(torch.cuda.get_device_name(i) for i in range(gpus)),
        "gpus": gpus,
        "deterministic": torch.are_deterministic_algorithms_enabled(),
        "full_float32": torch.get_float32_matmul_precision() == "highest" and not torch.backends.cudnn.allow_tf32,
        "threads": str(torch.get_num_threads()),
    }


def environment_report(seed: int) -> EnvironmentReport:
    """Describe the running Keras environment.

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

    backend = keras.backend.backend()
    facts = _backend_facts(backend)
    return EnvironmentReport(
        seed=seed,
        python=platform.python_version(),
        platform=f"{platform.system()} {platform.machine()}",
        keras=keras.__version__,
        keras_backend=backend,
        backend_version=facts["version"],
        numpy=np.__version__,
        devices=facts["devices"],
        gpus=facts["gpus"],
        deterministic_ops=facts["deterministic"],
        full_float32_matmul=facts["full_float32"],
        threads=facts["threads"],
        onednn_opts=os.environ.get("TF_ENABLE_ONEDNN_OPTS", "default") if backend == "tensorflow" else "n/a",
    )
