"""Anomaly detection, measured: the path-rarity score against three baselines on one split.

Protocol. Every detector is fitted on the TRAINING images of the known classes only (their
activations, and their labels where the detector uses them) and scores the analysed held-out
images: known classes are the negatives, the classes never trained on (anomalies) the
positives. Larger score = more anomalous for every detector:

- ``path``: the path-rarity score (``path_rarity``): ``-log P(path)`` under the training
  paths (first-order Markov chain over the layers, add-one smoothing) plus the distance to the
  cluster's centre in each layer (in units of the cluster's spread). Its two terms are also
  reported alone (``path_term``, ``distance_term``) to show what each contributes.
- ``msp``: ``1 - max_c softmax(z)_c``, the maximum softmax probability of the logits ``z``
  (Hendrycks and Gimpel, 2017).
- ``mahalanobis``: ``min_c (f - mu_c)^T S^+ (f - mu_c)`` on the last hidden layer ``f``, with
  class-conditional means ``mu_c`` and one covariance ``S`` shared by the classes, both from the
  training activations (Lee, Lee, Lee and Shin, 2018, without their input perturbation and
  feature ensemble); ``S^+`` is the pseudo-inverse (ReLU units that never fire make ``S``
  singular).
- ``glosh``: HDBSCAN's GLOSH outlier score on the last hidden layer (Campello et al., 2015),
  the tree built on the training activations (at most ``GLOSH_MAX_REFERENCE`` of them, drawn at
  random) and each analysed image inserted into it (``glosh.GloshModel``).

Metrics (scikit-learn): AUROC (``roc_auc_score``) and the false-positive rate at 95 % true
positive rate (``roc_curve``: the smallest FPR among thresholds whose TPR reaches 0.95), for
all anomalies pooled and for each anomaly class against all known images.
"""

from __future__ import annotations

import numpy as np
from sklearn.metrics import roc_auc_score, roc_curve

from ..random import make_rng
from .glosh import GloshModel
from .path_rarity import ALPHA, fit_path_rarity

__all__ = ["DETECTORS", "GLOSH_MAX_REFERENCE", "GLOSH_MIN_CLUSTER_SIZE", "GLOSH_MIN_SAMPLES", "TPR_LEVEL",
           "anomaly_scores", "detection_metrics", "evaluate_detectors", "fpr_at_tpr", "mahalanobis_scores",
           "msp_scores", "roc_points", "verdicts"]

DETECTORS = ("path", "msp", "mahalanobis", "glosh")
"""The four detectors compared; ``path_term`` and ``distance_term`` are the path score's parts."""
BASELINES = ("msp", "mahalanobis", "glosh")
TPR_LEVEL = 0.95
GLOSH_MIN_SAMPLES = 10  # m_pts of Campello et al. 2015 (the core distance's neighbourhood) ...
GLOSH_MIN_CLUSTER_SIZE = 10  # ... and m_clSize, equal to it as in their experiments
GLOSH_MAX_REFERENCE = 10_000  # tree built on at most this many training points (O(n log n) memory-light)
ROC_POINTS = 101  # points kept per ROC curve for the figures


def msp_scores(logits) -> np.ndarray:
    """``1 - max softmax`` of logits ``(n, C)``: ``(n,)`` in [0, 1 - 1/C]."""
    z = np.asarray(logits, np.float64)
    if z.ndim != 2 or z.shape[1] < 2:
        raise ValueError(f"msp_scores: logits must have shape (n, classes >= 2), got {z.shape}")
    z = z - z.max(1, keepdims=True)
    p = np.exp(z)
    return 1.0 - 1.0 / p.sum(1)  # max softmax = exp(0) / sum exp(z - max)


def mahalanobis_scores(train_features, train_labels, features) -> np.ndarray:
    """``min_c (f - mu_c)^T S^+ (f - mu_c)`` ``(n,)`` (class means and shared covariance of the
    training features ``(N, d)`` with labels ``(N,)``; features ``(n, d)``)."""
    F, y, G = (np.asarray(train_features, np.float64), np.asarray(train_labels),
               np.asarray(features, np.float64))
    if F.ndim != 2 or G.ndim != 2 or F.shape[1] != G.shape[1] or y.shape != (len(F),):
        raise ValueError(f"mahalanobis_scores: training features (N, d) with labels (N,) and features "
                         f"(n, d) expected, got {F.shape}, {y.shape} and {G.shape}")
    classes, inverse = np.unique(y, return_inverse=True)
    means = np.stack([F[inverse == c].mean(0) for c in range(len(classes))])
    centred = F - means[inverse]
    precision = np.linalg.pinv(centred.T @ centred / len(F), hermitian=True)
    distances = np.stack([(((G - mu) @ precision) * (G - mu)).sum(1) for mu in means], axis=1)
    return distances.min(1)


