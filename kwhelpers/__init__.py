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
import importlib.util
from typing import Any

from kwhelpers.env import EnvironmentReport, setup

__all__ = ["EnvironmentReport", "setup"]
__version__ = "0.1.0"



def __getattr__(name: str) -> Any:
    """Import a submodule (``kw.data``, ``kw.weights``...) on first use."""
    if not name.startswith("_") and importlib.util.find_spec(f"kwhelpers.{name}") is not None:
        return importlib.import_module(f"kwhelpers.{name}")
    raise AttributeError(f"module 'kwhelpers' has no attribute {name!r}")
