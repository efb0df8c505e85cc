"""kwhelpers.setup: quiet at the descriptor level, seeded, deterministic, safe to repeat, per backend.

Starting Python with TensorFlow costs seconds, so each fresh process here checks several things at once.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys

import nbformat
import pytest
from nbclient import NotebookClient

import kwhelpers as kw


def test_setup_reports_determinism_and_versions():
    report = kw.setup(seed=0)
    assert report.deterministic_ops is True
    assert report.full_float32_matmul is True
    assert report.keras.startswith("3.")
    assert report.keras_backend == "tensorflow"
    assert report.seed == 0
    assert "CPU:0" in " ".join(report.devices)
    assert "/tmp" not in str(report) and "kwhelpers-native" not in str(report)  # no machine paths in outputs


def test_setup_twice_is_safe_and_reseeds():
    import keras

    kw.setup(seed=3)
    first = keras.random.uniform((4,)).numpy()
    kw.setup(seed=3)
    second = keras.random.uniform((4,)).numpy()
    kw.setup(seed=4)
    third = keras.random.uniform((4,)).numpy()
    assert (first == second).all()
    assert not (first == third).all()


def test_report_displays_as_a_table():
    report = kw.setup(seed=0)
    frame = report.to_frame()
    assert list(frame.columns) == ["value"]
    assert frame.loc["keras", "value"] == report.keras
    assert "<table" in report._repr_html_()
    assert str(report).splitlines()[0].startswith("seed")


@pytest.mark.parametrize("seed", ["1", 1.5, None, True])
def test_non_integer_seed_is_a_type_error(seed):
    with pytest.raises(TypeError, match="seed must be an int"):
        kw.setup(seed=seed)


@pytest.mark.parametrize("seed", [-1, 2**32])
def test_out_of_range_seed_is_a_value_error(seed):
    with pytest.raises(ValueError, match=r"seed must be in \[0, 2\*\*32\)"):
        kw.setup(seed=seed)


def test_unknown_backend_and_a_switch_are_clear_errors(monkeypatch):
    with pytest.raises(ValueError, match=r"backend must be one of \['tensorflow', 'jax', 'torch'\], got 'theano'"):
        kw.setup(0, backend="theano")
    monkeypatch.setenv("KERAS_BACKEND", "cntk")
    with pytest.raises(ValueError, match="environment variable KERAS_BACKEND must be one of"):
        kw.setup(0)
    monkeypatch.delenv("KERAS_BACKEND")
    kw.setup(0)
    with pytest.raises(RuntimeError, match="already runs on 'tensorflow'.*cannot switch to 'jax'"):
        kw.setup(0, backend="jax")


@pytest.mark.parametrize("value", ["two", "0", "-3"])
def test_bad_thread_variable_is_a_clear_error(monkeypatch, value):
    monkeypatch.setenv("KWHELPERS_THREADS", value)
    with pytest.raises(ValueError, match=f"KWHELPERS_THREADS must be a positive integer, got '{value}'"):
        kw.setup(0)


def test_native_log_tail_validates_its_argument():
    with pytest.raises(ValueError, match="lines must be a positive int"):
        kw.env.native_log_tail(0)


def _run_python(code: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**os.environ, **env}, timeout=180)


def test_fresh_process_is_quiet_threaded_logged_and_cleans_up(tmp_path):
    """One fresh process: no stderr at all, one thread, one ledger line per setup, the native log removed at exit."""
    ledger = tmp_path / "ledger.jsonl"
    code = (
        "import kwhelpers as kw, numpy as np\n"
        "kw.setup(5); r = kw.setup(6)\n"
        "import keras\n"
        "m = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)]); m.compile('sgd', 'mse')\n"
        "m.fit(np.ones((4, 2)), np.ones((4, 1)), verbose=0)\n"
        "print(r.threads); print(kw.env.native_log_path())\n"
    )
    result = _run_python(code, KWHELPERS_THREADS="1", KWHELPERS_LEDGER=str(ledger))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    threads, native_log = result.stdout.splitlines()
    assert threads.startswith("intra 1, inter 1")
    assert not os.path.exists(native_log)
    records = [json.loads(line) for line in ledger.read_text().splitlines()]
    assert [(r["kind"], r["seed"]) for r in records] == [("environment", 5), ("environment", 6)]
    assert "Adam" in records[0]["api"]["optimizers"] and "Hinge" in records[0]["api"]["losses"]


@pytest.mark.skipif(importlib.util.find_spec("jax") is None, reason="JAX is not installed (pip install -e '.[jax]')")
def test_jax_backend_is_quiet_and_asks_for_full_precision():
    result = _run_python("import kwhelpers as kw, jax; r = kw.setup(0, backend='jax');"
                         "print(r.keras_backend, r.full_float32_matmul, r.deterministic_ops,"
                         " jax.config.jax_default_matmul_precision)")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.split() == ["jax", "True", "True", "highest"]


def test_fresh_kernel_stores_no_native_stderr_but_shows_python_stderr():
    """The notebooks' first cell, then a fit, in a fresh kernel: only Python's own stderr reaches the notebook."""
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("import kwhelpers as kw\nkw.setup(seed=0);"),
        nbformat.v4.new_code_cell(
            "import keras, numpy as np\n"
            "m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])\n"
            "m.compile('sgd', 'mse')\n"
            "m.fit(np.ones((8, 3)), np.ones((8, 1)), epochs=2, verbose=0)\n"
            "print('trained')"),
        nbformat.v4.new_code_cell("import sys; print('visible', file=sys.stderr)"),
    ])
    NotebookClient(notebook, timeout=180, kernel_name="python3").execute()
    streams = [(o["name"], o["text"]) for cell in notebook.cells for o in cell.outputs
               if o["output_type"] == "stream"]
    assert streams == [("stdout", "trained\n"), ("stderr", "visible\n")]
