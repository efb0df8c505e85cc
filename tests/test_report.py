"""The report runner: selection errors up front, keeps going past failures, leaves notebooks alone."""

from __future__ import annotations

import json
import subprocess
import sys

import nbformat
import pytest

from kwhelpers import report

ROOT = report.REPO_ROOT


def _notebook(path, *sources, question="Does it work?"):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(f"# Title\n**Question.** {question}")]
                                  + [nbformat.v4.new_code_cell(s) for s in sources])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


@pytest.fixture
def notebooks(tmp_path):
    folder = tmp_path / "notebooks"
    folder.mkdir()
    return [
        _notebook(folder / "01_ok.ipynb", "x = 1", "print(x + 1)"),
        _notebook(folder / "02_broken.ipynb", "x = 1", "raise RuntimeError('boom here')", "print('never')",
                  question="Will it fail?"),
        _notebook(folder / "03_after.ipynb", "print('still runs')"),
    ]


def test_runs_every_notebook_and_reports_the_failing_cell(notebooks, tmp_path):
    originals = [p.read_bytes() for p in notebooks]
    out = tmp_path / "out"
    runs = report.run_report(notebooks, out, timeout=60, stream=open("/dev/null", "w"))

    assert [r.status for r in runs] == ["passed", "failed", "passed"]
    assert runs[1].error == {"cell": "cell 2", "ename": "RuntimeError", "evalue": "boom here"}
    assert runs[1].cells_executed == 2 and runs[1].cells_total == 3  # a report keeps going past a failing cell
    assert [p.read_bytes() for p in notebooks] == originals, "the report must not modify notebooks"

    manifest = json.loads((out / "manifest.json").read_text())
    for key in ("git_commit", "date", "platform", "python", "tensorflow", "keras", "device", "seed"):
        assert key in manifest
    assert [n["status"] for n in manifest["notebooks"]] == ["passed", "failed", "passed"]
    assert manifest["notebooks"][1]["first_error"]["ename"] == "RuntimeError"
    index = (out / "index.html").read_text()
    assert "Will it fail?" in index and "02_broken.html" in index
    assert "still runs" in (out / "03_after.html").read_text()


def test_inplace_rewrites_passing_notebooks_only(notebooks, tmp_path):
    broken_before = notebooks[1].read_bytes()
    report.run_report(notebooks, tmp_path / "out", timeout=60, inplace=True, stream=open("/dev/null", "w"))
    executed = nbformat.read(notebooks[0], as_version=4)
    assert executed.cells[2].outputs[0]["text"] == "2\n"
    assert notebooks[1].read_bytes() == broken_before


def test_exit_status_names_the_failure(notebooks, tmp_path, capsys):
    parser = __import__("argparse").ArgumentParser()
    report.add_arguments(parser)
    args = parser.parse_args([str(p) for p in notebooks[:2]] + ["--out", str(tmp_path / "o")])
    status = report.run_from_arguments(args, stream=sys.stdout)
    assert status == 1
    assert "FAILED" in capsys.readouterr().out


def test_selection_by_number_finds_the_committed_notebooks():
    chosen = report.resolve_notebooks(["0", "00"])
    assert [p.name for p in chosen] == ["00_setup_and_reproducibility.ipynb"]


@pytest.mark.parametrize("make, error, message", [
    (lambda d: d / "missing.ipynb", FileNotFoundError, "does not exist"),
    (lambda d: d, ValueError, "is not a notebook"),
    (lambda d: (d / "a.txt").write_text("x") and d / "a.txt", ValueError, "is not a notebook"),
    (lambda d: (d / "b.ipynb").write_text("{not json") and d / "b.ipynb", ValueError, "not a readable notebook"),
])
def test_bad_selection_is_refused_before_anything_runs(tmp_path, make, error, message):
    with pytest.raises(error, match=message):
        report.resolve_notebooks([str(make(tmp_path))])


def test_unknown_number_lists_the_known_ones():
    with pytest.raises(ValueError, match=r"no notebook numbered '99'; expected one of \['00'"):
        report.resolve_notebooks(["99"])


def test_command_line_rejects_a_missing_notebook_with_status_2(tmp_path):
    result = subprocess.run([sys.executable, "-m", "kwhelpers", "report", "nope.ipynb", "--out", str(tmp_path)],
                            capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 2
    assert "error: notebook: 'nope.ipynb' does not exist" in result.stderr
    assert not any(tmp_path.iterdir()), "nothing may run or be written before the selection is valid"


def test_lettered_numbers_select_parts_of_a_split_notebook(tmp_path):
    for name in ("03a_x.ipynb", "03b_y.ipynb", "04_z.ipynb"):
        _notebook(tmp_path / name, "pass")
    assert [p.name for p in report.resolve_notebooks(["3"], tmp_path)] == ["03a_x.ipynb", "03b_y.ipynb"]
    assert [p.name for p in report.resolve_notebooks(["03b"], tmp_path)] == ["03b_y.ipynb"]
    assert [p.name for p in report.resolve_notebooks(["4"], tmp_path)] == ["04_z.ipynb"]
