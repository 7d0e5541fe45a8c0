import json
import os
import stat

import numpy as np
import pytest

from flambeau import serialization
from flambeau.signatures import analyse, run_signatures, signatures_from_activations
from flambeau.signatures.config import SignatureConfig
from tests.helpers import assert_strict_json_files, assert_umask_permissions

TINY = {"classes": (1, 7), "n_per_class": 25, "hidden": (8, 6), "anomalies": (4,), "n_anomalies": 10,
        "epochs": 20, "lr": 0.1, "k_range": (2, 4), "projection": "pca", "seed": 0}


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    runs = tmp_path_factory.mktemp("runs")
    return runs, run_signatures(runs_dir=runs, show_progress=False, **TINY)


def test_study_writes_a_complete_run_folder(tiny_run):
    runs, folder = tiny_run
    assert folder == runs / "signature_17_25_a4"
    assert sorted(p.name for p in folder.iterdir()) == ["arrays.npz", "model.npz", "projections.png",
                                                        "silhouette.png", "study.json"]
    assert [p.name for p in runs.iterdir()] == [folder.name]  # no temporary folder left
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o777 & ~umask  # not mkdtemp's private 0o700
    assert stat.S_IMODE((folder / "study.json").stat().st_mode) == 0o666 & ~umask
    assert assert_umask_permissions(folder) == 5 and assert_strict_json_files(folder) == 2
    summary = json.loads((folder / "study.json").read_text())
    assert summary["config"]["hidden"] == [8, 6] and summary["n_known"] == 50 and summary["n_anomalies"] == 10
    assert [layer["name"] for layer in summary["layers"]] == ["layer1_ReLU", "layer2_ReLU"]
    assert all(layer["ks"] == [2, 3, 4] and len(layer["silhouette"]) == 3 for layer in summary["layers"])
    assert summary["accuracy"] > 0.8  # 1 vs 7 is easy even for this tiny network
    assert set(summary["scores"]["anomalies"]) == {"4"}
    assert sum(row["count"] for row in summary["top_signatures"]) == 60
    with np.load(folder / "arrays.npz", allow_pickle=False) as arrays:
        assert arrays["images"].shape == (60, 256) and arrays["images"].dtype == np.uint8
        assert arrays["coords"].shape == (2, 60, 2) and arrays["clusters"].shape == (60, 2)
        assert arrays["is_anomaly"].sum() == 10 and set(arrays["y_true"][arrays["is_anomaly"]]) == {4}
        assert set(arrays["y_pred"]) <= {1, 7}


def test_a_saved_model_can_be_studied_again(tiny_run, tmp_path):
    _, folder = tiny_run
    again = run_signatures(SignatureConfig(**TINY), tmp_path, model=folder / "model.npz", show_progress=False,
                      figures=False)
    with np.load(folder / "arrays.npz") as a, np.load(again / "arrays.npz") as b:
        assert np.array_equal(a["y_pred"], b["y_pred"]) and np.array_equal(a["clusters"], b["clusters"])
    net = serialization.load(folder / "model.npz")
    with pytest.raises(ValueError, match=r"run_signatures: model must map \(batch, 256\) to \(batch, 3\)"):
        run_signatures(SignatureConfig(**{**TINY, "classes": (1, 7, 9)}), tmp_path, model=net,
                       show_progress=False,
                  figures=False)


def test_progress_is_reported_and_reruns_replace_the_folder(tmp_path):
    seen = []
    config = SignatureConfig(**{**TINY, "anomalies": (), "epochs": 1})
    first = run_signatures(config, tmp_path, progress=lambda f, m: seen.append(f), show_progress=False,
                      figures=False)
    run_signatures(config, tmp_path, show_progress=False, figures=False)
    assert seen[0] == 0.0 and seen[-1] == 1.0 and seen == sorted(seen)
    assert [p.name for p in tmp_path.iterdir()] == [first.name]
    assert sorted(p.name for p in first.iterdir()) == ["arrays.npz", "model.npz", "study.json"]


def test_too_few_training_images_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="run_signatures: the training split holds 556 images of class 5, "
                                         "fewer than n_per_class=1000"):
        run_signatures(runs_dir=tmp_path, classes=(1, 5), n_per_class=1000, show_progress=False)


def test_analyse_works_on_activations_from_anywhere(rng):
    y = np.repeat([0, 1], 20)
    acts = {"dense_1": np.eye(2)[y] * 5 + 0.01 * rng.normal(size=(40, 2)),
            "dense_2": np.eye(3)[y] * 5 + 0.01 * rng.normal(size=(40, 3))}
    clusterings, p, scores = analyse(acts, y, y, k_range=(2, 5))
    assert [c.k for c in clusterings.values()] == [2, 2]
    assert p.counts[0][1] == 20 and len(p.counts) == 2
    assert scores["separation"]["first_layer"] == "dense_1"
    assert scores["majority_paths"]["0"]["share"] == 1.0


def test_more_images_per_class_than_the_test_split_holds_analyses_them_all(tmp_path):
    # USPS test split: 147 sevens; training split: 645
    config = SignatureConfig(classes=(1, 7), n_per_class=160, hidden=(4,), epochs=1, k_range=(2, 3),
                         projection="pca")
    folder = run_signatures(config, tmp_path, show_progress=False, figures=False)
    summary = json.loads((folder / "study.json").read_text())
    assert summary["n_known"] == 160 + 147


