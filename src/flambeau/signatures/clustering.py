"""Cluster each hidden layer's activations; for k-means, k is chosen by the silhouette score."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from sklearn.cluster import HDBSCAN, KMeans
from sklearn.metrics import silhouette_score
from tqdm.auto import tqdm

from ..random import make_rng

__all__ = ["CLUSTERERS", "LayerClustering", "cluster_layers", "cluster_hdbscan", "cluster_kmeans"]

SILHOUETTE_SAMPLES = 2000  # silhouette costs O(n^2): above this, score a random subset


@dataclass
class LayerClustering:
    """Clusters of one layer.

    Attributes:
        labels: cluster of each sample ``(n,)`` int64; ``-1`` is HDBSCAN's noise.
        k: number of clusters (noise not counted).
        method: ``"kmeans"`` or ``"hdbscan"``.
        ks: the k tried (k-means), with ``silhouette[i]`` and ``inertia[i]`` for ``ks[i]``
            (inertia = sum of squared distances to the nearest centre, the elbow curve).
    """

    labels: np.ndarray
    k: int
    method: str
    ks: list[int] = field(default_factory=list)
    silhouette: list[float] = field(default_factory=list)
    inertia: list[float] = field(default_factory=list)

    def summary(self) -> dict:
        """JSON-ready description (without the per-sample labels)."""
        return {"k": self.k, "method": self.method, "ks": self.ks,
                "silhouette": self.silhouette, "inertia": self.inertia}


def _silhouette(A: np.ndarray, labels: np.ndarray, seed: int) -> float:
    if len(np.unique(labels)) < 2:
        return float("nan")
    size = SILHOUETTE_SAMPLES if len(A) > SILHOUETTE_SAMPLES else None
    return float(silhouette_score(A, labels, sample_size=size, random_state=seed))


def cluster_kmeans(A: np.ndarray, k_range=(2, 10), seed: int = 0) -> LayerClustering:
    """k-means for every k in ``k_range`` (inclusive); keep the k of best mean silhouette.

    The silhouette of sample i is ``s(i) = (b(i) - a(i)) / max(a(i), b(i))`` with ``a(i)`` its
    mean distance to its own cluster and ``b(i)`` to the nearest other cluster. Ties go to
    the smallest k. Above ``SILHOUETTE_SAMPLES`` samples the score is computed on a subset.
    """
    low, high = k_range
    high = min(high, len(A) - 1)
    if low < 2 or high < low:
        raise ValueError(f"cluster_layers: k_range must satisfy 2 <= low <= high < n_samples "
                         f"({len(A)}), got {tuple(k_range)}")
    ks, scores, inertias, fits = [], [], [], []
    for k in range(low, high + 1):
        model = KMeans(n_clusters=k, n_init=4, random_state=seed).fit(A)
        ks.append(k)
        scores.append(_silhouette(A, model.labels_, seed))
        inertias.append(float(model.inertia_))
        fits.append(model.labels_)
    finite = np.nan_to_num(np.asarray(scores), nan=-np.inf)
    best = int(np.argmax(finite))
    labels = fits[best].astype(np.int64)
    return LayerClustering(labels, int(len(np.unique(labels))), "kmeans", ks, scores, inertias)


def cluster_hdbscan(A: np.ndarray, k_range=(2, 10), seed: int = 0,
                    min_cluster_size: int | None = None) -> LayerClustering:
    """HDBSCAN (density based, k found by the algorithm; noise labelled -1).

    ``min_cluster_size`` defaults to 2 % of the samples (at least 5). ``k_range`` is unused.
    """
    size = min_cluster_size or max(5, len(A) // 50)
    labels = HDBSCAN(min_cluster_size=size, copy=True).fit(A).labels_.astype(np.int64)
    k = int(len(np.unique(labels[labels >= 0])))
    kept = labels >= 0
    score = _silhouette(A[kept], labels[kept], seed) if k >= 2 else float("nan")
    return LayerClustering(labels, k, "hdbscan", [k], [score], [])


CLUSTERERS = {"hdbscan": cluster_hdbscan, "kmeans": cluster_kmeans}


def cluster_layers(acts: dict[str, np.ndarray], k_range=(2, 10), method: str = "kmeans",
                   seed=0, progress: bool = False) -> dict[str, LayerClustering]:
    """Cluster every layer of ``acts`` (``{name: (n, d)}``, e.g. from ``record``).

    Args:
        acts: activations per layer, all with the same ``n``.
        k_range: ``(low, high)`` inclusive range of k for k-means (the report used 2..10).
        method: a key of ``CLUSTERERS``: ``"kmeans"`` (k by silhouette) or ``"hdbscan"``.
        seed: int seed (or Generator) for k-means and silhouette subsampling.
        progress: show a tqdm bar over layers.

    Returns:
        ``{name: LayerClustering}`` in the order of ``acts``.
    """
    if method not in CLUSTERERS:
        raise ValueError(f"cluster_layers: method must be one of {sorted(CLUSTERERS)}, got {method!r}")
    seed = seed if isinstance(seed, (int, np.integer)) else int(make_rng(seed).integers(2**31))
    return {name: CLUSTERERS[method](np.asarray(A), k_range, int(seed))
            for name, A in tqdm(acts.items(), desc="clustering", disable=not progress, leave=False)}
