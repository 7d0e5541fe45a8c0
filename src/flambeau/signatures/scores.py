"""Quantitative answers to the signature questions: when do classes separate, how consistent
are their paths, and where do unseen classes (anomalies) go?"""

from __future__ import annotations

import numpy as np
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

from ..metrics import purity
from .paths import Paths

__all__ = ["SEPARATION_THRESHOLD", "anomaly_routing", "layer_scores", "majority_paths",
           "path_entropy", "score_paths", "separation_layer"]

SEPARATION_THRESHOLD = 0.95  # classes "separate" at the first layer whose purity reaches this


def layer_scores(clusters: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """NMI, adjusted Rand index and purity of one layer's clusters against labels ``y``."""
    return {"nmi": float(normalized_mutual_info_score(y, clusters)),
            "ari": float(adjusted_rand_score(y, clusters)),
            "purity": purity(y, clusters)}


def separation_layer(scores: dict[str, dict], threshold: float = SEPARATION_THRESHOLD) -> str | None:
    """First layer (in order) whose purity is at least ``threshold``; None if none is."""
    return next((name for name, s in scores.items() if s["purity"] >= threshold), None)


def majority_paths(signatures: np.ndarray, y: np.ndarray) -> dict[int, dict]:
    """For each class: its most frequent signature and the share of the class following it."""
    result = {}
    for c in np.unique(y):
        unique, counts = np.unique(signatures[y == c], axis=0, return_counts=True)
        best = int(np.argmax(counts))
        result[int(c)] = {"path": [int(v) for v in unique[best]],
                          "share": float(counts[best] / counts.sum())}
    return result


def path_entropy(signatures: np.ndarray) -> float:
    """Entropy in bits of the distribution of signatures: ``-sum_s p_s log2 p_s``."""
    if len(signatures) == 0:
        return float("nan")
    _, counts = np.unique(signatures, axis=0, return_counts=True)
    p = counts / counts.sum()
    return float(-(p * np.log2(p)).sum() + 0.0)


def _owners(clusters: np.ndarray, known: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Owner ``(n,)`` of each sample's cluster: the majority class of the cluster's known
    samples (ties: the smallest class), -1 for a cluster without known samples. One
    cluster x class count table (``bincount``), no loop over samples."""
    values, cluster_of = np.unique(clusters, return_inverse=True)
    classes, class_of = np.unique(y[known], return_inverse=True)
    table = np.bincount(cluster_of[known] * len(classes) + class_of,
                        minlength=len(values) * len(classes)).reshape(len(values), len(classes))
    owner = np.where(table.sum(1) > 0, classes[table.argmax(1)] if len(classes) else -1, -1)
    return owner[cluster_of]


def anomaly_routing(signatures: np.ndarray, y: np.ndarray, is_anomaly: np.ndarray,
                    layer_names: list[str]) -> dict[int, dict]:
    """Where samples of unseen classes go.

    A cluster "belongs" to the known class holding most of its known samples. For each
    anomaly class and layer: the share of its samples landing in each known class's clusters
    (key ``"none"``: clusters without known samples), plus the entropy of its paths.
    """
    known_classes = [int(c) for c in np.unique(y[~is_anomaly])]
    result = {}
    for a in np.unique(y[is_anomaly]):
        rows = is_anomaly & (y == a)
        per_layer = {}
        for j, name in enumerate(layer_names):
            landed = _owners(signatures[:, j], ~is_anomaly, y)[rows]
            shares = {str(k): float(np.mean(landed == k)) for k in known_classes}
            shares["none"] = float(np.mean(landed == -1))
            per_layer[name] = shares
        result[int(a)] = {"n": int(rows.sum()), "routing": per_layer,
                          "path_entropy_bits": path_entropy(signatures[rows]),
                          "distinct_paths": int(len(np.unique(signatures[rows], axis=0)))}
    return result


def score_paths(p: Paths, y: np.ndarray, is_anomaly=None,
                threshold: float = SEPARATION_THRESHOLD) -> dict:
    """Every score of a study, JSON-ready. Layer scores use the known-class samples only."""
    y = np.asarray(y).astype(np.int64)
    anomaly = np.zeros(len(y), bool) if is_anomaly is None else np.asarray(is_anomaly, bool)
    known = ~anomaly
    layers = {name: layer_scores(p.signatures[known, j], y[known])
              for j, name in enumerate(p.layer_names)}
    return {
        "layers": layers,
        "separation": {"threshold": threshold, "criterion": "purity >= threshold",
                       "first_layer": separation_layer(layers, threshold)},
        "majority_paths": {str(c): v for c, v in majority_paths(p.signatures[known], y[known]).items()},
        "known_path_entropy_bits": path_entropy(p.signatures[known]),
        "anomalies": {str(a): v for a, v in
                      anomaly_routing(p.signatures, y, anomaly, p.layer_names).items()},
    }
