"""The loss figure helper appended to `kwhelpers.plots`."""

from __future__ import annotations

import numpy as np
import pytest

from kwhelpers import plots


def test_loss_and_gradient_draws_one_line_per_curve_in_each_panel():
    import matplotlib

    matplotlib.use("Agg")
    x = np.linspace(-1.0, 1.0, 9)
    fig, (ax_loss, ax_gradient) = plots.loss_and_gradient(
        x, {"square": (x**2, 2 * x), "abs": (np.abs(x), np.sign(x))}, xlabel="z", title="t")
    assert len(ax_loss.get_lines()) == 2
    np.testing.assert_allclose(ax_gradient.get_lines()[0].get_ydata(), 2 * x)
    assert ax_gradient.get_xlabel() == "z"
    matplotlib.pyplot.close(fig)


def test_loss_and_gradient_validates_shapes():
    x = np.linspace(0.0, 1.0, 4)
    with pytest.raises(ValueError, match="x must be"):
        plots.loss_and_gradient(np.zeros((2, 2)), {"a": (x, x)})
    with pytest.raises(ValueError, match="curves"):
        plots.loss_and_gradient(x, {})
    with pytest.raises(ValueError, match=r"curves\['a'\]"):
        plots.loss_and_gradient(x, {"a": (x, x[:2])})
