"""README.md stays true: its notebook table, its recipe and the paths it names."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import numpy as np

from kwhelpers import report

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_notebook_table_lists_every_notebook_with_its_own_question():
    rows = dict(re.findall(r"^\| `(\d\d[a-z]?_[a-z0-9_]+)` \| (.+) \|$", README, flags=re.MULTILINE))
    notebooks = sorted(ROOT.glob("notebooks/[0-9][0-9]*_*.ipynb"))
    assert sorted(rows) == [p.stem for p in notebooks]
    for path in notebooks:
        question = report.notebook_question(nbformat.read(path, as_version=4))
        assert question.endswith("?"), f"{path.name}: the **Question.** line must be one question"
        assert rows[path.stem] == question, f"README's question for {path.stem} differs from the notebook's"


def test_the_own_data_recipe_runs_and_does_what_it_says():
    code = re.search(r"## Use kwhelpers on your own data\n\n```python\n(.*?)```", README, flags=re.DOTALL).group(1)
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)
    y, sample_weight, history = namespace["y"], namespace["sample_weight"], namespace["history"]
    assert 1 / 12 < y.mean() < 1 / 7, "the comment says about 1 in 9"
    np.testing.assert_allclose(sample_weight.mean(), 1.0, rtol=1e-6)
    assert sample_weight[y == 1].min() > sample_weight[y == 0].max()
    assert len(history) == 3 and {"loss", "accuracy"} <= set(history.columns)


def test_no_path_a_user_does_not_have():
    assert "../shared" not in README and "seeds/" not in README
    assert not re.search(r"\b00[012]_[0-9a-f]{16}\.txt\b", README)
    for command in ("make report", "make test", "make upgrade-check", "make test-backends"):
        assert command in README
