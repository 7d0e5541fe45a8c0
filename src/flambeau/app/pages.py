"""Page layouts: the index of studies (with the new-study form) and a study page."""

from __future__ import annotations

import numpy as np
from dash import dcc, html

from ..signatures.config import ACTIVATIONS, DATASETS
from .figures import COLOR_BY, sankey_figure, scatter_figure, silhouette_figure
from .images import png_data_uri
from .measured import anomaly_section, preset_section, uncertainty_section
from .store import SignatureRun, rows_digest

__all__ = ["home_page", "message_page", "run_page", "studies_table"]

PAGE = {"fontFamily": "system-ui, sans-serif", "maxWidth": "1400px", "margin": "0 auto", "padding": "12px"}
CELL = {"border": "1px solid #ddd", "padding": "3px 8px", "textAlign": "left"}
THUMB = {"width": "40px", "height": "40px", "imageRendering": "pixelated", "margin": "1px",
         "border": "1px solid #ccc"}


def _table(header: list[str], rows: list[list], table_id: str | None = None) -> html.Table:
    head = html.Thead(html.Tr([html.Th(h, style=CELL) for h in header]))
    body = html.Tbody([html.Tr([html.Td(c, style=CELL) for c in row]) for row in rows])
    extra = {"id": table_id} if table_id else {}
    return html.Table([head, body], style={"borderCollapse": "collapse", "margin": "8px 0"}, **extra)


def _fmt(value, digits: int = 3) -> str:
    return "–" if value is None else f"{value:.{digits}f}" if isinstance(value, float) else str(value)


def message_page(text: str, title: str = "Cannot show this page") -> html.Div:
    """A clear message instead of a stack trace."""
    return html.Div([
        html.H2(title), html.P(text, id="error-message", role="alert",
                               style={"color": "#a00", "fontWeight": "bold"}),
        dcc.Link("← back to the list of studies", href="/"),
    ], style=PAGE)


def _per_class(row: dict) -> str:
    if row.get("n_per_class") is not None:
        return _fmt(row["n_per_class"])
    return f"{row['n_train']} training images" if row.get("n_train") else "outside activations"


def _rows_table(rows: list[dict], strip: str = "") -> html.Table:
    table_rows = []
    for r in rows:
        link = dcc.Link(r["name"][len(strip):], href=f"/study/{r['name']}")
        if "error" in r:
            table_rows.append([link, html.Span(r["error"], style={"color": "#a00"}), "", "", "", ""])
            continue
        table_rows.append([link, r["dataset"], " ".join(map(str, r["classes"])),
                           " ".join(map(str, r["anomalies"])) or "–", _per_class(r),
                           _fmt(r["accuracy"]), r["created"].replace("T", " ")])
    return _table(["study", "dataset", "classes", "anomalies", "samples / class", "accuracy", "date"],
                  table_rows)


def studies_table(rows: list[dict], presets: dict | None = None):
    """The index of studies (like the report's ``signature_01_100``, ``signature_137_100``...):
    the studies at the top of the runs folder, then one block per folder of studies (a preset's,
    with its anomaly table and comparison, or the quickstart's), in ``presets``' study order."""
    if not rows:
        return html.P("No study yet: start one below, or run `flambeau signatures`.", id="no-study")
    presets = presets or {}
    groups: dict[str, list[dict]] = {}
    for r in rows:
        groups.setdefault(r.get("group", ""), []).append(r)
    parts = [_rows_table(groups.pop(""))] if "" in groups else []
    for group in sorted(groups):
        members = groups[group]
        preset = presets.get(group)
        if preset:
            order = {s["path"]: i for i, s in enumerate(preset.get("studies", []))}
            members = sorted(members, key=lambda r: order.get(r["name"], len(order)))
            parts.append(preset_section(group, preset, _rows_table(members, f"{group}/")))
        else:
            parts += [html.H3(f"{group}/"), _rows_table(members, f"{group}/")]
    return html.Div(parts, id="studies")


def _field(label: str, component) -> html.Label:
    return html.Label([label, html.Br(), component],
                      style={"display": "inline-block", "margin": "4px 12px 4px 0"})


def _dropdown(element_id: str, options: list[str], value: str) -> dcc.Dropdown:
    """A dropdown wide enough for its longest option, with room for the arrow (a fixed narrow
    width cut "umap" to "u..." and "kmeans" to "kmea...")."""
    width = 9 * max(len(o) for o in options) + 70
    return dcc.Dropdown(id=element_id, options=options, value=value, clearable=False, searchable=False,
                        style={"width": f"{width}px"})


