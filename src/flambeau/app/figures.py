"""Plotly figures of a study, as plain dicts (cheap to build and to patch).

Scatter traces carry each point's sample index in ``customdata``; a selection is shown through
each trace's ``selectedpoints``. Their arrays travel as plotly.js typed arrays (base64 of the
raw bytes, ``typed_array``): a coordinate costs 5.3 bytes of JSON instead of 19, and neither
side formats or parses a number (``customdata`` stays a list: plotly.js reads the selected and
hovered points' values from it). The Sankey draws the most frequent paths (the
``Paths`` of the study, see ``store.SANKEY_PATHS``), the others through grey "other paths"
nodes; it shows every link twice when a selection exists: the selected samples' share (orange)
and the rest (grey); ``customdata`` keeps the base link.
"""

from __future__ import annotations

import base64

import numpy as np

from .class_flows import class_flows, rgba
from .raster import HOVER_GRID, is_raster, map_extent, raster_image
from .store import SignatureRun

__all__ = ["COLOR_BY", "PALETTE", "groups", "sample_colours", "sankey_figure",
           "scatter_figure", "selected_points", "silhouette_figure", "typed_array", "typed_values"]

PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
           "#bcbd22", "#17becf"]
COLOR_BY = {"label": "true label", "cluster": "cluster", "prediction": "prediction"}
SELECTED_LINK = "rgba(230, 85, 13, 0.85)"
OTHER_LINK = "rgba(150, 150, 150, 0.35)"
CLASS_LINK_ALPHA = 0.45  # flows coloured by true class; fainter behind a selection
CLASS_LINK_ALPHA_BEHIND = 0.2
CLUSTER_NODE = "#6b7b8c"
OTHER_NODE = "#c8c8c8"
NOISE = "#999999"
MAP_COLOURS = [*PALETTE, NOISE]  # every colour a map point can take


def typed_array(values, dtype: str = "f4") -> dict:
    """``values`` as a plotly.js typed array ``{"dtype": dtype, "bdata": base64}`` (little-endian
    bytes; ``dtype`` one of plotly's ``"f4"``, ``"f8"``, ``"i4"``, ``"u4"``...), decoded in the browser."""
    array = np.ascontiguousarray(values, dtype=np.dtype(dtype).newbyteorder("<"))
    return {"dtype": dtype, "bdata": base64.b64encode(array.tobytes()).decode("ascii")}


def typed_values(spec) -> np.ndarray:
    """The array of a ``typed_array`` spec (a plain list or array is returned as an array)."""
    if isinstance(spec, dict):
        return np.frombuffer(base64.b64decode(spec["bdata"]), np.dtype(spec["dtype"]).newbyteorder("<"))
    return np.asarray(spec)
MODEBAR = {"orientation": "v"}  # in the right margin: a horizontal toolbar covered the titles


def groups(study: SignatureRun, layer: int, color_by: str) -> list[tuple[str, np.ndarray, str, bool]]:
    """``[(trace name, sample indices, colour, anomalies?), ...]`` for one scatter (cached per study).

    Anomalies get traces of their own, so that every trace has one marker symbol: a per-point
    symbol array costs WebGL scatters about half of their redraw time.
    """
    key = ("groups", layer, color_by)
    if key in study.cache:
        return study.cache[key]
    if color_by == "cluster":
        codes, names = study.clusters[:, layer], lambda c: "noise" if c < 0 else f"cluster {c}"
    elif color_by == "prediction":
        codes, names = study.y_pred, lambda c: f"pred {c}"
    else:
        codes, names = study.y_true, None
    result = []
    for code in np.unique(codes):
        colour = PALETTE[code % len(PALETTE)] if code >= 0 else NOISE
        for anomaly in (False, True):
            members = np.flatnonzero((codes == code) & (study.is_anomaly == anomaly))
            if len(members) == 0:
                continue
            if names is None:
                name = f"{'anomaly' if anomaly else 'true'} {code}"
            else:
                name = names(int(code)) + (" (anomalies)" if anomaly else "")
            result.append((name, members, colour, anomaly))
    study.cache[key] = result
    return result


def selected_points(members: np.ndarray, mask: np.ndarray | None) -> list[int] | None:
    """Positions, within one trace, of its selected samples (None: no selection)."""
    return None if mask is None else np.flatnonzero(mask[members]).tolist()


