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

    if not matrices:
        raise ValueError("matrices must map at least one title to a matrix, got none")
    fig, axes = figure(1, len(matrices), width=width_per_plot * len(matrices), height=height,
                       squeeze=False)
    for ax, (title, matrix) in zip(axes[0], matrices.items()):
        counts = np.asarray(matrix)
        if counts.shape != (len(labels), len(labels)):
            raise ValueError(f"matrices[{title!r}] must be {len(labels)}x{len(labels)}, "
                             f"got shape {counts.shape}")
        sns.heatmap(counts, annot=True, fmt="d", cbar=False, cmap="Blues", ax=ax,
                    xticklabels=labels, yticklabels=labels)
        ax.set(title=title, xlabel="predicted", ylabel="true")
    return fig, list(axes[0])
