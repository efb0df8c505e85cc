"""The report runner: selection errors up front, keeps going past failures, leaves notebooks alone."""

from __future__ import annotations

import json
import re
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


SETUP = "import kwhelpers as kw\nreport = kw.setup(seed=0)"


@pytest.fixture
def notebooks(tmp_path):
    folder = tmp_path / "notebooks"
    folder.mkdir()
    return [
        _notebook(folder / "01_ok.ipynb", SETUP, "print(1 + 1)",
                  "with kw.claim('01.demo.sum', 'one plus one is two', verdict='finding') as e:\n"
                  "    e.equal('sum', 1 + 1, 2)", question="Does `1 + 1` give **2**?"),
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
    assert manifest["seed"] == 0 and "CPU" in manifest["device"]  # read from the kernel's own setup()
    assert [n["status"] for n in manifest["notebooks"]] == ["passed", "failed", "passed"]
    assert manifest["notebooks"][1]["first_error"]["ename"] == "RuntimeError"
    index = (out / "index.html").read_text()
    assert "Will it fail?" in index and "02_broken.html" in index
    assert "Does <code>1 + 1</code> give <strong>2</strong>?" in index  # the question, rendered
    cell_id = nbformat.read(notebooks[0], as_version=4).cells[3].id
    assert f"01_ok.html#cell-id={cell_id}" in index and "one plus one is two" in index  # the claims table
    assert "still runs" in (out / "03_after.html").read_text()
    assert json.loads((out / "claims.json").read_text())["claims"][0]["status"] == "holds"


def test_each_page_has_title_status_time_a_way_back_and_needs_no_network(notebooks, tmp_path):
    report.run_report(notebooks[:2], tmp_path / "out", timeout=60, stream=open("/dev/null", "w"))
    page = (tmp_path / "out" / "02_broken.html").read_text()
    assert "<title>Title</title>" in page
    assert "<a href=\"index.html\">" in page and "failed</span> in" in page and "cell 2: RuntimeError: boom here" in page
    assert not re.search(r"<script[^>]+src=", page), "a script loaded from elsewhere: the page is not offline"
    assert not re.search(r"<link[^>]+href=.https?:", page)


def test_parallel_jobs_give_the_same_results(notebooks, tmp_path):
    one = report.run_report(notebooks, tmp_path / "one", timeout=60, stream=open("/dev/null", "w"))
    two = report.run_report(notebooks, tmp_path / "two", timeout=60, jobs=2, stream=open("/dev/null", "w"))
    assert [(r.path, r.status, r.error) for r in one] == [(r.path, r.status, r.error) for r in two]


def test_inplace_twice_writes_the_same_bytes(notebooks, tmp_path):
    """make refresh on an unchanged notebook must leave git diff empty: no timestamps, streams merged."""
    notebook = _notebook(tmp_path / "04_streams.ipynb", "x = 1",
                         "import sys, time\nfor i in range(3):\n    print(i); sys.stdout.flush(); time.sleep(0.05)")
    report.run_report([notebook], tmp_path / "a", timeout=60, inplace=True, stream=open("/dev/null", "w"))
    first = notebook.read_bytes()
    report.run_report([notebook], tmp_path / "b", timeout=60, inplace=True, stream=open("/dev/null", "w"))
    assert notebook.read_bytes() == first
    executed = nbformat.read(notebook, as_version=4)
    assert executed.cells[2].outputs == [nbformat.v4.new_output("stream", name="stdout", text="0\n1\n2\n")]
    assert all("execution" not in cell.metadata for cell in executed.cells)


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


def test_an_empty_notebook_folder_is_an_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="no numbered notebooks in"):
        report.resolve_notebooks([], tmp_path)


def test_question_falls_back_to_the_title():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 05 · Metrics\nNo question line.")])
    assert report.notebook_question(nb) == "05 · Metrics"


