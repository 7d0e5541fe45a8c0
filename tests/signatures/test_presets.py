"""Presets: report 004's studies as data, the preset summary and the comparison with the report."""

import json

import numpy as np
import pytest

from flambeau.signatures import SignatureConfig
from flambeau.signatures.presets import compare_report004, preset_studies, run_preset


def test_report004_lists_the_seven_partitions_and_the_anomaly_studies():
    studies = preset_studies("report004")
    assert [s.config.classes for s in studies[:7]] == [(0, 1), (1, 3, 7), (1, 4), (2, 8), (5, 6), (6, 9),
                                                     tuple(range(10))]
    assert studies[7].config.classes == (1, 7) and studies[7].config.anomalies == (4, 3)
    assert [s.config.anomalies for s in studies[8:]] == [(d,) for d in range(10)]
    for s in studies[8:]:
        assert s.config.classes == tuple(d for d in range(10) if d != s.config.anomalies[0])
    for s in studies:  # the report's network and sizes (section 4.3, cut_data with 100 per digit)
        c = s.config
        assert (c.dataset, c.hidden, c.n_per_class, c.k_range, c.method, c.projection, c.seeds) == \
            ("mnist", (32, 64), 100, (2, 10), "kmeans", "umap", 10)
    assert len({s.config.name for s in studies}) == 18
    quick = preset_studies("report004", quick=True)
    assert len(quick) == 18 and all(s.config.dataset == "usps" and s.config.seeds == 2 for s in quick)


def test_an_unknown_preset_is_a_clear_error():
    with pytest.raises(ValueError, match=r"unknown preset 'report005'; the presets are \['report004'\]"):
        preset_studies("report005")


def _fake_study(folder, config: SignatureConfig, clusters, y, is_anomaly, routing=None):
    folder.mkdir(parents=True)
    np.savez(folder / "arrays.npz", clusters=clusters, y_true=y, is_anomaly=is_anomaly)
    summary = {"config": config.to_dict(), "accuracy": 0.99,
               "scores": {"separation": {"first_layer": "layer1_ReLU"}, "anomalies": routing or {}}}
    (folder / "study.json").write_text(json.dumps(summary))
    return folder


def test_comparison_with_the_reports_figures(tmp_path):
    # layer 1: cluster 0 holds 97 1s and 4 7s, cluster 1 holds 96 7s and 3 1s; anomalies follow
    y = np.array([1] * 100 + [7] * 100 + [4] * 10 + [3] * 10)
    first = np.array([0] * 97 + [1] * 3 + [0] * 4 + [1] * 96 + [1] * 10 + [0] * 2 + [1] * 2 + [2] * 6)
    clusters = np.stack([first, first], axis=1)
    routing = {a: {"routing": {"layer1_ReLU": shares, "layer2_ReLU": shares}, "distinct_paths": n,
                   "path_entropy_bits": h}
               for a, shares, n, h in (("4", {"1": 0.0, "7": 1.0, "none": 0.0}, 1, 0.0),
                                       ("3", {"1": 0.2, "7": 0.2, "none": 0.6}, 3, 1.37))}
    folder = _fake_study(tmp_path / "s", SignatureConfig(classes=(1, 7), anomalies=(4, 3)), clusters, y,
                         np.isin(y, [4, 3]), routing)
    rows = compare_report004(folder)
    assert [r["report"] for r in rows] == ["97 % on average", "4 (of about 100)",
                                           "most 4s, from the first hidden layer", "grouped haphazardly"]
    assert rows[0]["measured"] == "1s 97 %, 7s 96 % (mean 96 %) in layer1_ReLU"
    assert rows[1]["measured"] == "4 of 100"
    assert rows[2]["measured"].startswith("layer1_ReLU: 1: 0 %, 7: 100 %, none: 0 %")
    assert rows[3]["measured"].endswith("3 distinct paths, entropy 1.37 bits")


def test_run_preset_writes_every_study_and_the_summary(tmp_path):
    written = []

    def fake_run(config, runs_dir, show_progress, figures):
        y = np.repeat(list(config.classes) + list(config.anomalies), 4)
        is_anomaly = np.isin(y, config.anomalies)
        shares = {"1": 0.5, "7": 0.5, "none": 0.0}
        routing = {str(a): {"routing": {"layer1_ReLU": shares}, "distinct_paths": 2, "path_entropy_bits": 1.0}
                   for a in config.anomalies}
        written.append(config)
        clusters = np.zeros((len(y), 1), np.int64)
        return _fake_study(runs_dir / config.name, config, clusters, y, is_anomaly, routing)

    folder = run_preset("report004", tmp_path, quick=True, show_progress=False, run=fake_run)
    assert folder == tmp_path / "report004" and len(written) == 18
    summary = json.loads((folder / "preset.json").read_text())
    assert summary["command"] == "flambeau signatures --preset report004 --quick"
    assert [s["path"] for s in summary["studies"]][:2] == ["report004/signature_01_10",
                                                          "report004/signature_137_10"]
    assert summary["studies"][0]["separation"] == "first layer with purity >= 0.95: layer1_ReLU"
    assert len(summary["comparison"]) == 4 and summary["anomaly_table"] == []  # the fakes measured nothing
