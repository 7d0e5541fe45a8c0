"""The measured sections of the pages and the Sankey flows by class, from a real tiny study."""

import numpy as np

from flambeau.app.class_flows import class_flows, rgba
from flambeau.app.figures import sankey_figure
from flambeau.app.measured import anomaly_section, roc_figure, uncertainty_section
from flambeau.app.store import load_run


def test_roc_figure_and_anomaly_table_of_the_tiny_study(runs_dir):
    study = load_run(runs_dir, "signature_17_30_a4")
    section = study.summary["anomaly_detection"]
    figure = roc_figure(section, "4")
    names = [trace["name"] for trace in figure["data"]]
    assert names[0] == "chance"
    assert [n.split(" (")[0] for n in names[1:]] == ["path score", "MSP", "Mahalanobis", "GLOSH"]
    auroc = section["metrics"]["4"]["path"]["auroc"]
    assert names[1] == f"path score ({auroc:.3f})" and figure["layout"]["modebar"] == {"orientation": "v"}
    text = str(anomaly_section(study.summary))
    assert "anomaly-table" in text and "FPR at 95 % TPR" in text and "anomaly-verdicts" in text
    assert f"{auroc:.3f}" in text and "One training seed" in text
    assert uncertainty_section(study.summary).children is None  # one seed: no interval section


def test_pages_without_measures_say_why():
    assert "this one has none" in str(anomaly_section({"n_anomalies": 0}))
    assert "train_acts=" in str(anomaly_section({"n_anomalies": 5}))


def test_flows_split_by_class_add_up_to_the_links(runs_dir):
    study = load_run(runs_dir, "signature_17_30_a4")
    links, keys, counts = class_flows(study)
    assert np.array_equal(np.bincount(links, weights=counts, minlength=len(study.paths.link_value)),
                          study.paths.link_value)
    first = study.paths.node_ids[:, 0]
    for link, key, count in zip(links[:10], keys[:10], counts[:10], strict=True):
        assert count == np.sum(np.any(study.paths.link_ids == link, axis=1) & (first == key))
    figure = sankey_figure(study)["data"][0]["link"]
    assert sum(figure["value"]) == study.paths.link_value.sum()
    assert set(figure["color"]) == {rgba(c, 0.45) for c in ("#ff7f0e", "#7f7f7f", "#9467bd")}
    mask = study.y_true == 4
    selected = sankey_figure(study, mask)["data"][0]["link"]
    assert sum(v for v, c in zip(selected["value"], selected["color"], strict=True)
               if c == "rgba(230, 85, 13, 0.85)") == 3 * mask.sum()
    assert sum(selected["value"]) == study.paths.link_value.sum()
    assert rgba("#1f77b4", 0.5) == "rgba(31, 119, 180, 0.5)"
