"""The path-rarity score: how unusual is a sample's path through the layers' clusters, and how
far does it sit from the centres of the clusters it passes through?

Fitted on the training images only. In each hidden layer ``l`` the training activations are
clustered by k-means (k by silhouette, as the study's clusters: ``cluster_kmeans``); cluster
``c`` of layer ``l`` has centre ``mu_lc`` (mean of its members) and spread
``r2_lc = mean_i ||a_l(x_i) - mu_lc||^2`` over its members. A new sample ``x`` takes, in each
layer, the cluster of the nearest centre, ``c_l(x)``, and its path ``s(x) = (c_1, ..., c_L)``.

Score (nats; larger = rarer)::

    score(x) = -log P(s(x)) + sum_l ||a_l(x) - mu_{l,c_l}||^2 / (2 r2_{l,c_l})
               \\________ path term ______/   \\___________ distance term ___________/

with the path's probability under a first-order Markov chain over the layers, estimated from
the training paths with add-one (Laplace) smoothing, ``alpha = 1``::

    P(s) = P(c_1) * prod_{l >= 2} P(c_l | c_{l-1})
    P(c_1 = j) = (n_j + alpha) / (N + alpha k_1)
    P(c_l = j | c_{l-1} = i) = (n_ij + alpha) / (n_i + alpha k_l)

(``n_j``: training samples in cluster ``j`` of layer 1; ``n_ij``: training samples going from
cluster ``i`` of layer ``l-1`` to cluster ``j`` of layer ``l``). With two hidden layers the
chain is the joint distribution of the paths itself; deeper, it keeps a path that no training
sample took exactly but that joins frequent transitions from being scored as impossible.
Each distance term is the negative log-density, up to a constant, of the sample's offset under
an isotropic Gaussian of the cluster's spread counted along one direction: a training sample
scores 1/2 per layer on average, and each layer weighs like one categorical choice instead of
``d_l`` of them (a full ``d_l``-dimensional Gaussian would drown the path term).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .clustering import cluster_kmeans

__all__ = ["ALPHA", "PathRarity", "fit_path_rarity"]

ALPHA = 1.0  # Laplace smoothing of the path probabilities
MIN_SPREAD = 1e-12  # floor of a cluster's spread (a cluster of identical points)


def _squared_distances(A: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """``||a_i - mu_c||^2`` ``(n, k)``, as ``|a|^2 - 2 a.mu + |mu|^2`` (clipped at 0)."""
    d2 = (A * A).sum(1)[:, None] - 2 * A @ centres.T + (centres * centres).sum(1)[None, :]
    return np.maximum(d2, 0.0)


@dataclass
class PathRarity:
    """A fitted path-rarity model (see the module docstring for the formula).

    Attributes:
        layer_names: the L hidden layers, in order.
        centres: per layer, the cluster centres ``(k_l, d_l)``.
        spreads: per layer, the clusters' mean squared distance to their centre ``(k_l,)``.
        log_first: ``log P(c_1)`` ``(k_1,)``.
        log_transitions: per layer ``l >= 2``, ``log P(c_l | c_{l-1})`` ``(k_{l-1}, k_l)``.
        alpha: the smoothing constant.
    """

    layer_names: list[str]
    centres: list[np.ndarray]
    spreads: list[np.ndarray]
    log_first: np.ndarray
    log_transitions: list[np.ndarray]
    alpha: float = ALPHA

    @property
    def ks(self) -> list[int]:
        return [len(c) for c in self.centres]

    def assign(self, acts: dict) -> tuple[np.ndarray, np.ndarray]:
        """Paths ``(n, L)`` (nearest centre per layer) and distance terms ``(n, L)``."""
        arrays = self._arrays(acts)
        paths = np.empty((len(arrays[0]), len(arrays)), np.int64)
        terms = np.empty(paths.shape)
        for l, (A, centres, spread) in enumerate(zip(arrays, self.centres, self.spreads, strict=True)):
            d2 = _squared_distances(A, centres)
            paths[:, l] = np.argmin(d2, axis=1)
            terms[:, l] = d2[np.arange(len(A)), paths[:, l]] / (2 * spread[paths[:, l]])
        return paths, terms

    def path_nll(self, paths: np.ndarray) -> np.ndarray:
        """``-log P(s)`` ``(n,)`` of paths ``(n, L)`` under the smoothed Markov chain."""
        nll = -self.log_first[paths[:, 0]]
        for l, log_t in enumerate(self.log_transitions, start=1):
            nll -= log_t[paths[:, l - 1], paths[:, l]]
        return nll

    def score(self, acts: dict) -> dict[str, np.ndarray]:
        """``{"score", "path_term", "distance_term"}``, each ``(n,)``, and ``"paths"`` ``(n, L)``."""
        paths, terms = self.assign(acts)
        path_term, distance_term = self.path_nll(paths), terms.sum(1)
        return {"score": path_term + distance_term, "path_term": path_term,
                "distance_term": distance_term, "paths": paths}

    def _arrays(self, acts: dict) -> list[np.ndarray]:
        if list(acts) != self.layer_names:
            raise ValueError(f"PathRarity: activations must hold the layers {self.layer_names} in order, "
                             f"got {list(acts)}")
        arrays = [np.asarray(A, np.float64) for A in acts.values()]
        for name, A, centres in zip(self.layer_names, arrays, self.centres, strict=True):
            if A.ndim != 2 or A.shape[1] != centres.shape[1] or len(A) != len(arrays[0]):
                raise ValueError(f"PathRarity: layer {name!r} must have shape ({len(arrays[0])}, "
                                 f"{centres.shape[1]}), got {A.shape}")
        return arrays


def _log_counts(counts: np.ndarray, alpha: float) -> np.ndarray:
    """Row-wise ``log((n + alpha) / (sum n + alpha k))`` of a count table (1-D or 2-D)."""
    smoothed = counts + alpha
    return np.log(smoothed / smoothed.sum(axis=-1, keepdims=True))


def fit_path_rarity(acts: dict, k_range=(2, 10), seed: int = 0, alpha: float = ALPHA,
                    labels: dict | None = None) -> PathRarity:
    """Fit the path-rarity model on training activations ``{layer: (N, d_l)}``.

    Args:
        acts: training activations, layers in order.
        k_range: k-means k tried per layer (the best mean silhouette wins).
        seed: k-means seed.
        alpha: additive smoothing of the path probabilities (> 0).
        labels: optional ``{layer: (N,) cluster}`` to use instead of clustering.

    Returns:
        a ``PathRarity``; ``.score(test_acts)`` scores new samples.
    """
    if not acts:
        raise ValueError("fit_path_rarity: no layer given")
    if not alpha > 0:
        raise ValueError(f"fit_path_rarity: alpha must be > 0, got {alpha!r}")
    names = list(acts)
    arrays = [np.asarray(A, np.float64) for A in acts.values()]
    n = len(arrays[0])
    for name, A in zip(names, arrays, strict=True):
        if A.ndim != 2 or len(A) != n:
            raise ValueError(f"fit_path_rarity: layer {name!r} must have shape ({n}, d), got {A.shape}")
    centres, spreads, paths = [], [], np.empty((n, len(arrays)), np.int64)
    for l, (name, A) in enumerate(zip(names, arrays, strict=True)):
        found = labels[name] if labels is not None else cluster_kmeans(A, k_range, seed).labels
        _, paths[:, l] = np.unique(np.asarray(found), return_inverse=True)
        k = int(paths[:, l].max()) + 1
        counts = np.bincount(paths[:, l], minlength=k)
        mu = np.zeros((k, A.shape[1]))
        np.add.at(mu, paths[:, l], A)
        mu /= counts[:, None]
        d2 = ((A - mu[paths[:, l]]) ** 2).sum(1)
        centres.append(mu)
        spreads.append(np.maximum(np.bincount(paths[:, l], weights=d2, minlength=k) / counts, MIN_SPREAD))
    log_first = _log_counts(np.bincount(paths[:, 0], minlength=len(centres[0])).astype(float), alpha)
    transitions = []
    for l in range(1, len(arrays)):
        table = np.zeros((len(centres[l - 1]), len(centres[l])))
        np.add.at(table, (paths[:, l - 1], paths[:, l]), 1.0)
        transitions.append(_log_counts(table, alpha))
    return PathRarity(names, centres, spreads, log_first, transitions, float(alpha))
