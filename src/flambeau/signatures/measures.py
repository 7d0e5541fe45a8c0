"""The measured sections of a study: anomaly detection against baselines, and the layer
scores over training seeds. ``run_signatures`` hands in the activations of its network and,
for more seeds, a function that retrains it; this module does the rest."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from tqdm.auto import tqdm

from .anomaly import BASELINES, DETECTORS, anomaly_scores, evaluate_detectors, verdicts
from .uncertainty import bootstrap_mean, seed_layer_measures, summarize_seeds

__all__ = ["PROTOCOL", "measure_study", "summarize_detection"]

PROTOCOL = ("detectors fitted on the training images of the known classes (activations, labels); scored "
            "on the analysed held-out images: known classes negative, unseen classes (anomalies) positive; "
            "larger score = more anomalous")

Retrain = Callable[[int], tuple[dict, dict, np.ndarray]]
"""``retrain(seed) -> (training activations, analysed activations, analysed logits)``."""


def summarize_detection(per_seed: list[dict], seed: int = 0) -> dict:
    """Mean and bootstrap interval over seeds of each detector's AUROC and FPR95, and of the
    paired AUROC difference path minus each baseline.

    Args:
        per_seed: ``evaluate_detectors(...)["metrics"]`` of each seed.

    Returns:
        ``{"metrics": {split: {detector: {"auroc": {...}, "fpr95": {...}}}}, "differences":
        {split: {baseline: {"mean", "ci", "values"}}}}``.
    """
    metrics, differences = {}, {}
    for split in per_seed[0]:
        detectors = per_seed[0][split]
        metrics[split] = {d: {m: bootstrap_mean([s[split][d][m] for s in per_seed], seed=seed)
                              for m in ("auroc", "fpr95")} for d in detectors}
        differences[split] = {b: bootstrap_mean([s[split]["path"]["auroc"] - s[split][b]["auroc"]
                                                 for s in per_seed], seed=seed) for b in BASELINES}
    return {"metrics": metrics, "differences": differences}


def _mean_metrics(over_seeds: dict) -> dict:
    return {split: {d: {m: v[m]["mean"] for m in v} for d, v in by_detector.items()}
            for split, by_detector in over_seeds["metrics"].items()}


def measure_study(train_acts: dict | None, y_train, acts: dict, y, is_anomaly, logits=None,
                  seeds=(0,), retrain: Retrain | None = None, k_range=(2, 10), method: str = "kmeans",
                  progress: bool = False) -> dict:
    """``{"anomaly_detection": ..., "uncertainty": ...}`` for study.json (each when it applies).

    Args:
        train_acts, y_train: activations ``{layer: (N, d)}`` and classes ``(N,)`` of the training
            images of the network studied (seed ``seeds[0]``); None: neither section.
        acts, y, is_anomaly: the analysed images' activations, classes ``(n,)``, anomaly mask.
        logits: ``(n, C)`` outputs on the analysed images (the MSP baseline); None: no anomaly
            detection.
        seeds: training seeds; the first is the network given, the others come from ``retrain``.
        retrain: ``retrain(seed) -> (train_acts, acts, logits)``; needed for more than one seed.
        k_range, method: the clustering of the study (the uncertainty section reclusters).

    Anomaly detection needs anomalies and ``logits``; the uncertainty section needs two seeds or
    more. With both, the detection metrics also get intervals over seeds, and the verdicts
    (where the path score wins or loses) use them.
    """
    seeds = [int(s) for s in seeds]
    is_anomaly = np.asarray(is_anomaly, bool)
    if train_acts is None:
        return {}
    if len(seeds) > 1 and retrain is None:
        raise ValueError(f"measure_study: {len(seeds)} seeds need a retrain function")
    detect = bool(is_anomaly.any() and (~is_anomaly).any() and logits is not None)
    result, layer_measures, detections = {}, [], []
    for i, seed in enumerate(tqdm(seeds, desc="seeds", disable=not progress or len(seeds) < 2, leave=False)):
        if i > 0:
            train_acts, acts, logits = retrain(seed)
        if detect:
            scores, info = anomaly_scores(train_acts, y_train, acts, logits, k_range, seed)
            evaluation = evaluate_detectors(scores, y, is_anomaly, curves=(i == 0))
            detections.append(evaluation["metrics"])
            if i == 0:
                result["anomaly_detection"] = {"protocol": PROTOCOL, "detectors": list(DETECTORS),
                                               "info": info, **evaluation}
        if len(seeds) > 1:
            layer_measures.append(seed_layer_measures(train_acts, y_train, acts, y, is_anomaly, k_range,
                                                      method, seed))
    if len(seeds) > 1:
        result["uncertainty"] = summarize_seeds(layer_measures, seeds, seed=seeds[0])
    if detect:
        section = result["anomaly_detection"]
        if len(seeds) > 1:
            section["over_seeds"] = summarize_detection(detections, seeds[0])
            section["verdicts"] = verdicts(_mean_metrics(section["over_seeds"]),
                                           section["over_seeds"]["differences"])
        else:
            section["verdicts"] = verdicts(section["metrics"])
    return result
