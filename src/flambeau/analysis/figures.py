"""Figure helpers of the studies: image grids (matplotlib, no pyplot); they are saved with
``flambeau.files.save_figure``."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

__all__ = ["image_grid", "new_figure", "square_shape"]


def new_figure(width: float, height: float) -> Figure:
    """A matplotlib ``Figure`` not attached to pyplot (safe in threads and without a display)."""
    return Figure(figsize=(width, height), layout="constrained")


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

    Drawn as ONE mosaic image (a single ``imshow``, tiles separated by a 1-pixel mid-grey
    line): fast even for many tiles.

    Args:
        rows: arrays of flattened images in [0, 1], all with the same number of images.
        image_shape: ``(h, w)``.
        row_labels: a label per row, written left of it.
        titles: optional ``titles[r][i]`` written above image ``i`` of row ``r`` (e.g. its loss).
    """
    h, w = image_shape
    n_rows, n_cols = len(rows), len(rows[0])
    gap = 1 if titles is None else max(1, h // 3)  # room for the titles between rows
    mosaic = np.full((n_rows * (h + gap) + gap, n_cols * (w + 1) + 1), 0.5)
    for r, images in enumerate(rows):
        tiles = np.clip(np.asarray(images, dtype=np.float64).reshape(n_cols, h, w), 0, 1)
        padded = np.full((n_cols, h, w + 1), 0.5)  # each tile and its 1-pixel right border
        padded[:, :, :w] = tiles
        top = gap + r * (h + gap)
        mosaic[top:top + h, 1:] = padded.transpose(1, 0, 2).reshape(h, n_cols * (w + 1))
    fig = new_figure(scale * n_cols + 1.0, scale * n_rows * (h + gap) / h)
    ax = fig.add_subplot()
    ax.imshow(mosaic, cmap="gray", vmin=0, vmax=1, interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([gap + r * (h + gap) + h / 2 for r in range(n_rows)], row_labels, fontsize=8)
    ax.tick_params(length=0)
    for r in range(n_rows):
        if titles is not None and titles[r] is not None:
            for i, text in enumerate(titles[r]):
                ax.text(1 + i * (w + 1) + w / 2, gap + r * (h + gap) - 0.5, text, fontsize=7,
                        ha="center", va="bottom")
    return fig
