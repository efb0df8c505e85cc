"""The ledger of a run: every claim the notebooks make, with its status and evidence.

While notebooks run, each `kwhelpers.claim`, `kwhelpers.step` and
`kwhelpers.setup` appends one JSON line to the file named by
``KWHELPERS_LEDGER``. `build` turns those lines, and the notebooks' own
source, into one ledger::

    {"environment": {"python", "tensorflow", "keras", "backend", "device", "commit", "date", ...},
     "claims": [{"id", "notebook", "cell", "cell_id", "statement", "source", "verdict",
                 "status", "values", "message", "warnings"}, ...],
     "steps": [{"name", "notebook", "status", "message"}, ...]}

The notebooks' source is read too, so a claim whose cell never ran (the
kernel died, or an earlier claim in the same cell failed under nbval) is
still listed, as "not evaluated". `compare` says how two ledgers differ.
"""

from __future__ import annotations

import datetime
import json
import math
import re
import subprocess
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from kwhelpers.claims import STATUSES, cell_fingerprint

REPO_ROOT = Path(__file__).resolve().parent.parent
_CLAIM_CALL = re.compile(r"""\bclaim\(\s*["']([^"']+)["']""")
_STEP_CALL = re.compile(r"""\bstep\(\s*["']([^"']+)["']""")
ENVIRONMENT_KEYS = ("python", "tensorflow", "keras", "backend", "backend_version", "device", "commit", "date")


def read_records(path: str | Path) -> list[dict[str, Any]]:
    """Read the JSON lines a run appended; a missing file means no records."""
    path = Path(path)
    if not path.exists():
        return []
    records = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError as error:
                raise ValueError(f"ledger records: line {number} of {path} is not JSON ({error})") from error
    return records


def display_path(path: str | Path) -> str:
    """``path`` relative to the repository when it is inside it, else as given."""
    try:
        return str(Path(path).resolve().relative_to(REPO_ROOT))
    except ValueError:
        return str(path)


def _read(notebook: str | Path) -> Any:
    import nbformat

    return nbformat.read(str(notebook), as_version=4)


def declared(notebook: str | Path) -> list[dict[str, Any]]:
    """The claims and steps a notebook's code cells declare, in order, found in its source.

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
    ...     'with kw.claim("01.a.b", "x", verdict="finding") as e:\\n    pass')])
    >>> [(d["kind"], d["id"], d["cell"]) for d in declared_in(nb, "nb.ipynb")]
    [('claim', '01.a.b', 0)]
    """
    return declared_in(_read(notebook), display_path(notebook))


def declared_in(notebook: Any, name: str) -> list[dict[str, Any]]:
    """Like `declared`, for a notebook already read (``nbformat.NotebookNode``)."""
    found = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        for kind, pattern in (("claim", _CLAIM_CALL), ("step", _STEP_CALL)):
            for match in pattern.finditer(cell.source):
                found.append({"kind": kind, "id": match.group(1), "notebook": name, "cell": index,
                              "cell_id": cell.get("id", "")})
    return found


def git_commit() -> str:
    """The repository's commit (``-dirty`` if it has changes), or ``"unknown"`` outside git."""
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO_ROOT, capture_output=True,
                              text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO_ROOT,
                               capture_output=True, text=True, check=True).stdout.strip()
        return head + ("-dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def environment_of(records: Sequence[dict[str, Any]], *, commit: str | None = None,
                   date: str | None = None) -> dict[str, Any]:
    """The run's environment, from the last ``setup()`` record (versions, backend, device, API names)."""
    setups = [r for r in records if r.get("kind") == "environment"]
    last = setups[-1] if setups else {}
    backend = last.get("keras_backend")
    devices = last.get("devices") or []
    gpu_names = [d for d in devices if "GPU" in d.upper() or "cuda" in d.lower() or "NVIDIA" in d]
    return {
        "python": last.get("python"),
        "tensorflow": last.get("backend_version") if backend == "tensorflow" else None,
        "keras": last.get("keras"),
        "backend": backend,
        "backend_version": last.get("backend_version"),
        "device": ("GPU: " + ", ".join(gpu_names)) if last.get("gpus") else ("CPU" if last else None),
        "platform": last.get("platform"),
        "seed": last.get("seed"),
        "deterministic_ops": last.get("deterministic_ops"),
        "full_float32_matmul": last.get("full_float32_matmul"),
        "commit": commit if commit is not None else git_commit(),
        "date": date or datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "api": last.get("api", {}),
    }


