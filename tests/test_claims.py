"""kwhelpers.claims: each claim records what its evidence compared, and its status can be every one of five."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest

import kwhelpers as kw
from kwhelpers import claims


@pytest.fixture(autouse=True)
def fresh(monkeypatch, tmp_path):
    claims.reset()
    monkeypatch.setenv(claims.LEDGER_VARIABLE, str(tmp_path / "ledger.jsonl"))
    monkeypatch.setenv(claims.MODE_VARIABLE, "collect")
    monkeypatch.setenv(claims.NOTEBOOK_VARIABLE, "notebooks/99_test.ipynb")
    yield tmp_path / "ledger.jsonl"
    claims.reset()


def _lines(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_a_holding_claim_records_source_values_and_prints_one_line(fresh, capsys):
    with kw.claim("99.demo.ok", "two plus two is four", verdict="holds", seed="000", quote="2 + 2 = 4") as evidence:
        evidence.close("sum", 4.0000001, 4.0, rtol=1e-6)
        evidence.at_least("margin", 0.5, 0.3)
    assert capsys.readouterr().out == "\u2713 99.demo.ok (holds): two plus two is four\n"
    (record,) = _lines(fresh)
    assert record["status"] == "holds" and record["notebook"] == "notebooks/99_test.ipynb"
    assert record["source"]["page"] == "000" and record["source"]["quote"] == "2 + 2 = 4"
    assert "class_weight vs sample_weight" in record["source"]["title"]
    assert record["values"]["sum"] == {"check": "close", "measured": 4.0000001, "expected": 4.0,
                                       "rtol": 1e-6, "atol": 0.0}
    assert record["values"]["margin"]["bound"] == 0.3


def test_a_failed_check_is_broken_with_a_one_line_message_and_collect_mode_goes_on(fresh, capsys):
    with kw.claim("99.demo.broken", "x is 1", verdict="finding") as evidence:
        evidence.close("x", 1.5, 1.0, rtol=1e-3)
        raise RuntimeError("never reached")
    with kw.claim("99.demo.after", "y", verdict="finding") as evidence:
        evidence.equal("y", 2, 2)
    first, second = _lines(fresh)
    assert first["status"] == "broken"
    assert first["message"] == "x: expected 1 within rtol 0.001, atol 0; measured 1.5 (largest difference 0.5)"
    assert first["values"]["x"]["measured"] == 1.5  # recorded before the check decided
    assert second["status"] == "holds"
    assert "\u2717 BROKEN 99.demo.broken (Keras 3 finding): x: expected 1" in capsys.readouterr().out


def test_another_exception_is_an_error_and_a_plain_assert_is_broken(fresh):
    with kw.claim("99.demo.error", "call works", verdict="finding"):
        {}["missing"]
    with kw.claim("99.demo.assert", "plain assert", verdict="finding"):
        assert 1 == 2, "one is not two"
    error, broken = _lines(fresh)
    assert (error["status"], error["message"]) == ("error", "KeyError: 'missing'")
    assert (broken["status"], broken["message"]) == ("broken", "one is not two")


def test_strict_mode_reraises_so_nbval_fails_the_cell(fresh, monkeypatch):
    monkeypatch.setenv(claims.MODE_VARIABLE, "strict")
    with pytest.raises(AssertionError, match="expected 2, measured 3"):
        with kw.claim("99.demo.strict", "strict", verdict="finding") as evidence:
            evidence.equal("n", 3, 2)
    assert _lines(fresh)[0]["status"] == "broken"


def test_a_failed_step_makes_its_claims_not_evaluated_once(fresh, monkeypatch):
    monkeypatch.setenv(claims.MODE_VARIABLE, "strict")
    with pytest.raises(ZeroDivisionError):
        with kw.step("shared_model"):
            1 / 0
    # Even in strict mode the dependent claim does not add a failure of its own when its body happens to run.
    with kw.claim("99.demo.needs", "uses the model", verdict="finding", needs="shared_model") as evidence:
        evidence.equal("n", 1, 1)
    step, claim = _lines(fresh)
    assert step == {"kind": "step", "name": "shared_model", "backends": None, "status": "failed",
                    "message": "ZeroDivisionError: division by zero", "notebook": "notebooks/99_test.ipynb",
                    "cell_source": None}
    assert claim["status"] == "not_evaluated"
    assert claim["message"] == "needs step 'shared_model', which failed (ZeroDivisionError: division by zero)"


def test_a_claim_needing_a_step_that_never_ran_is_not_evaluated(fresh):
    with kw.claim("99.demo.orphan", "needs a missing step", verdict="finding", needs="nowhere") as evidence:
        evidence.equal("n", 1, 1)
    assert _lines(fresh)[0]["message"] == "needs step 'nowhere', which has not run"


def test_a_claim_about_another_backend_is_not_applicable_and_swallows_its_failure(fresh):
    other = "jax" if claims.current_backend() != "jax" else "torch"
    with kw.claim("99.demo.other", "about another backend", verdict="finding", backends=other) as evidence:
        evidence.equal("n", 1, 2)  # would be broken here; it is not evaluated here at all
    with kw.step("other_only", backends=other):
        raise ImportError("that backend's module")
    with kw.claim("99.demo.via_step", "needs the other backend's step", verdict="finding",
                  needs="other_only"):
        pass
    records = _lines(fresh)
    assert [r["status"] for r in records] == ["not_applicable", "not_applicable", "not_applicable"]


def test_new_warnings_inside_evidence_are_recorded_not_printed(fresh, capsys):
    with kw.claim("99.demo.warns", "warns", verdict="finding") as evidence:
        warnings.warn("something new", DeprecationWarning)
        warnings.warn("something new", DeprecationWarning)
        evidence.warns(UserWarning, "expected", lambda: warnings.warn("expected one"))
    (record,) = _lines(fresh)
    assert record["warnings"] == ["DeprecationWarning: something new"]  # the expected one is evidence, not new
    assert record["values"]["<lambda> warns"]["measured"] == "expected one"
    assert "something new" not in capsys.readouterr().err


def test_raises_records_the_message_for_wording_comparisons(fresh):
    with kw.claim("99.demo.raises", "int() refuses words", verdict="finding") as evidence:
        text = evidence.raises(ValueError, "invalid literal", int, "three")
        evidence.raises(ValueError, "invalid literal", int, "four")
    values = _lines(fresh)[0]["values"]
    assert text == "ValueError: invalid literal for int() with base 10: 'three'"
    assert list(values) == ["int raises", "int raises #2"]
    assert values["int raises"]["measured"] == text


@pytest.mark.parametrize("call, message", [
    (lambda: kw.claim("1.bad", "s", verdict="finding"), "id must look like 'NN.topic.short_name'"),
    (lambda: kw.claim("99.demo.x", "", verdict="finding"), "statement must be the claim in words"),
    (lambda: kw.claim("99.demo.x", "s", verdict="true"), "verdict must be one of"),
    (lambda: kw.claim("99.demo.x", "s", verdict="holds", seed="004", quote="q"), "seed must be one of"),
    (lambda: kw.claim("99.demo.x", "s", verdict="holds", seed="000"), "must quote the statement"),
    (lambda: kw.claim("99.demo.x", "s", verdict="finding", quote="q"), "a quote needs its seed page"),
    (lambda: kw.claim("99.demo.x", "s", verdict="finding", backends="theano"), "backends must name"),
    (lambda: kw.step("Bad Name").__enter__(), "name must be lower_case_words"),
])
def test_bad_declarations_are_one_line_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_bad_mode_variable_is_a_clear_error(fresh, monkeypatch):
    monkeypatch.setenv(claims.MODE_VARIABLE, "lenient")
    with pytest.raises(ValueError, match="KWHELPERS_CLAIMS must be 'strict' or 'collect', got 'lenient'"):
        with kw.claim("99.demo.mode", "s", verdict="finding") as evidence:
            evidence.equal("n", 1, 2)


@pytest.mark.parametrize("method, args, message", [
    ("equal", ("arr", np.array([1, 2]), np.array([1, 3])), "arr: expected"),
    ("equal", ("shape", np.zeros(2), np.zeros(3)), "shape: expected"),
    ("close", ("shapes", np.zeros(2), np.zeros(3)), "shapes: shapes differ"),
    ("at_most", ("loss", 2.0, 1.0), "loss: expected at most 1, measured 2"),
    ("true", ("flag", False), "flag: expected true, got false"),
])
def test_each_check_can_fail(method, args, message):
    with pytest.raises(AssertionError, match=message):
        getattr(claims.Evidence(), method)(*args)


def test_nan_is_equal_to_nan_in_close_and_recorded_as_text():
    evidence = claims.Evidence()
    evidence.close("nan", float("nan"), float("nan"))
    assert evidence.values["nan"]["measured"] == "nan"
    with pytest.raises(TypeError, match="name must be a non-empty string"):
        evidence.record("", 1.0)


def test_table_lists_the_claims_evaluated_here(fresh):
    with kw.claim("99.demo.one", "first", verdict="holds", seed="002", quote="the optimizer"):
        pass
    with kw.claim("98.demo.two", "second", verdict="finding"):
        pass
    shown = kw.claims.table("99.")
    assert list(shown.frame.index) == ["99.demo.one"]
    assert shown.frame.loc["99.demo.one", "seed says"] == "002: \u201cthe optimizer\u201d"
    assert list(shown.frame.columns) == ["seed says", "in Keras 3", "verdict", "evidence"]
    assert repr(shown) == ("99.demo.one  [holds; evidence: \u2713 passed]\n    first\n"
                           "    seed 002: \u201cthe optimizer\u201d")


def test_table_shows_long_statements_whole_and_escapes_html(fresh):
    statement = "a <b> statement " + "that goes on " * 10
    with kw.claim("99.demo.long", statement, verdict="finding"):
        pass
    html = kw.claims.table("99.")._repr_html_()
    assert "a &lt;b&gt; statement " + "that goes on " * 9 + "that goes on</td>" in html
    assert "<td style='text-align:left'></td>" in html  # a finding answers no seed quote


def test_a_claim_can_need_another_claim_so_one_behaviour_is_decided_once(fresh):
    with kw.claim("99.base.rule", "the rule", verdict="finding") as evidence:
        evidence.equal("rule", 1, 2)
    with kw.claim("99.base.consequence", "built on the rule", verdict="finding", needs="99.base.rule"):
        raise AssertionError("would be a second report of the same change")
    with kw.claim("99.base.unknown", "needs a claim not run", verdict="finding", needs="99.base.later"):
        pass
    records = {r["id"]: r for r in _lines(fresh)}
    assert records["99.base.consequence"]["status"] == "not_evaluated"
    assert records["99.base.consequence"]["message"].startswith("needs claim '99.base.rule', which did not hold (broken")
    assert records["99.base.unknown"]["message"] == "needs claim '99.base.later', which has not run"


def test_needs_names_steps_or_claim_ids():
    with pytest.raises(ValueError, match="needs must name steps .* or claim ids .*got 'Bad Name'"):
        kw.claim("99.demo.bad", "x", verdict="finding", needs="Bad Name")


def test_a_step_failing_after_another_failed_is_not_evaluated_not_a_second_failure(fresh):
    for name in ("first", "second"):
        with pytest.raises(NameError):
            with kw.step(name):
                raise NameError("name 'configs' is not defined")
    first, second = _lines(fresh)
    assert first["status"] == "failed"
    assert second["status"] == "not_evaluated"
    assert second["message"] == "failed after step 'first' did not complete (NameError: name 'configs' is not defined)"


def test_a_step_failing_while_an_earlier_step_is_still_not_evaluated_is_not_evaluated(fresh):
    """Cells re-run out of order: 'first' is fixed and re-run, but 'second' is still not evaluated."""
    for name in ("first", "second"):
        with pytest.raises(NameError):
            with kw.step(name):
                raise NameError("name 'configs' is not defined")
    with kw.step("first"):
        pass
    with pytest.raises(NameError):
        with kw.step("third"):
            raise NameError("name 'model' is not defined")
    third = _lines(fresh)[-1]
    assert third["status"] == "not_evaluated"
    assert third["message"] == "failed after step 'second' did not complete (NameError: name 'model' is not defined)"


def test_bounds_are_inclusive():
    evidence = claims.Evidence()
    evidence.at_least("low", 0.3, 0.3)
    evidence.at_most("high", 0.3, 0.3)


def test_jsonable_keeps_arrays_of_up_to_32_elements_whole():
    assert claims.jsonable(np.arange(32)) == list(range(32))
    assert claims.jsonable(np.arange(33)) == {"shape": [33], "mean": 16.0, "min": 0.0, "max": 32.0}
