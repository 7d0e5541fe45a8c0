"""Where classes separate, with uncertainty: the study's scores over several training seeds.

The images are the study's (the same draw); each seed retrains the network (initial weights
and batch order) and reclusters every layer. Per seed and layer: NMI, ARI and purity of the
clusters against the known classes (as ``scores.layer_scores``), the k chosen by silhouette,
and a linear probe's accuracy (logistic regression fitted on the layer's activations of the
training images, scored on the held-out known images). Over seeds: the mean and a 95 %
percentile-bootstrap interval of the mean (``N_BOOTSTRAP`` resamples of the seeds; with 10
seeds the interval is rough, and says so by its width).

"Classes separate at layer L": the first layer whose mean purity reaches the threshold
(``scores.SEPARATION_THRESHOLD``). Its interval: the 2.5 and 97.5 percentiles, over the
bootstrap resamples of the seeds, of that first layer. The probe checks it: the first layer
whose mean probe accuracy reaches the same threshold is where the classes become linearly
separable; the two agree when they name the same layer.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import adjusted_rand_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from ..random import make_rng
from .clustering import cluster_layers
from .scores import SEPARATION_THRESHOLD, layer_scores

__all__ = ["CONFIDENCE", "N_BOOTSTRAP", "bootstrap_mean", "linear_probe", "seed_layer_measures",
           "separation_with_interval", "summarize_seeds"]

N_BOOTSTRAP = 2000
CONFIDENCE = 0.95
LAYER_METRICS = ("nmi", "ari", "purity", "probe_accuracy")


def bootstrap_mean(values, n_boot: int = N_BOOTSTRAP, seed: int = 0, confidence: float = CONFIDENCE) -> dict:
    """Mean of ``values`` ``(s,)`` (one per seed) and its percentile-bootstrap interval.

    Returns:
        ``{"mean", "ci": [low, high], "values": [...]}``; one value gives ``ci = [v, v]``.
    """
    values = np.asarray(values, np.float64)
    if values.ndim != 1 or len(values) == 0 or not np.all(np.isfinite(values)):
        raise ValueError(f"bootstrap_mean: values must be a non-empty (s,) array of finite numbers, "
                         f"got {values!r}")
    means = values[make_rng(seed).integers(len(values), size=(n_boot, len(values)))].mean(1)
    tail = (1 - confidence) / 2
    low, high = np.quantile(means, [tail, 1 - tail])
    return {"mean": float(values.mean()), "ci": [float(low), float(high)],
            "values": [round(float(v), 6) for v in values]}


def linear_probe(train_features, y_train, features, y, seed: int = 0) -> float:
    """Held-out accuracy of a logistic regression (standardized inputs, L2, C = 1) fitted on
    ``train_features`` ``(N, d)`` / ``y_train`` and scored on ``features`` ``(n, d)`` / ``y``."""
    probe = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000, random_state=seed))
    probe.fit(np.asarray(train_features, np.float64), np.asarray(y_train))
    return float(probe.score(np.asarray(features, np.float64), np.asarray(y)))


def seed_layer_measures(train_acts: dict, y_train, acts: dict, y, is_anomaly, k_range=(2, 10),
                        method: str = "kmeans", seed: int = 0) -> dict:
    """One seed's measures per layer: ``{layer: {"nmi", "ari", "purity", "k", "probe_accuracy"}}``
    plus ``"labels"`` (the clusters, for the agreement between seeds).

    The clusters are fitted on all analysed samples (known and anomalies, as the study's) and
    scored on the known ones.
    """
    y, known = np.asarray(y), ~np.asarray(is_anomaly, bool)
    clusterings = cluster_layers(acts, k_range, method, seed)
    result = {}
    for name, c in clusterings.items():
        result[name] = {**layer_scores(c.labels[known], y[known]), "k": int(c.k),
                        "probe_accuracy": linear_probe(train_acts[name], y_train, acts[name][known], y[known],
                                                       seed),
                        "labels": c.labels}
    return result


def _first_layer(values: np.ndarray, threshold: float) -> int:
    """Index of the first entry ``>= threshold``, ``len(values)`` if none."""
    reached = np.flatnonzero(values >= threshold)
    return int(reached[0]) if len(reached) else len(values)


def separation_with_interval(purity: np.ndarray, probe: np.ndarray, names: list[str],
                             threshold: float = SEPARATION_THRESHOLD, n_boot: int = N_BOOTSTRAP,
                             seed: int = 0, confidence: float = CONFIDENCE) -> dict:
    """The separation layer from per-seed purities ``(s, L)``, its bootstrap interval, and the
    probe's check from per-seed probe accuracies ``(s, L)``.

    Returns:
        ``{"threshold", "layer" (name or None), "interval": [name or "none", ...],
        "seed_layers": [per seed], "probe_layer", "agrees", "text"}``.
    """
    purity, probe = np.asarray(purity, np.float64), np.asarray(probe, np.float64)
    L = len(names)
    label = [*names, None]
    layer = _first_layer(purity.mean(0), threshold)
    probe_layer = _first_layer(probe.mean(0), threshold)
    picks = make_rng(seed).integers(len(purity), size=(n_boot, len(purity)))
    boot = np.array([_first_layer(row, threshold) for row in purity[picks].mean(1)])
    tail = (1 - confidence) / 2
    low, high = (int(v) for v in np.quantile(boot, [tail, 1 - tail], method="nearest"))
    seed_layers = [label[_first_layer(row, threshold)] for row in purity]
    mean_purity, mean_probe = purity.mean(0), probe.mean(0)
    text = _separation_text(names, layer, probe_layer, low, high, mean_purity, mean_probe, threshold,
                            len(purity))
    return {"threshold": threshold, "criterion": "mean purity over seeds >= threshold",
            "layer": label[layer], "interval": [label[low] or "none", label[high] or "none"],
            "share_of_resamples": float(np.mean(boot == layer)), "seed_layers": seed_layers,
            "probe_layer": label[probe_layer], "agrees": bool(layer == probe_layer and layer < L),
            "text": text}


def _separation_text(names, layer, probe_layer, low, high, purity, probe, threshold, n_seeds) -> str:
    L = len(names)

    def shown(i: int) -> str:
        return names[i] if i < L else "no layer"

    if layer < L:
        text = (f"classes separate at {names[layer]} (mean purity {purity[layer]:.3f} >= {threshold} over "
                f"{n_seeds} seeds; bootstrap interval of the layer: {shown(low)} to {shown(high)})")
    else:
        best = int(np.argmax(purity))
        text = (f"no layer reaches mean purity {threshold} over {n_seeds} seeds (the purest is "
                f"{names[best]}, {purity[best]:.3f}; bootstrap interval of the layer: {shown(low)} to "
                f"{shown(high)})")
    if probe_layer == layer and layer < L:
        before = f", below {threshold} before" if layer > 0 else ""
        return text + f"; the linear probe agrees ({probe[layer]:.3f} there{before})"
    if probe_layer < layer:
        return text + (f"; the linear probe reaches {threshold} earlier, at {names[probe_layer]} "
                       f"({probe[probe_layer]:.3f}): the classes are linearly separable before the "
                       f"clusters show it")
    if layer < L:
        return text + (f"; the linear probe reaches {threshold} only at {shown(probe_layer)} "
                       f"({probe[layer]:.3f} at {names[layer]}): the clusters are purer than a linear "
                       f"read-out")
    return text + f"; the linear probe does not reach {threshold} either (best {probe.max():.3f})"


def _k_stability(ks: list[int]) -> dict:
    values, counts = np.unique(ks, return_counts=True)
    best = int(np.argmax(counts))
    return {"values": [int(k) for k in ks], "counts": {str(int(v)): int(c) for v, c in zip(values, counts,
                                                                                            strict=True)},
            "mode": int(values[best]), "mode_share": float(counts[best] / len(ks))}


def _agreement(labels: list[np.ndarray]) -> float | None:
    """Mean ARI between the clusterings of every pair of seeds (None for one seed)."""
    pairs = [adjusted_rand_score(a, b) for a, b in combinations(labels, 2)]
    return float(np.mean(pairs)) if pairs else None


def summarize_seeds(per_seed: list[dict], seeds: list[int], threshold: float = SEPARATION_THRESHOLD,
                    n_boot: int = N_BOOTSTRAP, seed: int = 0) -> dict:
    """The uncertainty section of a study from ``seed_layer_measures`` of each seed.

    Returns:
        ``{"seeds", "n_bootstrap", "confidence", "layers": {layer: {metric: bootstrap_mean,
        "k": {...}, "partition_agreement_ari"}}, "separation": separation_with_interval}``.
    """
    if len(per_seed) != len(seeds) or not per_seed:
        raise ValueError(f"summarize_seeds: one measure per seed expected, got {len(per_seed)} for "
                         f"{len(seeds)} seeds")
    names = list(per_seed[0])
    layers = {}
    for name in names:
        rows = [m[name] for m in per_seed]
        layers[name] = {metric: bootstrap_mean([r[metric] for r in rows], n_boot, seed)
                        for metric in LAYER_METRICS}
        layers[name]["k"] = _k_stability([r["k"] for r in rows])
        layers[name]["partition_agreement_ari"] = _agreement([r["labels"] for r in rows])
    purity = np.array([[m[name]["purity"] for name in names] for m in per_seed])
    probe = np.array([[m[name]["probe_accuracy"] for name in names] for m in per_seed])
    return {"seeds": [int(s) for s in seeds], "n_bootstrap": n_boot, "confidence": CONFIDENCE,
            "protocol": "same images; each seed retrains the network (weights, batch order) and reclusters; "
                        "intervals: percentile bootstrap of the mean over seeds",
            "layers": layers,
            "separation": separation_with_interval(purity, probe, names, threshold, n_boot, seed)}
