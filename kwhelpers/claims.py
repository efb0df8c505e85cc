"""Claims: every statement the suite makes about Keras, with the evidence that decides it.

A *claim* is one sentence about Keras behaviour that the suite stands behind: a
verdict on a seed page's statement, a Keras 3 finding, or a Keras 2 -> 3 note.
In a notebook it is one ``with`` block, the sentence next to its checks::

    with kw.claim("01.class_weight.training_only",
                  "evaluate() refuses class_weight, and fit() reports val_loss without it",
                  verdict="holds", seed="000", quote="adjusts the loss during training only",
                  needs="validation_fit") as evidence:
        evidence.raises(ValueError, "Arguments not recognized", model.evaluate, x, y,
                        class_weight=class_weight)
        evidence.close("val_loss vs unweighted evaluate()", val_loss, unweighted, rtol=1e-5)

Each check (`Evidence.close`, `Evidence.at_least`, `Evidence.raises`, ...)
records what it compared, with its tolerance, before it decides; a plain
``assert`` inside the block works too. When the block ends, the claim's status
is one of

``holds``          every check passed;
``broken``         a check failed (an ``AssertionError``);
``error``          the evidence itself raised something else;
``not_evaluated``  a named step or claim it needs failed or has not run;
``not_applicable`` the claim is about another backend (``backends=``).

Work that several claims share is a named *step* (``with kw.step("name"):``).
When a step fails, its claims are reported once as "not evaluated: needs
<step>", never as failures of their own. A step that fails after an earlier
step of the same kernel failed is itself "not evaluated" (it most likely
used what the failed step did not make), so one change is reported once. A
claim can also need another claim (``needs="02.padding.mask_reaches_loss"``):
when one behaviour underlies several claims, it is decided once, and the
claims built on it are "not evaluated" when it does not hold.

Where the records go
--------------------
``KWHELPERS_LEDGER``
    If set to a path, every claim, step and `kwhelpers.setup` call appends one
    JSON line there; `kwhelpers.ledger` turns those lines into the run's
    ledger (``claims.json``). nbval, the report and the upgrade check set it.
``KWHELPERS_CLAIMS``
    ``strict`` (the default): a claim that is not ``holds`` re-raises, so its
    cell fails (the nbval contract). ``collect``: the claim prints one line
    and the kernel goes on, so every later claim is still evaluated (what the
    report and the upgrade check use).
``KWHELPERS_NOTEBOOK``
    The notebook's path, recorded with each line (set by the runners).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import sys
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np

from kwhelpers import evidence as _evidence

LEDGER_VARIABLE = "KWHELPERS_LEDGER"
MODE_VARIABLE = "KWHELPERS_CLAIMS"
NOTEBOOK_VARIABLE = "KWHELPERS_NOTEBOOK"

VERDICTS = {
    "holds": "holds",
    "changed": "changed in Keras 3",
    "wrong": "wrong in the seed",
    "finding": "Keras 3 finding",
}
STATUSES = ("holds", "broken", "error", "not_evaluated", "not_applicable")
BACKENDS = ("tensorflow", "jax", "torch")

#: The three pages the suite answers, by number, title and topic.
SEED_PAGES = {
    "000": "\u201ckeras \u4e2d\u6a21\u578b\u8bad\u7ec3class_weight,sample_weight\u533a\u522b\u201d "
           "(a blog post: class_weight vs sample_weight in Keras training, followed by an answer on "
           "custom losses, sample weighting and metrics)",
    "001": "\u201cKeras\u5982\u4f55\u5728\u591a\u6807\u7b7e\u5b66\u4e60\u4e2d\u66f4\u65b0\u6743\u91cd\u201d "
           "(a Q&A page: how Keras updates the weights in multi-label learning)",
    "002": "\u201ckeras\u4e2dmodel.compile()\u57fa\u672c\u7528\u6cd5\u201d "
           "(a blog post: the arguments of model.compile(), optimizers, losses and metrics)",
}

_ID_PATTERN = re.compile(r"^\d\d[a-z]?\.[a-z0-9_]+(\.[a-z0-9_]+)+$")
_STEP_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
#: How far a recorded number may move between two runs before the upgrade check calls it drift,
#: when the check that recorded it has no tolerance of its own (about the 4 digits notebooks print).
DEFAULT_DRIFT_RTOL = 1e-4
DEFAULT_DRIFT_ATOL = 1e-8

_steps: dict[str, dict[str, Any]] = {}
_claims: dict[str, dict[str, Any]] = {}


# ---------------------------------------------------------------------------------------------
# Values: what the evidence compared, in a JSON-ready form
# ---------------------------------------------------------------------------------------------

_SMALL_ARRAY = 32


def jsonable(value: Any) -> Any:
    """Return ``value`` as JSON-ready data: numbers, strings, lists, or an array summary.

    Arrays of up to 32 elements are kept whole; larger ones become
    ``{"shape", "mean", "min", "max"}``. NaN and infinities become the strings
    ``"nan"``, ``"inf"`` and ``"-inf"`` (JSON has no such numbers).

    Examples
    --------
    >>> jsonable(np.float32(0.25)), jsonable(np.array([1, 2])), jsonable(float("nan"))
    (0.25, [1, 2], 'nan')
    >>> jsonable(np.zeros((8, 8)))["shape"]
    [8, 8]
    """
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return value if math.isfinite(value) else str(value)
    if isinstance(value, str) or value is None:
        return value
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    try:
        array = np.asarray(value)
    except Exception:  # not array-like: keep its text
        return repr(value)
    if array.dtype == object:
        return [jsonable(v) for v in value] if isinstance(value, (list, tuple)) else repr(value)
    if array.ndim == 0:
        return jsonable(array.item())
    if array.size <= _SMALL_ARRAY or not np.issubdtype(array.dtype, np.number):
        return jsonable_list(array.tolist())
    data = array.astype(np.float64)
    return {"shape": list(array.shape), "mean": jsonable(np.mean(data)),
            "min": jsonable(np.min(data)), "max": jsonable(np.max(data))}


def jsonable_list(values: Any) -> Any:
    """Apply `jsonable` to every leaf of nested lists."""
    if isinstance(values, list):
        return [jsonable_list(v) for v in values]
    return jsonable(values)


def _short(value: Any) -> str:
    """A one-line rendering of a value for messages."""
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.6g}"
    array = np.asarray(value) if not isinstance(value, str) else None
    if array is not None and array.dtype != object and array.ndim > 0:
        if array.size > 6:
            return f"array{list(array.shape)}"
        return np.array2string(array, precision=6, separator=", ").replace("\n", "")
    text = repr(value)
    return text if len(text) <= 120 else text[:117] + "..."


# ---------------------------------------------------------------------------------------------
# The checks a claim's block uses
# ---------------------------------------------------------------------------------------------

class Evidence:
    """The checks inside a `claim` block; each records what it compared, then decides.

    Every method takes a ``name`` (what is compared, in words) and raises
    ``AssertionError`` with a one-line message naming it, the expected value
    and what came out, when the check fails.

    Examples
    --------
    >>> e = Evidence()
    >>> e.close("half", 0.5000001, 0.5, rtol=1e-6)
    >>> e.values["half"]["rtol"]
    1e-06
    >>> e.at_least("recall", 0.2, 0.3)
    Traceback (most recent call last):
    ...
    AssertionError: recall: expected at least 0.3, measured 0.2
    """

    def __init__(self) -> None:
        self.values: dict[str, dict[str, Any]] = {}

    def _record(self, name: str, entry: dict[str, Any]) -> None:
        if not isinstance(name, str) or not name:
            raise TypeError(f"name must be a non-empty string describing the value, got {name!r}")
        self.values[name] = entry

    def record(self, name: str, value: Any, *, rtol: float = DEFAULT_DRIFT_RTOL,
               atol: float = DEFAULT_DRIFT_ATOL) -> Any:
        """Record a measured value without checking it (it is compared across runs); return it."""
        self._record(name, {"check": "recorded", "measured": jsonable(value), "rtol": rtol, "atol": atol})
        return value

    def close(self, name: str, actual: Any, expected: Any, *, rtol: float = 1e-7, atol: float = 0.0) -> None:
        """Check ``|actual - expected| <= atol + rtol * |expected|`` element-wise (NumPy's allclose)."""
        actual_array = np.asarray(actual, dtype=np.float64)
        expected_array = np.asarray(expected, dtype=np.float64)
        self._record(name, {"check": "close", "measured": jsonable(actual), "expected": jsonable(expected),
                            "rtol": rtol, "atol": atol})
        try:
            ok = bool(np.all(np.isclose(actual_array, expected_array, rtol=rtol, atol=atol, equal_nan=True)))
        except ValueError as error:  # shapes that do not broadcast
            raise AssertionError(f"{name}: shapes differ, measured {actual_array.shape}, "
                                 f"expected {expected_array.shape}") from error
        if not ok:
            gap = float(np.nanmax(np.abs(actual_array - expected_array)))
            raise AssertionError(f"{name}: expected {_short(expected)} within rtol {rtol:g}, atol {atol:g}; "
                                 f"measured {_short(actual)} (largest difference {gap:.3g})")

    def equal(self, name: str, actual: Any, expected: Any) -> None:
        """Check exact equality (arrays element-wise, with equal shapes)."""
        self._record(name, {"check": "equal", "measured": jsonable(actual), "expected": jsonable(expected)})
        if isinstance(actual, np.ndarray) or isinstance(expected, np.ndarray):
            a, b = np.asarray(actual), np.asarray(expected)
            ok = a.shape == b.shape and bool(np.array_equal(a, b, equal_nan=a.dtype.kind == "f"))
        else:
            ok = actual == expected
        if not ok:
            raise AssertionError(f"{name}: expected {_short(expected)}, measured {_short(actual)}")

    def at_least(self, name: str, value: Any, bound: Any, *, rtol: float = DEFAULT_DRIFT_RTOL) -> None:
        """Check ``value >= bound`` (``rtol`` is how far the value may drift between runs)."""
        self._record(name, {"check": "at_least", "measured": jsonable(value), "bound": jsonable(bound),
                            "rtol": rtol, "atol": DEFAULT_DRIFT_ATOL})
        if not float(value) >= float(bound):
            raise AssertionError(f"{name}: expected at least {_short(bound)}, measured {_short(value)}")

    def at_most(self, name: str, value: Any, bound: Any, *, rtol: float = DEFAULT_DRIFT_RTOL) -> None:
        """Check ``value <= bound`` (``rtol`` is how far the value may drift between runs)."""
        self._record(name, {"check": "at_most", "measured": jsonable(value), "bound": jsonable(bound),
                            "rtol": rtol, "atol": DEFAULT_DRIFT_ATOL})
        if not float(value) <= float(bound):
            raise AssertionError(f"{name}: expected at most {_short(bound)}, measured {_short(value)}")

    def true(self, name: str, condition: Any, *, measured: Any = None) -> None:
        """Check that ``condition`` is true; ``measured`` is what it was computed from, for the ledger."""
        self._record(name, {"check": "true", "measured": jsonable(measured) if measured is not None
                            else jsonable(bool(condition))})
        if not condition:
            detail = f" (measured {_short(measured)})" if measured is not None else ""
            raise AssertionError(f"{name}: expected true, got false{detail}")

    def raises(self, expected: type[BaseException] | tuple[type[BaseException], ...], match: str | None,
               function: Callable[..., Any], *args: Any, **kwargs: Any) -> str:
        """Check that the call raises ``expected`` with a message matching ``match``; return the text.

        The message is recorded (an upgrade that rewords it is reported as
        wording, not as a changed claim). See `kwhelpers.evidence.raises`.
        """
        name = _unique(f"{_call_name(function)} raises", self.values)
        try:
            text = _evidence.raises(expected, match, function, *args, **kwargs)
        except AssertionError as error:
            self._record(name, {"check": "raises", "measured": _message_line(str(error)), "match": match})
            raise AssertionError(f"{name}: {error}") from None
        self._record(name, {"check": "raises", "measured": _message_line(text), "match": match})
        return text

    def warns(self, expected: type[Warning], match: str | None, function: Callable[..., Any],
              *args: Any, **kwargs: Any) -> tuple[Any, list[str]]:
        """Check that the call warns ``expected``; return ``(result, messages)``. See `kwhelpers.evidence.warns`."""
        name = _unique(f"{_call_name(function)} warns", self.values)
        try:
            result, messages = _evidence.warns(expected, match, function, *args, **kwargs)
        except AssertionError as error:
            self._record(name, {"check": "warns", "measured": str(error), "match": match})
            raise AssertionError(f"{name}: {error}") from None
        self._record(name, {"check": "warns", "measured": _message_line(messages[0]), "match": match})
        return result, messages

    def no_warnings(self, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Check that the call emits no warning at all; return its result."""
        name = _unique(f"{_call_name(function)} does not warn", self.values)
        self._record(name, {"check": "no_warnings", "measured": True})
        try:
            return _evidence.no_warnings(function, *args, **kwargs)
        except AssertionError as error:
            self.values[name]["measured"] = str(error)
            raise AssertionError(f"{name}: {error}") from None


def _message_line(text: str) -> str:
    """The first line of a message, as recorded: later lines of backend errors hold file paths and node names.

    Examples
    --------
    >>> _message_line("InvalidArgumentError: Graph execution error:\\n\\nDetected at node x defined at /venv/...")
    'InvalidArgumentError: Graph execution error:'
    """
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[0] if lines else ""


def _call_name(function: Callable[..., Any]) -> str:
    """The called function's own name (``evaluate``, not ``TensorFlowTrainer.evaluate``: backend-neutral)."""
    return getattr(function, "__name__", None) or type(function).__name__


def _unique(name: str, taken: dict[str, Any]) -> str:
    if name not in taken:
        return name
    number = 2
    while f"{name} #{number}" in taken:
        number += 1
    return f"{name} #{number}"


# ---------------------------------------------------------------------------------------------
# Claims and steps
# ---------------------------------------------------------------------------------------------

def mode() -> str:
    """``"strict"`` or ``"collect"``, from ``KWHELPERS_CLAIMS`` (see the module docstring)."""
    value = os.environ.get(MODE_VARIABLE, "strict") or "strict"
    if value not in ("strict", "collect"):
        raise ValueError(f"environment variable {MODE_VARIABLE} must be 'strict' or 'collect', got {value!r}")
    return value


def current_backend() -> str:
    """The Keras backend this process uses (``KERAS_BACKEND``, default ``tensorflow``)."""
    if "keras" in sys.modules:
        import keras

        return keras.backend.backend()
    return os.environ.get("KERAS_BACKEND", "tensorflow")


def write_record(record: dict[str, Any]) -> None:
    """Append ``record`` as one JSON line to the ledger file named by ``KWHELPERS_LEDGER``, if set."""
    path = os.environ.get(LEDGER_VARIABLE)
    if not path:
        return
    record = dict(record, notebook=os.environ.get(NOTEBOOK_VARIABLE), cell_source=_current_cell_fingerprint())
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(record, sort_keys=True) + "\n")


def cell_fingerprint(source: str) -> str:
    """A short hash of a cell's source: how a ledger finds the cell a record came from.

    Examples
    --------
    >>> cell_fingerprint("x = 1 ") == cell_fingerprint("x = 1")
    True
    """
    return hashlib.sha1(source.strip().encode("utf-8")).hexdigest()[:16]


def _current_cell_fingerprint() -> str | None:
    """The fingerprint of the IPython cell being run (its input is in the history first); None elsewhere."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    history = getattr(getattr(shell, "history_manager", None), "input_hist_raw", None)
    return cell_fingerprint(history[-1]) if history else None


def source_of(seed: str | None, quote: str | None, verdict: str) -> dict[str, Any]:
    """The claim's source: a seed page and a short quote, or what kind of finding it is."""
    if seed is None:
        if quote is not None:
            raise ValueError("quote: a quote needs its seed page (seed='000', '001' or '002')")
        title = "Keras 3 finding" if verdict == "finding" else "Keras 2 \u2192 Keras 3 note"
        return {"page": None, "title": title, "quote": None}
    if seed not in SEED_PAGES:
        raise ValueError(f"seed must be one of {sorted(SEED_PAGES)}, got {seed!r}")
    if not quote:
        raise ValueError(f"quote: a claim about seed page {seed} must quote the statement it answers")
    return {"page": seed, "title": SEED_PAGES[seed], "quote": quote}


def _as_names(value: str | Sequence[str] | None, what: str, allowed: Iterable[str] | None = None) -> tuple[str, ...]:
    if value is None:
        return ()
    names = (value,) if isinstance(value, str) else tuple(value)
    for name in names:
        if not isinstance(name, str):
            raise TypeError(f"{what} must be a string or a list of strings, got {value!r}")
        if allowed is not None and name not in allowed:
            raise ValueError(f"{what} must name {sorted(allowed)}, got {name!r}")
    return names


def _needed_names(needs: str | Sequence[str] | None) -> tuple[str, ...]:
    names = _as_names(needs, "needs")
    for name in names:
        if not (_STEP_PATTERN.match(name) or _ID_PATTERN.match(name)):
            raise ValueError(f"needs must name steps (lower_case_words) or claim ids ('NN.topic.short_name'), "
                             f"got {name!r}")
    return names


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    line = text.splitlines()[0] if text else ""
    return f"{type(error).__name__}: {line}" if not isinstance(error, AssertionError) else line or "assertion failed"


def _record_warnings(caught: list[warnings.WarningMessage]) -> list[str]:
    seen: list[str] = []
    for item in caught:
        text = f"{item.category.__name__}: {item.message}"
        if text not in seen:
            seen.append(text)
    return seen


@contextmanager
def step(name: str, *, backends: str | Sequence[str] | None = None) -> Iterator[None]:
    """Run a named piece of shared work (data, models, a training run) that claims can need.

    A failing step re-raises, so its cell fails; claims that name it in
    ``needs=`` are then reported as "not evaluated: needs <step>".

    Parameters
    ----------
    name : str
        Lower-case words joined by ``_``, unique within the notebook.
    backends : str or sequence of str, optional
        Run only where Keras uses one of these backends; elsewhere its
        claims are "not applicable".

    Examples
    --------
    >>> with step("example_data"):
    ...     data = [1, 2, 3]
    >>> _steps["example_data"]["status"]
    'ok'
    """
    if not isinstance(name, str) or not _STEP_PATTERN.match(name):
        raise ValueError(f"name must be lower_case_words for a step, got {name!r}")
    only = _as_names(backends, "backends", BACKENDS)
    backend = current_backend()
    record: dict[str, Any] = {"kind": "step", "name": name, "backends": list(only) or None, "message": ""}
    if only and backend not in only:
        record["status"] = "not_applicable"
        record["message"] = f"runs on {', '.join(only)} only"
        _steps[name] = record
        try:
            yield
        except Exception:  # the work is about another backend: its failure here means nothing
            pass
        write_record(record)
        return
    try:
        yield
    except BaseException as error:
        earlier = next((step_name for step_name, found in _steps.items()
                        if found["status"] in ("failed", "not_evaluated") and step_name != name), None)
        if earlier is None:
            record.update(status="failed", message=_first_line(error))
        else:
            record.update(status="not_evaluated",
                          message=f"failed after step {earlier!r} did not complete ({_first_line(error)})")
        _steps[name] = record
        write_record(record)
        raise
    record["status"] = "ok"
    _steps[name] = record
    write_record(record)


class claim:  # noqa: N801 (used like a function: ``with kw.claim(...)``)
    """One statement about Keras and the evidence that decides it (a context manager).

    Parameters
    ----------
    id : str
        Stable id ``NN.topic.short_name`` (``NN`` is the notebook number),
        never reused for another statement.
    statement : str
        The claim in words, as a reader should take it away.
    verdict : {"holds", "changed", "wrong", "finding"}
        On the seed's statement: it holds, it changed in Keras 3, it was
        wrong; or ``"finding"``, a Keras 3 fact the seed does not state.
    seed : {"000", "001", "002"}, optional
        The seed page the claim answers (`SEED_PAGES`); with ``quote``.
    quote : str, optional
        The seed's words this claim answers, short.
    needs : str or sequence of str, optional
        Named steps (`step`) this evidence uses, and claim ids (with dots)
        whose behaviour it builds on: if one of them did not hold, this
        claim is "not evaluated".
    backends : str or sequence of str, optional
        The claim is about these Keras backends only (for example
        ``"tensorflow"`` for tf.data or the TF backend's own code); elsewhere
        it is "not applicable".

    Yields
    ------
    Evidence
        The checks, each recording what it compared.

    Examples
    --------
    >>> with claim("00.example.addition", "2 + 2 is 4", verdict="finding") as evidence:
    ...     evidence.equal("2 + 2", 2 + 2, 4)
    \u2713 00.example.addition (Keras 3 finding): 2 + 2 is 4
    >>> _claims["00.example.addition"]["status"]
    'holds'
    """

    def __init__(self, id: str, statement: str, *, verdict: str, seed: str | None = None,  # noqa: A002
                 quote: str | None = None, needs: str | Sequence[str] | None = None,
                 backends: str | Sequence[str] | None = None) -> None:
        if not isinstance(id, str) or not _ID_PATTERN.match(id):
            raise ValueError(f"id must look like 'NN.topic.short_name' (lower case), got {id!r}")
        if not isinstance(statement, str) or not statement.strip():
            raise ValueError(f"statement must be the claim in words, got {statement!r}")
        if verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {sorted(VERDICTS)}, got {verdict!r}")
        self.record: dict[str, Any] = {
            "kind": "claim", "id": id, "statement": statement.strip(), "verdict": verdict,
            "source": source_of(seed, quote, verdict),
            "needs": list(_needed_names(needs)),
            "backends": list(_as_names(backends, "backends", BACKENDS)) or None,
        }
        self.evidence = Evidence()
        self._warnings: Any = None
        self._caught: list[warnings.WarningMessage] = []

    def __enter__(self) -> Evidence:
        self._warnings = warnings.catch_warnings(record=True)
        self._caught = self._warnings.__enter__()
        warnings.simplefilter("always")
        return self.evidence

    def _missing_step(self) -> str | None:
        for name in self.record["needs"]:
            kind, found = ("claim", _claims.get(name)) if "." in name else ("step", _steps.get(name))
            if found is None:
                return f"needs {kind} {name!r}, which has not run"
            if found["status"] == "not_applicable":
                return "not_applicable"
            if found["status"] not in ("ok", "holds"):
                reason = found["message"] if kind == "step" else f"{found['status']}: {found['message']}"
                return f"needs {kind} {name!r}, which {'failed' if kind == 'step' else 'did not hold'} ({reason})"
        return None

    def __exit__(self, error_type, error, traceback) -> bool:
        self._warnings.__exit__(None, None, None)
        record = self.record
        record.update(values=self.evidence.values, warnings=_record_warnings(self._caught),
                      backend=current_backend(), message="")
        only = record["backends"]
        missing = self._missing_step()
        if (only and record["backend"] not in only) or missing == "not_applicable":
            record["status"] = "not_applicable"
            names = list(only or ["other"])
            record["message"] = f"about the {' and '.join(names)} backend{'s' if len(names) > 1 else ''} only"
        elif missing is not None:
            record["status"] = "not_evaluated"
            record["message"] = missing
        elif error is None:
            record["status"] = "holds"
        elif isinstance(error, AssertionError):
            record.update(status="broken", message=_first_line(error))
        else:
            record.update(status="error", message=_first_line(error))
        _claims[record["id"]] = record
        write_record(record)
        print(_status_line(record))
        if error is not None and not isinstance(error, Exception):
            return False  # KeyboardInterrupt, SystemExit: never swallowed
        if record["status"] == "not_applicable":
            return True
        return mode() == "collect" or error is None and record["status"] == "holds"


def _status_line(record: dict[str, Any]) -> str:
    verdict = VERDICTS[record["verdict"]]
    status = record["status"]
    if status == "holds":
        return f"\u2713 {record['id']} ({verdict}): {record['statement']}"
    if status == "not_applicable":
        return f"\u2013 not applicable here: {record['id']} ({record['message']})"
    label = {"broken": "BROKEN", "error": "ERROR", "not_evaluated": "NOT EVALUATED"}[status]
    return f"\u2717 {label} {record['id']} ({verdict}): {record['message']}"


def recorded() -> list[dict[str, Any]]:
    """The claims evaluated in this process so far, in the order they ended (last run of each id)."""
    return list(_claims.values())


EVIDENCE_MARKS = {"holds": "\u2713 passed", "broken": "\u2717 failed", "error": "\u2717 error",
                  "not_evaluated": "\u2013 not evaluated", "not_applicable": "\u2013 not applicable here"}


class ClaimsTable:
    """A notebook's claims for reading: full sentences, the verdict on the seed, and what the evidence did.

    Jupyter shows it as an HTML table whose text wraps (nothing is cut at
    pandas' 50 characters); ``print`` and nbval see one block per claim.
    ``frame`` holds the same rows as a DataFrame for code.
    """

    def __init__(self, frame: Any) -> None:
        self.frame = frame

    def __len__(self) -> int:
        return len(self.frame)

    def __repr__(self) -> str:
        blocks = []
        for claim_id, row in self.frame.iterrows():
            lines = [f"{claim_id}  [{row['verdict']}; evidence: {row['evidence']}]", f"    {row['in Keras 3']}"]
            if row["seed says"]:
                lines.append(f"    seed {row['seed says']}")
            blocks.append("\n".join(lines))
        return "\n".join(blocks) if blocks else "(no claims)"

    def _repr_html_(self) -> str:
        import html

        head = "".join(f"<th>{name}</th>" for name in ("claim", "seed says", "in Keras 3", "verdict", "evidence"))
        rows = "".join(
            "<tr>" + f"<td><code>{html.escape(str(claim_id))}</code></td>"
            + "".join(f"<td style='text-align:left'>{html.escape(str(row[name]))}</td>"
                      for name in ("seed says", "in Keras 3", "verdict", "evidence")) + "</tr>"
            for claim_id, row in self.frame.iterrows())
        return f"<table class='kw-claims'><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def table(prefix: str = "") -> ClaimsTable:
    """The claims evaluated so far whose id starts with ``prefix``, to show in full.

    For each claim: the seed's words it answers (``page: “quote”``, empty for
    a Keras 3 finding), the claim in Keras 3, the verdict on the seed, and
    what its evidence did (``✓ passed``, ``✗ failed``, ...). A notebook's
    Answer section ends with ``kw.claims.table("01.")``.

    Examples
    --------
    >>> len(table("no-such-prefix."))
    0
    """
    import pandas as pd

    rows = []
    for record in recorded():
        if not record["id"].startswith(prefix):
            continue
        source = record["source"]
        rows.append({
            "claim": record["id"],
            "seed says": f"{source['page']}: \u201c{source['quote']}\u201d" if source["page"] else "",
            "in Keras 3": record["statement"],
            "verdict": VERDICTS[record["verdict"]],
            "evidence": EVIDENCE_MARKS[record["status"]],
        })
    frame = pd.DataFrame(rows, columns=["claim", "seed says", "in Keras 3", "verdict", "evidence"])
    return ClaimsTable(frame.set_index("claim"))


def reset() -> None:
    """Forget the steps and claims recorded in this process (tests use it)."""
    _steps.clear()
    _claims.clear()
