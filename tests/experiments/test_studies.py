"""Every registered study runs at its tiny size; its metrics hold the expected keys and plausible values.

Studies on MNIST / Fashion-MNIST find the data through ``tests.helpers.data_dir`` (skipped locally
when absent, a failure in CI). KMNIST is not in the shared data: ``multiclass-datasets`` must then
say it skipped that part and why.
"""

import json

import numpy as np
import pytest

from flambeau.experiments import all_studies, run_study
from tests.helpers import assert_strict_json_files, assert_umask_permissions, data_dir

NEEDS = {"multiclass-datasets": "fashion-mnist", "mnist-mlp": "mnist", "cnn": "mnist",
         "autoencoder-fashion": "fashion-mnist", "autoencoder-denoise": "mnist"}


def _between(value, low, high):
    return value is not None and low <= value <= high


def check_quickstart(m):
    assert _between(m["mlp"]["accuracy"], 0.3, 1) and _between(m["cnn"]["accuracy"], 0.15, 1)
    assert np.array(m["mlp"]["confusion_matrix"]).shape == (10, 10)
    assert _between(m["autoencoder"]["test_bce_per_pixel"], 0.05, 0.7)
    assert _between(m["signatures"]["accuracy"], 0.5, 1) and len(m["signatures"]["layers"]) == 2


def check_linear(m):
    assert set(m["runs"]) == {"iter_1000", "iter_50", "noise_1.5"}
    assert m["runs"]["iter_1000"]["accuracy"]["mean"] > 0.95
    assert len(m["runs"]["iter_1000"]["accuracy"]["values"]) == 2
    assert 0.55 < m["runs"]["noise_1.5"]["accuracy"]["mean"] < m["runs"]["iter_1000"]["accuracy"]["mean"]


def check_nonlinear(m):
    assert set(m["runs"]) == {"h2", "h10"}
    for run in m["runs"].values():
        assert _between(run["accuracy"]["min"], 0.3, 1) and run["accuracy"]["min"] <= run["accuracy"]["max"]


def check_minibatch(m):
    assert set(m["runs"]) == {"h3_b1", "h6_b100"}
    assert all(_between(r["accuracy"]["mean"], 0.3, 1) for r in m["runs"].values())


def check_multiclass_usps(m):
    assert set(m["runs"]) == {"h10", "h50"}
    for run in m["runs"].values():
        assert _between(run["accuracy"], 0.15, 1) and run["train_time_s"] > 0
        assert np.array(run["confusion_matrix"]).sum() == m["n_test"] == 300
        assert _between(run["f1"], 0.05, 1) and len(run["val_accuracy_per_epoch"]) == 2


def check_multiclass_datasets(m):
    parts = m["datasets"]
    assert set(parts) == {"iris", "fashion_tanh", "fashion_relu", "kmnist"}
    assert _between(parts["iris"]["accuracy"], 0.3, 1)
    assert _between(parts["fashion_relu"]["accuracy"], 0.05, 1)  # lr 0.1 on the summed gradient: may stall
    for part in ("iris", "fashion_tanh", "fashion_relu"):
        assert {"accuracy", "f1", "precision", "recall", "train_loss", "test_loss"} <= set(parts[part])
    kmnist = parts["kmnist"]
    assert "accuracy" in kmnist or (kmnist["status"] == "skipped" and "not found" in kmnist["reason"])


def check_mnist_mlp(m):
    assert m["n_train"] == 1000 and m["n_test"] == 500 and m["epochs"] == 1
    assert _between(m["accuracy"], 0.12, 1) and m["test_loss"] < 2.35
    assert m["report_recipe_test_accuracy"] == m["test_accuracy"] == m["accuracy"]


def check_gradcheck(m):
    assert m["all_passed"] and m["n_checked"] == m["n_cases"] > m["n_classes"] >= 25
    assert m["worst_relative_error"] < 1e-6
    assert {"Linear", "Conv1D", "Conv2D", "MaxPool2D", "TiedLinear", "CrossEntropyLoss"} <= set(m["modules"])


def check_overfit(m):
    assert m["reached_target"] and m["final_loss"] < 1e-4 and m["steps_to_target"] <= 3000


def check_regression(m):
    runs = m["runs"]
    assert set(runs) == {"lr_0.1", "lr_0.01", "lr_0.001"}
    assert runs["lr_0.001"]["diverged"] == 0.0
    assert runs["lr_0.001"]["final_train_mse"] < runs["lr_0.001"]["initial_train_mse"]
    for run in runs.values():  # a rate too large for the summed gradient is recorded as diverged, with where
        assert run["diverged"] == 1.0 and "the loss became" in run["error"] or run["final_train_mse"] < 1


def check_moons(m):
    for recipe in (m, m["flambeau_recipe"]):
        assert set(recipe["heads"]) == {"sigmoid_bce", "softmax_ce", "logsoftmax_nll"}
        assert all(_between(h["test_accuracy"], 0.6, 1) for h in recipe["heads"].values())


def check_cnn(m):
    assert m["cnn2d_mnist"]["n_train"] == 300 and _between(m["cnn2d_mnist"]["accuracy"], 0.05, 1)
    assert "conv1d_usps" not in m  # the report's recipe: its TanH CNN only
    ours = m["flambeau_recipe"]  # 500 USPS images and their 4 one-pixel shifted copies
    assert ours["conv1d_usps"]["n_train"] == 2500 and _between(ours["conv1d_usps"]["accuracy"], 0.15, 1)
    assert ours["cnn2d_mnist"]["n_train"] == 300 and _between(ours["cnn2d_mnist"]["accuracy"], 0.05, 1)