def _form() -> html.Div:
    return html.Div([
        html.H3("Start a new study"),
        _field("dataset", _dropdown("form-dataset", list(DATASETS), "usps")),
        _field("classes", dcc.Input(id="form-classes", value="1 7", style={"width": "90px"})),
        _field("samples / class", dcc.Input(id="form-n", type="number", value=100, style={"width": "80px"})),
        _field("hidden widths", dcc.Input(id="form-hidden", value="32 64", style={"width": "90px"})),
        _field("anomalies", dcc.Input(id="form-anomalies", value="4 3", style={"width": "70px"})),
        _field("epochs", dcc.Input(id="form-epochs", type="number", value=30, style={"width": "60px"})),
        _field("activation", _dropdown("form-activation", list(ACTIVATIONS), "relu")),
        _field("map", _dropdown("form-projection", ["umap", "pca"], "umap")),
        _field("clustering", _dropdown("form-method", ["kmeans", "hdbscan"], "kmeans")),
        html.Button("Start", id="form-start", n_clicks=0, style={"marginLeft": "8px"}),
        html.Div(id="form-message", role="status", style={"margin": "6px 0", "color": "#333"}),
        html.Div([html.Progress(id="job-progress", max=1, value=0, style={"width": "300px"}),
                  html.Span(id="job-status", style={"marginLeft": "10px"})]),
        dcc.Interval(id="job-poll", interval=1000),
    ], style={"borderTop": "1px solid #ccc", "marginTop": "16px"})


def home_page(rows: list[dict], presets: dict | None = None) -> html.Div:
    return html.Div([
        html.H1("flambeau — activation signatures"),
        html.P("Which path does an image take through a trained network? Each study trains a "
               "dense network on a few digits, clusters every hidden layer (k by silhouette) "
               "and follows each image's clusters: its signature. Unseen digits (anomalies) show "
               "where the network sends what it does not know."),
        html.Div(studies_table(rows, presets), id="studies-list"),
        dcc.Store(id="studies-digest", data=rows_digest(rows)),
        _form(),
    ], style=PAGE)


def _metrics(study: SignatureRun) -> html.Div:
    s = study.summary.get("scores", {})
    layers = {layer["name"]: layer for layer in study.summary.get("layers", [])}
    rows = []
    for name, sc in s.get("layers", {}).items():
        info = layers.get(name, {})
        sil = dict(zip(info.get("ks", []), info.get("silhouette", []), strict=False)).get(info.get("k"))
        rows.append([name, str(info.get("width", "?")), str(info.get("k", "?")), _fmt(sil),
                     _fmt(sc.get("nmi")), _fmt(sc.get("ari")), _fmt(sc.get("purity"))])
    sep = s.get("separation", {})
    parts = [html.H3("Metrics"),
             _table(["layer", "width", "k", "silhouette", "NMI", "ARI", "purity"], rows, "metrics"),
             html.P(f"Classes separate first at: {sep.get('first_layer') or 'no layer'} "
                    f"(criterion: {sep.get('criterion', 'purity >= threshold')}, "
                    f"threshold {sep.get('threshold', '?')}).")]
    majority = [[c, str(tuple(v["path"])), f"{100 * v['share']:.1f} %"]
                for c, v in s.get("majority_paths", {}).items()]
    parts.append(_table(["class", "majority path", "share of the class"], majority))
    anomalies = s.get("anomalies", {})
    if anomalies:
        known = [str(c) for c in study.summary.get("config", {}).get("classes", [])]
        rows = []
        for a, info in anomalies.items():
            for layer, shares in info.get("routing", {}).items():
                rows.append([f"anomaly {a}", layer, *[f"{100 * shares.get(k, 0):.0f} %" for k in known],
                             f"{100 * shares.get('none', 0):.0f} %",
                             _fmt(info.get("path_entropy_bits"), 2), str(info.get("distinct_paths"))])
        parts += [html.H4("Where anomalies go (share routed into each known class's clusters)"),
                  _table(["input", "layer", *[f"→ {k}" for k in known], "→ none", "path entropy (bits)",
                          "distinct paths"], rows, "anomalies")]
    return html.Div(parts)