def sample_colours(study: SignatureRun, layer: int, color_by: str) -> tuple[np.ndarray, np.ndarray]:
    """``(codes (n,) uint8, colours (k, 3) uint8)``: each sample's group colour (see ``groups``)
    as an index into ``colours`` (``MAP_COLOURS``; index 0 unused), cached per study."""
    key = ("colours", layer, color_by)
    if key not in study.cache:
        codes = np.zeros(study.n, np.uint8)
        for _, members, colour, _ in groups(study, layer, color_by):
            codes[members] = MAP_COLOURS.index(colour) + 1
        colours = np.array([[0, 0, 0]] + [[int(c[i:i + 2], 16) for i in (1, 3, 5)] for c in MAP_COLOURS],
                           np.uint8)
        study.cache[key] = (codes, colours)
    return study.cache[key]


def _layout(study: SignatureRun, layer: int) -> dict:
    k = int(len(np.unique(study.clusters[:, layer])))
    return {
        "title": {"text": f"{study.layer_names[layer]} (k = {k})", "font": {"size": 14}},
        "dragmode": "select", "uirevision": f"{study.name}-{layer}", "height": 380, "modebar": MODEBAR,
        "margin": {"l": 30, "r": 36, "t": 40, "b": 30}, "legend": {"orientation": "h", "y": -0.08},
        "xaxis": {"showticklabels": False, "zeroline": False},
        "yaxis": {"showticklabels": False, "zeroline": False},
    }


def _raster_figure(study: SignatureRun, layer: int, color_by: str, mask) -> dict:
    """A large study's map: an image of every sample (``raster``) under the axes, the legend
    (one empty SVG trace per group, not clickable) and a transparent grid (a heatmap of
    ``raster.HOVER_GRID`` cells) whose hover shows the nearest sample's input. No WebGL: a box
    or lasso drawn on it selects every sample inside (``raster.indices_in_shape``)."""
    traces = [{"type": "scatter", "mode": "markers", "name": f"{name} ({len(members):,})",
               "x": [None], "y": [None], "hoverinfo": "skip",
               "marker": {"size": 8, "color": colour, "symbol": "x" if anomaly else "circle"}}
              for name, members, colour, anomaly in groups(study, layer, color_by)]
    x0, x1, y0, y1 = map_extent(study, layer)
    columns, rows = HOVER_GRID
    traces.append({"type": "heatmap", "name": "hover", "z": {**typed_array(np.zeros(rows * columns), "u1"),
                                                             "shape": f"{rows},{columns}"},
                   "x0": x0 + (x1 - x0) / columns / 2, "dx": (x1 - x0) / columns,
                   "y0": y0 + (y1 - y0) / rows / 2, "dy": (y1 - y0) / rows,
                   "opacity": 0, "showscale": False, "hoverinfo": "none"})
    layout = _layout(study, layer)
    layout["images"] = [{"source": raster_image(study, layer, *sample_colours(study, layer, color_by), mask),
                         "xref": "x", "yref": "y", "x": x0, "y": y1, "sizex": x1 - x0, "sizey": y1 - y0,
                         "sizing": "stretch", "layer": "below"}]
    layout["xaxis"].update(range=[x0, x1], autorange=False, showgrid=False)
    layout["yaxis"].update(range=[y0, y1], autorange=False, showgrid=False)
    layout["legend"].update(itemclick=False, itemdoubleclick=False)
    return {"data": traces, "layout": layout}


def scatter_figure(study: SignatureRun, layer: int, color_by: str = "label", mask=None) -> dict:
    """Scattergl map of one hidden layer; anomalies drawn as crosses, hover shows the image.
    Above ``raster.RASTER_ABOVE`` samples the map is an image drawn here (see ``_raster_figure``)."""
    if is_raster(study):
        return _raster_figure(study, layer, color_by, mask)
    xy = study.coords[layer]
    traces = []
    for name, members, colour, anomaly in groups(study, layer, color_by):
        traces.append({
            "type": "scattergl", "mode": "markers", "name": name,
            "x": typed_array(xy[members, 0]), "y": typed_array(xy[members, 1]),
            "customdata": members,  # a list: plotly.js puts no typed-array value in its events
            "marker": {"size": 6, "color": colour, "symbol": "x" if anomaly else "circle"},
            "hoverinfo": "none", "selectedpoints": selected_points(members, mask),
            "selected": {"marker": {"opacity": 1.0}}, "unselected": {"marker": {"opacity": 0.12}},
        })
    return {"data": traces, "layout": _layout(study, layer)}


