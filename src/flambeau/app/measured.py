"""The measured sections of the app's pages: anomaly detection (ROC figures, AUROC / FPR95
table, where the path score wins and loses), the layer scores over seeds with their intervals
and the linear probe, and a preset's summary on the home page. All read from ``study.json`` /
``preset.json``; nothing is recomputed."""

from __future__ import annotations

from dash import dcc, html

__all__ = ["DETECTOR_LABELS", "anomaly_section", "preset_section", "roc_figure", "uncertainty_section"]

DETECTOR_LABELS = {"path": "path score", "msp": "MSP", "mahalanobis": "Mahalanobis", "glosh": "GLOSH",
                   "path_term": "path term only", "distance_term": "distance term only"}
DETECTOR_COLOURS = {"path": "#d62728", "msp": "#1f77b4", "mahalanobis": "#2ca02c", "glosh": "#9467bd"}
GRAPH_CONFIG = {"displaylogo": False}
CELL = {"border": "1px solid #ddd", "padding": "3px 8px", "textAlign": "left"}
OUTCOME_COLOURS = {"wins": "#1a7f37", "loses": "#b00020", "ties": "#555"}


def _table(header: list[str], rows: list[list], table_id: str | None = None) -> html.Table:
    head = html.Thead(html.Tr([html.Th(h, style=CELL) for h in header]))
    body = html.Tbody([html.Tr([html.Td(c, style=CELL) for c in row]) for row in rows])
    extra = {"id": table_id} if table_id else {}
    return html.Table([head, body], style={"borderCollapse": "collapse", "margin": "8px 0"}, **extra)


def _split_name(split: str) -> str:
    return "all anomalies" if split == "all" else f"anomaly {split}"


def _interval(entry, digits: int = 3) -> str:
    """``0.912 [0.890, 0.931]`` from ``{"mean", "ci"}``, or the bare value."""
    if isinstance(entry, dict):
        ci = entry.get("ci")
        text = f"{entry['mean']:.{digits}f}"
        return text + (f" [{ci[0]:.{digits}f}, {ci[1]:.{digits}f}]" if ci else "")
    return "–" if entry is None else f"{entry:.{digits}f}"


def roc_figure(section: dict, split: str) -> dict:
    """ROC curves of the four detectors on one split (``"all"`` or an anomaly class), AUROC in
    the legend, the chance diagonal dotted."""
    curves = section.get("roc", {}).get(split, {})
    metrics = section.get("metrics", {}).get(split, {})
    traces = [{"type": "scatter", "x": [0, 1], "y": [0, 1], "mode": "lines", "name": "chance",
               "line": {"color": "#bbb", "dash": "dot"}, "hoverinfo": "skip"}]
    for detector, curve in curves.items():
        auroc = metrics.get(detector, {}).get("auroc")
        traces.append({"type": "scatter", "x": curve["fpr"], "y": curve["tpr"], "mode": "lines",
                       "line": {"color": DETECTOR_COLOURS.get(detector, "#333"), "shape": "hv"},
                       "name": f"{DETECTOR_LABELS.get(detector, detector)} ({auroc:.3f})"})
    return {"data": traces, "layout": {
        "title": {"text": f"ROC: {_split_name(split)} vs known", "font": {"size": 13}, "x": 0.02,
                  "xanchor": "left"},
        "xaxis": {"title": {"text": "false-positive rate (known flagged)"}, "range": [0, 1]},
        "yaxis": {"title": {"text": "true-positive rate (anomalies caught)"}, "range": [0, 1.02]},
        "height": 340, "margin": {"l": 50, "r": 36, "t": 36, "b": 40}, "modebar": {"orientation": "v"},
        "legend": {"x": 0.98, "xanchor": "right", "y": 0.02, "yanchor": "bottom", "font": {"size": 10}},
        "shapes": [{"type": "line", "x0": 0, "x1": 1, "y0": 0.95, "y1": 0.95,
                    "line": {"color": "#999", "width": 1, "dash": "dash"}}]}}


def _metric_cells(section: dict, split: str, detector: str) -> list[str]:
    over = section.get("over_seeds", {}).get("metrics", {}).get(split, {}).get(detector)
    source = over or section["metrics"][split][detector]
    return [_interval(source["auroc"]), _interval(source["fpr95"])]


