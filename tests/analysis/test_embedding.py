"""t-SNE / UMAP maps of codes."""

from __future__ import annotations

import numpy as np
import pytest

from flambeau.analysis import latent_maps_study, scatter_figure, tsne_map, umap_map
from tests.analysis.pngs import png_files


@pytest.fixture
def blobs():
    labels = np.repeat(np.arange(3), 15)
    points = np.eye(4)[labels] * 8 + np.random.default_rng(0).normal(size=(45, 4))
    return points, labels


@pytest.mark.parametrize("n_components", [2, 3])
def test_tsne_map(blobs, tmp_path, n_components):
    points, labels = blobs
    result = tsne_map(points, labels, tmp_path, n_components=n_components, perplexity=5, max_iter=300, seed=0)
    assert result["embedding"].shape == (45, n_components)
    assert 0 <= result["kl_divergence"] < 5 and result["n_iter"] >= 250
    assert png_files(tmp_path) == [f"tsne_{n_components}d.png"]


def test_tsne_needs_iterations_past_exaggeration(blobs):
    with pytest.raises(ValueError, match="tsne_map: max_iter must exceed 250"):
        tsne_map(*blobs, max_iter=250)


def test_umap_map(blobs, tmp_path):
    result = umap_map(*blobs, tmp_path, n_neighbors=5, seed=0)
    assert result["embedding"].shape == (45, 2) and np.isfinite(result["embedding"]).all()
    assert png_files(tmp_path) == ["umap_2d.png"]


def test_latent_maps_study_returns_numbers_only(trained_ae, usps_small, tmp_path):
    _, _, X, y = usps_small
    result = latent_maps_study(trained_ae, X, y, tmp_path, max_samples=60, tsne_iter=300, umap=False)
    assert set(result) == {"tsne_2d", "tsne_3d", "n_samples", "latent_dim"}
    assert result["n_samples"] == 60 and result["latent_dim"] == 8
    assert "embedding" not in result["tsne_2d"] and result["tsne_3d"]["kl_divergence"] > 0
    assert png_files(tmp_path) == ["tsne_2d.png", "tsne_3d.png"]


def test_scatter_figure_error():
    with pytest.raises(ValueError, match=r"scatter_figure: points must have shape \(n, 2\) or "
                                         r"\(n, 3\), got \(4, 5\)"):
        scatter_figure(np.zeros((4, 5)), np.zeros(4), "x")
