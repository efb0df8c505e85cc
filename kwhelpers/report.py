"""Execute notebooks in fresh kernels and write an HTML report with a run manifest.

``python -m kwhelpers report [NOTEBOOK ...] [--out DIR] [--timeout S] [--inplace]``

Each notebook runs in its own kernel (nbclient). The committed notebook is not
modified unless ``--inplace`` is given (that is how ``make refresh`` rewrites the
stored outputs after an upgrade). The output folder receives one HTML page per
notebook, ``index.html`` linking them with status, run time and the
notebook's question, and ``manifest.json`` describing the run.

Notebooks are chosen by path (``notebooks/01_class_weight_vs_sample_weight.ipynb``)
or by number (``01`` or ``1``); every selection is checked before anything runs.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import html
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from kwhelpers.env import SETUP_LOG_VARIABLE

REPO_ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_DIR = REPO_ROOT / "notebooks"


@dataclasses.dataclass
class NotebookRun:
    """The outcome of executing one notebook."""

    path: Path
    question: str
    status: str = "not run"
    seconds: float = 0.0
    cells_executed: int = 0
    cells_total: int = 0
    error: dict[str, Any] | None = None
    html_name: str = ""
    environment: dict[str, Any] = dataclasses.field(default_factory=dict)

    def manifest_entry(self) -> dict[str, Any]:
        """Return the JSON-ready description stored in ``manifest.json``."""
        return {
            "path": _display_path(self.path),
            "status": self.status,
            "seconds": round(self.seconds, 2),
            "cells_executed": self.cells_executed,
            "cells_total": self.cells_total,
            "first_error": self.error,
            "html": self.html_name,
            "seed": self.environment.get("seed"),
        }


def _display_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(REPO_ROOT))
    except ValueError:
        return str(path)


def resolve_notebooks(selection: Sequence[str], notebook_dir: Path = NOTEBOOK_DIR) -> list[Path]:
    """Turn paths and numbers into notebook paths, refusing anything that is not one.

    Parameters
    ----------
    selection : sequence of str
        Paths to ``.ipynb`` files, or notebook numbers such as ``"01"``, ``"7"`` or ``"03a"`` (``"3"`` selects 03a and 03b).
        Empty means every notebook in ``notebook_dir``.
    notebook_dir : Path
        Where numbered notebooks are looked up.

    Examples
    --------
    >>> resolve_notebooks([])[0].name.startswith("00_")
    True
    """
    available = sorted(notebook_dir.glob("[0-9][0-9]*_*.ipynb"))
    if not selection:
        if not available:
            raise FileNotFoundError(f"notebook_dir: no numbered notebooks in {notebook_dir}")
        return available
    chosen: list[Path] = []
    for item in selection:
        if re.fullmatch(r"\d+[a-z]?", item):
            matches = [p for p in available if _number_matches(p.name.split("_", 1)[0], item)]
            if not matches:
                numbers = [p.name.split("_", 1)[0] for p in available]
                raise ValueError(f"notebook: no notebook numbered {item!r}; expected one of {numbers}")
            chosen.extend(matches)
            continue
        path = Path(item)
        if not path.exists():
            raise FileNotFoundError(f"notebook: {item!r} does not exist")
        if path.is_dir() or path.suffix != ".ipynb":
            raise ValueError(f"notebook: {item!r} is not a notebook (expected a .ipynb file)")
        _read_notebook(path)  # raises ValueError if the JSON is not a notebook
        chosen.append(path)
    return list(dict.fromkeys(chosen))


def _number_matches(prefix: str, wanted: str) -> bool:
    """``"3"`` and ``"03"`` select ``03a`` and ``03b``; ``"03a"`` selects only ``03a``."""
    if wanted.isdigit():
        return prefix.rstrip("abcdefghijklmnopqrstuvwxyz").lstrip("0") == wanted.lstrip("0")
    return prefix.lstrip("0") == wanted.lstrip("0")


def _read_notebook(path: Path):
    import nbformat

    try:
        return nbformat.read(path, as_version=4)
    except Exception as error:  # nbformat raises several types for bad files
        raise ValueError(f"notebook: {str(path)!r} is not a readable notebook ({error})") from error


def notebook_question(notebook: Any) -> str:
    """Return the line starting with ``**Question.**`` of the first markdown cells, else the title.

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook()
    >>> nb.cells = [nbformat.v4.new_markdown_cell("# T\\n**Question.** Why?")]
    >>> notebook_question(nb)
    'Why?'
    """
    title = ""
    for cell in notebook.cells[:3]:
        if cell.cell_type != "markdown":
            continue
        for line in cell.source.splitlines():
            stripped = line.strip()
            if stripped.startswith("**Question.**"):
                return stripped.removeprefix("**Question.**").strip()
            if stripped.startswith("# ") and not title:
                title = stripped.removeprefix("# ").strip()
    return title


class _Progress:
    """One line per notebook; on a terminal, the current cell is updated in place."""

    def __init__(self, total: int, stream=sys.stdout) -> None:
        self.total = total
        self.stream = stream
        self.live = stream.isatty()

    def start(self, index: int, run: NotebookRun) -> None:
        self.prefix = f"[{index}/{self.total}] {_display_path(run.path)}"
        self.stream.write(f"{self.prefix} ...{'' if self.live else chr(10)}")
        self.stream.flush()

    def cell(self, number: int, total: int) -> None:
        if self.live:
            self.stream.write(f"\r{self.prefix}  cell {number}/{total}")
            self.stream.flush()

    def finish(self, run: NotebookRun) -> None:
        end = "\r" if self.live else ""
        detail = f"  {run.error['cell']}: {run.error['ename']}" if run.error else ""
        self.stream.write(f"{end}{self.prefix}  {run.status} in {run.seconds:.1f} s "
                          f"({run.cells_executed}/{run.cells_total} cells){detail}\n")
        self.stream.flush()


def execute_notebook(path: Path, timeout: int, progress: _Progress, inplace: bool) -> tuple[NotebookRun, Any]:
    """Run one notebook in a fresh kernel; return its record and the executed notebook."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    notebook = _read_notebook(path)
    code_cells = [i for i, c in enumerate(notebook.cells) if c.cell_type == "code" and c.source.strip()]
    run = NotebookRun(path=path, question=notebook_question(notebook), cells_total=len(code_cells))
    setup_log = Path(tempfile.mkstemp(prefix="kwhelpers-setup-", suffix=".jsonl")[1])
    previous = os.environ.get(SETUP_LOG_VARIABLE)
    os.environ[SETUP_LOG_VARIABLE] = str(setup_log)
    executed: list[int] = []

    def on_cell_start(cell, cell_index):  # nbclient hook
        if cell_index in code_cells:
            progress.cell(code_cells.index(cell_index) + 1, len(code_cells))

    def on_cell_executed(cell, cell_index, execute_reply):  # nbclient hook
        if execute_reply and execute_reply.get("content", {}).get("status") == "ok":
            executed.append(cell_index)

    client = NotebookClient(
        notebook, timeout=timeout, kernel_name="python3",
        resources={"metadata": {"path": str(path.resolve().parent)}},
        on_cell_start=on_cell_start, on_cell_executed=on_cell_executed,
    )
    started = time.perf_counter()
    try:
        client.execute()
        run.status = "passed"
    except (CellExecutionError, CellTimeoutError, DeadKernelError) as error:
        run.status = "failed"
        failing = next((i for i in code_cells if i not in executed), None)
        run.error = {
            "cell": f"cell {code_cells.index(failing) + 1}" if failing is not None else "kernel",
            "ename": getattr(error, "ename", type(error).__name__),
            "evalue": _first_line(getattr(error, "evalue", "") or str(error)),
        }
    finally:
        run.seconds = time.perf_counter() - started
        run.cells_executed = len(executed)
        _restore_variable(SETUP_LOG_VARIABLE, previous)
        run.environment = _last_setup_record(setup_log)
        setup_log.unlink(missing_ok=True)
    if inplace and run.status == "passed":
        import nbformat

        nbformat.write(notebook, path)
    return run, notebook


