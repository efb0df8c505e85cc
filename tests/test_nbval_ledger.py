"""kwhelpers.nbval_ledger: an nbval run writes the ledger of the claims its notebooks made."""

from __future__ import annotations

import json
import subprocess
import sys

import nbformat

CLAIM_CELL = """import kwhelpers as kw
with kw.claim("99.plugin.sum", "two plus two is four", verdict="finding") as evidence:
    evidence.equal("2 + 2", 2 + 2, 4)"""


def test_a_relative_ledger_path_collects_claims_from_kernels_run_in_another_folder(tmp_path):
    """nbval starts each kernel in its notebook's folder: a relative --claims-ledger must still be found."""
    folder = tmp_path / "notebooks"
    folder.mkdir()
    notebook = folder / "99_plugin.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(CLAIM_CELL)]), notebook)
    run = subprocess.run([sys.executable, "-m", "pytest", "--nbval-lax", "-p", "kwhelpers.nbval_ledger",
                          "-p", "no:cacheprovider", "--claims-ledger", "build/claims.json", "notebooks/99_plugin.ipynb"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    ledger = json.loads((tmp_path / "build" / "claims.json").read_text())
    assert [(c["id"], c["status"]) for c in ledger["claims"]] == [("99.plugin.sum", "holds")]
    assert "1 holds" in run.stdout
