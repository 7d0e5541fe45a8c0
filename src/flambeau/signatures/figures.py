"""Static (matplotlib) figures of a study: silhouette / elbow curves and the per-layer maps.

Built on ``matplotlib.figure.Figure`` (never ``pyplot``): safe in the app's worker thread.
"""

from __future__ import annotations

import numpy as np
from matplotlib import colormaps
from matplotlib.figure import Figure

from .clustering import LayerClustering
from .sampling import stratified_rows

__all__ = ["FIGURE_POINTS", "plot_projections", "plot_silhouette"]

FIGURE_POINTS = 10_000  # points drawn per map (a sample stratified by class): the PNG stays quick


def plot_silhouette(clusterings: dict[str, LayerClustering]):
    """The report's figure: per layer, mean silhouette (left) and inertia / elbow (right) vs k,
    the chosen k marked. Returns the matplotlib figure."""
    n = len(clusterings)
    fig = Figure(figsize=(10, 2.6 * n))
    axes = fig.subplots(n, 2, squeeze=False, sharex=True)
    for (name, c), (ax_s, ax_e) in zip(clusterings.items(), axes, strict=True):
        if c.ks and c.method == "kmeans":
            ax_s.plot(c.ks, c.silhouette, "o-", color="tab:red")
            ax_s.axvline(c.k, color="grey", ls="--", lw=1)
            ax_e.plot(c.ks, c.inertia, "o-", color="tab:green")
        else:
            ax_s.text(0.5, 0.5, f"{c.method}: k = {c.k}", ha="center", transform=ax_s.transAxes)
        ax_s.set(ylabel="silhouette", title=f"{name}: k = {c.k}")
        ax_e.set(ylabel="inertia (elbow)")
        ax_s.grid(True)
        ax_e.grid(True)
    axes[-1, 0].set_xlabel("k")
    axes[-1, 1].set_xlabel("k")
    fig.tight_layout()
    return fig


def plot_projections(coords: np.ndarray, layer_names: list[str], y: np.ndarray,
                     is_anomaly: np.ndarray):
    """One scatter per layer of the 2-D maps ``coords`` ``(L, n, 2)``, coloured by true class;
    anomalies drawn as crosses. Above ``FIGURE_POINTS`` samples, a sample stratified by class
    and anomaly is drawn (the titles say how many)."""
    L = len(layer_names)
    n = len(y)
    strata = 2 * np.asarray(y, np.int64) + np.asarray(is_anomaly, bool)
    rows = stratified_rows(n, FIGURE_POINTS, strata)
    coords, y, is_anomaly = coords[:, rows], y[rows], is_anomaly[rows]
    shown = f" ({len(rows):,} of {n:,} samples)" if len(rows) < n else ""
    fig = Figure(figsize=(4.5 * L, 4.2))
    axes = fig.subplots(1, L, squeeze=False)
    classes = np.unique(y)
    cmap = colormaps["tab10"]
    for ax, name, xy in zip(axes[0], layer_names, coords, strict=True):
        for i, c in enumerate(classes):
            for anomalous, marker in ((False, "o"), (True, "x")):
                rows = (y == c) & (is_anomaly == anomalous)
                if rows.any():
                    label = f"anomaly {c}" if anomalous else f"{c}"
                    ax.scatter(*xy[rows].T, s=8, marker=marker, color=cmap(i % 10), label=label)
        ax.set(title=name + shown, xticks=[], yticks=[])
    axes[0, -1].legend(fontsize=8, markerscale=1.5)
    fig.tight_layout()
    return fig