def test_activations_from_another_framework_become_a_run_folder(tmp_path, rng):
    y = np.repeat([3, 5, 8], 20)
    anomaly = y == 8
    acts = {"dense": np.eye(3)[np.searchsorted([3, 5, 8], y)] * 4 + 0.05 * rng.normal(size=(60, 3))}
    images = rng.random((60, 4, 4))
    folder = signatures_from_activations(acts, y, np.where(anomaly, 5, y), tmp_path, "keras_run",
                                    is_anomaly=anomaly, images=images, k_range=(2, 4), projection="pca",
                                    figures=False)
    assert sorted(p.name for p in folder.iterdir()) == ["arrays.npz", "study.json"]
    summary = json.loads((folder / "study.json").read_text())
    assert summary["config"]["classes"] == [3, 5] and summary["config"]["anomalies"] == [8]
    assert summary["accuracy"] == 1.0 and summary["image_shape"] == [4, 4]
    assert summary["layers"][0]["k"] == 3
    assert summary["scores"]["anomalies"]["8"]["distinct_paths"] == 1
    with np.load(folder / "arrays.npz") as arrays:
        assert arrays["images"].shape == (60, 16)
    with pytest.raises(ValueError, match=r"signatures_from_activations: images must have shape \(60, h, w\)"):
        signatures_from_activations(acts, y, y, tmp_path, images=np.zeros((60, 5)), projection="pca")


def test_a_missing_umap_is_reported_before_training(tmp_path, monkeypatch):
    import sys

    study_module = sys.modules["flambeau.signatures.run"]  # the package's `study` is the function
    monkeypatch.setitem(sys.modules, "umap", None)  # as if umap-learn were not installed
    monkeypatch.setattr(study_module, "_train", lambda *a: pytest.fail("training started"))
    message = (r"^run_signatures: projection 'umap' needs umap: pip install 'flambeau\[viz\]' "
               r"\(or projection 'pca'\)$")
    with pytest.raises(ImportError, match=message):
        run_signatures(runs_dir=tmp_path, show_progress=False, **{**TINY, "projection": "umap"})
    with pytest.raises(ImportError, match=message):
        signatures_from_activations({"a": np.ones((4, 2))}, [0, 0, 1, 1], [0, 0, 1, 1], tmp_path)


def test_a_model_that_is_neither_a_network_nor_a_recorder_is_refused(tmp_path):
    with pytest.raises(TypeError, match="run_signatures: model must be a Sequential, a saved one or a "
                                        "recorder "
                                        r"\(OnnxModel\), got dict"):
        run_signatures(runs_dir=tmp_path, model={}, show_progress=False, **TINY)


def test_a_study_with_anomalies_measures_the_detectors(tiny_run):
    _, folder = tiny_run
    summary = json.loads((folder / "study.json").read_text())
    assert summary["n_train"] == 50 and "uncertainty" not in summary  # one seed: no intervals
    section = summary["anomaly_detection"]
    assert section["info"]["n_train"] == 50 and section["info"]["last_layer"] == "layer2_ReLU"
    assert set(section["metrics"]) == {"4"}
    for detector in ("path", "msp", "mahalanobis", "glosh"):
        metrics = section["metrics"]["4"][detector]
        assert 0 <= metrics["auroc"] <= 1 and 0 <= metrics["fpr95"] <= 1
        assert len(section["roc"]["4"][detector]["tpr"]) == 101
    assert section["verdicts"][0]["outcome"] in {"wins", "loses", "ties"}


def test_seeds_retrain_the_network_and_give_intervals(tmp_path):
    config = SignatureConfig(**{**TINY, "n_per_class": 15, "n_anomalies": 6, "epochs": 5, "seeds": 3})
    folder = run_signatures(config, tmp_path, show_progress=False, figures=False)
    summary = json.loads((folder / "study.json").read_text())
    uncertainty = summary["uncertainty"]
    assert uncertainty["seeds"] == [0, 1, 2]
    layer = uncertainty["layers"]["layer1_ReLU"]
    assert len(layer["purity"]["values"]) == 3 and layer["purity"]["ci"][0] <= layer["purity"]["mean"]
    assert 0 <= layer["probe_accuracy"]["mean"] <= 1 and sum(layer["k"]["counts"].values()) == 3
    assert uncertainty["separation"]["text"]
    over = summary["anomaly_detection"]["over_seeds"]
    assert len(over["metrics"]["4"]["glosh"]["auroc"]["values"]) == 3
    with pytest.raises(ValueError, match="run_signatures: seeds=3 retrains the network on each seed; a given "
                                         r"model cannot be retrained \(use seeds=1\)"):
        run_signatures(config, tmp_path, model=folder / "model.npz", show_progress=False)
    with pytest.raises(ValueError, match="SignatureConfig: seeds must be an integer >= 1, got 0"):
        SignatureConfig(seeds=0)


def test_activations_with_logits_and_training_activations_measure_anomaly_detection(tmp_path, rng):
    y_train = np.repeat([3, 5], 40)
    train = {"dense": np.eye(3)[np.searchsorted([3, 5, 8], y_train)] * 4 + 0.3 * rng.normal(size=(80, 3))}
    y = np.repeat([3, 5, 8], 20)
    acts = {"dense": np.eye(3)[np.searchsorted([3, 5, 8], y)] * 4 + 0.3 * rng.normal(size=(60, 3))}
    logits = rng.normal(size=(60, 2))
    folder = signatures_from_activations(acts, y, np.where(y == 8, 5, y), tmp_path, "outside",
                                         is_anomaly=y == 8, k_range=(2, 4), projection="pca", figures=False,
                                         logits=logits, train_acts=train, y_train=y_train)
    summary = json.loads((folder / "study.json").read_text())
    assert summary["n_train"] == 80
    assert summary["anomaly_detection"]["metrics"]["8"]["mahalanobis"]["auroc"] == 1.0
