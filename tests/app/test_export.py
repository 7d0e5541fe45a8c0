import json
import re

from flambeau.app.export import export_html


def test_export_is_one_standalone_page_with_linking_data(synthetic):
    study = synthetic(40, 2)
    html = export_html(study)
    assert html.startswith("<!DOCTYPE html>") and "<script src=" not in html  # plotly.js inline
    assert html.count('id="scatter-') == 2 and 'id="sankey"' in html and 'id="silhouette"' in html
    data = json.loads(re.search(r"const D = (\{.*?\});", html).group(1))
    assert data["scatters"] == ["scatter-0", "scatter-1"] and data["cols"] == 3
    assert data["link_ids"] == study.paths.link_ids.ravel().tolist()
    assert data["value"] == study.paths.link_value.tolist()


def test_export_carries_the_measured_sections(runs_dir):
    from flambeau.app.store import load_run

    html = export_html(load_run(runs_dir, "signature_17_30_a4"))
    assert "&quot;anomaly_detection&quot;" in html and "&quot;verdicts&quot;" in html
    assert "&quot;roc&quot;" not in html
