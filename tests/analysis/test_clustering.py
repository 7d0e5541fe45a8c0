"""Clustering scores (purity, ARI, NMI) and the latent clustering study."""

from __future__ import annotations

import numpy as np
import pytest

from flambeau.analysis import clustering_scores, kmeans_scores, latent_clustering_study


def test_scores_perfect_and_permuted():
    labels = np.repeat([0, 1, 2], 4)
    perfect = clustering_scores(labels, (labels + 1) % 3)
    assert perfect == {"purity": 1.0, "ari": pytest.approx(1.0), "nmi": pytest.approx(1.0)}
    single = clustering_scores(labels, np.zeros(12, dtype=int))
    assert single["purity"] == pytest.approx(1 / 3) and single["ari"] == 0 and single["nmi"] == 0


def test_kmeans_finds_separated_blobs():
    rng = np.random.default_rng(0)
    labels = np.repeat(np.arange(3), 20)
    points = np.eye(3)[labels] * 10 + rng.normal(scale=0.1, size=(60, 3))
    scores = kmeans_scores(points, labels, seed=0)
    assert scores["n_clusters"] == 3 and scores["nmi"] == pytest.approx(1.0) and scores["purity"] == 1.0


def test_latent_clustering_study(trained_ae, usps_small):
    _, _, X, y = usps_small
    result = latent_clustering_study(trained_ae, X, y, max_samples=100, seed=0, normalize="l2")
    assert result["latent_dim"] == 8 and result["n_samples"] == 100 and result["normalize"] == "l2"
    for space in ("latent", "raw"):
        assert set(result[space]) == {"purity", "ari", "nmi", "n_clusters", "inertia"}
        assert 0.2 < result[space]["purity"] <= 1 and 0.1 < result[space]["nmi"] <= 1
    assert result == latent_clustering_study(trained_ae, X, y, max_samples=100, seed=0, normalize="l2")


def test_normalizations():
    rng = np.random.default_rng(1)
    labels = np.repeat(np.arange(3), 20)
    directions = np.eye(3)[labels] + rng.normal(scale=0.05, size=(60, 3))
    scaled = directions * rng.uniform(0.1, 10, size=(60, 1))  # same directions, wild norms
    assert kmeans_scores(scaled, labels, normalize="l2")["nmi"] == pytest.approx(1.0)
    assert kmeans_scores(scaled, labels)["nmi"] < 0.9
    standard = kmeans_scores(np.c_[directions, np.zeros(60)], labels, normalize="standard")
    assert np.isfinite(standard["inertia"])  # a constant feature does not divide by zero
    with pytest.raises(ValueError, match=r"kmeans_scores: normalize must be one of "
                                         r"\[None, 'l2', 'standard'\], got 'max'"):
        kmeans_scores(scaled, labels, normalize="max")