def _first_line(text: str) -> str:
    lines = [line for line in str(text).splitlines() if line.strip()]
    return lines[-1][:300] if lines else ""


def _restore_variable(name: str, value: str | None) -> None:
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value


def _last_setup_record(path: Path) -> dict[str, Any]:
    lines = [line for line in path.read_text().splitlines() if line.strip()] if path.exists() else []
    return json.loads(lines[-1]) if lines else {}


def _git_commit() -> str:
    try:
        result = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO_ROOT, capture_output=True,
                                text=True, check=True)
        dirty = subprocess.run(["git", "status", "--porcelain"], cwd=REPO_ROOT, capture_output=True,
                               text=True, check=True).stdout.strip()
        return result.stdout.strip() + ("-dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _package_version(name: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def write_html(notebook: Any, destination: Path) -> None:
    """Render an executed notebook to a standalone HTML page."""
    from nbconvert import HTMLExporter

    body, _ = HTMLExporter(template_name="lab").from_notebook_node(notebook)
    destination.write_text(body, encoding="utf-8")


def write_index(runs: Sequence[NotebookRun], manifest: dict[str, Any], destination: Path) -> None:
    """Write ``index.html``: one row per notebook with status, time and question."""
    rows = []
    for run in runs:
        colour = "#1a7f37" if run.status == "passed" else "#cf222e"
        error = (f"<br><small>{html.escape(run.error['cell'])}: {html.escape(run.error['ename'])}: "
                 f"{html.escape(run.error['evalue'])}</small>") if run.error else ""
        rows.append(
            f"<tr><td><a href='{html.escape(run.html_name)}'>{html.escape(run.path.stem)}</a></td>"
            f"<td style='color:{colour}'><b>{run.status}</b>{error}</td>"
            f"<td>{run.seconds:.1f} s</td><td>{html.escape(run.question)}</td></tr>"
        )
    facts = "".join(f"<li>{html.escape(k)}: {html.escape(str(v))}</li>"
                    for k, v in manifest.items() if k != "notebooks")
    destination.write_text(
        "<!doctype html><meta charset='utf-8'><title>Keras training notebooks: report</title>"
        "<style>body{font-family:sans-serif;max-width:70em;margin:2em auto}"
        "td,th{padding:.3em .6em;border-bottom:1px solid #ddd;vertical-align:top}</style>"
        "<h1>How Keras really trains a model: run report</h1>"
        f"<ul>{facts}</ul><table><tr><th>notebook</th><th>status</th><th>time</th>"
        f"<th>question</th></tr>{''.join(rows)}</table>\n",
        encoding="utf-8",
    )


def run_report(notebooks: Sequence[Path], out: Path, timeout: int = 600, inplace: bool = False,
               stream=sys.stdout) -> list[NotebookRun]:
    """Execute ``notebooks`` one by one and write the report into ``out``.

    A failing notebook does not stop the run. Returns the runs; see
    `run_from_arguments` for the exit status.
    """
    if not isinstance(timeout, int) or timeout < 1:
        raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}")
    out.mkdir(parents=True, exist_ok=True)
    progress = _Progress(len(notebooks), stream)
    runs = []
    for index, path in enumerate(notebooks, start=1):
        placeholder = NotebookRun(path=path, question="")
        progress.start(index, placeholder)
        run, executed = execute_notebook(path, timeout, progress, inplace)
        run.html_name = f"{path.stem}.html"
        write_html(executed, out / run.html_name)
        progress.finish(run)
        runs.append(run)
    environment = next((r.environment for r in runs if r.environment), {})
    manifest = {
        "git_commit": _git_commit(),
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "platform": f"{platform.system()} {platform.release()} {platform.machine()}",
        "python": platform.python_version(),
        "tensorflow": _package_version("tensorflow"),
        "keras": _package_version("keras"),
        "device": ", ".join(environment.get("devices", [])) or "unknown",
        "seed": environment.get("seed", "unknown"),
        "notebooks": [run.manifest_entry() for run in runs],
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    write_index(runs, manifest, out / "index.html")
    return runs


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the report options to an argument parser."""
    parser.add_argument("notebooks", nargs="*",
                        help="notebook paths or numbers (default: every notebook in notebooks/)")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "build" / "report",
                        help="output folder (default: build/report)")
    parser.add_argument("--timeout", type=int, default=600, help="seconds allowed per cell (default 600)")
    parser.add_argument("--inplace", action="store_true",
                        help="also write the executed notebooks back (what `make refresh` does)")


def run_from_arguments(args: argparse.Namespace, stream=sys.stdout) -> int:
    """Run the report for parsed arguments; return the process exit status."""
    try:
        notebooks = resolve_notebooks(args.notebooks)
        if args.timeout < 1:
            raise ValueError(f"--timeout must be a positive number of seconds, got {args.timeout}")
    except (FileNotFoundError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    runs = run_report(notebooks, args.out, timeout=args.timeout, inplace=args.inplace, stream=stream)
    failed = [run for run in runs if run.status != "passed"]
    print(f"report: {len(runs) - len(failed)} passed, {len(failed)} failed; "
          f"{_display_path(args.out / 'index.html')}", file=stream)
    for run in failed:
        print(f"FAILED {_display_path(run.path)} {run.error['cell']}: {run.error['ename']}: "
              f"{run.error['evalue']}", file=stream)
    return 1 if failed else 0