def build(records: Sequence[dict[str, Any]], notebooks: Iterable[str | Path], *,
          commit: str | None = None, date: str | None = None) -> dict[str, Any]:
    """Combine a run's records with what the notebooks declare into one ledger.

    Every claim a notebook declares appears once, in notebook order. A
    declared claim with no record is "not evaluated" (its cell never got to
    it). When an id was recorded more than once, the last record counts.
    A claim whose id the source does not spell out (an f-string in a loop) is
    placed in its cell by the fingerprint of the cell's source it recorded.

    Examples
    --------
    >>> ledger = build([], [], commit="abc", date="2026-01-01")
    >>> ledger["claims"], ledger["environment"]["commit"]
    ([], 'abc')
    """
    by_id: dict[str, dict[str, Any]] = {}
    steps: dict[tuple[str | None, str], dict[str, Any]] = {}
    for record in records:
        if record.get("kind") == "claim":
            by_id[record["id"]] = record
        elif record.get("kind") == "step":
            steps[(record.get("notebook"), record["name"])] = record
    claims = []
    seen: set[str] = set()
    cells: dict[str, tuple[str, int, str]] = {}  # fingerprint -> (notebook, cell index, cell id)
    for notebook in notebooks:
        for index, cell in enumerate(_read(notebook).cells):
            if cell.cell_type == "code":
                cells.setdefault(cell_fingerprint(cell.source), (display_path(notebook), index, cell.get("id", "")))
        for entry in declared(notebook):
            if entry["kind"] != "claim" or entry["id"] in seen:
                continue
            seen.add(entry["id"])
            record = by_id.get(entry["id"])
            claims.append(_claim_entry(entry, record))
    for claim_id, record in by_id.items():  # recorded, but not spelled out in the notebooks' source
        if claim_id not in seen:
            notebook, cell, cell_id = cells.get(record.get("cell_source") or "", (record.get("notebook"), None, ""))
            claims.append(_claim_entry({"id": claim_id, "notebook": notebook, "cell": cell, "cell_id": cell_id},
                                       record))
    return {
        "environment": environment_of(records, commit=commit, date=date),
        "claims": claims,
        "steps": [{"name": s["name"], "notebook": s.get("notebook"), "status": s["status"],
                   "message": s.get("message", "")} for s in steps.values()],
    }


def _claim_entry(entry: dict[str, Any], record: dict[str, Any] | None) -> dict[str, Any]:
    notebook = entry["notebook"]
    if record is None:
        return {"id": entry["id"], "notebook": notebook, "cell": entry["cell"], "cell_id": entry["cell_id"],
                "statement": "", "source": None, "verdict": None, "status": "not_evaluated",
                "values": {}, "message": "its cell did not reach this claim (the kernel stopped, or an "
                "earlier failure in the same cell)", "warnings": []}
    return {
        "id": record["id"],
        "notebook": display_path(record["notebook"]) if record.get("notebook") else notebook,
        "cell": entry["cell"],
        "cell_id": entry["cell_id"],
        "statement": record.get("statement", ""),
        "source": record.get("source"),
        "verdict": record.get("verdict"),
        "status": record["status"],
        "values": record.get("values", {}),
        "message": record.get("message", ""),
        "warnings": record.get("warnings", []),
        "needs": record.get("needs", []),
        "backends": record.get("backends"),
    }


