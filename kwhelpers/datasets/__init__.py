"""Recipes for the datasets in ``data/``: one module per family, found automatically.

A recipe module defines ``RECIPES``, a list of `Recipe`. `recipe` finds a
recipe by name in any module of this package, so adding a dataset means adding
a module (or a recipe to one) and running ``python -m kwhelpers data build NAME``.
"""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np


def class_counts(labels: np.ndarray) -> dict[str, int]:
    """Return ``{label: count}`` with string keys, for a JSON manifest.

    Examples
    --------
    >>> class_counts(np.array([0, 1, 1]))
    {'0': 1, '1': 2}
    """
    from kwhelpers import _checks

    labels = _checks.numeric_array(labels, "labels", ndim=1, allow_bool=True)
    values, counts = np.unique(labels, return_counts=True)
    return {str(v.item()): int(c) for v, c in zip(values, counts)}


def default_summary(arrays: Mapping[str, np.ndarray]) -> dict[str, Any]:
    """Rows of every array, and class counts of every 1-D integer ``y_*`` array."""
    if not isinstance(arrays, Mapping):
        raise TypeError(f"arrays must be a dict of name to array, got {type(arrays).__name__}")
    scalars = sorted(k for k, v in arrays.items() if np.ndim(v) == 0)
    if scalars:
        raise ValueError(f"arrays must all have rows (a first axis), got scalars for {scalars}")
    summary: dict[str, Any] = {"rows": {k: int(np.shape(v)[0]) for k, v in sorted(arrays.items())}}
    for key, value in sorted(arrays.items()):
        value = np.asarray(value)
        if key.startswith("y") and value.ndim == 1 and np.issubdtype(value.dtype, np.integer):
            summary[f"classes_{key}"] = class_counts(value)
    return summary


@dataclasses.dataclass(frozen=True)
class Recipe:
    """How one dataset is made, and what the datasheet says about it."""

    name: str
    build: Callable[[], dict[str, np.ndarray]]
    source: str
    licence: str
    how_made: str
    summarize: Callable[[Mapping[str, np.ndarray]], dict[str, Any]] = default_summary


def all_recipes() -> dict[str, Recipe]:
    """Return every recipe of every module in this package, by name."""
    found: dict[str, Recipe] = {}
    for module_info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        for item in getattr(module, "RECIPES", []):
            if item.name in found:
                raise RuntimeError(f"dataset recipe {item.name!r} is defined twice")
            found[item.name] = item
    return found


def recipe(name: str) -> Recipe:
    """Return the recipe called ``name``."""
    from kwhelpers.data import UnknownNameError

    if not isinstance(name, str):
        raise TypeError(f"name must be a str, got {type(name).__name__}")
    recipes = all_recipes()
    if name not in recipes:
        raise UnknownNameError(f"name: no recipe for dataset {name!r}; expected one of {sorted(recipes)}")
    return recipes[name]
