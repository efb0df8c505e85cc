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


# --- Optimizers (notebook 03b) -------------------------------------------------


def descent_paths(surface: Any, paths: dict[str, Any], *, ncols: int = 7, panel: float = 1.45,
                  log_levels: bool = False):
    """Small multiples: each optimizer's path on a 2-D surface, same contours, same start.

    Parameters
    ----------
    surface : kwhelpers.optimizer_paths.Surface
        Supplies the function, its minimiser, the start and the plotting extent.
    paths : dict
        ``{label: array of shape (steps + 1, 2)}``.
    ncols : int
        Panels per row.
    panel : float
        Size of one panel in inches.
    log_levels : bool
        Contour ``log10(1 + f)`` instead of ``f`` (for Rosenbrock's steep walls).

    Returns
    -------
    (figure, 2-D array of axes)
        Unused panels of the last row are hidden.

    Examples
    --------
    >>> import numpy as np
    >>> from kwhelpers.optimizer_paths import QUADRATIC
    >>> fig, axes = descent_paths(QUADRATIC, {"still": np.array([QUADRATIC.start] * 2)})
    >>> axes.shape
    (1, 1)
    """
    import numpy as np

    if not isinstance(paths, dict) or not paths:
        raise ValueError(f"paths must be a non-empty dict of (steps + 1, 2) arrays, got {type(paths).__name__}")
    for label, path in paths.items():
        if np.ndim(path) != 2 or np.shape(path)[1] != 2:
            raise ValueError(f"paths[{label!r}] must have shape (steps + 1, 2), got {np.shape(path)}")
    ncols = min(ncols, len(paths))
    nrows = -(-len(paths) // ncols)
    fig, axes = figure(nrows, ncols, width=panel * ncols, height=panel * nrows * 0.9,
                       sharex=True, sharey=True, squeeze=False)
    x0, x1, y0, y1 = surface.extent
    gx, gy = np.meshgrid(np.linspace(x0, x1, 80), np.linspace(y0, y1, 80))
    values = np.vectorize(lambda a, b: surface.value((a, b)))(gx, gy)
    levels_of = np.log10(1.0 + values) if log_levels else values
    for ax, (label, path) in zip(axes.flat, paths.items()):
        ax.contour(gx, gy, levels_of, levels=7, colors="0.8", linewidths=0.5, antialiased=False)
        ax.plot(path[:, 0], path[:, 1], color="C0", linewidth=0.8, antialiased=False)
        ax.plot(*surface.start, "o", color="C2", markersize=3)
        ax.plot(*surface.minimum, "*", color="C3", markersize=6)
        ax.set_title(label, fontsize=7)
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.tick_params(labelsize=6)
    for ax in list(axes.flat)[len(paths):]:
        ax.set_visible(False)
    return fig, axes


def loss_curves(frame: Any, *, x: str = "step", y: str = "loss", hue: str = "optimizer",
                width: float = 7.5, height: float = 4.0, log_y: bool = False):
    """Loss against step, one line per optimizer (long-format DataFrame).

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"step": [0, 1, 0, 1], "loss": [2.0, 1.0, 2.0, 1.5],
    ...                       "optimizer": ["A", "A", "B", "B"]})
    >>> fig, ax = loss_curves(frame, log_y=True)
    >>> ax.get_yscale()
    'log'
    """
    import seaborn as sns

    missing = [column for column in (x, y, hue) if column not in getattr(frame, "columns", [])]
    if missing:
        raise ValueError(f"frame must have columns {[x, y, hue]}, missing {missing}")
    fig, ax = figure(width=width, height=height)
    count = frame[hue].nunique()
    sns.lineplot(data=frame, x=x, y=y, hue=hue, ax=ax, palette=sns.color_palette("tab20", count),
                 linewidth=1.2)
    if log_y:
        ax.set_yscale("log")
    ax.legend(fontsize=7, ncol=2, loc="lower left")
    return fig, ax
