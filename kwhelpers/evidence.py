"""Evidence helpers: check that code raises or warns as a claim says, and show it.

A notebook cell that demonstrates an error must not store a traceback (the
notebook would no longer run top to bottom under nbval). `raises` runs the
code, asserts the exception type and message, and returns the message so the
cell can print it. `warns` does the same for warnings, which would otherwise
land in the notebook as stderr.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from typing import Any


def _check_pattern(pattern: str | None, text: str, what: str) -> None:
    if pattern is not None and re.search(pattern, text) is None:
        raise AssertionError(f"{what} {text!r} does not match the pattern {pattern!r}")


def raises(expected: type[BaseException] | tuple[type[BaseException], ...], match: str | None,
           function: Callable[..., Any], *args: Any, **kwargs: Any) -> str:
    """Call ``function(*args, **kwargs)`` and assert that it raises ``expected``.

    Parameters
    ----------
    expected : exception type or tuple of types
        What the call must raise.
    match : str or None
        A regular expression that must be found (``re.search``) in the message.
    function : callable
        The code under test; the remaining arguments are passed to it.

    Returns
    -------
    str
        ``"TypeName: message"``, for the notebook to print.

    Raises
    ------
    AssertionError
        If nothing is raised, or the message does not match. An exception of
        another type propagates unchanged.

    Examples
    --------
    >>> raises(ZeroDivisionError, "division", lambda: 1 / 0)
    'ZeroDivisionError: division by zero'
    """
    try:
        function(*args, **kwargs)
    except expected as error:
        message = str(error)
        _check_pattern(match, message, f"{type(error).__name__} message")
        return f"{type(error).__name__}: {message}"
    names = expected.__name__ if isinstance(expected, type) else [e.__name__ for e in expected]
    raise AssertionError(f"expected {names} to be raised, but the call returned normally")


def warns(expected: type[Warning], match: str | None, function: Callable[..., Any],
          *args: Any, **kwargs: Any) -> tuple[Any, list[str]]:
    """Call ``function`` and assert that it emits at least one ``expected`` warning.

    Returns ``(result, messages)`` where ``messages`` are the matching warnings'
    texts. Warnings are recorded, never printed to stderr.

    Examples
    --------
    >>> import warnings
    >>> result, messages = warns(UserWarning, "careful", lambda: warnings.warn("careful") or 3)
    >>> result, messages
    (3, ['careful'])
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = function(*args, **kwargs)
    messages = [str(w.message) for w in caught if issubclass(w.category, expected)]
    if not messages:
        seen = [f"{w.category.__name__}: {w.message}" for w in caught]
        raise AssertionError(f"expected a {expected.__name__}; warnings seen: {seen}")
    for message in messages[:1]:
        _check_pattern(match, message, f"{expected.__name__} message")
    return result, messages


#: Warnings Python's default filters hide from users (outside ``__main__``); `no_warnings` ignores them.
HIDDEN_BY_DEFAULT = (DeprecationWarning, PendingDeprecationWarning)


def no_warnings(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call ``function`` and assert that it emits no warning a user would see; return its result.

    Use it to show that an argument is *silently* accepted or ignored. A
    ``DeprecationWarning`` or ``PendingDeprecationWarning`` raised inside a
    library does not count: Python's default filters hide it from users (a
    claim still records it, see `kwhelpers.claims`).

    Examples
    --------
    >>> no_warnings(lambda: 2 + 2)
    4
    >>> with warnings.catch_warnings(record=True) as handed_on:
    ...     no_warnings(lambda: warnings.warn("internal", DeprecationWarning) or 5)
    5
    >>> [str(w.message) for w in handed_on]
    ['internal']
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = function(*args, **kwargs)
    seen = [f"{w.category.__name__}: {w.message}" for w in caught if not issubclass(w.category, HIDDEN_BY_DEFAULT)]
    for warning in caught:  # hand the hidden ones on, so that an enclosing claim records them
        if issubclass(warning.category, HIDDEN_BY_DEFAULT):
            warnings.warn_explicit(warning.message, warning.category, warning.filename, warning.lineno)
    if seen:
        raise AssertionError(f"expected no warnings, got {seen}")
    return result