def _glosh_scores(train_features, features, seed: int) -> np.ndarray:
    F = np.asarray(train_features, np.float64)
    if len(F) > GLOSH_MAX_REFERENCE:
        F = F[np.sort(make_rng(seed).choice(len(F), GLOSH_MAX_REFERENCE, replace=False))]
    return GloshModel(GLOSH_MIN_SAMPLES, GLOSH_MIN_CLUSTER_SIZE).fit(F).score(features)


def anomaly_scores(train_acts: dict, y_train, acts: dict, logits, k_range=(2, 10), seed: int = 0,
                   alpha: float = ALPHA) -> tuple[dict[str, np.ndarray], dict]:
    """Every detector's score of the analysed samples.

    Args:
        train_acts: ``{layer: (N, d_l)}`` activations of the training images (known classes).
        y_train: ``(N,)`` their classes.
        acts: ``{layer: (n, d_l)}`` activations of the analysed images, same layers.
        logits: ``(n, C)`` the network's outputs on the analysed images.
        k_range, seed: the path score's k-means (k by silhouette).
        alpha: the path probabilities' additive smoothing.

    Returns:
        ``(scores, info)``: ``{detector: (n,)}`` for ``DETECTORS`` plus ``path_term`` and
        ``distance_term``; ``info`` describes the fitted models (k per layer, sizes).
    """
    if list(train_acts) != list(acts):
        raise ValueError(f"anomaly_scores: training and analysed activations must hold the same layers, "
                         f"got {list(train_acts)} and {list(acts)}")
    y_train = np.asarray(y_train)
    last = list(acts)[-1]
    n_train = len(next(iter(train_acts.values())))
    if y_train.shape != (n_train,):
        raise ValueError(f"anomaly_scores: y_train must have shape ({n_train},), got {y_train.shape}")
    n = len(next(iter(acts.values())))
    logits = np.asarray(logits)
    if logits.ndim != 2 or len(logits) != n:
        raise ValueError(f"anomaly_scores: logits must have shape ({n}, classes), got {logits.shape}")
    model = fit_path_rarity(train_acts, k_range, seed, alpha)
    path = model.score(acts)
    scores = {"path": path["score"], "msp": msp_scores(logits),
              "mahalanobis": mahalanobis_scores(train_acts[last], y_train, acts[last]),
              "glosh": _glosh_scores(train_acts[last], acts[last], seed),
              "path_term": path["path_term"], "distance_term": path["distance_term"]}
    info = {"n_train": int(n_train), "last_layer": last, "path_k": model.ks, "alpha": model.alpha,
            "glosh_reference": int(min(n_train, GLOSH_MAX_REFERENCE)),
            "glosh_min_samples": GLOSH_MIN_SAMPLES, "glosh_min_cluster_size": GLOSH_MIN_CLUSTER_SIZE}
    return scores, info


def fpr_at_tpr(is_anomaly, scores, level: float = TPR_LEVEL) -> float:
    """The smallest false-positive rate among the thresholds whose true-positive rate reaches
    ``level`` (anomalies are the positives)."""
    # every threshold kept: the default drops collinear points, and the one reaching 95 % with them
    fpr, tpr, _ = roc_curve(np.asarray(is_anomaly, bool), np.asarray(scores, np.float64),
                            drop_intermediate=False)
    return float(fpr[np.argmax(tpr >= level)])


def detection_metrics(is_anomaly, scores) -> dict:
    """``{"auroc", "fpr95"}`` of ``scores`` ``(n,)`` for the labels ``is_anomaly`` ``(n,)``."""
    is_anomaly = np.asarray(is_anomaly, bool)
    if is_anomaly.all() or not is_anomaly.any():
        raise ValueError(f"detection_metrics: needs known and anomalous samples, got {int(is_anomaly.sum())} "
                         f"anomalies among {len(is_anomaly)}")
    scores = np.asarray(scores, np.float64)
    return {"auroc": float(roc_auc_score(is_anomaly, scores)), "fpr95": fpr_at_tpr(is_anomaly, scores)}


