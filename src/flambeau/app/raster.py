"""Maps of large studies drawn as images on the server, selected by their box or lasso.

Above ``RASTER_ABOVE`` samples a map is a PNG of every sample (a 2 x 2 pixel square each, a
5-pixel cross for an anomaly, in a fixed shuffled order so that no class hides another) under
the plot's axes, instead of one WebGL marker per sample. Measured in headless Chromium on a
shared 2-core machine (software WebGL), 8 WebGL maps of 70,000 markers took 15 to 25 s to draw
and 4 to 25 s to redraw after a selection; images of every sample are drawn by the browser as
any picture. A box or lasso in such a map is turned into samples here, on all of them
(``indices_in_shape``), and a selection redraws every map's image: the selected samples in
full colour over the others, faded as an unselected marker is (opacity 0.12 on white).
"""

from __future__ import annotations

import numpy as np
from matplotlib.path import Path as Polygon
from scipy.spatial import cKDTree

from .images import png_data_uri
from .store import SignatureRun

__all__ = ["HOVER_GRID", "RASTER_ABOVE", "RASTER_SIZE", "indices_in_shape", "is_raster", "map_extent",
           "nearest_sample", "raster_image"]

RASTER_ABOVE = 20_000  # samples above which maps are images
RASTER_SIZE = (480, 360)  # (width, height) in pixels, a little more than the plot area of a map
HOVER_GRID = (96, 72)  # (columns, rows) of the transparent cells whose hover shows a sample
UNSELECTED = 0.12  # opacity of an unselected sample
_SQUARE = np.array([(0, 0), (0, 1), (1, 0), (1, 1)])
_CROSS = np.array([(0, 0), (-1, -1), (1, 1), (-1, 1), (1, -1)])


def is_raster(study: SignatureRun) -> bool:
    """Whether the study's maps are drawn as images."""
    return study.n > RASTER_ABOVE


def map_extent(study: SignatureRun, layer: int) -> tuple[float, float, float, float]:
    """``(x0, x1, y0, y1)``: the range of the map's axes, its points plus 3 % on each side."""
    key = ("extent", layer)
    if key not in study.cache:
        xy = study.coords[layer]
        low, high = xy.min(axis=0).astype(float), xy.max(axis=0).astype(float)
        pad = 0.03 * np.maximum(high - low, 1e-6)
        study.cache[key] = (low[0] - pad[0], high[0] + pad[0], low[1] - pad[1], high[1] + pad[1])
    return study.cache[key]


def _pixels(study: SignatureRun, layer: int) -> np.ndarray:
    """``(n, 2)`` int (row, column) of every sample in the image (at least 1 pixel from the edges)."""
    key = ("pixels", layer)
    if key not in study.cache:
        width, height = RASTER_SIZE
        x0, x1, y0, y1 = map_extent(study, layer)
        xy = study.coords[layer].astype(np.float64)
        column = np.clip(((xy[:, 0] - x0) / (x1 - x0) * width).astype(np.int64), 1, width - 2)
        row = np.clip(((y1 - xy[:, 1]) / (y1 - y0) * height).astype(np.int64), 1, height - 2)
        study.cache[key] = np.stack([row, column], axis=1)
    return study.cache[key]


def _draw_order(study: SignatureRun) -> np.ndarray:
    """All samples in a fixed shuffled order, anomalies last (drawn on top)."""
    if "draw_order" not in study.cache:
        order = np.random.default_rng(0).permutation(study.n)
        study.cache["draw_order"] = order[np.argsort(study.is_anomaly[order], kind="stable")]
    return study.cache["draw_order"]


