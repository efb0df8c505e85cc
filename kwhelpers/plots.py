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
    >>> fig.dpi
    80.0
    """
    import matplotlib.pyplot as plt
    import seaborn as sns

    for name, value in (("nrows", nrows), ("ncols", ncols)):
        if not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive int, got {value!r}")
    sns.set_theme(style="whitegrid", context="notebook", font_scale=0.9)
    return plt.subplots(nrows, ncols, figsize=(width, height), dpi=FIGURE_DPI,
                        layout="constrained", **subplot_kwargs)


def gradient_reach_heatmap(table, ax=None, title: str | None = None):
    """Heatmap of a `kwhelpers.inspect.gradient_reach` table: which weights each output's error reaches.

    Cells show the L2 norm of a row's gradient on a block of weights; exact
    zeros are printed as ``0`` on a white cell, so "this output's error never
    reaches these weights" stands out from "small but non-zero".

    Parameters
    ----------
    table : pandas.DataFrame
        Rows are loss terms (and ``total``), columns weight blocks, values >= 0.
    ax : matplotlib Axes, optional
        Where to draw; a new `figure` is made when omitted.
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import pandas as pd
    >>> ax = gradient_reach_heatmap(pd.DataFrame({"w": [0.0, 1.0]}, index=["a", "total"]))
    >>> ax.get_ylabel()
    'loss term'
    """
    import numpy as np
    import pandas as pd
    import seaborn as sns

    if not isinstance(table, pd.DataFrame) or table.empty:
        raise TypeError(f"table must be a non-empty pandas DataFrame, got {type(table).__name__}")
    values = table.to_numpy(dtype=float)
    if not np.isfinite(values).all() or (values < 0).any():
        raise ValueError("table must hold finite values >= 0 (gradient norms), got "
                         f"min {np.nanmin(values)}")
    if ax is None:
        _, ax = figure(width=1.0 + 0.75 * table.shape[1], height=0.9 + 0.4 * table.shape[0])
    labels = np.vectorize(lambda v: f"{v:.2g}")(values)
    sns.heatmap(table.where(table != 0.0), ax=ax, annot=labels, fmt="", cmap="viridis",
                cbar_kws={"label": "gradient L2 norm"}, linewidths=0.5, linecolor="white",
                annot_kws={"fontsize": 7})
    ax.grid(False)
    ax.set_facecolor("white")
    for row, column in zip(*np.nonzero(values == 0.0)):  # seaborn does not annotate masked cells
        ax.text(column + 0.5, row + 0.5, "0", ha="center", va="center", fontsize=7, color="0.5")
    ax.set_xlabel("weights (output layer split per unit)")
    ax.set_ylabel("loss term")
    ax.tick_params(axis="x", labelrotation=45)
    ax.tick_params(axis="y", labelrotation=0)
    if title:
        ax.set_title(title)
    return ax
