"""Helpers for a notebook suite on how Keras 3 really trains a model.

Importing ``kwhelpers`` does not import TensorFlow: call :func:`setup` first,
then use the submodules (``kw.data``, ``kw.weights``, ``kw.training``, ...),
which are imported on first use.

Examples
--------
>>> import kwhelpers as kw
>>> report = kw.setup(seed=0)
>>> kw.data.load("digits")["x_train"].shape[1]
64
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

from kwhelpers.claims import claim, step
from kwhelpers.env import EnvironmentReport, setup

#: The submodules, imported on first use (``kw.weights``, ``kw.training``, ...).
SUBMODULES = tuple(sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_")))
__all__ = ["EnvironmentReport", "claim", "setup", "step", *SUBMODULES]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    """Import a submodule (``kw.data``, ``kw.weights``...) on first use."""
    if name in SUBMODULES:
        return importlib.import_module(f"kwhelpers.{name}")
    raise AttributeError(f"module 'kwhelpers' has no attribute {name!r}")


def __dir__() -> list[str]:
    """The public names: `setup`, `claim`, `step`, `EnvironmentReport` and the submodules."""
    return sorted(__all__)
