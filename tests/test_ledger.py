"""kwhelpers.ledger: a run's records become one ledger; two ledgers compare into six categories.

The end-to-end test runs two small notebooks twice, as an upgrade check does ("before" and
"after" a simulated Keras change), and checks that every kind of difference lands in its own
category, once: a claim that breaks, a value that drifts, a reworded message, a shared step that
fails (its claims "not evaluated", not failures), a new warning and a new API name.
"""

from __future__ import annotations

import json

import nbformat
import pytest

from kwhelpers import ledger, report

SETUP = "import kwhelpers as kw, os, warnings\nreport = kw.setup(seed=0)\nAFTER = os.environ.get('KWH_TEST_AFTER') == '1'"
CELLS = [
    SETUP,
    "with kw.step('shared'):\n    if AFTER:\n        raise RuntimeError('the model cannot be built any more')\n    model = 3",
    "with kw.claim('91.demo.needs_shared', 'the model is 3', verdict='finding', needs='shared') as e:\n"
    "    e.equal('model', model, 3)",
    "with kw.claim('91.demo.also_needs_shared', 'the model is odd', verdict='finding', needs='shared') as e:\n"
    "    e.true('odd', model % 2 == 1, measured=model)",
    "with kw.claim('91.demo.breaks', 'one plus one is two', verdict='holds', seed='000', quote='1 + 1') as e:\n"
    "    e.equal('sum', 1 + (2 if AFTER else 1), 2)",
    "with kw.claim('91.demo.drifts', 'the loss is small', verdict='finding') as e:\n"
    "    e.at_most('loss', 0.30 if AFTER else 0.25, 0.5)\n"
    "    e.close('tiny move', 1.0 + (1e-9 if AFTER else 0.0), 1.0, rtol=1e-6)",
    "def refuse():\n    raise ValueError('Argument `x` is not supported.' if AFTER else 'x is not supported')\n"
    "with kw.claim('91.demo.reworded', 'x is refused', verdict='changed') as e:\n"
    "    e.raises(ValueError, 'not supported', refuse)",
    "with kw.claim('91.demo.warns', 'quiet', verdict='finding') as e:\n"
    "    if AFTER:\n        warnings.warn('y is deprecated', DeprecationWarning)\n    e.equal('one', 1, 1)",
    "with kw.claim('91.demo.steady', 'two is two', verdict='finding') as e:\n    e.equal('two', 2, 2)",
]


def _write(path, cells):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 91 · Demo\n**Question.** Does it?")]
                                  + [nbformat.v4.new_code_cell(c) for c in cells])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


@pytest.fixture(scope="module")
def before_and_after(tmp_path_factory):
    import os

    folder = tmp_path_factory.mktemp("upgrade")
    notebook = _write(folder / "91_demo.ipynb", CELLS)
    ledgers = {}
    for name, flag in (("before", "0"), ("after", "1")):
        os.environ["KWH_TEST_AFTER"] = flag
        try:
            report.run_report([notebook], folder / name, timeout=120, stream=open(os.devnull, "w"))
        finally:
            del os.environ["KWH_TEST_AFTER"]
        ledgers[name] = ledger.load(folder / name / "claims.json")
    return ledgers


def test_the_before_run_holds_everywhere_and_names_cells(before_and_after):
    before = before_and_after["before"]
    assert ledger.counts(before)["holds"] == 7
    claim = next(c for c in before["claims"] if c["id"] == "91.demo.breaks")
    assert claim["cell"] == 5 and claim["cell_id"] and claim["notebook"].endswith("91_demo.ipynb")
    assert claim["source"]["quote"] == "1 + 1"
    assert set(before["environment"]) >= {"python", "tensorflow", "keras", "backend", "device", "commit", "date"}
    assert before["environment"]["backend"] == "tensorflow" and before["environment"]["device"] == "CPU"


def test_every_kind_of_difference_lands_in_its_own_category_once(before_and_after):
    before, after = before_and_after["before"], before_and_after["after"]
    after["environment"]["api"] = {**after["environment"]["api"],
                                   "optimizers": after["environment"]["api"]["optimizers"] + ["Zeal"]}
    diff = ledger.compare(before, after)
    changed = {item["id"]: item["summary"] for item in diff["changed"]}
    assert set(changed) == {"91.demo.breaks", "step shared (" + after["steps"][0]["notebook"] + ")"}
    assert changed["91.demo.breaks"] == "held, now broken: sum: expected 2, measured 3"
    assert "RuntimeError: the model cannot be built any more" in changed[next(k for k in changed if "step" in k)]
    assert sorted(item["id"] for item in diff["not_evaluated"]) == ["91.demo.also_needs_shared",
                                                                    "91.demo.needs_shared"]
    assert [(d["id"], d["value"], d["old"], d["new"]) for d in diff["drift"]] == [
        ("91.demo.drifts", "loss", 0.25, 0.30)]  # the 1e-9 move is within rtol 1e-6: not drift
    assert [w["summary"] for w in diff["wording"]] == [
        "refuse raises: ValueError: x is not supported -> ValueError: Argument `x` is not supported."]
    assert diff["new_warnings"] == [{"id": "91.demo.warns", "summary": "DeprecationWarning: y is deprecated"}]
    assert diff["api"] == [{"id": "keras.optimizers.Zeal", "summary": "added to keras.optimizers"}]