def raster_image(study: SignatureRun, layer: int, codes: np.ndarray, colours: np.ndarray, mask=None) -> str:
    """The map of ``layer`` as a PNG ``data:`` URI (a palette image: one byte per pixel).

    Args:
        codes: ``(n,)`` uint8 colour of each sample, an index into ``colours`` (``(k, 3)``
            uint8, k <= 127; ``colours[0]`` is unused, the background is white).
        mask: optional ``(n,)`` bool selection: its samples in full colour over the others faded.
    """
    width, height = RASTER_SIZE
    k = len(colours)
    palette = np.concatenate([colours, np.round(UNSELECTED * colours + (1 - UNSELECTED) * 255)])
    palette[0] = 255
    image = np.zeros(height * width, np.uint8)
    flat, order = _flat_pixels(study, layer), _draw_order(study)
    passes = [(order, codes)]
    if mask is not None:  # faded colours are the palette's second half
        passes = [(order[~mask[order]], codes + k), (order[mask[order]], codes)]
    for rows, shown in passes:
        for anomalous, offsets in ((False, _SQUARE), (True, _CROSS)):
            chosen = rows[study.is_anomaly[rows] == anomalous]
            shift = offsets[:, 0] * width + offsets[:, 1]
            image[(flat[chosen, None] + shift).ravel()] = np.repeat(shown[chosen], len(shift))
    return png_data_uri(image.reshape(height, width), palette.astype(np.uint8), level=1)


def _flat_pixels(study: SignatureRun, layer: int) -> np.ndarray:
    """``(n,)`` flat index (``row * width + column``) of every sample's pixel."""
    key = ("flat", layer)
    if key not in study.cache:
        rows_columns = _pixels(study, layer)
        study.cache[key] = rows_columns[:, 0] * RASTER_SIZE[0] + rows_columns[:, 1]
    return study.cache[key]


def indices_in_shape(study: SignatureRun, layer: int, shape: dict) -> np.ndarray:
    """Samples inside a box ``{"range": {"x": [x0, x1], "y": [y0, y1]}}`` or a lasso
    ``{"lasso": {"x": [...], "y": [...]}}`` drawn in the map of ``layer``: sorted indices.

    Raises:
        ValueError: neither a box nor a lasso of at least 3 finite points.
    """
    xy = study.coords[layer]
    if shape.get("range") is not None:
        box = shape["range"]
        (x0, x1), (y0, y1) = sorted(_numbers(box.get("x"), 2)), sorted(_numbers(box.get("y"), 2))
        inside = (xy[:, 0] >= x0) & (xy[:, 0] <= x1) & (xy[:, 1] >= y0) & (xy[:, 1] <= y1)
        return np.flatnonzero(inside)
    lasso = shape.get("lasso") or {}
    xs, ys = _numbers(lasso.get("x")), _numbers(lasso.get("y"))
    if len(xs) < 3 or len(xs) != len(ys):
        raise ValueError(f"a lasso needs as many x as y, at least 3, got {len(xs)} and {len(ys)}")
    return np.flatnonzero(Polygon(np.column_stack([xs, ys])).contains_points(xy))


def _numbers(values, count: int | None = None) -> list[float]:
    ok = isinstance(values, list) and all(isinstance(v, (int, float)) and not isinstance(v, bool)
                                          for v in values)
    if not ok or (count is not None and len(values) != count) or not np.all(np.isfinite(values)):
        raise ValueError(f"a box or lasso needs {count or 'a list of'} finite numbers per axis, got "
                         f"{repr(values)[:60]}")
    return [float(v) for v in values]


def nearest_sample(study: SignatureRun, layer: int, x: float, y: float) -> int | None:
    """The sample nearest to ``(x, y)`` in the map of ``layer``, if within 1.5 hover cells of it
    (None over an empty part of the map)."""
    key = ("tree", layer)
    if key not in study.cache:
        study.cache[key] = cKDTree(study.coords[layer])
    x0, x1, y0, y1 = map_extent(study, layer)
    radius = 1.5 * max((x1 - x0) / HOVER_GRID[0], (y1 - y0) / HOVER_GRID[1])
    distance, index = study.cache[key].query([x, y])
    return int(index) if distance <= radius else None