def thumbnail_members(study: SignatureRun, signature, per_row: int = 8) -> np.ndarray:
    """Samples shown for a frequent signature: members of that signature only, spread over its
    classes in proportion to their counts (each class present gets at least one, anomalies
    first), not its first members by index (which are the known classes': an anomaly-heavy row
    showed only known digits)."""
    members = np.flatnonzero(np.all(study.clusters == np.asarray(signature), axis=1))
    if len(members) <= per_row:
        return members
    keys = study.y_true[members] * 2 + study.is_anomaly[members]
    values, counts = np.unique(keys, return_counts=True)
    order = np.lexsort((-counts, -(values % 2)))  # anomalies first, then the largest classes
    quota = np.zeros(len(values), np.int64)
    quota[order[:per_row]] = 1
    while quota.sum() < per_row:  # D'Hondt: the next slot to the class with most members per slot
        quota[np.argmax(np.where(quota < counts, counts / (quota + 1), -1))] += 1
    chosen = [members[keys == values[i]][np.linspace(0, counts[i] - 1, quota[i]).astype(int)] for i in order]
    return np.concatenate(chosen)


def _signatures_table(study: SignatureRun, per_row: int = 8) -> html.Div:
    rows = []
    for entry in study.summary.get("top_signatures", [])[:15]:
        members = thumbnail_members(study, entry["signature"], per_row)
        thumbs = [html.Img(src=png_data_uri(study.images[i].reshape(study.image_shape)), style=THUMB,
                           title=f"sample {i}: {'anomaly' if study.is_anomaly[i] else 'true'} "
                                 f"{study.y_true[i]}") for i in members]
        by_class = ", ".join(f"{k}: {v}" for k, v in entry.get("by_class", {}).items())
        rows.append([str(tuple(entry["signature"])), str(entry["count"]), by_class, html.Div(thumbs)])
    return html.Div([html.H3("Most frequent signatures"),
                     _table(["signature (cluster per layer)", "images", "by class", "inputs"], rows,
                            "signatures")])


def _header(study: SignatureRun) -> html.Div:
    c = study.summary.get("config", {})
    if c.get("n_per_class") is not None:
        training = f"{c['n_per_class']} training images per class"
    elif study.summary.get("n_train"):
        training = f"{study.summary['n_train']} training images"
    else:
        training = "activations recorded outside flambeau"
    facts = (f"{c.get('dataset', '?')} · classes {c.get('classes')} · anomalies {c.get('anomalies') or '–'}"
             f" · {training} · hidden {c.get('hidden')}"
             f" · test accuracy {_fmt(study.summary.get('accuracy'))} · {study.n} samples analysed"
             f" · {c.get('projection', '?')} maps · {study.summary.get('created', '')}")
    return html.Div([dcc.Link("← all studies", href="/"), html.H2(study.name), html.P(facts)])


def run_page(study: SignatureRun, color_by: str = "label") -> html.Div:
    """Maps per layer, Sankey, silhouette, metrics and signatures, with linked selection."""
    scatters = [html.Div([
        dcc.Graph(id={"type": "scatter", "index": j}, figure=scatter_figure(study, j, color_by),
                  config={"displaylogo": False}, clear_on_unhover=True),
        dcc.Tooltip(id={"type": "tooltip", "index": j}),
    ], style={"flex": "1 1 380px", "minWidth": "320px"}) for j in range(len(study.layer_names))]
    return html.Div([
        _header(study),
        html.Div([
            html.Span("colour by: "),
            dcc.RadioItems(id="color-by", options=COLOR_BY, value=color_by, inline=True,
                           style={"display": "inline-block"}),
            html.Button("Clear selection", id="clear-selection", n_clicks=0, style={"marginLeft": "16px"}),
            html.Button("Export HTML", id="export-button", n_clicks=0, style={"marginLeft": "8px"}),
            dcc.Download(id="export-download"),
            html.Span(id="export-message", role="alert", style={"marginLeft": "8px", "color": "#a00"}),
            html.Span("Box- or lasso-select points in a map; click a Sankey node or link.",
                      style={"marginLeft": "16px", "color": "#555"}),
        ]),
        html.Div(id="selection-info", role="status", children="No selection.",
                 style={"margin": "6px 0", "fontWeight": "bold"}),
        html.Div(scatters, id="scatters", style={"display": "flex", "flexWrap": "wrap", "gap": "8px"}),
        dcc.Graph(id="sankey", figure=sankey_figure(study), config={"displaylogo": False}),
        html.Div([html.Div(dcc.Graph(id="silhouette", figure=silhouette_figure(study)),
                           style={"flex": "1 1 500px"}),
                  html.Div(_metrics(study), style={"flex": "1 1 500px"})],
                 style={"display": "flex", "flexWrap": "wrap", "gap": "16px"}),
        uncertainty_section(study.summary),
        anomaly_section(study.summary),
        _signatures_table(study),
        dcc.Store(id="study-name", data=study.name),
        dcc.Store(id="selection-store", data=None),
        dcc.Store(id="scatter-selection", data=None),
    ], style=PAGE)