@pytest.mark.parametrize("arguments, message", [
    (["--timeout", "0"], "--timeout must be a positive number of seconds, got 0"),
    (["--jobs", "0"], "--jobs must be a positive number of kernels, got 0"),
    (["--out", "pyproject.toml"], "--out: pyproject.toml exists and is not a folder"),
])
def test_command_line_refuses_bad_options_in_one_line_with_status_2(arguments, message):
    result = subprocess.run([sys.executable, "-m", "kwhelpers", "report", "00", *arguments],
                            capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 2
    assert result.stderr == f"error: {message}\n"


def test_a_hanging_cell_is_reported_by_its_first_line_without_a_kernel_traceback(tmp_path):
    notebook = _notebook(tmp_path / "06_hang.ipynb", "import time\ntime.sleep(60)")
    result = subprocess.run([sys.executable, "-m", "kwhelpers", "report", str(notebook), "--timeout", "3",
                             "--out", str(tmp_path / "out")], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 1
    assert "cell 1: CellTimeoutError: A cell timed out while it was being executed, after 3 seconds." in result.stdout
    assert "ZMQError" not in result.stdout + result.stderr and "Traceback" not in result.stderr
    assert "without encryption" not in result.stdout + result.stderr  # kernels talk over local IPC sockets


def test_git_commit_is_unknown_outside_git(monkeypatch):
    def no_git(*args, **kwargs):
        raise OSError("git: not found")

    monkeypatch.setattr(report.ledger.subprocess, "run", no_git)
    assert report.ledger.git_commit() == "unknown"


def test_progress_updates_the_current_cell_in_place_on_a_terminal():
    import io

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    stream = Terminal()
    progress = report._Progress(2, stream)
    run = report.NotebookRun(path=ROOT / "notebooks" / "x.ipynb", status="passed", seconds=1.25,
                             cells_executed=3, cells_total=3)
    progress.start(1, run.path)
    progress.cell(2, 3)
    progress.finish(1, run)
    assert stream.getvalue() == ("[1/2] notebooks/x.ipynb ...\r[1/2] notebooks/x.ipynb  cell 2/3"
                                 "\r[1/2] notebooks/x.ipynb  passed in 1.2 s (3/3 cells)\n")


def test_lettered_numbers_select_parts_of_a_split_notebook(tmp_path):
    for name in ("03a_x.ipynb", "03b_y.ipynb", "04_z.ipynb"):
        _notebook(tmp_path / name, "pass")
    assert [p.name for p in report.resolve_notebooks(["3"], tmp_path)] == ["03a_x.ipynb", "03b_y.ipynb"]
    assert [p.name for p in report.resolve_notebooks(["03b"], tmp_path)] == ["03b_y.ipynb"]
    assert [p.name for p in report.resolve_notebooks(["4"], tmp_path)] == ["04_z.ipynb"]


def test_a_not_applicable_claim_does_not_fail_its_notebook():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1")])
    records = [{"kind": "claim", "id": "01.a.b", "status": "not_applicable", "message": "runs on jax only"}]
    assert report._first_problem(nb, [0], records) is None
    records.append({"kind": "claim", "id": "01.a.c", "status": "broken", "message": "x: expected 1, measured 2"})
    assert report._first_problem(nb, [0], records) == {"cell": "claim 01.a.c", "ename": "broken",
                                                       "evalue": "x: expected 1, measured 2"}


def test_the_page_banner_counts_not_applicable_claims_as_holding(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1")])
    run = report.NotebookRun(path=tmp_path / "x.ipynb", status="passed",
                             records=[{"kind": "claim", "id": "01.a.b", "status": "holds"},
                                      {"kind": "claim", "id": "01.a.c", "status": "not_applicable"},
                                      {"kind": "claim", "id": "01.a.d", "status": "broken"}])
    report.write_html(nb, tmp_path / "x.html", run)
    assert re.findall(r"\d+ of \d+ hold", (tmp_path / "x.html").read_text()) == ["2 of 3 hold"]


def test_normalise_outputs_merges_only_streams_of_the_same_name():
    cell = nbformat.v4.new_code_cell("x")
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="a\n"),
                    nbformat.v4.new_output("stream", name="stdout", text="b\n"),
                    nbformat.v4.new_output("stream", name="stderr", text="c\n"),
                    nbformat.v4.new_output("stream", name="stdout", text="d\n")]
    nb = nbformat.v4.new_notebook(cells=[cell])
    report.normalise_outputs(nb)
    assert [(o["name"], o["text"]) for o in nb.cells[0].outputs] == [
        ("stdout", "a\nb\n"), ("stderr", "c\n"), ("stdout", "d\n")]


@pytest.mark.parametrize("jobs", [0, -1, 1.5, True])
def test_run_report_refuses_bad_jobs_before_creating_the_output_folder(tmp_path, jobs):
    with pytest.raises(ValueError, match=f"jobs must be a positive number of kernels, got {re.escape(repr(jobs))}"):
        report.run_report([], tmp_path / "out", jobs=jobs)
    assert not (tmp_path / "out").exists()
