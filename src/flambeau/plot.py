"""Matplotlib helpers: loss curves from a ``History`` and confusion matrices, saved as PNG.

Figures are built with ``matplotlib.figure.Figure`` directly (never ``pyplot``), so the
helpers work headless, in threads and in web servers whatever the backend. Files are
written by ``flambeau.files.save_figure`` (atomic PNG writes).
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from .files import save_figure

__all__ = ["plot_confusion_matrix", "plot_history"]


def _metric_keys(history) -> list[str]:
    """Per-epoch non-loss metrics (accuracy, F1...), train and validation."""
    skip = {"lr", "epoch_time"}
    return [k for k in history if k not in skip and not k.endswith("loss") and len(history[k])]


def plot_history(history, path=None, title: str | None = None) -> Figure:
    """Loss curves (train and validation) and, in a second panel, the recorded metrics.

    Args:
        history: a ``flambeau.History`` (or any ``{key: per-epoch list}``).
        path: if given, the PNG is written there.
        title: figure title.

    Returns:
        The matplotlib ``Figure``.
    """
    losses = [k for k in history if k.endswith("loss") and len(history[k])]
    if not losses:
        raise ValueError(f"plot_history: no loss recorded; keys are {sorted(history)}")
    metrics = _metric_keys(history)
    fig = Figure(figsize=(10 if metrics else 6, 4))
    axes = fig.subplots(1, 2 if metrics else 1, squeeze=False)[0]
    for ax, keys, label in ((axes[0], losses, "loss"), (axes[-1], metrics, "metric")):
        for key in keys:
            ax.plot(np.arange(1, len(history[key]) + 1), history[key], marker=".", label=key)
        ax.set(xlabel="epoch", ylabel=label)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # epochs are whole numbers
        ax.grid(alpha=0.3)
        ax.legend()
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    if path is not None:
        save_figure(fig, path)
    return fig


def plot_confusion_matrix(matrix, path=None, labels=None, normalize: bool = False,
                          title: str = "confusion matrix") -> Figure:
    """Heat map of a confusion matrix ``(K, K)`` (rows: true class, columns: predicted).

    Args:
        matrix: counts, e.g. ``flambeau.metrics.confusion_matrix(y, yhat)``.
        path: if given, the PNG is written there.
        labels: class names (default ``0 .. K-1``).
        normalize: show each row as shares of the true class instead of counts.
    """
    matrix = np.asarray(matrix)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
        raise ValueError(f"plot_confusion_matrix: matrix must have shape (K, K), got {matrix.shape}")
    K = matrix.shape[0]
    labels = [str(i) for i in range(K)] if labels is None else [str(v) for v in labels]
    if len(labels) != K:
        raise ValueError(f"plot_confusion_matrix: {K} classes but {len(labels)} labels")
    values = matrix / np.maximum(matrix.sum(axis=1, keepdims=True), 1) if normalize else matrix
    fig = Figure(figsize=(1.5 + 0.5 * K, 1.2 + 0.5 * K))
    ax = fig.subplots()
    image = ax.imshow(values, cmap="Blues")
    fig.colorbar(image, ax=ax)
    ax.set(xticks=range(K), yticks=range(K), xticklabels=labels, yticklabels=labels,
           xlabel="predicted", ylabel="true", title=title)
    if K <= 20:
        threshold = values.max() / 2 if values.size else 0
        for i in range(K):
            for j in range(K):
                text = f"{values[i, j]:.2f}" if normalize else str(int(values[i, j]))
                ax.text(j, i, text, ha="center", va="center", fontsize=8,
                        color="white" if values[i, j] > threshold else "black")
    fig.tight_layout()
    if path is not None:
        save_figure(fig, path)
    return fig
