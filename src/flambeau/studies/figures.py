"""Figure helpers of the studies: atomic PNG writes and image grids (matplotlib, no pyplot)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

__all__ = ["image_grid", "new_figure", "save_figure", "square_shape"]


def new_figure(width: float, height: float) -> Figure:
    """A matplotlib ``Figure`` not attached to pyplot (safe in threads and without a display)."""
    return Figure(figsize=(width, height), layout="constrained")


def save_figure(fig: Figure, path, dpi: int = 100) -> Path:
    """Write ``fig`` as PNG to ``path`` atomically (temporary file in the same folder + rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as file:
            fig.savefig(file, format="png", dpi=dpi)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def square_shape(n_features: int, where: str) -> tuple[int, int]:
    """``(side, side)`` for square images of ``n_features`` pixels (256 -> 16x16)."""
    side = int(round(np.sqrt(n_features)))
    if side * side != n_features:
        raise ValueError(f"{where}: cannot draw {n_features} features as a square image; "
                         "pass image_shape=(height, width)")
    return side, side


def image_grid(rows: list[np.ndarray], image_shape: tuple[int, int], row_labels: list[str],
               titles: list[list[str]] | None = None, scale: float = 1.1) -> Figure:
    """A grid of grey images, one row per array of ``rows`` (each ``(n_images, h * w)``).

    Args:
        rows: arrays of flattened images in [0, 1], all with the same number of images.
        image_shape: ``(h, w)``.
        row_labels: a label per row, written left of it.
        titles: optional ``titles[r][i]`` above image ``i`` of row ``r`` (e.g. its loss).
    """
    n_rows, n_cols = len(rows), len(rows[0])
    fig = new_figure(scale * n_cols, scale * n_rows + 0.3)
    axes = fig.subplots(n_rows, n_cols, squeeze=False)
    for r, images in enumerate(rows):
        for i in range(n_cols):
            ax = axes[r][i]
            ax.imshow(np.asarray(images[i]).reshape(image_shape), cmap="gray", vmin=0, vmax=1)
            ax.set_xticks([])
            ax.set_yticks([])
            if titles is not None and titles[r] is not None:
                ax.set_title(titles[r][i], fontsize=7)
        axes[r][0].set_ylabel(row_labels[r], fontsize=8)
    return fig
