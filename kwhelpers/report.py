"""Execute notebooks in fresh kernels and write an HTML report, a run manifest and a claims ledger.

``python -m kwhelpers report [NOTEBOOK ...] [--out DIR] [--timeout S] [--jobs N] [--inplace]``

Each notebook runs in its own kernel (nbclient, over local IPC sockets). The
committed notebook is not modified unless ``--inplace`` is given (that is how
``make refresh`` rewrites the stored outputs after an upgrade). The output
folder receives:

``<notebook>.html``  each executed notebook, readable offline, with its status and time;
``index.html``       the notebooks (status, time, question), every claim (seed quote,
                     verdict, status, link to its evidence cell) and, from the committed
                     ledgers in ``docs/ledgers/``, the claims on each backend and device;
``claims.json``      the run's ledger (`kwhelpers.ledger`);
``manifest.json``    commit, date, platform, versions, device, seed and per notebook
                     its status, time and first error.

A report run evaluates every claim, even after one breaks (``KWHELPERS_CLAIMS=collect``,
and a failing cell does not stop its notebook); ``--inplace`` runs strictly and
rewrites only notebooks that pass, with outputs normalised so that re-running an
unchanged notebook rewrites the same bytes.

Notebooks are chosen by path (``notebooks/01_class_weight_vs_sample_weight.ipynb``)
or by number (``01`` or ``1``); every selection is checked before anything runs.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import dataclasses
import datetime
import html
import json
import os
import platform
import re
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from kwhelpers import ledger
from kwhelpers.claims import LEDGER_VARIABLE, MODE_VARIABLE, NOTEBOOK_VARIABLE, SEED_PAGES, VERDICTS

REPO_ROOT = ledger.REPO_ROOT
NOTEBOOK_DIR = REPO_ROOT / "notebooks"
LEDGER_DIR = REPO_ROOT / "docs" / "ledgers"
TEMPLATES = Path(__file__).resolve().parent / "templates"


@dataclasses.dataclass
class NotebookRun:
    """The outcome of executing one notebook."""

    path: Path
    title: str = ""
    question: str = ""
    status: str = "not run"
    seconds: float = 0.0
    cells_executed: int = 0
    cells_total: int = 0
    error: dict[str, Any] | None = None
    html_name: str = ""
    environment: dict[str, Any] = dataclasses.field(default_factory=dict)
    records: list[dict[str, Any]] = dataclasses.field(default_factory=list)

    def manifest_entry(self) -> dict[str, Any]:
        """Return the JSON-ready description stored in ``manifest.json``."""
        return {
            "path": ledger.display_path(self.path),
            "status": self.status,
            "seconds": round(self.seconds, 2),
            "cells_executed": self.cells_executed,
            "cells_total": self.cells_total,
            "first_error": self.error,
            "html": self.html_name,
            "seed": self.environment.get("seed"),
        }


def resolve_notebooks(selection: Sequence[str], notebook_dir: Path = NOTEBOOK_DIR) -> list[Path]:
    """Turn paths and numbers into notebook paths, refusing anything that is not one.

    Parameters
    ----------
    selection : sequence of str
        Paths to ``.ipynb`` files, or notebook numbers such as ``"01"``, ``"7"`` or ``"03a"``
        (``"3"`` selects 03a and 03b). Empty means every notebook in ``notebook_dir``.
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


def notebook_title(notebook: Any) -> str:
    """The notebook's ``# `` heading in its first markdown cell, else ``""``."""
    for cell in notebook.cells[:3]:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line.removeprefix("# ").strip()
    return ""


def notebook_question(notebook: Any) -> str:
    """Return the one-sentence question after ``**Question.**`` in the first markdown cells, else the title.

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook()
    >>> nb.cells = [nbformat.v4.new_markdown_cell("# T\\n**Question.** Why?")]
    >>> notebook_question(nb)
    'Why?'
    """
    for cell in notebook.cells[:3]:
        if cell.cell_type != "markdown":
            continue
        for line in cell.source.splitlines():
            stripped = line.strip()
            if stripped.startswith("**Question.**"):
                return stripped.removeprefix("**Question.**").strip()
    return notebook_title(notebook)


def markdown_inline(text: str) -> str:
    """Render one line of Markdown (code, emphasis, links) as HTML, without a paragraph around it.

    Examples
    --------
    >>> markdown_inline("Does `fit` update *once*?")
    'Does <code>fit</code> update <em>once</em>?'
    """
    import mistune

    rendered = mistune.html(text).strip()
    return rendered.removeprefix("<p>").removesuffix("</p>")


