"""The reproduction recipes, in their quick mode on the embedded USPS (tiny settings)."""

from __future__ import annotations

import json

import numpy as np

from flambeau import AutoEncoder
from flambeau.analysis.reproduction import denoising_comparison, usps_autoencoder
from flambeau.serialization import load
from tests.analysis.pngs import png_files


def test_usps_quick(tmp_path):
    result = usps_autoencoder(tmp_path, epochs=1, quick=True, progress=False, max_samples=100, tsne_iter=300,
                              umap=False, classifier_epochs=1)
    assert result["sizes"] == [256, 100, 10] and not result["tied"] and result["n_train"] == 2000
    assert 0 < result["test_bce_per_pixel"] < np.log(2)
    assert set(result["studies"]) == {"reconstruction", "denoising", "inpainting", "clustering",
                                      "clustering_l2", "maps", "classification"}
    assert result["studies"]["reconstruction"]["bce_per_pixel"] == result["test_bce_per_pixel"]
    json.dumps(result)  # numbers only: ready for a JSON report
    model = load(tmp_path / "model.npz")
    assert isinstance(model, AutoEncoder) and model.sizes == [256, 100, 10]
    (tmp_path / "model.npz").unlink()
    assert png_files(tmp_path) == ["denoising.png", "inpainting.png", "reconstruction.png", "tsne_2d.png",
                                   "tsne_3d.png"]


def test_denoising_comparison(usps_small, tmp_path):
    X_train, _, X_test, _ = usps_small
    result = denoising_comparison(X_train[:200], X_test[:50], tmp_path, latent_dim=8, hidden=[32], epochs=2,
                                  batch_size=32, progress=False)
    labels = {"clean-trained", "noise-trained"}
    assert labels <= set(result["denoising"]) and labels <= set(result["inpainting"])
    assert set(result["train_bce_per_pixel"]) == labels and result["train_level"] == 0.4
    assert len(result["denoising"]["noise-trained"]["mse"]) == 3
    assert png_files(tmp_path) == ["denoising.png", "inpainting.png"]
