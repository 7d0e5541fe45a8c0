"""Plotly figures of a study, as plain dicts (cheap to build and to patch).

Scatter traces carry each point's sample index in ``customdata``; a selection is shown through
each trace's ``selectedpoints``. The Sankey shows every link twice when a selection exists:
the selected samples' share (orange) and the rest (grey); ``customdata`` keeps the base link.
"""

from __future__ import annotations

import numpy as np

from .class_flows import class_flows, rgba
from .store import SignatureRun

__all__ = ["COLOR_BY", "PALETTE", "groups", "sankey_figure", "scatter_figure", "selected_points",
           "silhouette_figure"]

PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
           "#bcbd22", "#17becf"]
COLOR_BY = {"label": "true label", "cluster": "cluster", "prediction": "prediction"}
SELECTED_LINK = "rgba(230, 85, 13, 0.85)"
OTHER_LINK = "rgba(150, 150, 150, 0.35)"
CLASS_LINK_ALPHA = 0.45  # flows coloured by true class; fainter behind a selection
CLASS_LINK_ALPHA_BEHIND = 0.2
CLUSTER_NODE = "#6b7b8c"
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
        colour = PALETTE[code % len(PALETTE)] if code >= 0 else "#999999"
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


def scatter_figure(study: SignatureRun, layer: int, color_by: str = "label", mask=None) -> dict:
    """Scattergl map of one hidden layer; anomalies drawn as crosses, hover shows the image."""
    xy = study.coords[layer]
    traces = []
    for name, members, colour, anomaly in groups(study, layer, color_by):
        traces.append({
            "type": "scattergl", "mode": "markers", "name": name,
            "x": xy[members, 0], "y": xy[members, 1], "customdata": members,
            "marker": {"size": 6, "color": colour, "symbol": "x" if anomaly else "circle"},
            "hoverinfo": "none", "selectedpoints": selected_points(members, mask),
            "selected": {"marker": {"opacity": 1.0}}, "unselected": {"marker": {"opacity": 0.12}},
        })
    k = int(len(np.unique(study.clusters[:, layer])))
    return {"data": traces, "layout": {
        "title": {"text": f"{study.layer_names[layer]} (k = {k})", "font": {"size": 14}},
        "dragmode": "select", "uirevision": f"{study.name}-{layer}", "height": 380, "modebar": MODEBAR,
        "margin": {"l": 30, "r": 36, "t": 40, "b": 30}, "legend": {"orientation": "h", "y": -0.08},
        "xaxis": {"showticklabels": False, "zeroline": False},
        "yaxis": {"showticklabels": False, "zeroline": False},
    }}


def _node_colours(study: SignatureRun) -> list[str]:
    colours = []
    for label in study.paths.node_labels:
        kind, _, value = label.partition(" ")
        colours.append(PALETTE[int(value) % len(PALETTE)] if kind in ("true", "anomaly", "pred")
                       else CLUSTER_NODE)
    return colours


def sankey_figure(study: SignatureRun, mask=None) -> dict:
    """Sankey true class -> cluster per layer -> prediction, each flow split and coloured by the
    true class of its samples; the selection's flows in orange in front of the others."""
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
    title = "Paths: true class → cluster in each hidden layer → prediction"
    if mask is not None:
        title += f" — {int(mask.sum())} selected"
    return {"data": [{
        "type": "sankey", "arrangement": "fixed",
        "node": {"label": p.node_labels, "color": _node_colours(study), "pad": 12, "thickness": 16,
                 "customdata": [f"node:{i}" for i in range(len(p.node_labels))]},
        "link": {"source": np.concatenate(source), "target": np.concatenate(target),
                 "value": np.concatenate(value), "color": colour,
                 "customdata": [f"link:{j}" for j in np.concatenate(custom)]},
    }], "layout": {"title": {"text": title, "font": {"size": 14}}, "height": 420,
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
