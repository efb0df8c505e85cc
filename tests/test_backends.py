"""kwhelpers on the JAX and PyTorch backends: one fresh process per backend runs tests/backend_checks.py.

Each process calls ``kw.setup(0, backend=...)`` before anything imports Keras,
then runs a representative check of every module (gradients of
`kwhelpers.inspect` through ``jax.jacrev`` / ``torch.autograd``, the reference
optimizers against the backend's own optimizer classes, backend tensors given
to the references...). Both processes start together on first use, so the
suite waits for the slower one, not for their sum. A backend that is not
installed is skipped with its reason (CI installs JAX, not PyTorch).
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "tests" / "backend_checks.py"
BACKENDS = {"jax": "jax", "torch": "torch"}  # backend -> the package it needs
TIMEOUT_S = 900

sys.path.insert(0, str(SCRIPT.parent))
from backend_checks import CHECKS  # noqa: E402  (imports neither Keras nor a backend)

_runs: dict[str, tuple[subprocess.Popen, Path]] = {}
_results: dict[str, dict] = {}


def _installed(backend: str) -> bool:
    return importlib.util.find_spec(BACKENDS[backend]) is not None


def _start_all() -> None:
    for backend in BACKENDS:
        if backend in _runs or not _installed(backend):
            continue
        out = Path(tempfile.mkdtemp(prefix=f"kwhelpers-{backend}-")) / "results.json"
        env = {**os.environ, "KERAS_BACKEND": backend,
               "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
        env.pop("KWHELPERS_LEDGER", None)
        process = subprocess.Popen([sys.executable, str(SCRIPT), backend, str(out)], cwd=ROOT, env=env,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        _runs[backend] = (process, out)


def results(backend: str) -> dict:
    if not _installed(backend):
        pytest.skip(f"the {backend} backend needs the {BACKENDS[backend]!r} package, which is not "
                    "installed here")
    if backend not in _results:
        _start_all()
        process, out = _runs[backend]
        try:
            output, _ = process.communicate(timeout=TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
            pytest.fail(f"the {backend} checks ran past {TIMEOUT_S} s:\n{output[-3000:]}")
        if process.returncode != 0 or not out.exists():
            pytest.fail(f"the {backend} checks crashed (exit {process.returncode}):\n{output[-3000:]}")
        _results[backend] = json.loads(out.read_text())
    return _results[backend]


@pytest.mark.parametrize("backend", sorted(BACKENDS))
def test_the_process_runs_on_the_backend_asked_for(backend):
    assert results(backend)["__backend__"] == backend


@pytest.mark.parametrize("check", sorted(CHECKS))
@pytest.mark.parametrize("backend", sorted(BACKENDS))
def test_module_works_on_backend(backend, check):
    outcome = results(backend)[check]
    assert outcome == "ok", f"{check} on {backend}:\n{outcome}"
