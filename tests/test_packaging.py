"""pyproject.toml (pip) and environment.yml (conda) must pin the same packages."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9_.\-]+)(\[[^\]]*\])?\s*(.*?)\s*$")
# Conda packages that pip users get some other way (the interpreter, pip itself).
CONDA_ONLY = {"python", "pip"}


def _split(requirement: str) -> tuple[str, str]:
    match = REQUIREMENT.match(requirement)
    assert match, f"cannot parse requirement {requirement!r}"
    name = match.group(1).lower().replace("_", "-")
    specifier = ",".join(sorted(part.strip() for part in match.group(3).split(",") if part.strip()))
    return name, specifier


def pip_requirements() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = project["dependencies"] + project["optional-dependencies"]["test"]
    return dict(_split(r) for r in requirements)


def conda_requirements() -> dict[str, str]:
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    found: dict[str, str] = {}
    for item in environment["dependencies"]:
        entries = item["pip"] if isinstance(item, dict) else [item]
        for entry in entries:
            if entry.startswith("-e"):
                continue
            # conda writes "name=1.2" for an exact pin where pip writes "name==1.2"
            entry = re.sub(r"^([A-Za-z0-9_.\-]+)=(?!=)", r"\1==", entry)
            name, specifier = _split(entry)
            found[name] = specifier
    return found


def test_every_pip_requirement_is_in_environment_yml_with_the_same_pin():
    pip, conda = pip_requirements(), conda_requirements()
    assert {n: pip[n] for n in pip} == {n: conda.get(n) for n in pip}


def test_environment_yml_has_nothing_pip_users_lack():
    extra = set(conda_requirements()) - set(pip_requirements()) - CONDA_ONLY
    assert not extra, f"environment.yml pins packages missing from pyproject.toml: {sorted(extra)}"


def test_python_version_agrees():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert conda_requirements()["python"] == "==3.11"  # what CI tests
    assert project["requires-python"] == ">=3.11,<3.13"  # Keras 3.15 supports 3.11-3.12, TensorFlow 2.21 3.10-3.13


@pytest.mark.parametrize("name", ["tensorflow", "keras"])
def test_core_pins_are_bounded(name):
    specifier = pip_requirements()[name]
    assert ">=" in specifier and "<" in specifier.replace("<=", ""), specifier
