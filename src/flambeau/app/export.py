"""A study page as one standalone HTML file: every figure, plotly.js inline, and a small script
that links the selections (box/lasso in a map highlights the samples everywhere and their
flows in the Sankey), as on the live page."""

from __future__ import annotations

import html

import plotly.io as pio

from ..files import dumps
from .figures import OTHER_LINK, SELECTED_LINK, sankey_figure, scatter_figure, silhouette_figure
from .raster import is_raster
from .store import SignatureRun

__all__ = ["export_html"]

_LINKING_JS = """
(function () {
  const D = %s;
  const scatters = D.scatters.map(id => document.getElementById(id));
  const sankey = document.getElementById("sankey");
  function apply(sel) {
    for (const div of scatters) {
      const pts = div._fullData.map(tr => sel && tr.customdata ? Array.from(tr.customdata).reduce(
        (acc, c, i) => { if (sel.has(Number(c))) acc.push(i); return acc; }, []) : null);
      Plotly.restyle(div, {selectedpoints: pts});
    }
    const chosen = new Array(D.value.length).fill(0);
    if (sel) sel.forEach(s => { for (let t = 0; t < D.cols; t++) chosen[D.link_ids[s * D.cols + t]] += 1; });
    const src = [], tgt = [], val = [], col = [];
    const parts = [[chosen, D.selected], [D.value.map((v, j) => v - chosen[j]), D.other]];
    for (const [vals, colour] of parts) {
      vals.forEach((v, j) => {
        if (v > 0) { src.push(D.source[j]); tgt.push(D.target[j]); val.push(v); col.push(colour); }
      });
    }
    Plotly.restyle(sankey, {"link.source": [src], "link.target": [tgt], "link.value": [val],
                            "link.color": [col]});
    document.getElementById("selection-info").textContent =
      sel ? sel.size + " samples selected" : "No selection.";
  }
  for (const div of scatters) {
    div.on("plotly_selected", ev => apply(
      ev && ev.points ? new Set(ev.points.map(p => Number(p.customdata))) : null));
    div.on("plotly_deselect", () => apply(null));
  }
})();
"""


_HOW_TO_SELECT = {
    False: "Box- or lasso-select points in a map to follow them.",
    True: "The maps of this large study are images of every sample: select samples in them in the live "
          "app (flambeau serve); here, the Sankey shows the paths.",
}


def _div(fig: dict, div_id: str, include_js: bool) -> str:
    return pio.to_html(fig, full_html=False, include_plotlyjs=include_js, div_id=div_id,
                       config={"displaylogo": False})


def export_html(study: SignatureRun, color_by: str = "label") -> str:
    """The study page (maps, Sankey, silhouette, metrics) as a standalone HTML document."""
    L = len(study.layer_names)
    scatter_ids = [f"scatter-{j}" for j in range(L)]
    parts = [_div(scatter_figure(study, j, color_by), scatter_ids[j], include_js=(j == 0))
             for j in range(L)]
    p = study.paths
    data = {"scatters": scatter_ids, "cols": int(p.link_ids.shape[1]),
            "link_ids": p.link_ids.ravel().tolist(), "source": p.link_source.tolist(),
            "target": p.link_target.tolist(), "value": p.link_value.tolist(),
            "selected": SELECTED_LINK, "other": OTHER_LINK}
    measured = {key: study.summary[key] for key in ("uncertainty", "anomaly_detection")
                if key in study.summary}
    if "anomaly_detection" in measured:  # the table and verdicts; the ROC points stay in study.json
        measured["anomaly_detection"] = {k: v for k, v in measured["anomaly_detection"].items() if k != "roc"}
    scores = dumps({"scores": study.summary.get("scores", {}), **measured}, indent=1)
    c = study.summary.get("config", {})
    title = html.escape(study.name)
    maps = "".join(f'<div style="flex:1 1 380px">{part}</div>' for part in parts)
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{title}</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 1400px; margin: 0 auto">
<h2>{title}</h2>
<p>{html.escape(f"{c.get('dataset')} · classes {c.get('classes')} · anomalies {c.get('anomalies')}"
                f" · hidden {c.get('hidden')} · test accuracy {study.summary.get('accuracy')}")}</p>
<p>{html.escape(_HOW_TO_SELECT[is_raster(study)])}</p>
<p id="selection-info">No selection.</p>
<div style="display: flex; flex-wrap: wrap">{maps}</div>
{_div(sankey_figure(study), "sankey", include_js=False)}
{_div(silhouette_figure(study), "silhouette", include_js=False)}
<h3>Scores</h3><pre>{html.escape(scores)}</pre>
<script>{_LINKING_JS % dumps(data, indent=None)}</script>
</body></html>
"""


