"""Input checks shared by the library modules: one-line errors that name the argument.

Every public ``kwhelpers`` function validates its input and raises
``ValueError`` or ``TypeError`` whose message names the argument, what was
expected and what came (CONVENTIONS.md, "Errors"). These helpers do the common
cases; ``tests/test_bad_input.py`` feeds every public function wrong input.

Examples
--------
>>> positive_int(3, "epochs")
3
>>> positive_int(True, "epochs")
Traceback (most recent call last):
...
TypeError: epochs must be a positive int, got True (bool)
"""

from __future__ import annotations

import math
import numbers
import os
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from kwhelpers._backend import to_numpy


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def numeric_array(value: Any, name: str, *, finite: bool = True, allow_bool: bool = False,
                  ndim: int | Iterable[int] | None = None, allow_empty: bool = True,
                  dtype: Any = None) -> np.ndarray:
    """``value`` as a numeric NumPy array (tensors of any backend accepted), or a one-line error.

    Refuses strings, None, ragged nesting, object and string arrays (TypeError);
    bools unless ``allow_bool``; NaN/infinities when ``finite``; a rank not in
    ``ndim``; an empty array unless ``allow_empty`` (ValueError).
    """
    value = to_numpy(value)
    if value is None or isinstance(value, (str, bytes)):
        raise TypeError(f"{name} must be a numeric array, got {type(value).__name__}")
    try:
        array = np.asarray(value)
    except Exception as error:  # ragged nesting and the like
        raise TypeError(f"{name} must be a numeric array, got a {type(value).__name__} that is not "
                        f"rectangular ({' '.join(str(error).split())[:70]})") from None
    if array.dtype == np.bool_:
        if not allow_bool:
            raise TypeError(f"{name} must hold numbers, got dtype bool")
    elif array.dtype == object or not np.issubdtype(array.dtype, np.number):
        raise TypeError(f"{name} must be a numeric array, got dtype {array.dtype}")
    if np.iscomplexobj(array):
        raise TypeError(f"{name} must hold real numbers, got dtype {array.dtype}")
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if array.ndim not in allowed:
            ranks = " or ".join(f"{r}-D" for r in allowed)
            raise ValueError(f"{name} must be {ranks}, got shape {array.shape}")
    if not allow_empty and array.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {array.shape}")
    if finite and array.size and not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite, got NaN or infinite values")
    return array.astype(dtype) if dtype is not None else array


def integer(value: Any, name: str, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """An ``int`` (NumPy integers accepted; bools and floats refused) within the bounds."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {_shown(value)} ({type(value).__name__})")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}, got {int(value)}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be an int <= {maximum}, got {int(value)}")
    return int(value)


def positive_int(value: Any, name: str) -> int:
    """An ``int`` >= 1."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be a positive int, got {_shown(value)} ({type(value).__name__})")
    if value < 1:
        raise ValueError(f"{name} must be a positive int, got {int(value)}")
    return int(value)


def seed(value: Any, name: str = "seed") -> int:
    """A seed NumPy's ``RandomState`` accepts: an int in [0, 2**32)."""
    return integer(value, name, minimum=0, maximum=2**32 - 1)


def real(value: Any, name: str, *, low: float | None = None, high: float | None = None,
         low_open: bool = False, high_open: bool = False) -> float:
    """A finite real number (bools and strings refused) within ``[low, high]`` (or open ends)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {_shown(value)} ({type(value).__name__})")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{name} must be finite, got {number}")
    too_low = low is not None and (number <= low if low_open else number < low)
    too_high = high is not None and (number >= high if high_open else number > high)
    if too_low or too_high:
        left = "(" if low_open else "["
        right = ")" if high_open else "]"
        span = f"{left}{'-inf' if low is None else low}, {'inf' if high is None else high}{right}"
        raise ValueError(f"{name} must be in {span}, got {number}")
    return number


def choice(value: Any, name: str, options: Iterable[Any]) -> Any:
    """One of ``options`` (compared with ``==`` after a type check against str options)."""
    options = tuple(options)
    if not any(value == option and type(value) is type(option) for option in options):
        raise ValueError(f"{name} must be one of {list(options)}, got {_shown(value)}")
    return value


def boolean(value: Any, name: str) -> bool:
    """A real ``bool`` (``1``, ``"yes"`` and None refused)."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be a bool, got {_shown(value)} ({type(value).__name__})")
    return bool(value)


def mapping(value: Any, name: str) -> Mapping:
    """A mapping (dict)."""
    if not isinstance(value, Mapping):
        raise TypeError(f"{name} must be a dict, got {type(value).__name__}")
    return value


def path(value: Any, name: str) -> str | os.PathLike:
    """A ``str`` or ``os.PathLike`` path (not None, not a file descriptor)."""
    if not isinstance(value, (str, os.PathLike)):
        raise TypeError(f"{name} must be a path (str or pathlib.Path), got {type(value).__name__}")
    return value


def text(value: Any, name: str, *, empty: bool = False) -> str:
    """A ``str`` (non-empty unless ``empty``)."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, got {_shown(value)} ({type(value).__name__})")
    if not empty and not value:
        raise ValueError(f"{name} must be a non-empty str, got ''")
    return value