def test_a_claim_whose_cell_never_ran_is_listed_as_not_evaluated(tmp_path):
    notebook = _write(tmp_path / "92_demo.ipynb", [SETUP, "with kw.claim('92.demo.never', 's', verdict='finding'):\n    pass"])
    built = ledger.build([], [notebook], commit="c", date="d")
    (claim,) = built["claims"]
    assert claim["status"] == "not_evaluated" and "did not reach this claim" in claim["message"]
    assert claim["cell"] == 2


def test_the_last_record_of_an_id_counts_and_undeclared_records_are_kept(tmp_path):
    records = [{"kind": "claim", "id": "93.a.b", "status": "broken", "notebook": None},
               {"kind": "claim", "id": "93.a.b", "status": "holds", "notebook": None, "values": {}}]
    built = ledger.build(records, [], commit="c", date="d")
    assert [(c["id"], c["status"]) for c in built["claims"]] == [("93.a.b", "holds")]
    assert ledger.summary_line(built) == "claims: 1 holds"


def test_compare_reports_removed_claims_recoveries_and_api_removals():
    old = {"environment": {"api": {"losses": ["Huber", "Old"]}},
           "claims": [{"id": "a.b.c", "status": "holds", "values": {}},
                      {"id": "a.b.d", "status": "broken", "values": {}}]}
    new = {"environment": {"api": {"losses": ["Huber"]}},
           "claims": [{"id": "a.b.d", "status": "holds", "values": {}}]}
    diff = ledger.compare(old, new)
    assert {i["id"]: i["summary"] for i in diff["changed"]} == {
        "a.b.d": "was broken, now holds", "a.b.c": "claim missing from the new run"}
    assert diff["api"] == [{"id": "keras.losses.Old", "summary": "removed from keras.losses"}]


@pytest.mark.parametrize("old, new, moved", [
    (1.0, 1.0 + 5e-5, False), (1.0, 1.0 + 2e-4, True), ([1.0, 2.0], [1.0, 2.0], False),
    ([1.0, 2.0], [1.0], True), ("nan", "nan", False), ({"mean": 1.0, "max": 2.0}, {"mean": 1.0, "max": 3.0}, True),
    ("text", "text", False), ("text", "other", True),
])
def test_drift_uses_the_recorded_tolerance(old, new, moved):
    assert ledger._moved(old, new, rtol=1e-4, atol=0.0) is moved


def test_load_refuses_what_is_not_a_ledger(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        ledger.load(tmp_path / "missing.json")
    (tmp_path / "bad.json").write_text("{")
    with pytest.raises(ValueError, match="is not JSON"):
        ledger.load(tmp_path / "bad.json")
    (tmp_path / "other.json").write_text(json.dumps({"claims": []}))
    with pytest.raises(ValueError, match="has no 'environment' and 'claims'"):
        ledger.load(tmp_path / "other.json")
    (tmp_path / "records.jsonl").write_text('{"kind": "step"}\nnot json\n')
    with pytest.raises(ValueError, match="line 2 of"):
        ledger.read_records(tmp_path / "records.jsonl")


def test_a_claim_named_in_a_loop_is_placed_in_its_cell_by_execution_count(tmp_path):
    notebook = _write(tmp_path / "94_loop.ipynb", [
        SETUP, "for name in ('sgd', 'adam'):\n    with kw.claim(f'94.loop.{name}', name, verdict='finding') as e:\n"
               "        e.equal('name', name, name)"])
    report.run_report([notebook], tmp_path / "out", timeout=120, stream=open("/dev/null", "w"))
    built = ledger.load(tmp_path / "out" / "claims.json")
    cell_id = nbformat.read(notebook, as_version=4).cells[2].id
    assert [(c["id"], c["cell"], c["cell_id"]) for c in built["claims"]] == [
        ("94.loop.sgd", 2, cell_id), ("94.loop.adam", 2, cell_id)]


def test_a_holding_claim_that_now_errors_is_changed():
    old = {"environment": {}, "claims": [{"id": "01.a.b", "status": "holds", "values": {}}]}
    new = {"environment": {}, "claims": [{"id": "01.a.b", "status": "error", "values": {},
                                          "message": "TypeError: x"}]}
    diff = ledger.compare(old, new)
    assert [i["summary"] for i in diff["changed"]] == ["held, now error: TypeError: x"]
    assert not any(items for category, items in diff.items() if category != "changed")


def _holding(value):
    return {"environment": {}, "claims": [{"id": "01.a.b", "status": "holds",
                                           "values": {"x": {"check": "close", "measured": value,
                                                            "rtol": 1e-7, "atol": 0.0}}}]}


@pytest.mark.parametrize("old, new", [(1.0, "nan"), ("nan", 1.0), (1.0, "inf")])
def test_a_number_becoming_nan_or_infinite_is_drift(old, new):
    drift = ledger.compare(_holding(old), _holding(new))["drift"]
    assert [(i["old"], i["new"]) for i in drift] == [(old, new)]


def test_drift_tolerance_is_relative_to_the_old_value():
    assert ledger._moved(1.0, 3.0, rtol=1.0, atol=0.0) is True  # |3 - 1| > 1.0 * |1|
    assert ledger._moved(3.0, 1.0, rtol=1.0, atol=0.0) is False  # |1 - 3| <= 1.0 * |3|
