"""kwhelpers.evidence: the checks behind every notebook's evidence cells must be able to fail."""

from __future__ import annotations

import warnings

import pytest

from kwhelpers import evidence


def test_raises_returns_type_and_message():
    assert evidence.raises(ValueError, "bad", int, "bad") == (
        "ValueError: invalid literal for int() with base 10: 'bad'")


def test_raises_fails_when_nothing_is_raised():
    with pytest.raises(AssertionError, match=r"expected ValueError to be raised"):
        evidence.raises(ValueError, None, int, "3")


def test_raises_fails_when_the_message_does_not_match():
    with pytest.raises(AssertionError, match="does not match the pattern 'other'"):
        evidence.raises(ZeroDivisionError, "other", lambda: 1 / 0)


def test_raises_lets_an_unexpected_type_through():
    with pytest.raises(KeyError):
        evidence.raises(ValueError, None, lambda: {}["x"])


def test_warns_records_and_checks():
    result, messages = evidence.warns(DeprecationWarning, "old",
                                      lambda: warnings.warn("old api", DeprecationWarning) or 7)
    assert (result, messages) == (7, ["old api"])
    with pytest.raises(AssertionError, match="expected a DeprecationWarning"):
        evidence.warns(DeprecationWarning, None, lambda: None)
    with pytest.raises(AssertionError, match="does not match"):
        evidence.warns(UserWarning, "xyz", lambda: warnings.warn("abc"))


def test_no_warnings_fails_on_any_warning():
    assert evidence.no_warnings(lambda: 5) == 5
    with pytest.raises(AssertionError, match="expected no warnings, got"):
        evidence.no_warnings(lambda: warnings.warn("surprise"))


def test_no_warnings_ignores_what_users_do_not_see_but_passes_it_on():
    import warnings as w

    with w.catch_warnings(record=True) as outer:
        w.simplefilter("always")
        assert evidence.no_warnings(lambda: w.warn("internal detail", DeprecationWarning) or 3) == 3
    assert [str(item.message) for item in outer] == ["internal detail"]
    with pytest.raises(AssertionError, match="UserWarning: visible"):
        evidence.no_warnings(lambda: w.warn("visible"))
