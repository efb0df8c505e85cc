"""``make upgrade-check PACKAGES="keras-nightly"``: which claims a Keras or TensorFlow upgrade changes.

``python -m kwhelpers upgrade-check SPEC [SPEC ...] [--out DIR] [--venv DIR] [--jobs N]``

1. A separate environment, ``.venv-upgrade/``: the exact versions this environment has of
   everything ``kwhelpers[test]`` needs, with the given requirement specs in place of the
   packages they name (``keras-nightly`` replaces ``keras``); reused while the specs and the
   pinned set stay the same.
2. Baseline: the pinned environment's ledger, ``build/report/claims.json`` (or nbval's) when it
   was made from this commit with the installed versions, else a fresh ``make report`` run.
3. Every notebook runs there in collect mode (every claim evaluated, even after one breaks),
   giving a second ledger.
4. `kwhelpers.ledger.compare` sorts the differences into ``changed``, ``not_evaluated``,
   ``drift``, ``wording``, ``new_warnings`` and ``api``; they are written to
   ``build/upgrade/diff.json`` and ``build/upgrade/index.html`` and summarised on the terminal.

Exit status: 0 when no claim changed, 1 when one did, 2 for bad arguments or an install that fails.
"""

from __future__ import annotations

import argparse
import hashlib
import html
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from kwhelpers import ledger

REPO_ROOT = ledger.REPO_ROOT
DEFAULT_OUT = REPO_ROOT / "build" / "upgrade"
DEFAULT_VENV = REPO_ROOT / ".venv-upgrade"
BASELINES = (REPO_ROOT / "build" / "report" / "claims.json", REPO_ROOT / "build" / "nbval" / "claims.json")
#: Distributions that install the same import package as another: asking for one replaces the other.
REPLACES = {
    "keras-nightly": {"keras"}, "keras": {"keras-nightly"},
    "tf-nightly": {"tensorflow", "tensorflow-cpu"}, "tensorflow-cpu": {"tensorflow", "tf-nightly"},
    "tensorflow": {"tf-nightly", "tensorflow-cpu"},
}
#: Changes when `build_environment` installs differently, so an environment built the old way is rebuilt.
INSTALL_METHOD = "pins without dependencies, then the specs"
CATEGORIES = ("changed", "not_evaluated", "drift", "wording", "new_warnings", "api")


class UsageError(ValueError):
    """Bad arguments or an environment that cannot be built: exit status 2."""


def canonical(name: str) -> str:
    """PEP 503 name: ``Keras_Nightly`` -> ``keras-nightly``."""
    return re.sub(r"[-_.]+", "-", name).lower()


def parse_specs(specs: Sequence[str]) -> list[tuple[str, str]]:
    """Check requirement specs (``keras==3.13.2``, ``keras-nightly``); return ``(name, spec)`` pairs.

    Examples
    --------
    >>> parse_specs(["keras==3.13.2", "Keras_Nightly"])
    [('keras', 'keras==3.13.2'), ('keras-nightly', 'Keras_Nightly')]
    """
    from packaging.requirements import InvalidRequirement, Requirement

    if not specs:
        raise UsageError('PACKAGES: give at least one requirement, e.g. PACKAGES="keras-nightly" '
                         'or PACKAGES="keras==3.13.2"')
    parsed = []
    for spec in specs:
        try:
            requirement = Requirement(spec)
        except InvalidRequirement as error:
            reason = str(error).splitlines()[0]
            raise UsageError(f"PACKAGES: {spec!r} is not a pip requirement ({reason})") from None
        if requirement.url:
            raise UsageError(f"PACKAGES: {spec!r} is a URL; give a name and version instead")
        parsed.append((canonical(requirement.name), spec))
    return parsed


def pinned_set(python: str | Path = sys.executable) -> list[str]:
    """``pip freeze`` of an environment, without this project itself."""
    frozen = subprocess.run([str(python), "-m", "pip", "freeze", "--exclude-editable", "--disable-pip-version-check"],
                            capture_output=True, text=True, check=True).stdout
    return [line for line in frozen.splitlines()
            if line.strip() and not line.startswith("#") and canonical(line.split("==")[0]) != "kwhelpers"]


