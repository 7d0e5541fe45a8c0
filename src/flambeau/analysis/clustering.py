"""Latent clustering: k-means on codes (or raw pixels) scored against the labels."""

from __future__ import annotations

import numpy as np
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

from ..metrics import purity
from .codes import encode, sklearn_seed, subsample

__all__ = ["NORMALIZATIONS", "clustering_scores", "kmeans_scores", "latent_clustering_study"]


def clustering_scores(labels, clusters) -> dict[str, float]:
    """``purity``, ``ari`` (adjusted Rand index) and ``nmi`` (normalized mutual information)."""
    return {"purity": purity(labels, clusters), "ari": float(adjusted_rand_score(labels, clusters)),
            "nmi": float(normalized_mutual_info_score(labels, clusters))}


NORMALIZATIONS = {
    None: lambda F: F,
    "l2": lambda F: F / np.maximum(np.linalg.norm(F, axis=1, keepdims=True), 1e-12),
    "standard": lambda F: (F - F.mean(axis=0)) / np.maximum(F.std(axis=0), 1e-12),
}
"""Feature scalings applied before k-means: none, each sample to unit L2 norm (k-means then
groups by direction, i.e. cosine similarity), or each feature to zero mean and unit variance."""


def kmeans_scores(features, labels, n_clusters: int | None = None, seed=0, n_init: int = 4,
                  normalize: str | None = None) -> dict:
    """k-means (k = number of classes by default) on ``features`` ``(n, k)``, scored on ``labels``.

    ``normalize`` names a scaling of ``NORMALIZATIONS`` applied first (None, "l2", "standard").
    """
    if normalize not in NORMALIZATIONS:
        raise ValueError(f"kmeans_scores: normalize must be one of {list(NORMALIZATIONS)}, got {normalize!r}")
    features = NORMALIZATIONS[normalize](np.asarray(features, dtype=np.float64))
    n_clusters = n_clusters or len(np.unique(labels))
    kmeans = KMeans(n_clusters=n_clusters, n_init=n_init, random_state=sklearn_seed(seed)).fit(features)
    return {**clustering_scores(labels, kmeans.labels_), "n_clusters": n_clusters,
            "inertia": float(kmeans.inertia_)}


def latent_clustering_study(model, X, y, n_clusters: int | None = None, max_samples: int | None = 10000,
                            seed=0, normalize: str | None = None) -> dict:
    """k-means on the latent codes ``model.encode(X)`` versus k-means on the raw pixels.

    Args:
        model: an ``AutoEncoder`` (anything with ``encode``).
        X, y: inputs ``(n, d)`` and integer labels ``(n,)``.
        n_clusters: k; default the number of classes.
        max_samples: score a seeded random subset of that many samples (None: all).
        normalize: scaling applied to BOTH the codes and the pixels (see ``NORMALIZATIONS``).

    Returns:
        ``{"latent": scores, "raw": scores, "latent_dim": k, "n_samples": n}`` with scores from
        ``kmeans_scores`` (purity, ari, nmi, n_clusters, inertia).
    """
    X, y = subsample(np.asarray(X), np.asarray(y), max_samples, seed)
    codes = encode(model, X)
    return {"latent": kmeans_scores(codes, y, n_clusters, seed, normalize=normalize),
            "raw": kmeans_scores(X, y, n_clusters, seed, normalize=normalize),
            "latent_dim": int(codes.shape[1]), "n_samples": len(X), "normalize": normalize}
