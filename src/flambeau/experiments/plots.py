"""Figures shared by the studies (matplotlib, Agg): boundaries, curves, digits, confusion matrices."""

from __future__ import annotations

import numpy as np

__all__ = ["confusion_matrix_figure", "curves", "decision_boundaries", "image_grid", "integer_ticks"]


def _plt():
    import matplotlib.pyplot as plt

    return plt


def decision_boundaries(panels, grid_steps: int = 150, ncols: int = 3):
    """One panel per model: class regions and the points.

    Args:
        panels: list of ``(title, predict_fn, X, y)``; ``predict_fn(points (m, 2)) -> labels (m,)``.
    """
    plt = _plt()
    n = len(panels)
    ncols = min(ncols, n)
    nrows = -(-n // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(4 * ncols, 3.6 * nrows), squeeze=False)
    for ax, (title, predict_fn, X, y) in zip(axes.flat, panels, strict=False):
        lo, hi = X.min(axis=0) - 0.5, X.max(axis=0) + 0.5
        gx, gy = np.meshgrid(np.linspace(lo[0], hi[0], grid_steps), np.linspace(lo[1], hi[1], grid_steps))
        labels = predict_fn(np.c_[gx.ravel(), gy.ravel()]).reshape(gx.shape)
        ax.contourf(gx, gy, labels, alpha=0.3, cmap="coolwarm")
        ax.scatter(X[:, 0], X[:, 1], c=y, s=6, cmap="coolwarm", edgecolors="none")
        ax.set_title(title, fontsize=9)
    for ax in list(axes.flat)[n:]:
        ax.axis("off")
    fig.tight_layout()
    return fig


def integer_ticks(ax, axis: str = "x") -> None:
    """Whole-number ticks only (epochs, iterations) on ``axis`` of ``ax``."""
    from matplotlib.ticker import MaxNLocator

    getattr(ax, f"{axis}axis").set_major_locator(MaxNLocator(integer=True))


def curves(series: dict, xlabel: str = "epoch", ylabel: str = "loss", title: str = "",
           logy: bool = False):
    """Line plot of named sequences: ``{"train lr=0.1": [...], ...}``."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6, 4))
    for label, values in series.items():
        ax.plot(np.arange(1, len(values) + 1), values, label=label)
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
    integer_ticks(ax)
    if logy:
        ax.set_yscale("log")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def confusion_matrix_figure(matrix, class_names=None, title: str = "confusion matrix"):
    """Heat map of a confusion matrix ``(classes, classes)``: rows true, columns predicted."""
    plt = _plt()
    matrix = np.asarray(matrix)
    k = len(matrix)
    names = class_names or [str(i) for i in range(k)]
    fig, ax = plt.subplots(figsize=(0.5 * k + 2, 0.5 * k + 1.5))
    ax.imshow(matrix, cmap="Blues")
    for i in range(k):
        for j in range(k):
            ax.text(j, i, str(matrix[i, j]), ha="center", va="center", fontsize=7,
                    color="white" if matrix[i, j] > matrix.max() / 2 else "black")
    ax.set(xticks=range(k), yticks=range(k), xticklabels=names, yticklabels=names,
           xlabel="predicted", ylabel="true", title=title)
    fig.tight_layout()
    return fig


def image_grid(images, titles=None, shape=None, ncols: int = 10, title: str = "", colors=None):
    """Grid of grey images ``(n, h*w)`` or ``(n, h, w)`` with optional per-image titles."""
    plt = _plt()
    images = np.asarray(images)
    if shape is not None:
        images = images.reshape(len(images), *shape)
    n = len(images)
    ncols = min(ncols, n)
    nrows = -(-n // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(1.2 * ncols, 1.35 * nrows), squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i < n:
            ax.imshow(images[i], cmap="gray", vmin=0, vmax=1)  # as flambeau.analysis figures
            if titles is not None:
                ax.set_title(str(titles[i]), fontsize=7,
                             color=colors[i] if colors is not None else "black")
    if title:
        fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    return fig
