"""Small, deterministic figures (matplotlib + seaborn) for the notebooks.

Figures are kept under ~100 KB as PNG: modest size, 80 dpi, no transparency.
Topic-specific figures live next to the shared helpers below.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from kwhelpers import _checks

FIGURE_DPI = 80


def _size(value: Any, name: str) -> float:
    return _checks.real(value, name, low=0.0, low_open=True)


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

    nrows, ncols = _checks.positive_int(nrows, "nrows"), _checks.positive_int(ncols, "ncols")
    width, height = _size(width, "width"), _size(height, "height")
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

    x = _checks.numeric_array(x, "x").astype(float)
    if x.ndim != 1 or x.size < 2:
        raise ValueError(f"x must be a 1-D array of at least 2 points, got shape {x.shape}")
    if not isinstance(curves, Mapping):
        raise TypeError(f"curves must be a dict of label to (loss, gradient), got {type(curves).__name__}")
    if not curves:
        raise ValueError("curves must name at least one (loss, gradient) pair, got none")
    fig, (ax_loss, ax_gradient) = figure(1, 2, width=width, height=height)
    for label, pair in curves.items():
        if isinstance(pair, (str, bytes)) or not isinstance(pair, Sequence) or len(pair) != 2:
            raise ValueError(f"curves[{label!r}] must be a (loss, gradient) pair, got {pair!r:.60}")
        loss, gradient = (_checks.numeric_array(a, f"curves[{label!r}]", finite=False).astype(float)
                          for a in pair)
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


# --- multi-label gradients (notebook 07) ------------------------------------------------


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

    import matplotlib.axes

    if not isinstance(table, pd.DataFrame) or table.empty:
        raise TypeError(f"table must be a non-empty pandas DataFrame, got {type(table).__name__}")
    if ax is not None and not isinstance(ax, matplotlib.axes.Axes):
        raise TypeError(f"ax must be a matplotlib Axes or None, got {type(ax).__name__}")
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


# --- confusion matrices (notebook 01) ---------------------------------------------------


def confusion_heatmaps(matrices, *, labels=("normal", "anomaly"), width_per_plot: float = 2.6,
                       height: float = 2.6):
    """Draw one annotated seaborn heatmap per ``{title: 2-D count matrix}``; return ``(fig, axes)``.

    Rows are the true class, columns the predicted class.

    Examples
    --------
    >>> import numpy as np
    >>> fig, axes = confusion_heatmaps({"a": np.eye(2, dtype=int)})
    >>> len(axes)
    1
    """
    import numpy as np
    import seaborn as sns

    if not isinstance(matrices, Mapping):
        raise TypeError(f"matrices must be a dict of title to count matrix, got {type(matrices).__name__}")
    if not matrices:
        raise ValueError("matrices must map at least one title to a matrix, got none")
    if isinstance(labels, (str, bytes)) or not isinstance(labels, Sequence) or len(labels) < 2:
        raise TypeError(f"labels must be a sequence of at least 2 class names, got {labels!r:.60}")
    checked = {}
    for title, matrix in matrices.items():
        counts = _checks.numeric_array(matrix, f"matrices[{title!r}]")
        if counts.shape != (len(labels), len(labels)):
            raise ValueError(f"matrices[{title!r}] must be {len(labels)}x{len(labels)}, "
                             f"got shape {counts.shape}")
        if (counts < 0).any() or not np.array_equal(counts, np.round(counts)):
            raise ValueError(f"matrices[{title!r}] must hold counts (integers >= 0), got values such as "
                             f"{counts[(counts < 0) | (counts != np.round(counts))].ravel()[:3].tolist()}")
        checked[title] = counts.astype(np.int64)
    matrices = checked
    fig, axes = figure(1, len(matrices), width=width_per_plot * len(matrices), height=height,
                       squeeze=False)
    for ax, (title, counts) in zip(axes[0], matrices.items()):
        sns.heatmap(counts, annot=True, fmt="d", cbar=False, cmap="Blues", ax=ax,
                    xticklabels=labels, yticklabels=labels)
        ax.set(title=title, xlabel="predicted", ylabel="true")
    return fig, list(axes[0])


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

    for attribute in ("value", "extent", "start", "minimum"):
        if not hasattr(surface, attribute):
            raise TypeError(f"surface must be a kwhelpers.optimizer_paths.Surface, got "
                            f"{type(surface).__name__}")
    ncols = _checks.positive_int(ncols, "ncols")
    panel = _size(panel, "panel")
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

    import pandas as pd

    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"frame must be a pandas DataFrame, got {type(frame).__name__}")
    named = {"x": x, "y": y, "hue": hue}
    missing = [f"{argument}={column!r}" for argument, column in named.items() if column not in frame.columns]
    if missing:
        raise ValueError(f"frame is missing the columns {', '.join(missing)}; its columns are "
                         f"{list(frame.columns)}")
    fig, ax = figure(width=width, height=height)
    count = frame[hue].nunique()
    sns.lineplot(data=frame, x=x, y=y, hue=hue, ax=ax, palette=sns.color_palette("tab20", count),
                 linewidth=1.2)
    if log_y:
        ax.set_yscale("log")
    ax.legend(fontsize=7, ncol=2, loc="lower left")
    return fig, ax