def write(ledger: dict[str, Any], path: str | Path) -> Path:
    """Write ``ledger`` as indented JSON (creating the folder); return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(ledger, indent=1, sort_keys=False, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def load(path: str | Path) -> dict[str, Any]:
    """Read a ledger written by `write`, refusing files that are not one."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"ledger: {display_path(path)} does not exist")
    try:
        ledger = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ValueError(f"ledger: {display_path(path)} is not JSON ({error})") from error
    if not isinstance(ledger, dict) or not {"environment", "claims"} <= set(ledger):
        raise ValueError(f"ledger: {display_path(path)} has no 'environment' and 'claims'")
    return ledger


def counts(ledger: dict[str, Any]) -> dict[str, int]:
    """How many claims have each status.

    Examples
    --------
    >>> counts({"claims": [{"status": "holds"}, {"status": "broken"}, {"status": "holds"}]})["holds"]
    2
    """
    result = {status: 0 for status in STATUSES}
    for claim in ledger["claims"]:
        result[claim["status"]] = result.get(claim["status"], 0) + 1
    return result


def summary_line(ledger: dict[str, Any]) -> str:
    """``"claims: 120 holds, 1 broken, ..."`` (statuses that occur)."""
    parts = [f"{n} {status.replace('_', ' ')}" for status, n in counts(ledger).items() if n]
    return "claims: " + (", ".join(parts) if parts else "none recorded")


# ---------------------------------------------------------------------------------------------
# Comparing two ledgers
# ---------------------------------------------------------------------------------------------

def _numbers(value: Any) -> list[float] | None:
    """The numbers in a recorded value, flattened; None if it holds text."""
    if isinstance(value, bool):
        return [float(value)]
    if isinstance(value, (int, float)):
        return [float(value)]
    if isinstance(value, str):
        return {"nan": [math.nan], "inf": [math.inf], "-inf": [-math.inf]}.get(value)
    if isinstance(value, list):
        flat: list[float] = []
        for item in value:
            numbers = _numbers(item)
            if numbers is None:
                return None
            flat.extend(numbers)
        return flat
    if isinstance(value, dict):
        return _numbers([value[k] for k in sorted(value)])
    return None


def _moved(old: Any, new: Any, rtol: float, atol: float) -> bool:
    a, b = _numbers(old), _numbers(new)
    if a is None or b is None:
        return old != new
    if len(a) != len(b):
        return True
    for x, y in zip(a, b):
        if math.isnan(x) and math.isnan(y):
            continue
        if x == y:
            continue
        if not (math.isfinite(x) and math.isfinite(y)) or abs(x - y) > atol + rtol * abs(x):
            return True
    return False


def _text(value: Any) -> str:
    text = json.dumps(value) if not isinstance(value, str) else value
    return text if len(text) <= 160 else text[:157] + "..."


