"""Cluster each hidden layer's activations; for k-means, k is chosen by the silhouette score.

What scales to 70,000 samples x 8 layers (measured on MNIST, ``benchmarks/bench_signatures.py``):
k-means runs in float32; the silhouette of every k is scored on one stratified sample of
``SILHOUETTE_SAMPLES`` rows whose distance matrix is computed once per layer; above
``FIT_SAMPLES`` rows, each k is fitted on a stratified sample of that size and only the chosen k
is refined by Lloyd iterations on all rows, started from the sample's centres (same or lower
inertia than k-means on all rows with ``n_init=4``, and labels that agree with it as much as two
such runs agree with each other; ``MiniBatchKMeans`` agreed far less, see ``fit_kmeans``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from sklearn.cluster import HDBSCAN, KMeans
from sklearn.metrics import pairwise_distances
from tqdm.auto import tqdm

from ..random import make_rng
from .sampling import stratified_rows

__all__ = ["CLUSTERERS", "FIT_SAMPLES", "SILHOUETTE_SAMPLES", "LayerClustering", "cluster_hdbscan",
           "cluster_kmeans", "cluster_layers", "fit_kmeans", "silhouette_from_distances"]

SILHOUETTE_SAMPLES = 4000  # rows scored by the silhouette (O(m^2) distances), stratified
FIT_SAMPLES = 10_000  # above this, each k is fitted on a stratified sample, the chosen k refined
N_INIT = 4  # k-means restarts (best inertia kept)


@dataclass
class LayerClustering:
    """Clusters of one layer.

    Attributes:
        labels: cluster of each sample ``(n,)`` int64; ``-1`` is HDBSCAN's noise.
        k: number of clusters (noise not counted).
        method: ``"kmeans"`` or ``"hdbscan"``.
        ks: the k tried (k-means), with ``silhouette[i]`` and ``inertia[i]`` for ``ks[i]``
            (inertia = sum over all n samples of the squared distance to the nearest centre,
            the elbow curve).
        silhouette_samples: how many samples the silhouette was computed on (a stratified
            sample when fewer than n).
        fit_samples: how many samples each k was fitted on before the chosen k was refined on
            all n (n when fitted on all).
    """

    labels: np.ndarray
    k: int
    method: str
    ks: list[int] = field(default_factory=list)
    silhouette: list[float] = field(default_factory=list)
    inertia: list[float] = field(default_factory=list)
    silhouette_samples: int = 0
    fit_samples: int = 0

    def summary(self) -> dict:
        """JSON-ready description (without the per-sample labels)."""
        return {"k": self.k, "method": self.method, "ks": self.ks, "silhouette": self.silhouette,
                "inertia": self.inertia, "silhouette_samples": self.silhouette_samples,
                "fit_samples": self.fit_samples}


def silhouette_from_distances(D: np.ndarray, labels: np.ndarray) -> float:
    """Mean silhouette of ``m`` samples from their distance matrix ``D`` ``(m, m)``.

    ``s(i) = (b(i) - a(i)) / max(a(i), b(i))``, ``a(i)`` the mean distance of i to the other
    members of its cluster, ``b(i)`` the smallest mean distance to another cluster's members;
    ``s(i) = 0`` in a cluster of one (as scikit-learn). The per-cluster sums of distances are
    one product ``D @ onehot`` ``(m, k)``: the matrix is reused for every k. NaN if fewer than
    two clusters.
    """
    clusters, inverse = np.unique(labels, return_inverse=True)
    if len(clusters) < 2:
        return float("nan")
    onehot = np.zeros((len(labels), len(clusters)), D.dtype)
    onehot[np.arange(len(labels)), inverse] = 1
    sums = (D @ onehot).astype(np.float64)  # (m, k): distance of i to all members of each cluster
    sizes = np.bincount(inverse).astype(np.float64)
    rows = np.arange(len(labels))
    own = sizes[inverse]
    a = sums[rows, inverse] / np.maximum(own - 1, 1)
    means = sums / sizes
    means[rows, inverse] = np.inf
    b = means.min(axis=1)
    s = np.where(own > 1, (b - a) / np.maximum(np.maximum(a, b), 1e-30), 0.0)
    return float(s.mean())


def fit_kmeans(A: np.ndarray, k: int, seed: int,
               fit_rows: np.ndarray | None = None) -> tuple[np.ndarray, float]:
    """k-means of ``A`` ``(n, d)`` float32: ``(centres (k, d), inertia over all n rows)``.

    With ``fit_rows``, fitted (``N_INIT`` restarts) on those rows only; the inertia is still
    that of all rows assigned to the nearest centre. Measured on the 8 layers of an MNIST
    network (70,000 rows, k = 2, 5, 10; ``bench_signatures.py --kmeans``): ``MiniBatchKMeans``
    gave an ARI of 0.1 to 0.99 (median 0.7) against k-means on all rows, a sample of 10,000
    rows refined on all rows 0.2 to 1.0 (median 1.0) at equal or lower inertia.
    """
    rows = A if fit_rows is None else A[fit_rows]
    model = KMeans(n_clusters=k, n_init=N_INIT, random_state=seed).fit(rows)
    centres = model.cluster_centers_.astype(A.dtype)
    if fit_rows is None:
        return centres, float(model.inertia_)
    _, distances = _nearest(A, centres)
    return centres, float(distances.sum())


def _nearest(A: np.ndarray, centres: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Nearest centre of each row and its squared distance: ``||a||^2 - 2 a.c + ||c||^2``."""
    d2 = (A * A).sum(1, dtype=np.float64)[:, None] - 2.0 * (A @ centres.T) + (centres * centres).sum(1)
    nearest = np.argmin(d2, axis=1)
    return nearest, np.maximum(d2[np.arange(len(A)), nearest], 0.0)


