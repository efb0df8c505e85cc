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