def anomaly_section(summary: dict) -> html.Div:
    """ROC figures, the AUROC / FPR95 table and the verdicts of a study (empty without them)."""
    section = summary.get("anomaly_detection")
    if not section:
        hint = ("Anomaly detection is measured when a study feeds unseen digits (anomalies)"
                + (": this one has none." if not summary.get("n_anomalies") else
                   "; for activations recorded outside flambeau, pass logits=, train_acts= and y_train= "
                   "to signatures_from_activations."))
        return html.Div([html.H3("Anomaly detection"), html.P(hint, id="anomaly-missing")])
    seeds = len(summary.get("uncertainty", {}).get("seeds", [])) if "over_seeds" in section else 0
    info = section.get("info", {})
    rows = []
    for split in section["metrics"]:
        for detector in ("path", "msp", "mahalanobis", "glosh", "path_term", "distance_term"):
            if detector in section["metrics"][split]:
                rows.append([_split_name(split), DETECTOR_LABELS[detector],
                             *_metric_cells(section, split, detector)])
    note = (f"Mean over {seeds} training seeds with 95 % bootstrap intervals; the curves are the first "
            f"seed's." if seeds else "One training seed (no interval: run with --seeds 10 for intervals).")
    figures = [html.Div(dcc.Graph(figure=roc_figure(section, split), config=GRAPH_CONFIG,
                                  id={"type": "roc", "index": split}),
                        style={"flex": "1 1 360px", "minWidth": "320px"}) for split in section.get("roc", {})]
    verdicts = [html.Li(v["text"], style={"color": OUTCOME_COLOURS.get(v["outcome"], "#333")})
                for v in section.get("verdicts", [])]
    return html.Div([
        html.H3("Anomaly detection: path score against baselines"),
        html.P(f"Fitted on the {info.get('n_train', '?')} training images, scored on the analysed ones "
               f"(known classes negative, anomalies positive). Path score: -log P(path) under the training "
               f"paths (Markov chain over the layers, add-one smoothing) + distance to the cluster centre in "
               f"each layer (k = {info.get('path_k')}); MSP: 1 - max softmax; Mahalanobis: class means and "
               f"shared covariance on {info.get('last_layer', 'the last hidden layer')}; GLOSH: HDBSCAN's "
               f"outlier score there (min_samples = min_cluster_size = "
               f"{info.get('glosh_min_samples', '?')}). "
               f"{note}"),
        html.Div(figures, style={"display": "flex", "flexWrap": "wrap", "gap": "8px"}),
        _table(["anomalies", "detector", "AUROC", "FPR at 95 % TPR"], rows, "anomaly-table"),
        html.H4("Where the path score wins and where it loses (AUROC)"),
        html.Ul(verdicts, id="anomaly-verdicts"),
    ], id="anomaly-section")


def uncertainty_section(summary: dict) -> html.Div:
    """Per-layer NMI, ARI, purity and linear probe with intervals over seeds, the stability of
    k, and the separation layer checked against the probe (empty for a single seed)."""
    section = summary.get("uncertainty")
    if not section:
        return html.Div()
    rows = []
    for name, layer in section["layers"].items():
        k = layer["k"]
        counts = ", ".join(f"k={v}: {c}" for v, c in k["counts"].items())
        agreement = layer.get("partition_agreement_ari")
        rows.append([name, _interval(layer["nmi"]), _interval(layer["ari"]), _interval(layer["purity"]),
                     _interval(layer["probe_accuracy"]),
                     f"{k['mode']} ({100 * k['mode_share']:.0f} %; {counts})",
                     "–" if agreement is None else f"{agreement:.3f}"])
    return html.Div([
        html.H3(f"Where classes separate, over {len(section['seeds'])} training seeds"),
        html.P(section["separation"]["text"], id="separation-text", style={"fontWeight": "bold"}),
        _table(["layer", "NMI", "ARI", "purity", "linear probe accuracy", "chosen k (share of seeds)",
                "agreement between seeds (ARI)"], rows, "uncertainty-table"),
        html.P("Mean [95 % bootstrap interval] over seeds; each seed retrains the network on the same images "
               "and reclusters. Linear probe: logistic regression on the layer's activations of the training "
               "images, accuracy on the held-out known images.", style={"color": "#555"}),
    ], id="uncertainty-section")


def preset_section(group: str, preset: dict, table) -> html.Div:
    """A preset's block on the home page: its command, its studies (``table``), the anomaly
    table over its studies and, for report004, the comparison with the report's figures."""
    rows = []
    for row in preset.get("anomaly_table", []):
        cells = [f"{_interval(row[d]['auroc'])} / {_interval(row[d]['fpr95'], 2)}"
                 for d in ("path", "msp", "mahalanobis", "glosh")]
        link = dcc.Link(row["study"].split("/")[-1], href=f"/study/{row['study']}")
        rows.append([link, _split_name(row["anomaly"]), *cells, row.get("outcome") or "–"])
    parts = [html.H2(f"{group}: {preset.get('command', '')}"), table]
    if rows:
        parts += [html.H4("Anomaly detection: AUROC / FPR at 95 % TPR (mean [95 % interval] over seeds)"),
                  _table(["study", "anomalies", "path score", "MSP", "Mahalanobis", "GLOSH", "path score"],
                         rows, f"preset-anomalies-{group}")]
    comparison = preset.get("comparison")
    if comparison:
        parts += [html.H4("Against report 004's figures"),
                  _table(["figure", "report 004", "measured here"],
                         [[c["figure"], c["report"], c["measured"]] for c in comparison],
                         f"preset-comparison-{group}")]
    return html.Div(parts, className="preset", style={"borderTop": "1px solid #ccc", "marginTop": "12px"})