class _Progress:
    """One line per notebook; with one job on a terminal, the current cell is updated in place."""

    def __init__(self, total: int, stream=sys.stdout, jobs: int = 1) -> None:
        self.total = total
        self.stream = stream
        self.live = stream.isatty() and jobs == 1
        self.lock = threading.Lock()
        self.done = 0

    def _write(self, text: str) -> None:
        with self.lock:
            self.stream.write(text)
            self.stream.flush()

    def start(self, index: int, path: Path) -> None:
        self.prefix = f"[{index}/{self.total}] {ledger.display_path(path)}"
        self._write(f"{self.prefix} ...{'' if self.live else chr(10)}")

    def cell(self, number: int, total: int) -> None:
        if self.live:
            self._write(f"\r{self.prefix}  cell {number}/{total}")

    def finish(self, index: int, run: NotebookRun) -> None:
        end = "\r" if self.live else ""
        detail = f"  {run.error['cell']}: {run.error['ename']}" if run.error else ""
        self._write(f"{end}[{index}/{self.total}] {ledger.display_path(run.path)}  {run.status} in "
                    f"{run.seconds:.1f} s ({run.cells_executed}/{run.cells_total} cells){detail}\n")


def normalise_outputs(notebook: Any) -> None:
    """Make stored outputs the same on every run: no timing metadata, one output per stream run.

    nbclient records execution timestamps in each cell's metadata, and a
    kernel may split one print into several stream messages depending on
    timing; both would make ``git diff`` noisy after ``make refresh``.

    Examples
    --------
    >>> import nbformat
    >>> cell = nbformat.v4.new_code_cell("print(1); print(2)")
    >>> cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="1\\n"),
    ...                 nbformat.v4.new_output("stream", name="stdout", text="2\\n")]
    >>> cell.metadata["execution"] = {"iopub.status.busy": "2026-01-01"}
    >>> nb = nbformat.v4.new_notebook(cells=[cell])
    >>> normalise_outputs(nb)
    >>> [o["text"] for o in nb.cells[0].outputs], "execution" in nb.cells[0].metadata
    (['1\\n2\\n'], False)
    """
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type != "code":
            continue
        merged: list[Any] = []
        for output in cell.outputs:
            if (output.get("output_type") == "stream" and merged
                    and merged[-1].get("output_type") == "stream" and merged[-1]["name"] == output["name"]):
                merged[-1]["text"] += output["text"]
            else:
                merged.append(output)
        cell.outputs = merged


def execute_notebook(path: Path, timeout: int, progress: _Progress | None, inplace: bool,
                     records_dir: Path) -> tuple[NotebookRun, Any]:
    """Run one notebook in a fresh kernel; return its record and the executed notebook."""
    from jupyter_client.manager import AsyncKernelManager
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
    from nbclient.util import run_sync

    notebook = _read_notebook(path)
    code_cells = [i for i, c in enumerate(notebook.cells) if c.cell_type == "code" and c.source.strip()]
    run = NotebookRun(path=path, title=notebook_title(notebook), question=notebook_question(notebook),
                      cells_total=len(code_cells))
    records = (records_dir / f"{path.stem}.jsonl").resolve()  # the kernel runs in the notebook's folder
    records.unlink(missing_ok=True)
    sockets = Path(tempfile.mkdtemp(prefix="kwhelpers-kernel-"))
    env = {**os.environ, LEDGER_VARIABLE: str(records), NOTEBOOK_VARIABLE: ledger.display_path(path),
           MODE_VARIABLE: "strict" if inplace else "collect"}
    executed: list[int] = []

    def on_cell_start(cell, cell_index):  # nbclient hook
        if progress is not None and cell_index in code_cells:
            progress.cell(code_cells.index(cell_index) + 1, len(code_cells))

    def on_cell_executed(cell, cell_index, execute_reply):  # nbclient hook
        if execute_reply and execute_reply.get("content", {}).get("status") == "ok":
            executed.append(cell_index)

    manager = AsyncKernelManager(kernel_name="python3", transport="ipc", ip=str(sockets / "kernel"))
    client = NotebookClient(
        notebook, timeout=timeout, record_timing=False, allow_errors=not inplace, km=manager,
        resources={"metadata": {"path": str(path.resolve().parent)}},
        on_cell_start=on_cell_start, on_cell_executed=on_cell_executed,
    )
    started = time.perf_counter()
    try:
        client.execute(env=env)
    except (CellExecutionError, CellTimeoutError, DeadKernelError) as error:
        failing = next((i for i in code_cells if i not in executed), None)
        run.error = {
            "cell": f"cell {code_cells.index(failing) + 1}" if failing is not None else "kernel",
            "ename": getattr(error, "ename", type(error).__name__),
            "evalue": _first_line(getattr(error, "evalue", "") or str(error)),
        }
    finally:
        run.seconds = time.perf_counter() - started
        run.cells_executed = len(executed)
        if manager.has_kernel:  # nbclient leaves a kernel it was given running
            run_sync(manager.shutdown_kernel)(now=True)
        shutil.rmtree(sockets, ignore_errors=True)
    run.records = ledger.read_records(records)
    setups = [r for r in run.records if r.get("kind") == "environment"]
    run.environment = setups[-1] if setups else {}
    if run.error is None:
        run.error = _first_problem(notebook, code_cells, run.records)
    run.status = "passed" if run.error is None else "failed"
    normalise_outputs(notebook)
    if inplace and run.status == "passed":
        import nbformat

        nbformat.write(notebook, path)
    return run, notebook


