"""kwhelpers.setup: quiet at the descriptor level, seeded, deterministic, safe to repeat."""

from __future__ import annotations

import json
import subprocess
import sys

import nbformat
import pytest
from nbclient import NotebookClient

import kwhelpers as kw


def test_setup_reports_determinism_and_versions():
    report = kw.setup(seed=0)
    assert report.op_determinism is True
    assert report.tf32 is False
    assert report.keras.startswith("3.")
    assert report.keras_backend == "tensorflow"
    assert report.seed == 0
    assert "CPU:0" in " ".join(report.devices)


def test_setup_twice_is_safe_and_reseeds():
    import keras

    kw.setup(seed=3)
    first = keras.random.uniform((4,)).numpy()
    kw.setup(seed=3)
    second = keras.random.uniform((4,)).numpy()
    assert (first == second).all()


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


def _run_python(code: str, **env: str) -> subprocess.CompletedProcess:
    import os

    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**os.environ, **env}, timeout=120)


def test_plain_process_setup_writes_nothing_to_stderr():
    result = _run_python("import kwhelpers as kw; kw.setup(0); import keras; "
                         "keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])(__import__('numpy').ones((1, 2)))")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


def test_thread_variable_sets_tensorflow_pools():
    result = _run_python("import kwhelpers as kw; r = kw.setup(0); print(r.intra_op_threads, r.inter_op_threads)",
                         KWHELPERS_THREADS="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["1", "1"]


def test_bad_thread_variable_is_a_clear_error():
    result = _run_python("import kwhelpers as kw; kw.setup(0)", KWHELPERS_THREADS="two")
    assert result.returncode != 0
    assert "KWHELPERS_THREADS must be a positive integer, got 'two'" in result.stderr


def test_setup_log_receives_one_json_line_per_call(tmp_path):
    log = tmp_path / "setup.jsonl"
    result = _run_python("import kwhelpers as kw; kw.setup(5); kw.setup(6)", KWHELPERS_SETUP_LOG=str(log))
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in log.read_text().splitlines()]
    assert [r["seed"] for r in records] == [5, 6]


@pytest.mark.parametrize("attempt", range(2))
def test_fresh_kernel_stores_no_stderr(attempt):
    """The notebooks' first cell, then a fit, in a fresh kernel: no stderr output at all."""
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("import kwhelpers as kw\nkw.setup(seed=0);"),
        nbformat.v4.new_code_cell(
            "import keras, numpy as np\n"
            "m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])\n"
            "m.compile('sgd', 'mse')\n"
            "m.fit(np.ones((8, 3)), np.ones((8, 1)), epochs=2, verbose=0)\n"
            "print('trained')"),
    ])
    NotebookClient(notebook, timeout=120, kernel_name="python3").execute()
    streams = [(o["name"], o["text"]) for cell in notebook.cells for o in cell.outputs
               if o["output_type"] == "stream"]
    assert streams == [("stdout", "trained\n")]


def test_python_stderr_still_reaches_the_notebook():
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("import kwhelpers as kw\nkw.setup(seed=0);\n"
                                  "import sys; print('visible', file=sys.stderr)"),
    ])
    NotebookClient(notebook, timeout=120, kernel_name="python3").execute()
    outputs = notebook.cells[0].outputs
    assert [(o["name"], o["text"]) for o in outputs] == [("stderr", "visible\n")]
