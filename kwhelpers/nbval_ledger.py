"""A pytest plugin that writes the claims ledger of an nbval run (``-p kwhelpers.nbval_ledger``).

nbval compares each cell's stored output and fails a cell whose claim breaks;
this plugin adds the ledger of the same run, ``build/nbval/claims.json`` (or
``--claims-ledger PATH``), and prints its one-line summary. With
pytest-xdist each worker's kernels write their own record file; the
controller combines them when the session ends.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kwhelpers import ledger
from kwhelpers.claims import LEDGER_VARIABLE, NOTEBOOK_VARIABLE

DEFAULT_LEDGER = ledger.REPO_ROOT / "build" / "nbval" / "claims.json"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--claims-ledger", default=str(DEFAULT_LEDGER),
                     help="where the nbval run writes its claims ledger (default build/nbval/claims.json)")


def _records_dir(config: pytest.Config) -> Path:
    """Where the kernels append their records: absolute, as nbval starts each kernel in its notebook's folder."""
    return Path(config.getoption("claims_ledger")).resolve().with_suffix(".records")


def _nbval_active(config: pytest.Config) -> bool:
    return bool(config.getoption("nbval", default=False) or config.getoption("nbval_lax", default=False))


def _is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


def pytest_configure(config: pytest.Config) -> None:
    if not _nbval_active(config):
        return
    records = _records_dir(config)
    if not _is_worker(config):
        records.mkdir(parents=True, exist_ok=True)
        for old in records.glob("*.jsonl"):
            old.unlink()
    worker = config.workerinput["workerid"] if _is_worker(config) else "main"
    os.environ[LEDGER_VARIABLE] = str(records / f"{worker}.jsonl")


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Name the notebook before nbval starts its kernel (the kernel inherits the variable)."""
    if _nbval_active(item.config) and str(item.fspath).endswith(".ipynb"):
        os.environ[NOTEBOOK_VARIABLE] = ledger.display_path(item.fspath)


def pytest_sessionfinish(session: pytest.Session) -> None:
    config = session.config
    if not _nbval_active(config) or _is_worker(config):
        return
    records = []
    for path in sorted(_records_dir(config).glob("*.jsonl")):
        records.extend(ledger.read_records(path))
    notebooks: set[str] = set()
    for arg in config.args:
        path = Path(str(arg).split("::")[0])
        if path.is_dir():
            notebooks.update(str(p) for p in path.glob("*.ipynb"))
        elif path.suffix == ".ipynb":
            notebooks.add(str(path))
    result = ledger.build(records, sorted(notebooks))
    path = ledger.write(result, config.getoption("claims_ledger"))
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.ensure_newline()
        reporter.write_line(f"{ledger.summary_line(result)} ({ledger.display_path(path)})")