def _first_problem(notebook: Any, code_cells: list[int], records: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The first cell that raised, else the first claim that does not hold, else None."""
    for index in code_cells:
        for output in notebook.cells[index].outputs:
            if output.get("output_type") == "error":
                return {"cell": f"cell {code_cells.index(index) + 1}", "ename": output["ename"],
                        "evalue": _first_line(output["evalue"])}
    for record in records:
        if record.get("kind") == "claim" and record["status"] not in ("holds", "not_applicable"):
            return {"cell": f"claim {record['id']}", "ename": record["status"], "evalue": record["message"]}
    return None


def _first_line(text: str) -> str:
    lines = [line.strip() for line in str(text).splitlines() if line.strip()]
    return lines[0][:300] if lines else ""


def _package_version(name: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def write_html(notebook: Any, destination: Path, run: NotebookRun | None = None) -> None:
    """Render an executed notebook to a page that needs no network, with the run's result on top."""
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="kwreport", extra_template_basedirs=[str(TEMPLATES)],
                            embed_images=True)
    resources: dict[str, Any] = {"metadata": {"name": (run.title if run else "") or destination.stem}}
    if run is not None:
        claims = [r for r in run.records if r.get("kind") == "claim"]
        holding = sum(r["status"] in ("holds", "not_applicable") for r in claims)
        resources["kwreport"] = {
            "status": run.status, "seconds": f"{run.seconds:.1f}",
            "cells": f"{run.cells_executed}/{run.cells_total}",
            "claims": f"{holding} of {len(claims)} hold",
            "error": (f"{run.error['cell']}: {run.error['ename']}: {run.error['evalue']}" if run.error else ""),
        }
    body, _ = exporter.from_notebook_node(notebook, resources=resources)
    destination.write_text(body, encoding="utf-8")


_STATUS_COLOURS = {"holds": "#1a7f37", "passed": "#1a7f37", "broken": "#cf222e", "error": "#cf222e",
                   "failed": "#cf222e", "not_evaluated": "#9a6700", "not_applicable": "#57606a"}


def _status_cell(status: str, detail: str = "") -> str:
    """A table cell with the status in its colour, and an escaped detail line under it."""
    colour = _STATUS_COLOURS.get(status, "#57606a")
    small = f"<br><small>{html.escape(detail)}</small>" if detail else ""
    return f"<td><b style='color:{colour}'>{html.escape(status.replace('_', ' '))}</b>{small}</td>"


def claims_table(claims: Sequence[dict[str, Any]], pages: dict[str, str]) -> str:
    """HTML rows for the index's claims table: id, seed quote, verdict, status, link to the evidence."""
    rows = []
    for claim in claims:
        source = claim.get("source") or {}
        quote = (f"{source['page']}: \u201c{html.escape(source['quote'])}\u201d" if source.get("page")
                 else html.escape(source.get("title", "")))
        page = pages.get(claim.get("notebook") or "")
        anchor = f"#cell-id={claim['cell_id']}" if claim.get("cell_id") else ""
        link = (f"<a href='{html.escape(page + anchor)}'>{html.escape(claim['id'])}</a>" if page
                else html.escape(claim["id"]))
        rows.append(f"<tr><td>{link}</td><td>{quote}</td><td>{html.escape(claim.get('statement', ''))}</td>"
                    f"<td>{html.escape(VERDICTS.get(claim.get('verdict') or '', ''))}</td>"
                    f"{_status_cell(claim['status'], claim.get('message', ''))}</tr>")
    return ("<table><tr><th>claim</th><th>seed says</th><th>in Keras 3</th><th>verdict</th><th>status</th></tr>"
            + "".join(rows) + "</table>")


