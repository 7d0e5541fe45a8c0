"""Linked selection: from a plotly event to a set of samples, and back to every view.

``update_views`` is what a selection costs on the server; it is timed in the tests on 10,000
samples and 3 hidden layers.
"""

from __future__ import annotations

import numpy as np

from .figures import groups, sample_colours, sankey_figure, selected_points
from .raster import indices_in_shape, is_raster, raster_image
from .store import SignatureRun

__all__ = ["SelectionError", "indices_from_map", "indices_from_sankey", "indices_from_scatter", "mask_of",
           "map_images", "sample_indices", "update_views"]


class SelectionError(ValueError):
    """A selection the browser sent that names no samples of the study; the message is for the page."""


def _shown(value, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."


def sample_indices(values, n: int) -> np.ndarray:
    """``values`` (a list of whole numbers in ``0..n-1``) as an int64 array ``(k,)``.

    Raises:
        SelectionError: not a list, not whole numbers, or an index outside ``0..n-1``.
    """
    if not isinstance(values, (list, tuple, np.ndarray)):
        raise SelectionError(f"sample indices must be a list, got {_shown(values)}")
    try:
        array = np.asarray(values)
    except (TypeError, ValueError, OverflowError):  # ragged lists
        raise SelectionError(f"sample indices must be whole numbers, got {_shown(values)}") from None
    if array.size == 0:
        return np.zeros(0, np.int64)
    if array.ndim == 1 and array.dtype.kind == "O" and all(type(v) is int for v in array.tolist()):
        big = next(v for v in array.tolist() if not 0 <= v < n)  # ints beyond 64 bits
        raise SelectionError(f"sample index {big} is outside 0..{n - 1}")
    whole = array.ndim == 1 and (array.dtype.kind in "iu" or (
        array.dtype.kind == "f" and bool(np.all(np.isfinite(array) & (array == np.round(array))))))
    if not whole:
        raise SelectionError(f"sample indices must be whole numbers, got {_shown(values)}")
    outside = (array < 0) | (array >= n)
    if outside.any():
        raise SelectionError(f"sample index {array[outside][0]:.0f} is outside 0..{n - 1}")
    return array.astype(np.int64)


def mask_of(n: int, indices) -> np.ndarray | None:
    """Boolean mask ``(n,)`` of the given sample indices (None stays None: no selection).

    Raises:
        SelectionError: ``indices`` is not a list of whole numbers in ``0..n-1``.
    """
    if indices is None:
        return None
    mask = np.zeros(n, bool)
    mask[sample_indices(indices, n)] = True
    return mask


def indices_from_scatter(selection, n: int) -> np.ndarray | None:
    """Sample indices of a map selection: ``{"indices": [...]}`` as the browser sends it, or a
    plotly ``selectedData`` (``{"points": [{"customdata": i}, ...]}``); None when cleared.

    Raises:
        SelectionError: anything else, or an index outside ``0..n-1``.
    """
    if not selection:
        return None
    if not isinstance(selection, dict):
        raise SelectionError(f"a map selection must be an object, got {_shown(selection)}")
    if "indices" in selection:
        values = selection["indices"]
    elif "points" in selection:
        points = selection["points"]
        if not isinstance(points, list) or not all(isinstance(p, dict) for p in points):
            raise SelectionError(f"a map selection's points must be a list of objects, got {_shown(points)}")
        values = [p.get("customdata") for p in points]
    else:
        return None
    if values is None:
        return None
    if isinstance(values, list):
        values = [v[0] if isinstance(v, list) and len(v) == 1 else v for v in values if v is not None]
    return sample_indices(values, n)


def indices_from_map(study: SignatureRun, selection) -> np.ndarray | None:
    """Samples of a map selection. A map drawn as an image (``raster.is_raster``) sends its box
    (``"range"``) or lasso (``"lasso"``): every sample inside it is selected; otherwise the
    sample indices of the selected markers (``indices_from_scatter``).

    Raises:
        SelectionError: a selection naming nothing of the study.
    """
    index = map_index(selection)
    if not (is_raster(study) and isinstance(selection, dict)
            and (selection.get("range") is not None or selection.get("lasso") is not None)):
        return indices_from_scatter(selection, study.n)
    if index is None or not 0 <= index < len(study.layer_names):
        raise SelectionError(f"map index must be in 0..{len(study.layer_names) - 1}, got {_shown(index)}")
    try:
        return indices_in_shape(study, index, selection)
    except (ValueError, TypeError, AttributeError) as error:
        raise SelectionError(str(error)) from None


def map_images(study: SignatureRun, mask: np.ndarray | None, color_by: str = "label") -> list[str]:
    """The image (PNG ``data:`` URI) of every map of a study drawn as images, showing ``mask``."""
    return [raster_image(study, j, *sample_colours(study, j, color_by), mask)
            for j in range(len(study.layer_names))]


def map_index(selection) -> int | None:
    """The map a selection was drawn in (``selection["index"]``), or None.

    Raises:
        SelectionError: an index that is not a whole number.
    """
    index = selection.get("index") if isinstance(selection, dict) else None
    if index is not None and (isinstance(index, bool) or not isinstance(index, int)):
        raise SelectionError(f"map index must be a whole number, got {_shown(index)}")
    return index


def indices_from_sankey(study: SignatureRun, click_data) -> np.ndarray | None:
    """Samples of a clicked Sankey node or link (``customdata`` ``"node:i"`` / ``"link:j"``).

    Raises:
        SelectionError: click data that is not ``{"points": [{...}, ...]}``.
    """
    if not click_data:
        return None
    points = click_data.get("points") if isinstance(click_data, dict) else None
    if not isinstance(click_data, dict) or not isinstance(points, (list, type(None))) or \
            not all(isinstance(p, dict) for p in points or []):
        raise SelectionError(f"Sankey click data must be an object with a list of points, got "
                             f"{_shown(click_data)}")
    if not points:
        return None
    tag = str(points[0].get("customdata", ""))
    kind, _, number = tag.partition(":")
    if not number.isdigit() or len(number) > 9:
        return None
    index = int(number)
    p = study.paths
    if kind == "node" and index < len(p.node_labels):
        return p.samples_of_node(index)
    if kind == "link" and index < len(p.link_value):
        return p.samples_of_link(index)
    return None


def update_views(study: SignatureRun, mask: np.ndarray | None, color_by: str = "label"):
    """What the page redraws after a selection.

    Returns:
        ``(points, sankey)``: ``points[layer][trace]`` the ``selectedpoints`` of each scatter
        trace (None without selection), and the new Sankey figure (dict).
    """
    points = [[selected_points(members, mask) for _, members, _, _ in groups(study, layer, color_by)]
              for layer in range(len(study.layer_names))]
    return points, sankey_figure(study, mask)