def _node_colours(study: SignatureRun) -> list[str]:
    colours = []
    for label in study.paths.node_labels:
        kind, _, value = label.partition(" ")
        if kind in ("true", "anomaly", "pred"):
            colours.append(PALETTE[int(value) % len(PALETTE)])
        else:
            colours.append(OTHER_NODE if label.endswith(" other paths") else CLUSTER_NODE)
    return colours


def _node_labels(study: SignatureRun) -> list[str]:
    """The graph's labels, each "other paths" node with the share of samples it carries."""
    p = study.paths
    share = f" ({100 * p.on_other_paths.mean():.1f} %)" if p.on_other_paths.any() else ""
    return [label + share if label.endswith(" other paths") else label for label in p.node_labels]


def _sankey_title(study: SignatureRun, mask) -> str:
    p = study.paths
    title = "Paths: true class → cluster in each hidden layer → prediction"
    if p.n_paths_shown < p.n_paths:
        title += (f" — the {p.n_paths_shown} most frequent of {p.n_paths:,} paths "
                  f"({100 * (1 - p.on_other_paths.mean()):.1f} % of the samples), the rest as other paths")
    if mask is not None:
        title += f" — {int(mask.sum())} selected"
    return title


def sankey_figure(study: SignatureRun, mask=None) -> dict:
    """Sankey true class -> cluster per layer -> prediction, each flow split and coloured by the
    true class of its samples; the selection's flows in orange in front of the others. Beyond the
    most frequent paths, samples flow through one "other paths" node per layer (labelled with
    their share)."""
    p = study.paths
    chosen = p.link_flows(mask) if mask is not None else np.zeros_like(p.link_value)
    keep = chosen > 0
    links, keys, counts = class_flows(study, None if mask is None else ~mask)
    class_colours = [rgba(c, CLASS_LINK_ALPHA if mask is None else CLASS_LINK_ALPHA_BEHIND)
                     for c in _node_colours(study)]
    source = [p.link_source[keep], p.link_source[links]]
    target = [p.link_target[keep], p.link_target[links]]
    value = [chosen[keep], counts]
    colour = [SELECTED_LINK] * int(keep.sum()) + [class_colours[k] for k in keys]
    custom = [np.flatnonzero(keep), links]
    return {"data": [{
        "type": "sankey", "arrangement": "fixed",
        "node": {"label": _node_labels(study), "color": _node_colours(study), "pad": 12, "thickness": 16,
                 "customdata": [f"node:{i}" for i in range(len(p.node_labels))]},
        "link": {"source": np.concatenate(source), "target": np.concatenate(target),
                 "value": np.concatenate(value), "color": colour,
                 "customdata": [f"link:{j}" for j in np.concatenate(custom)]},
    }], "layout": {"title": {"text": _sankey_title(study, mask), "font": {"size": 14}}, "height": 420,
                   "margin": {"l": 10, "r": 36, "t": 40, "b": 10}, "modebar": MODEBAR}}


def silhouette_figure(study: SignatureRun) -> dict:
    """Mean silhouette (solid) and inertia (dashed, right axis) against k, per layer."""
    traces = []
    layers = study.summary.get("layers", [])
    for i, layer in enumerate(layers):
        colour = PALETTE[i % len(PALETTE)]
        if layer.get("ks") and layer.get("inertia"):
            traces.append({"type": "scatter", "x": layer["ks"], "y": layer["silhouette"],
                           "mode": "lines+markers", "name": f"{layer['name']} silhouette",
                           "line": {"color": colour}})
            traces.append({"type": "scatter", "x": layer["ks"], "y": layer["inertia"], "yaxis": "y2",
                           "mode": "lines", "name": f"{layer['name']} inertia",
                           "line": {"color": colour, "dash": "dash"}})
    return {"data": traces, "layout": {
        "title": {"text": "Choosing k: silhouette (solid, left) and elbow (dashed, right)",
                  "font": {"size": 14}},
        "xaxis": {"title": {"text": "k"}, "dtick": 1}, "yaxis": {"title": {"text": "mean silhouette"}},
        "yaxis2": {"title": {"text": "inertia"}, "overlaying": "y", "side": "right"},
        "height": 380, "margin": {"l": 50, "r": 86, "t": 40, "b": 40}, "modebar": MODEBAR,
        "legend": {"font": {"size": 10}, "orientation": "h", "y": -0.2}}}