def committed_ledgers(folder: Path = LEDGER_DIR) -> dict[str, dict[str, Any]]:
    """The committed per-backend ledgers (``docs/ledgers/<backend>-<device>.json``), by file stem."""
    return {path.stem: ledger.load(path) for path in sorted(folder.glob("*.json"))} if folder.is_dir() else {}


def backend_matrix(current: dict[str, Any] | None, committed: dict[str, dict[str, Any]]) -> str:
    """HTML: one row per claim, one column per (backend, device) ledger, each cell its status."""
    columns = dict(committed)
    if current is not None:
        env = current["environment"]
        columns = {f"this run ({env.get('backend')}, {env.get('device')})": current, **columns}
    if not columns:
        return "<p>No committed ledgers in docs/ledgers/.</p>"
    ids = list(dict.fromkeys(c["id"] for ledger_ in columns.values() for c in ledger_["claims"]))
    statuses = {name: {c["id"]: c for c in ledger_["claims"]} for name, ledger_ in columns.items()}
    heads = "".join(f"<th>{html.escape(name)}<br><small>Keras {html.escape(str(l['environment'].get('keras')))}"
                    f", {html.escape(str(l['environment'].get('date', ''))[:10])}</small></th>"
                    for name, l in columns.items())
    rows = []
    for claim_id in ids:
        cells = []
        for name in columns:
            claim = statuses[name].get(claim_id)
            cells.append(_status_cell(claim["status"]) if claim else "<td>\u2014</td>")
        same = len({statuses[n][claim_id]["status"] for n in columns if claim_id in statuses[n]}) == 1
        mark = "" if same else " style='background:#fff8c5'"
        rows.append(f"<tr{mark}><td>{html.escape(claim_id)}</td>{''.join(cells)}</tr>")
    return f"<table><tr><th>claim</th>{heads}</tr>{''.join(rows)}</table>"


def write_index(runs: Sequence[NotebookRun], manifest: dict[str, Any], destination: Path,
                run_ledger: dict[str, Any] | None = None,
                committed: dict[str, dict[str, Any]] | None = None) -> None:
    """Write ``index.html``: the notebooks, the claims and the backend matrix."""
    rows = []
    for run in runs:
        error = f"{run.error['cell']}: {run.error['ename']}: {run.error['evalue']}" if run.error else ""
        rows.append(
            f"<tr><td><a href='{html.escape(run.html_name)}'>{html.escape(run.path.stem)}</a></td>"
            f"{_status_cell(run.status, error)}"
            f"<td>{run.seconds:.1f} s</td><td>{markdown_inline(run.question)}</td></tr>"
        )
    facts = "".join(f"<li>{html.escape(k)}: {html.escape(str(v))}</li>"
                    for k, v in manifest.items() if k != "notebooks")
    pages = {ledger.display_path(run.path): run.html_name for run in runs}
    claims_html = ""
    if run_ledger is not None:
        legend = "".join(f"<li>{page}: {html.escape(title)}</li>" for page, title in SEED_PAGES.items())
        claims_html = (f"<h2>Claims</h2><p>{html.escape(ledger.summary_line(run_ledger))}. Each links to the "
                       "cell whose evidence decides it. The seed pages the claims answer:</p>"
                       f"<ul>{legend}</ul>" + claims_table(run_ledger["claims"], pages))
    matrix = ("<h2>Claims on each backend and device</h2><p>This run, then the committed ledgers in "
              "<code>docs/ledgers/</code>. A highlighted row differs between columns.</p>"
              + backend_matrix(run_ledger, committed or {}))
    destination.write_text(
        "<!doctype html><html lang='en'><meta charset='utf-8'><title>How Keras really trains a model: report</title>"
        "<style>body{font-family:sans-serif;max-width:80em;margin:2em auto;padding:0 1em}"
        "table{border-collapse:collapse}td,th{padding:.3em .6em;border-bottom:1px solid #ddd;"
        "vertical-align:top;text-align:left}code{background:#f6f8fa;padding:0 .2em}</style>"
        "<h1>How Keras really trains a model: run report</h1>"
        f"<ul>{facts}</ul><h2>Notebooks</h2><table><tr><th>notebook</th><th>status</th><th>time</th>"
        f"<th>question</th></tr>{''.join(rows)}</table>{claims_html}{matrix}\n",
        encoding="utf-8",
    )


