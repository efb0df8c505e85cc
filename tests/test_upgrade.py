"""make upgrade-check and make test-backends: their arguments, environments and comparisons.

The comparison itself (the six categories) is tested end to end in test_ledger.py; here, what
surrounds it: requirement specs, the pinned set minus what a spec replaces, a version pip cannot
find, and the per-backend baseline check.
"""

from __future__ import annotations

import argparse
import io
import subprocess
import sys

import pytest

from kwhelpers import backends, ledger, upgrade

ROOT = upgrade.REPO_ROOT


@pytest.mark.parametrize("specs, message", [
    ([], "give at least one requirement"),
    (["keras==="], "'keras===' is not a pip requirement"),
    (["keras @ https://example.com/k.whl"], "is a URL"),
])
def test_bad_specs_are_usage_errors(specs, message):
    with pytest.raises(upgrade.UsageError, match=message):
        upgrade.parse_specs(specs)


def test_a_spec_replaces_its_pin_and_the_distribution_it_shadows():
    pins = ["keras==3.15.1", "tensorflow==2.21.0", "numpy==2.4.6", "keras-nightly==3.16.0.dev1"]
    assert upgrade.overridden(pins, ["keras-nightly"]) == ["tensorflow==2.21.0", "numpy==2.4.6"]
    assert upgrade.overridden(pins, ["keras"]) == ["tensorflow==2.21.0", "numpy==2.4.6"]
    assert upgrade.overridden(pins, ["tensorflow", "keras"]) == ["numpy==2.4.6"]
    assert upgrade.canonical("Keras_Nightly") == "keras-nightly"


def test_the_pinned_set_is_this_environment_without_the_project():
    pins = upgrade.pinned_set()
    names = {upgrade.canonical(p.split("==")[0]) for p in pins}
    assert {"keras", "tensorflow", "nbval"} <= names
    assert "kwhelpers" not in names


def test_command_line_refuses_bad_specs_with_status_2():
    result = subprocess.run([sys.executable, "-m", "kwhelpers", "upgrade-check", "keras==="],
                            capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 2
    assert result.stderr.startswith("error: PACKAGES: 'keras===' is not a pip requirement")
    assert len(result.stderr.splitlines()) == 1


def test_a_version_pip_cannot_find_is_one_line_with_status_2(tmp_path, monkeypatch):
    """No index at all: pip answers at once that nothing satisfies the spec."""
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(tmp_path))
    with pytest.raises(upgrade.UsageError, match=r"^PACKAGES: pip could not install keras==0\.0\.1: ERROR: No matching distribution found for [^\n]+$"):
        upgrade.build_environment(tmp_path / "venv", [("keras", "keras==0.0.1")], stream=open("/dev/null", "w"))


def _ledger(*claims, device="CPU"):
    return {"environment": {"device": device}, "claims": [dict(c, values=c.get("values", {})) for c in claims]}


def test_backend_check_reports_status_value_and_claim_mismatches():
    baseline = _ledger({"id": "01.a.same", "status": "holds", "values": {"v": {"measured": 1.0, "rtol": 1e-4}}},
                       {"id": "01.a.moves", "status": "holds", "values": {"v": {"measured": 1.0, "rtol": 1e-4}}},
                       {"id": "01.a.breaks", "status": "holds"},
                       {"id": "01.a.gone", "status": "not_applicable"})
    run = _ledger({"id": "01.a.same", "status": "holds", "values": {"v": {"measured": 1.00001, "rtol": 1e-4}}},
                  {"id": "01.a.moves", "status": "holds", "values": {"v": {"measured": 1.1, "rtol": 1e-4}}},
                  {"id": "01.a.breaks", "status": "broken", "message": "x: expected 1, measured 2"},
                  {"id": "01.a.new", "status": "holds"})
    assert backends.mismatches(baseline, run) == [
        "01.a.gone: in the baseline, missing now",
        "01.a.new: new claim (holds), not in the baseline: run with --update",
        "01.a.moves: drift: v: 1.0 -> 1.1 (tolerance rtol 0.0001, atol 0)",
        "01.a.breaks: status holds in the baseline, broken now (x: expected 1, measured 2)",
    ]
    assert backends.mismatches(baseline, baseline) == []


def test_a_claim_that_does_not_hold_fails_the_backend_check_even_if_the_baseline_recorded_it(monkeypatch, tmp_path):
    broken = {"id": "03a.appendix.muon", "status": "broken", "message": "largest difference 0.00083"}
    run = _ledger({"id": "01.a.ok", "status": "holds"}, broken, {"id": "01.a.tf_only", "status": "not_applicable"})
    monkeypatch.setattr(backends.importlib.util, "find_spec", lambda name: object())
    monkeypatch.setattr(backends, "run_backend", lambda *args: run)
    monkeypatch.setattr(backends, "LEDGER_DIR", tmp_path)
    monkeypatch.setattr(backends, "baseline_path", lambda backend, device: tmp_path / f"{backend}-{device}.json")
    out = io.StringIO()
    assert backends.check("torch", update=True, stream=out) == 1
    assert "DOES NOT HOLD 03a.appendix.muon: broken (largest difference 0.00083)" in out.getvalue()
    assert "baseline not written: 1 claims do not hold on torch" in out.getvalue()
    assert not (tmp_path / "torch-cpu.json").exists()
    ledger.write(run, tmp_path / "torch-cpu.json")  # a baseline that recorded the broken claim
    out = io.StringIO()
    assert backends.check("torch", stream=out) == 1
    assert out.getvalue().splitlines()[-1] == f"torch: 1 mismatches with {ledger.display_path(tmp_path / 'torch-cpu.json')}"


def test_baselines_are_named_by_backend_and_device():
    assert backends.baseline_path("jax", "gpu").name == "jax-gpu.json"
    assert backends.device_kind(_ledger(device="GPU: NVIDIA H200")) == "gpu"
    assert backends.device_kind(_ledger(device="CPU")) == "cpu"


def test_backend_check_refuses_unknown_backends_with_status_2():
    result = subprocess.run([sys.executable, "-m", "kwhelpers", "backend-check", "theano"],
                            capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert (result.returncode, result.stderr) == (2, "error: backend must be one of ['tensorflow', 'jax', "
                                                     "'torch'], got 'theano'\n")


@pytest.mark.parametrize("diff, status", [
    ({"changed": [], "drift": [{"id": "01.a.b", "summary": "v: 1.0 -> 1.1"}],
      "wording": [{"id": "01.a.c", "summary": "e: old -> new"}]}, 0),
    ({"changed": [{"id": "01.a.b", "summary": "held, now broken: x"}], "drift": []}, 1),
])
def test_upgrade_exit_status_is_1_only_when_a_claim_changed(monkeypatch, diff, status):
    monkeypatch.setattr(upgrade, "run", lambda *args, **kwargs: diff)
    parser = argparse.ArgumentParser()
    upgrade.add_arguments(parser)
    assert upgrade.run_from_arguments(parser.parse_args(["keras"]), stream=io.StringIO()) == status


def test_backend_check_reports_a_reworded_message_of_a_holding_claim():
    def raising(message):
        return {"id": "01.a.b", "status": "holds",
                "values": {"e raises": {"check": "raises", "measured": message, "match": None}}}

    baseline, run = _ledger(raising("ValueError: old text")), _ledger(raising("ValueError: new text"))
    assert backends.mismatches(baseline, run) == [
        "01.a.b: wording: e raises: ValueError: old text -> ValueError: new text"]
