"""Small, deterministic figures (matplotlib + seaborn) for the notebooks.

Figures are kept under ~100 KB as PNG: modest size, 80 dpi, no transparency.
Topic-specific figures live next to the shared helpers below.
"""

from __future__ import annotations

from typing import Any

FIGURE_DPI = 80


def figure(nrows: int = 1, ncols: int = 1, width: float = 6.0, height: float = 3.5,
           **subplot_kwargs: Any):
    """Return ``(fig, axes)`` in the suite's style (seaborn whitegrid, 80 dpi).

    Parameters
    ----------
    nrows, ncols : int
        Grid of axes, as in :func:`matplotlib.pyplot.subplots`.
    width, height : float
        Figure size in inches (at 80 dpi, 6 x 3.5 inches is 480 x 280 pixels).

    Examples
    --------
    >>> fig, ax = figure()
    >>> int(fig.dpi), [round(v) for v in fig.get_size_inches()]
    (80, [6, 4])
    """
    import matplotlib.pyplot as plt
    import seaborn as sns

    for name, value in (("nrows", nrows), ("ncols", ncols)):
        if not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive int, got {value!r}")
    sns.set_theme(style="whitegrid", context="notebook", font_scale=0.9)
    return plt.subplots(nrows, ncols, figsize=(width, height), dpi=FIGURE_DPI,
                        layout="constrained", **subplot_kwargs)


# --- losses (notebook 04) --------------------------------------------------------------


def loss_and_gradient(x, curves, xlabel: str = "prediction", title: str | None = None,
                      width: float = 7.0, height: float = 2.6):
    """Plot losses (left) and their gradients (right) against one input.

    Parameters
    ----------
    x : array-like, shape (n,)
        The swept input (a prediction, a logit, a probability...).
    curves : mapping of str to (loss, gradient)
        For each label, two arrays of shape (n,): the loss at each ``x`` and
        ``d loss / d x``.
    xlabel, title : str
        Axis label of both panels and an optional figure title.

    Returns
    -------
    (fig, (ax_loss, ax_gradient))

    Examples
    --------
    >>> import numpy as np
    >>> x = np.linspace(-1, 1, 5)
    >>> fig, axes = loss_and_gradient(x, {"x^2": (x**2, 2 * x)})
    >>> len(axes)
    2
    """
    import numpy as np

    x = np.asarray(x, dtype=float)
    if x.ndim != 1 or x.size < 2:
        raise ValueError(f"x must be a 1-D array of at least 2 points, got shape {x.shape}")
    if not curves:
        raise ValueError("curves must name at least one (loss, gradient) pair, got none")
    fig, (ax_loss, ax_gradient) = figure(1, 2, width=width, height=height)
    for label, pair in curves.items():
        if len(pair) != 2:
            raise ValueError(f"curves[{label!r}] must be a (loss, gradient) pair, got {len(pair)} items")
        loss, gradient = (np.asarray(a, dtype=float) for a in pair)
        if loss.shape != x.shape or gradient.shape != x.shape:
            raise ValueError(f"curves[{label!r}] arrays must have shape {x.shape}, got "
                             f"{loss.shape} and {gradient.shape}")
        ax_loss.plot(x, loss, label=label)
        ax_gradient.plot(x, gradient, label=label)
    ax_loss.set(xlabel=xlabel, ylabel="loss")
    ax_gradient.set(xlabel=xlabel, ylabel=f"d loss / d {xlabel}")
    ax_gradient.axhline(0.0, color="0.6", linewidth=0.8)
    ax_loss.legend(fontsize=7)
    if title:
        fig.suptitle(title, fontsize=10)
    return fig, (ax_loss, ax_gradient)