def project_closure(extras: Sequence[str] = ("test",)) -> set[str]:
    """The installed distributions ``kwhelpers[extras]`` needs, directly or not (canonical names).

    The upgrade environment gets these, not everything this environment
    happens to hold (a JAX or PyTorch installed for ``make test-backends``
    plays no part in the TensorFlow run).

    Examples
    --------
    >>> {"keras", "tensorflow", "nbval", "numpy"} <= project_closure()
    True
    """
    from importlib import metadata

    from packaging.requirements import Requirement

    needed: set[str] = set()
    pending = [(canonical("kwhelpers"), tuple(extras))]
    while pending:
        name, wanted = pending.pop()
        try:
            requires = metadata.distribution(name).requires or []
        except metadata.PackageNotFoundError:
            continue
        for text in requires:
            requirement = Requirement(text)
            environment = [{"extra": extra} for extra in wanted] or [{"extra": ""}]
            if requirement.marker and not any(requirement.marker.evaluate(env) for env in environment):
                continue
            child = canonical(requirement.name)
            if child not in needed:
                needed.add(child)
                pending.append((child, tuple(requirement.extras)))
    return needed


def overridden(pins: Sequence[str], names: Sequence[str]) -> list[str]:
    """The pins that stay once the packages in ``names`` (and what they replace) are taken out.

    Examples
    --------
    >>> overridden(["keras==3.15.1", "numpy==2.4.6"], ["keras-nightly"])
    ['numpy==2.4.6']
    """
    out = set(names)
    for name in names:
        out |= REPLACES.get(name, set())
    return [pin for pin in pins if canonical(re.split(r"[=<>!~ @;]", pin, maxsplit=1)[0]) not in out]