def compare(old: dict[str, Any], new: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """What changed between two ledgers of the same notebooks.

    Returns the lists

    ``changed``        claims that held and now are broken or error (or a
                       step that ran and now fails): a Keras change to read;
    ``not_evaluated``  claims that held and now could not be evaluated;
    ``drift``          numbers a holding claim compared that moved beyond their
                       tolerance (old -> new);
    ``wording``        messages (errors, warnings) that changed while the claim holds;
    ``new_warnings``   warnings raised inside a claim's evidence that the old run did not raise;
    ``api``            names added to or removed from ``keras.optimizers``, ``keras.losses``,
                       ``keras.metrics``.

    Every item has an ``id`` and a one-line ``summary`` (what was expected, what came out).

    Examples
    --------
    >>> old = {"environment": {}, "claims": [{"id": "01.a.b", "status": "holds", "values": {}}]}
    >>> new = {"environment": {}, "claims": [{"id": "01.a.b", "status": "broken", "values": {},
    ...                                       "message": "x: expected 1, measured 2"}]}
    >>> compare(old, new)["changed"][0]["summary"]
    'held, now broken: x: expected 1, measured 2'
    """
    result: dict[str, list[dict[str, Any]]] = {
        "changed": [], "not_evaluated": [], "drift": [], "wording": [], "new_warnings": [], "api": []}
    old_claims = {c["id"]: c for c in old["claims"]}
    old_steps = {(s.get("notebook"), s["name"]): s for s in old.get("steps", [])}
    for step in new.get("steps", []):
        before = old_steps.get((step.get("notebook"), step["name"]))
        if step["status"] == "failed" and (before is None or before["status"] == "ok"):
            result["changed"].append({"id": f"step {step['name']} ({step.get('notebook')})",
                                      "summary": f"step ran, now fails: {step['message']}"})
    for claim in new["claims"]:
        before = old_claims.get(claim["id"])
        if before is None:
            result["changed"].append({"id": claim["id"], "summary": f"new claim, {claim['status']}"})
            continue
        if before["status"] == "holds" and claim["status"] in ("broken", "error"):
            result["changed"].append({"id": claim["id"], "notebook": claim.get("notebook"),
                                      "cell": claim.get("cell"),
                                      "summary": f"held, now {claim['status']}: {claim['message']}"})
            continue
        if before["status"] in ("broken", "error") and claim["status"] == "holds":
            result["changed"].append({"id": claim["id"], "summary": f"was {before['status']}, now holds"})
            continue
        if before["status"] == "holds" and claim["status"] == "not_evaluated":
            result["not_evaluated"].append({"id": claim["id"], "summary": claim["message"]})
            continue
        if claim["status"] != "holds" or before["status"] != "holds":
            continue
        _compare_values(claim, before, result)
        old_warnings = set(before.get("warnings", []))
        for warning in claim.get("warnings", []):
            if warning not in old_warnings:
                result["new_warnings"].append({"id": claim["id"], "summary": warning})
    for removed in sorted(set(old_claims) - {c["id"] for c in new["claims"]}):
        result["changed"].append({"id": removed, "summary": "claim missing from the new run"})
    result["api"] = _compare_api(old["environment"].get("api", {}), new["environment"].get("api", {}))
    return result


def _compare_values(claim: dict[str, Any], before: dict[str, Any], result: dict[str, list]) -> None:
    for name, value in claim.get("values", {}).items():
        previous = before.get("values", {}).get(name)
        if previous is None:
            continue
        old_measured, new_measured = previous.get("measured"), value.get("measured")
        if value.get("check") in ("raises", "warns", "no_warnings") or (
                isinstance(old_measured, str) and _numbers(old_measured) is None):
            if old_measured != new_measured:
                result["wording"].append({"id": claim["id"], "value": name,
                                          "summary": f"{name}: {_text(old_measured)} -> {_text(new_measured)}"})
            continue
        rtol = float(previous.get("rtol", 0.0) or 0.0)
        atol = float(previous.get("atol", 0.0) or 0.0)
        if _moved(old_measured, new_measured, rtol, atol):
            result["drift"].append({"id": claim["id"], "value": name, "old": old_measured, "new": new_measured,
                                    "summary": f"{name}: {_text(old_measured)} -> {_text(new_measured)} "
                                               f"(tolerance rtol {rtol:g}, atol {atol:g})"})


def _compare_api(old: dict[str, list[str]], new: dict[str, list[str]]) -> list[dict[str, Any]]:
    items = []
    for kind in sorted(set(old) | set(new)):
        before, after = set(old.get(kind, [])), set(new.get(kind, []))
        for name in sorted(after - before):
            items.append({"id": f"keras.{kind}.{name}", "summary": f"added to keras.{kind}"})
        for name in sorted(before - after):
            items.append({"id": f"keras.{kind}.{name}", "summary": f"removed from keras.{kind}"})
    return items