def _refine(A: np.ndarray, centres: np.ndarray, seed: int) -> np.ndarray:
    """Lloyd iterations on all rows started from ``centres``: the labels ``(n,)``."""
    model = KMeans(n_clusters=len(centres), init=centres, n_init=1, random_state=seed).fit(A)
    return model.labels_


def cluster_kmeans(A: np.ndarray, k_range=(2, 10), seed: int = 0, strata=None) -> LayerClustering:
    """k-means for every k in ``k_range`` (inclusive); keep the k of best mean silhouette.

    The silhouette (see ``silhouette_from_distances``) is scored on at most
    ``SILHOUETTE_SAMPLES`` rows drawn once, stratified by ``strata`` (e.g. the true classes,
    ``(n,)``) when given, the same rows for every k; ties go to the smallest k. Above
    ``FIT_SAMPLES`` rows, every k is fitted on a stratified sample of ``FIT_SAMPLES`` rows and
    the chosen k refined on all rows (see ``fit_kmeans``).
    """
    A = np.ascontiguousarray(A, dtype=np.float32)
    n = len(A)
    low, high = k_range
    high = min(high, n - 1)
    if low < 2 or high < low:
        raise ValueError(f"cluster_layers: k_range must satisfy 2 <= low <= high < n_samples "
                         f"({n}), got {tuple(k_range)}")
    scored = stratified_rows(n, SILHOUETTE_SAMPLES, strata, seed)
    D = pairwise_distances(A[scored]).astype(np.float32)
    fit_rows = stratified_rows(n, FIT_SAMPLES, strata, seed + 1) if n > FIT_SAMPLES else None
    ks, scores, inertias, fits = list(range(low, high + 1)), [], [], []
    for k in ks:
        centres, inertia = fit_kmeans(A, k, seed, fit_rows)
        scores.append(silhouette_from_distances(D, _nearest(A[scored], centres)[0]))
        inertias.append(inertia)
        fits.append(centres)
    best = int(np.argmax(np.nan_to_num(np.asarray(scores), nan=-np.inf)))
    labels = _refine(A, fits[best], seed) if fit_rows is not None else _nearest(A, fits[best])[0]
    labels = labels.astype(np.int64)
    return LayerClustering(labels, int(len(np.unique(labels))), "kmeans", ks, scores, inertias,
                           len(scored), n if fit_rows is None else len(fit_rows))


def cluster_hdbscan(A: np.ndarray, k_range=(2, 10), seed: int = 0, strata=None,
                    min_cluster_size: int | None = None) -> LayerClustering:
    """HDBSCAN (density based, k found by the algorithm; noise labelled -1).

    ``min_cluster_size`` defaults to 2 % of the samples (at least 5). ``k_range`` is unused;
    the silhouette (non-noise samples) is scored as for k-means.
    """
    size = min_cluster_size or max(5, len(A) // 50)
    labels = HDBSCAN(min_cluster_size=size, copy=True).fit(A).labels_.astype(np.int64)
    k = int(len(np.unique(labels[labels >= 0])))
    kept = np.flatnonzero(labels >= 0)
    scored = kept[stratified_rows(len(kept), SILHOUETTE_SAMPLES,
                                  None if strata is None else np.asarray(strata)[kept], seed)]
    score = float("nan")
    if k >= 2:
        D = pairwise_distances(np.asarray(A, np.float32)[scored])
        score = silhouette_from_distances(D, labels[scored])
    return LayerClustering(labels, k, "hdbscan", [k], [score], [], len(scored), len(A))


CLUSTERERS = {"hdbscan": cluster_hdbscan, "kmeans": cluster_kmeans}


def cluster_layers(acts: dict[str, np.ndarray], k_range=(2, 10), method: str = "kmeans",
                   seed=0, progress: bool = False, strata=None) -> dict[str, LayerClustering]:
    """Cluster every layer of ``acts`` (``{name: (n, d)}``, e.g. from ``record``).

    Args:
        acts: activations per layer, all with the same ``n``.
        k_range: ``(low, high)`` inclusive range of k for k-means (the report used 2..10).
        method: a key of ``CLUSTERERS``: ``"kmeans"`` (k by silhouette) or ``"hdbscan"``.
        seed: int seed (or Generator) for k-means and the samples.
        progress: show a tqdm bar over layers.
        strata: optional ``(n,)`` labels (e.g. the true classes) by which the silhouette and
            fitting samples are stratified.

    Returns:
        ``{name: LayerClustering}`` in the order of ``acts``.
    """
    if method not in CLUSTERERS:
        raise ValueError(f"cluster_layers: method must be one of {sorted(CLUSTERERS)}, got {method!r}")
    seed = seed if isinstance(seed, (int, np.integer)) else int(make_rng(seed).integers(2**31))
    return {name: CLUSTERERS[method](np.asarray(A), k_range, int(seed), strata)
            for name, A in tqdm(acts.items(), desc="clustering", disable=not progress, leave=False)}