def check_autoencoder_usps(m):
    model = m["models"]["l20_e1"]
    assert model["sizes"] == [256, 72, 20]  # two Linear layers in the encoder, the geometric middle
    assert _between(model["reconstruction"]["bce_per_pixel"], 0.05, 60)  # the report's steps: may saturate
    assert {"purity", "ari", "nmi"} <= set(model["clustering"]["latent"])
    assert m["tsne"]["l20_e1_perplexity_5"]["kl_divergence"] > 0
    assert _between(m["mean_image_bce_per_pixel"], 0.1, 0.7)
    ours = m["flambeau_recipe"]["models"]["l20_e1"]  # Adam: learns in one epoch
    assert _between(ours["reconstruction"]["bce_per_pixel"], 0.05, 0.7)


def check_autoencoder_fashion(m):
    model = m["models"]["model4"]
    assert model["sizes"] == [784, 264, 3] and model["diverged"] == 0.0
    assert model["test_bce_per_pixel"] > 0.1  # the report's steps saturate the outputs: up to 30 per pixel
    assert _between(model["classification"]["raw"]["accuracy"], 0.05, 1)
    ours = m["flambeau_recipe"]["models"]["model4"]
    assert _between(ours["test_bce_per_pixel"], 0.1, 0.75)
    assert ours["test_bce_per_pixel"] < model["test_bce_per_pixel"]


def check_autoencoder_denoise(m):
    for recipe in (m, m["flambeau_recipe"]):
        for latent in ("latent_16", "latent_32"):
            levels = recipe["mse_at_level"][latent]
            assert set(levels) == {"noise_0.4", "noise_0.6"}
            assert all(_between(v, 0, 0.5) for v in levels.values())
        assert "masked_fraction" in recipe["inpainting"]
    assert _between(m["mean_image_mse_per_pixel"], 0.03, 0.15)


def check_autoencoder_grid(m):
    for recipe, rule in ((m, "sgd"), (m["flambeau_recipe"], "adam")):
        assert recipe["n_configs"] == 3 and recipe["n_ok"] == 3 and recipe["n_failed"] == 0
        assert _between(recipe["best"]["test_mse"], 0, 0.5) and recipe["best"]["rule"] == rule
        curves = recipe["mean_test_mse_by_loss_steps_epochs"]  # the first 3: MSE, 1 epoch, 2/4/8 layers
        assert set(curves) == {"mse"} and set(curves["mse"]) == {"2", "4", "8"}
        assert all(set(c) == {"1"} and _between(c["1"], 0, 0.5) for c in curves["mse"].values())
        verdicts = {v["axis"]: v for v in recipe["claims"]}
        assert list(verdicts) == ["epochs", "depth", "bottleneck", "batch", "loss", "lr"]
        assert verdicts["epochs"]["verdict"] == "no data"
    # the report's recipe also runs the rates swapped (its first 3 rows: BCE at 0.01, no pair yet)
    assert {v["axis"]: v["verdict"] for v in m["claims"]}["lr"] == "no data"
    assert {v["axis"]: v["verdict"] for v in m["flambeau_recipe"]["claims"]}["lr"] == "not testable"
    # the report's recipe read with each image's loss summed over its pixels runs beside it
    summed = m["summed_pixels"]
    assert summed["grid"] == "autoencoder-mnist-84-report" and summed["n_configs"] == summed["n_ok"] == 3
    assert 0 <= summed["learnt_nothing"] <= 3 and _between(summed["best_test_mse"], 0, 0.5)
    assert [v["axis"] for v in summed["claims"]][:2] == ["epochs", "depth"]
    assert "summed_pixels" not in m["flambeau_recipe"] and m["sweep_training_s"] > 0


def check_signatures(m):
    for share in (m["own_cluster_mean"]["hidden1"], m["anomaly_4_with_7"]["hidden1"],
                  m["anomaly_3_max_share"]["hidden1"], m["accuracy"]):
        assert _between(share, 0, 1)
    assert set(m["own_cluster_share"]["hidden1"]) == {"1", "7"} and set(m["k"]) == {"hidden1", "hidden2"}
    assert m["own_cluster_mean"]["hidden1"] >= 0.5  # a class's most frequent cluster holds at least half
    assert all(row["ours"] != "n/a" for row in m["comparison"])


CHECKS = {name: globals()[f"check_{name.replace('-', '_')}"] for name in all_studies()}


@pytest.mark.parametrize("name", list(CHECKS))
def test_study_runs_tiny_and_reports_plausible_metrics(name, tmp_path, monkeypatch):
    if name in NEEDS:
        monkeypatch.setenv("FLAMBEAU_DATA", str(data_dir(NEEDS[name]).parent))
    outcome = run_study(name, "tiny", tmp_path, seed=0, progress=False, raise_errors=True)
    folder = tmp_path / name
    metrics = json.loads((folder / "metrics.json").read_text())
    assert outcome.status == metrics["status"] == "ok"
    CHECKS[name](metrics)
    assert len(metrics["comparison"]) == len(outcome.study.references)
    assert json.loads((folder / "config.json").read_text())["size"] == "tiny"
    assert "data:image/png;base64," in (folder / "report.html").read_text()
    assert assert_strict_json_files(folder) >= 2  # config.json, metrics.json, any model saved
    assert assert_umask_permissions(folder) >= 3  # figures included, whichever function drew them