def run_report(notebooks: Sequence[Path], out: Path, timeout: int = 600, inplace: bool = False,
               jobs: int = 1, stream=sys.stdout) -> list[NotebookRun]:
    """Execute ``notebooks`` (``jobs`` at a time) and write the report into ``out``.

    A failing notebook does not stop the run. Returns the runs; see
    `run_from_arguments` for the exit status.
    """
    if isinstance(timeout, bool) or not isinstance(timeout, int) or timeout < 1:
        raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}")
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ValueError(f"jobs must be a positive number of kernels, got {jobs!r}")
    if out.exists() and not out.is_dir():
        raise ValueError(f"out: {ledger.display_path(out)} exists and is not a folder")
    out.mkdir(parents=True, exist_ok=True)
    records_dir = out / "records"
    records_dir.mkdir(exist_ok=True)
    progress = _Progress(len(notebooks), stream, jobs)

    def one(index: int, path: Path) -> NotebookRun:
        progress.start(index, path)
        run, notebook = execute_notebook(path, timeout, progress if jobs == 1 else None, inplace, records_dir)
        run.html_name = f"{path.stem}.html"
        write_html(notebook, out / run.html_name, run)
        progress.finish(index, run)
        return run

    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        runs = list(pool.map(one, range(1, len(notebooks) + 1), notebooks))
    environment = next((r.environment for r in runs if r.environment), {})
    run_ledger = ledger.build([record for run in runs for record in run.records], notebooks)
    ledger.write(run_ledger, out / "claims.json")
    manifest = {
        "git_commit": run_ledger["environment"]["commit"],
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "platform": f"{platform.system()} {platform.release()} {platform.machine()}",
        "python": platform.python_version(),
        "tensorflow": _package_version("tensorflow"),
        "keras": _package_version("keras") if _package_version("keras") != "not installed"
        else _package_version("keras-nightly"),
        "backend": environment.get("keras_backend", "unknown"),
        "device": ", ".join(environment.get("devices", [])) or "unknown",
        "seed": environment.get("seed", "unknown"),
        "claims": ledger.summary_line(run_ledger).removeprefix("claims: "),
        "notebooks": [run.manifest_entry() for run in runs],
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    write_index(runs, manifest, out / "index.html", run_ledger, committed_ledgers())
    return runs


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the report options to an argument parser."""
    parser.add_argument("notebooks", nargs="*",
                        help="notebook paths or numbers (default: every notebook in notebooks/)")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "build" / "report",
                        help="output folder (default: build/report)")
    parser.add_argument("--timeout", type=int, default=600, help="seconds allowed per cell (default 600)")
    parser.add_argument("--jobs", type=int, default=1, help="notebooks run at once, each in its own kernel")
    parser.add_argument("--inplace", action="store_true",
                        help="also write the executed notebooks back (what `make refresh` does)")


def run_from_arguments(args: argparse.Namespace, stream=sys.stdout) -> int:
    """Run the report for parsed arguments; return the process exit status (2: bad arguments)."""
    try:
        notebooks = resolve_notebooks(args.notebooks)
        if args.timeout < 1:
            raise ValueError(f"--timeout must be a positive number of seconds, got {args.timeout}")
        if args.jobs < 1:
            raise ValueError(f"--jobs must be a positive number of kernels, got {args.jobs}")
        if args.out.exists() and not args.out.is_dir():
            raise ValueError(f"--out: {ledger.display_path(args.out)} exists and is not a folder")
    except (FileNotFoundError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    runs = run_report(notebooks, args.out, timeout=args.timeout, inplace=args.inplace, jobs=args.jobs,
                      stream=stream)
    failed = [run for run in runs if run.status != "passed"]
    run_ledger = ledger.load(args.out / "claims.json")
    print(f"report: {len(runs) - len(failed)} passed, {len(failed)} failed; {ledger.summary_line(run_ledger)}; "
          f"{ledger.display_path(args.out / 'index.html')}", file=stream)
    for run in failed:
        print(f"FAILED {ledger.display_path(run.path)} {run.error['cell']}: {run.error['ename']}: "
              f"{run.error['evalue']}", file=stream)
    return 1 if failed else 0