def roc_points(is_anomaly, scores, n_points: int = ROC_POINTS) -> dict:
    """The ROC curve ``{"fpr": [...], "tpr": [...]}`` read at ``n_points`` evenly spaced FPRs
    (the highest TPR reached at each), small enough for a JSON file and a figure."""
    fpr, tpr, _ = roc_curve(np.asarray(is_anomaly, bool), np.asarray(scores, np.float64),
                            drop_intermediate=False)
    grid = np.linspace(0, 1, n_points)
    at = np.searchsorted(fpr, grid, side="right") - 1
    return {"fpr": [round(float(v), 4) for v in grid], "tpr": [round(float(v), 4) for v in tpr[at]]}


def _splits(y, is_anomaly) -> dict[str, np.ndarray]:
    """``{"<class>": rows, ..., "all": rows}``: each anomaly class with every known sample, and
    all anomalies pooled when there are several classes of them."""
    known = ~is_anomaly
    classes = np.unique(y[is_anomaly])
    splits = {str(int(a)): known | (is_anomaly & (y == a)) for a in classes}
    if len(classes) > 1:
        splits["all"] = np.ones(len(y), bool)
    return splits


def evaluate_detectors(scores: dict[str, np.ndarray], y, is_anomaly, curves: bool = True) -> dict:
    """AUROC and FPR95 of every detector, pooled (``"all"``) and per anomaly class.

    Returns:
        ``{"metrics": {split: {detector: {"auroc", "fpr95"}}}, "roc": {split: {detector:
        {"fpr", "tpr"}}}}`` (``roc`` only when ``curves``); the splits are each anomaly class
        (``"4"``...) and, with several classes, ``"all"``.
    """
    y, is_anomaly = np.asarray(y), np.asarray(is_anomaly, bool)
    result: dict = {"metrics": {}, "roc": {}} if curves else {"metrics": {}}
    for split, rows in _splits(y, is_anomaly).items():
        result["metrics"][split] = {name: detection_metrics(is_anomaly[rows], s[rows])
                                    for name, s in scores.items()}
        if curves:
            result["roc"][split] = {name: roc_points(is_anomaly[rows], scores[name][rows])
                                    for name in DETECTORS if name in scores}
    return result


def _interval_text(interval) -> str:
    return f" [{interval[0]:.3f}, {interval[1]:.3f}]" if interval else ""


def verdicts(metrics: dict, differences: dict | None = None) -> list[dict]:
    """Where the path score wins and where it loses, one entry per split, by AUROC.

    Args:
        metrics: ``{split: {detector: {"auroc", ...}}}`` (``evaluate_detectors``; means over seeds
            when ``differences`` is given).
        differences: optional ``{split: {baseline: {"mean", "ci": [lo, hi]}}}``, the AUROC of the
            path score minus the baseline's over training seeds. Then "wins" needs every
            interval above 0, "loses" any interval below 0, anything else is "no clear
            difference"; without it the point estimates decide.

    Returns:
        ``[{"split", "outcome" ("wins" | "loses" | "ties"), "best_baseline", "text"}, ...]``.
    """
    result = []
    for split, by_detector in metrics.items():
        path = by_detector["path"]["auroc"]
        best = max(BASELINES, key=lambda b: by_detector[b]["auroc"])
        worst_gap = {b: path - by_detector[b]["auroc"] for b in BASELINES}
        if differences is not None and split in differences:
            cis = {b: differences[split][b]["ci"] for b in BASELINES}
            if all(ci[0] > 0 for ci in cis.values()):
                outcome = "wins"
            elif any(ci[1] < 0 for ci in cis.values()):
                outcome = "loses"
            else:
                outcome = "ties"
        else:
            cis = {b: None for b in BASELINES}
            best_auroc = by_detector[best]["auroc"]
            outcome = "wins" if min(worst_gap.values()) > 0 else "loses" if path < best_auroc else "ties"
        who = "all anomalies" if split == "all" else f"anomaly {split}"
        beaten = [b for b in BASELINES if (cis[b][1] < 0 if cis[b] else worst_gap[b] < 0)]
        text = {"wins": f"path score wins on {who}: AUROC {path:.3f}, best baseline {best} "
                        f"{by_detector[best]['auroc']:.3f}",
                "loses": f"path score loses on {who}: AUROC {path:.3f}, below "
                         + ", ".join(f"{b} {by_detector[b]['auroc']:.3f}" for b in beaten),
                "ties": f"no clear difference on {who}: path AUROC {path:.3f}, best baseline {best} "
                        f"{by_detector[best]['auroc']:.3f}"}[outcome]
        if differences is not None and split in differences:
            text += "; path minus baseline over seeds: " + ", ".join(
                f"{b} {differences[split][b]['mean']:+.3f}{_interval_text(cis[b])}" for b in BASELINES)
        result.append({"split": split, "outcome": outcome, "best_baseline": best, "text": text})
    return result