def _last_error_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip().startswith("ERROR")]
    lines = lines or [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else "pip failed"


def build_environment(venv: Path, specs: Sequence[tuple[str, str]], stream=sys.stdout) -> dict[str, Any]:
    """Create or reuse ``venv`` holding the pinned set with ``specs`` in place; return what was done."""
    needed = project_closure()
    pins = [pin for pin in pinned_set() if canonical(re.split(r"[=<>!~ @;]", pin, maxsplit=1)[0]) in needed]
    keep = overridden(pins, [name for name, _ in specs])
    wanted = sorted(keep) + [spec for _, spec in specs]
    fingerprint = hashlib.sha256("\n".join([INSTALL_METHOD, *wanted]).encode()).hexdigest()
    stamp = venv / ".kwhelpers-upgrade.json"
    python = venv / "bin" / "python"
    if stamp.exists() and python.exists() and json.loads(stamp.read_text()).get("fingerprint") == fingerprint:
        stream.write(f"upgrade environment: reusing {ledger.display_path(venv)}\n")
        return json.loads(stamp.read_text())
    stream.write(f"upgrade environment: building {ledger.display_path(venv)} "
                 f"({len(keep)} pinned packages + {', '.join(s for _, s in specs)})\n")
    stream.flush()
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
    requirements = venv / "requirements.txt"
    requirements.write_text("\n".join(wanted) + "\n")
    pip = [str(python), "-m", "pip", "install", "--disable-pip-version-check", "--quiet"]
    # Exact pins without their dependencies: pip must not bring back what a spec replaces (TensorFlow
    # requires "keras", which would overwrite keras-nightly's files); then the specs' own new dependencies.
    result = subprocess.run(pip + ["--no-deps", "-r", str(requirements)], capture_output=True, text=True)
    if result.returncode == 0:
        result = subprocess.run(pip + [spec for _, spec in specs], capture_output=True, text=True)
    if result.returncode != 0:
        raise UsageError(f"PACKAGES: pip could not install {' '.join(s for _, s in specs)}: "
                         f"{_last_error_line(result.stderr or result.stdout)}")
    subprocess.run(pip + ["--no-deps", "-e", str(REPO_ROOT)], check=True, capture_output=True, text=True)
    conflicts = subprocess.run([str(python), "-m", "pip", "check", "--disable-pip-version-check"],
                               capture_output=True, text=True).stdout.strip().splitlines()
    info = {"fingerprint": fingerprint, "packages": [s for _, s in specs],
            "resolution": "pinned set; pip check: " + ("; ".join(conflicts) if conflicts else "no conflicts"),
            "installed": pinned_set(python)}
    stamp.write_text(json.dumps(info, indent=1) + "\n")
    return info


def _versions(python: str | Path = sys.executable) -> dict[str, str]:
    code = ("import json\nfrom importlib import metadata\nout = {}\n"
            "for n in ('keras', 'keras-nightly', 'tensorflow', 'tf-nightly'):\n"
            "    try: out[n] = metadata.version(n)\n    except metadata.PackageNotFoundError: pass\n"
            "print(json.dumps(out))")
    return json.loads(subprocess.run([str(python), "-c", code], capture_output=True, text=True, check=True).stdout)


def baseline_ledger(stream=sys.stdout, jobs: int = 2, timeout: int = 600) -> tuple[dict[str, Any], str]:
    """The pinned environment's ledger: reused when it matches this commit and versions, else built now."""
    commit = ledger.git_commit()
    versions = _versions()
    for path in BASELINES:
        if not path.exists():
            continue
        candidate = ledger.load(path)
        environment = candidate["environment"]
        if (environment.get("commit") == commit and environment.get("keras") == versions.get("keras")
                and environment.get("tensorflow") == versions.get("tensorflow")
                and not any(c["status"] == "not_evaluated" for c in candidate["claims"])):
            stream.write(f"baseline: reusing {ledger.display_path(path)} (commit {commit[:12]})\n")
            return candidate, ledger.display_path(path)
    stream.write("baseline: no ledger from this commit and these versions; running the notebooks here first\n")
    stream.flush()
    out = REPO_ROOT / "build" / "report"
    _run_report(sys.executable, out, jobs, timeout)
    return ledger.load(out / "claims.json"), ledger.display_path(out / "claims.json")


def _run_report(python: str | Path, out: Path, jobs: int, timeout: int) -> int:
    """Run ``python -m kwhelpers report`` (its progress goes to the terminal); return its exit status."""
    command = [str(python), "-m", "kwhelpers", "report", "--out", str(out), "--jobs", str(jobs),
               "--timeout", str(timeout)]
    return subprocess.run(command, cwd=REPO_ROOT, env={**os.environ, "PYTHONUNBUFFERED": "1"}).returncode


def summary_lines(diff: dict[str, Any], limit: int = 12) -> list[str]:
    """The terminal summary: versions, a count per category, then the items of each non-empty one."""
    base, new = diff["baseline"]["environment"], diff["upgrade"]["environment"]
    lines = [f"upgrade check: keras {base.get('keras')} -> {new.get('keras')}, tensorflow {base.get('tensorflow')}"
             f" -> {new.get('tensorflow')} ({', '.join(diff['packages'])})",
             "  " + ", ".join(f"{category.replace('_', ' ')}: {len(diff[category])}" for category in CATEGORIES)]
    for category in CATEGORIES:
        items = diff[category]
        for item in items[:limit]:
            lines.append(f"  {category.upper():<13} {item['id']}: {item['summary']}")
        if len(items) > limit:
            lines.append(f"  {category.upper():<13} ... and {len(items) - limit} more (see diff.json)")
    return lines


def write_index(diff: dict[str, Any], destination: Path) -> None:
    """``build/upgrade/index.html``: one table per category, claims linked to the upgrade run's pages."""
    report_dir = "report/"
    pages = {}
    for claim in diff["upgrade"]["claims"]:
        if claim.get("notebook"):
            pages[claim["id"]] = f"{report_dir}{Path(claim['notebook']).stem}.html#cell-id={claim.get('cell_id', '')}"
    sections = []
    for category in CATEGORIES:
        rows = "".join(
            f"<tr><td>{_link(item['id'], pages)}</td><td>{html.escape(item['summary'])}</td></tr>"
            for item in diff[category])
        sections.append(f"<h2>{category.replace('_', ' ')} ({len(diff[category])})</h2>"
                        + (f"<table>{rows}</table>" if rows else "<p>none</p>"))
    facts = "".join(f"<li>{html.escape(k)}: {html.escape(str(v))}</li>" for k, v in {
        "packages": " ".join(diff["packages"]),
        "baseline": f"keras {diff['baseline']['environment'].get('keras')}, tensorflow "
                    f"{diff['baseline']['environment'].get('tensorflow')} ({diff['baseline']['ledger']})",
        "upgrade": f"keras {diff['upgrade']['environment'].get('keras')}, tensorflow "
                   f"{diff['upgrade']['environment'].get('tensorflow')} (<a>{report_dir}index.html</a>)",
        "environment": diff["resolution"], "seconds": diff["seconds"]}.items())
    destination.write_text(
        "<!doctype html><html lang='en'><meta charset='utf-8'><title>Upgrade check</title>"
        "<style>body{font-family:sans-serif;max-width:80em;margin:2em auto;padding:0 1em}"
        "td{padding:.3em .6em;border-bottom:1px solid #ddd;vertical-align:top}</style>"
        f"<h1>Upgrade check</h1><p><a href='{report_dir}index.html'>the notebooks run with the new packages</a></p>"
        f"<ul>{facts}</ul>{''.join(sections)}\n", encoding="utf-8")


def _link(claim_id: str, pages: dict[str, str]) -> str:
    page = pages.get(claim_id)
    return f"<a href='{html.escape(page)}'>{html.escape(claim_id)}</a>" if page else html.escape(claim_id)


def run(specs: Sequence[str], out: Path = DEFAULT_OUT, venv: Path = DEFAULT_VENV, jobs: int = 2,
        timeout: int = 600, stream=sys.stdout) -> dict[str, Any]:
    """Do the whole check (see the module docstring); return the diff that was written."""
    started = time.perf_counter()
    parsed = parse_specs(specs)
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise UsageError(f"--jobs must be a positive number of kernels, got {jobs!r}")
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out: {ledger.display_path(out)} exists and is not a folder")
    info = build_environment(venv, parsed, stream)  # first: a version pip cannot find fails in seconds
    stream.write(f"upgrade environment: ready after {time.perf_counter() - started:.0f} s\n")
    baseline, baseline_path = baseline_ledger(stream, jobs, timeout)
    stream.write(f"upgrade run: executing every notebook with {' '.join(s for _, s in parsed)}\n")
    stream.flush()
    out.mkdir(parents=True, exist_ok=True)
    running = time.perf_counter()
    _run_report(venv / "bin" / "python", out / "report", jobs, timeout)
    stream.write(f"upgrade run: {time.perf_counter() - running:.0f} s\n")
    upgraded = ledger.load(out / "report" / "claims.json")
    diff = {
        "packages": [s for _, s in parsed],
        "resolution": info["resolution"],
        "seconds": round(time.perf_counter() - started, 1),
        "baseline": {"ledger": baseline_path, "environment": _without_api(baseline["environment"])},
        "upgrade": {"ledger": ledger.display_path(out / "report" / "claims.json"),
                    "environment": _without_api(upgraded["environment"]), "claims": upgraded["claims"]},
        **ledger.compare(baseline, upgraded),
    }
    written = {k: v for k, v in diff.items()}
    written["upgrade"] = {k: v for k, v in diff["upgrade"].items() if k != "claims"}
    (out / "diff.json").write_text(json.dumps(written, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    write_index(diff, out / "index.html")
    for line in summary_lines(diff):
        stream.write(line + "\n")
    stream.write(f"written: {ledger.display_path(out / 'diff.json')}, {ledger.display_path(out / 'index.html')} "
                 f"({diff['seconds']:.0f} s)\n")
    return diff


def _without_api(environment: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in environment.items() if k != "api"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the upgrade-check options to an argument parser."""
    parser.add_argument("packages", nargs="*", help="pip requirement specs, e.g. keras-nightly or keras==3.13.2")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default: build/upgrade)")
    parser.add_argument("--venv", type=Path, default=DEFAULT_VENV,
                        help="the upgraded environment (default: .venv-upgrade)")
    parser.add_argument("--jobs", type=int, default=2, help="notebooks run at once (default 2)")
    parser.add_argument("--timeout", type=int, default=600, help="seconds allowed per cell (default 600)")


def run_from_arguments(args: argparse.Namespace, stream=sys.stdout) -> int:
    """Run the check for parsed arguments; return the exit status (0 no change, 1 changed, 2 usage)."""
    try:
        diff = run(args.packages, out=args.out, venv=args.venv, jobs=args.jobs, timeout=args.timeout, stream=stream)
    except UsageError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 1 if diff["changed"] else 0
