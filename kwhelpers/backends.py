"""The same claims on another backend or device, checked against a committed ledger.

``python -m kwhelpers backend-check BACKEND [--update] [--jobs N]`` (``make test-backends``)

nbval's stored outputs are the contract for the pinned TensorFlow/CPU run. On JAX and
PyTorch every printed number differs (other random streams), so there the contract is the
ledger: the notebooks run with ``KERAS_BACKEND=BACKEND`` in collect mode, and every claim's
status, and every value its evidence compared, must match the committed baseline
``docs/ledgers/<backend>-<device>.json`` within the value's own tolerance. And every claim
that applies to the backend must hold: a baseline that records a claim as broken does not
excuse it (a real backend difference is a claim of its own, with ``backends=``). ``--update``
writes the baseline instead (after a deliberate change; review its diff), and refuses to
when a claim does not hold.

Exit status: 0 when the run matches its baseline, 1 when it does not, 2 for bad arguments or
a backend that is not installed.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from kwhelpers import ledger
from kwhelpers.claims import BACKENDS

LEDGER_DIR = ledger.REPO_ROOT / "docs" / "ledgers"
MODULES = {"tensorflow": "tensorflow", "jax": "jax", "torch": "torch"}


def baseline_path(backend: str, device: str, folder: Path = LEDGER_DIR) -> Path:
    """``docs/ledgers/<backend>-<device>.json``, device ``cpu`` or ``gpu``."""
    return folder / f"{backend}-{device}.json"


def device_kind(run_ledger: dict[str, Any]) -> str:
    """``"gpu"`` when the run saw a GPU, else ``"cpu"``."""
    return "gpu" if str(run_ledger["environment"].get("device", "")).startswith("GPU") else "cpu"


def mismatches(baseline: dict[str, Any], run: dict[str, Any]) -> list[str]:
    """Every way ``run`` departs from ``baseline``: a status, a value beyond its tolerance, a message, a claim.

    Examples
    --------
    >>> base = {"environment": {}, "claims": [{"id": "a.b.c", "status": "holds", "values": {}}]}
    >>> mismatches(base, {"environment": {}, "claims": [{"id": "a.b.c", "status": "broken", "values": {},
    ...                                                  "message": "x"}]})
    ['a.b.c: status holds in the baseline, broken now (x)']
    """
    problems = []
    before = {c["id"]: c for c in baseline["claims"]}
    now = {c["id"]: c for c in run["claims"]}
    for claim_id in sorted(set(before) - set(now)):
        problems.append(f"{claim_id}: in the baseline, missing now")
    for claim_id in sorted(set(now) - set(before)):
        problems.append(f"{claim_id}: new claim ({now[claim_id]['status']}), not in the baseline: run with --update")
    for claim_id, claim in now.items():
        old = before.get(claim_id)
        if old is None:
            continue
        if old["status"] != claim["status"]:
            detail = f" ({claim['message']})" if claim.get("message") else ""
            problems.append(f"{claim_id}: status {old['status']} in the baseline, {claim['status']} now{detail}")
            continue
        diff = ledger.compare({"environment": {}, "claims": [old]}, {"environment": {}, "claims": [claim]})
        for category in ("drift", "wording"):
            problems.extend(f"{claim_id}: {category}: {item['summary']}" for item in diff[category])
    return problems


def not_holding(run: dict[str, Any]) -> dict[str, str]:
    """The claims of ``run`` that apply to its backend and do not hold: id -> one line.

    Examples
    --------
    >>> not_holding({"claims": [{"id": "a.b.c", "status": "broken", "message": "x"},
    ...                         {"id": "a.b.d", "status": "not_applicable", "message": ""}]})
    {'a.b.c': 'a.b.c: broken (x)'}
    """
    return {c["id"]: f"{c['id']}: {c['status']} ({c.get('message', '')})" for c in run["claims"]
            if c["status"] not in ("holds", "not_applicable")}


def run_backend(backend: str, out: Path, jobs: int = 2, timeout: int = 600) -> dict[str, Any]:
    """Execute every notebook on ``backend`` in collect mode; return the run's ledger."""
    env = {**os.environ, "KERAS_BACKEND": backend, "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "-m", "kwhelpers", "report", "--out", str(out), "--jobs", str(jobs),
               "--timeout", str(timeout)]
    subprocess.run(command, cwd=ledger.REPO_ROOT, env=env)
    return ledger.load(out / "claims.json")


def check(backend: str, *, update: bool = False, jobs: int = 2, timeout: int = 600,
          out: Path | None = None, stream=sys.stdout) -> int:
    """Run the notebooks on ``backend`` and compare with (or, with ``update``, write) its baseline."""
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {list(BACKENDS)}, got {backend!r}")
    if importlib.util.find_spec(MODULES[backend]) is None:
        raise ValueError(f"backend: {backend!r} is not installed here (pip install -e '.[{backend}]')")
    out = out or ledger.REPO_ROOT / "build" / "backends" / backend
    run = run_backend(backend, out, jobs, timeout)
    target = baseline_path(backend, device_kind(run))
    stream.write(f"{backend} ({run['environment'].get('device')}): {ledger.summary_line(run)}\n")
    failing = not_holding(run)
    for line in failing.values():
        stream.write(f"  DOES NOT HOLD {line}\n")
    if update:
        if failing:
            stream.write(f"baseline not written: {len(failing)} claims do not hold on {backend}\n")
            return 1
        ledger.write(run, target)
        stream.write(f"baseline written: {ledger.display_path(target)}\n")
        return 0
    if not target.exists():
        stream.write(f"no baseline {ledger.display_path(target)}: run with --update to create it\n")
        return 1
    baseline = ledger.load(target)
    baseline["claims"] = [c for c in baseline["claims"] if c["id"] not in failing]  # reported above, once
    problems = mismatches(baseline, {**run, "claims": [c for c in run["claims"] if c["id"] not in failing]})
    problems += list(failing.values())
    for problem in problems:
        stream.write(f"  MISMATCH {problem}\n")
    stream.write(f"{backend}: {'matches' if not problems else f'{len(problems)} mismatches with'} "
                 f"{ledger.display_path(target)}\n")
    return 1 if problems else 0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the backend-check options to an argument parser."""
    parser.add_argument("backend", help="tensorflow, jax or torch")
    parser.add_argument("--update", action="store_true", help="write the baseline ledger instead of comparing")
    parser.add_argument("--jobs", type=int, default=2, help="notebooks run at once (default 2)")
    parser.add_argument("--timeout", type=int, default=600, help="seconds allowed per cell (default 600)")


def run_from_arguments(args: argparse.Namespace, stream=sys.stdout) -> int:
    """Run the check for parsed arguments; return the exit status (0 match, 1 mismatch, 2 usage)."""
    try:
        if args.jobs < 1:
            raise ValueError(f"--jobs must be a positive number of kernels, got {args.jobs}")
        return check(args.backend, update=args.update, jobs=args.jobs, timeout=args.timeout, stream=stream)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
