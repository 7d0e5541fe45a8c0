"""Anomaly detectors and their metrics: hand-computed values and the reference formulas."""

import numpy as np
import pytest
from sklearn.covariance import EmpiricalCovariance

from flambeau.signatures.anomaly import (
    anomaly_scores,
    detection_metrics,
    evaluate_detectors,
    fpr_at_tpr,
    mahalanobis_scores,
    msp_scores,
    roc_points,
    verdicts,
)


def test_msp_is_one_minus_the_largest_softmax_probability():
    np.testing.assert_allclose(msp_scores(np.array([[0.0, 0.0], [np.log(3.0), 0.0]])), [0.5, 0.25])
    np.testing.assert_allclose(msp_scores(np.array([[1000.0, 0.0, 0.0], [0.0, 0.0, 0.0]])), [0.0, 2 / 3])
    message = r"msp_scores: logits must have shape \(n, classes >= 2\), got \(3,\)"
    with pytest.raises(ValueError, match=message):
        msp_scores(np.zeros(3))


def test_mahalanobis_uses_class_means_and_a_shared_covariance(rng):
    F = np.concatenate([rng.normal(0, 1, (200, 3)), rng.normal(5, 1, (200, 3))]) @ np.diag([1.0, 2.0, 0.5])
    y = np.repeat([0, 1], 200)
    G = rng.normal(2, 3, (20, 3))
    means = np.stack([F[y == 0].mean(0), F[y == 1].mean(0)])
    # Lee et al. 2018: the covariance of the class-centred features, sklearn's EmpiricalCovariance
    precision = EmpiricalCovariance(assume_centered=True).fit(F - means[y]).precision_
    expected = np.min([[(g - m) @ precision @ (g - m) for m in means] for g in G], axis=1)
    np.testing.assert_allclose(mahalanobis_scores(F, y, G), expected, rtol=1e-8)
    message = (r"mahalanobis_scores: training features \(N, d\) with labels \(N,\) and features \(n, d\) "
               r"expected, got \(400, 3\), \(400,\) and \(20, 2\)")
    with pytest.raises(ValueError, match=message):
        mahalanobis_scores(F, y, G[:, :2])


def test_a_dead_unit_does_not_break_mahalanobis(rng):
    F = np.concatenate([rng.normal(0, 1, (50, 3)), np.zeros((50, 1))], axis=1)  # a ReLU unit never firing
    scores = mahalanobis_scores(F, rng.integers(0, 2, 50), np.ones((4, 4)))
    assert np.all(np.isfinite(scores))


def test_fpr_at_95_tpr_by_hand():
    # anomalies (1) score 5..24, known (0) score 0..9: to catch 95 % of 20 anomalies (19) the threshold
    # is 6, above 4 of the 10 known
    scores = np.concatenate([np.arange(10), np.arange(5, 25)])
    labels = np.repeat([False, True], [10, 20])
    assert fpr_at_tpr(labels, scores) == pytest.approx(0.4)
    metrics = detection_metrics(labels, scores)
    assert metrics["fpr95"] == pytest.approx(0.4)
    # pairs (anomaly above known) of 200: 5 + 6 + 7 + 8 + 9 for anomalies 5..9, 5 ties at half, 15 * 10
    assert metrics["auroc"] == pytest.approx((35 + 2.5 + 150) / 200)
    with pytest.raises(ValueError, match="detection_metrics: needs known and anomalous samples, got 0 "
                                         "anomalies among 3"):
        detection_metrics(np.zeros(3, bool), np.arange(3))


def test_auroc_matches_the_pair_count_definition(rng):
    scores, labels = rng.normal(size=300), rng.random(300) < 0.3
    pos, neg = scores[labels], scores[~labels]
    pairs = (pos[:, None] > neg[None, :]).mean() + 0.5 * (pos[:, None] == neg[None, :]).mean()
    assert detection_metrics(labels, scores)["auroc"] == pytest.approx(pairs)


def test_roc_points_are_monotone_and_end_at_one(rng):
    labels = rng.random(200) < 0.5
    curve = roc_points(labels, labels + rng.normal(0, 0.8, 200), n_points=11)
    assert curve["fpr"] == [round(v, 4) for v in np.linspace(0, 1, 11)]
    assert curve["tpr"] == sorted(curve["tpr"]) and curve["tpr"][-1] == 1.0


def test_evaluation_splits_pooled_and_per_class(rng):
    y = np.array([1] * 30 + [7] * 30 + [4] * 10 + [3] * 10)
    is_anomaly = np.isin(y, [4, 3])
    perfect = is_anomaly + rng.uniform(0, 0.5, len(y))
    reversed_for_3 = np.where(y == 3, -1.0, perfect)
    result = evaluate_detectors({"path": perfect, "msp": reversed_for_3}, y, is_anomaly)
    assert list(result["metrics"]) == ["3", "4", "all"]
    assert result["metrics"]["4"]["path"] == {"auroc": 1.0, "fpr95": 0.0}
    assert result["metrics"]["3"]["msp"]["auroc"] == 0.0 and result["metrics"]["4"]["msp"]["auroc"] == 1.0
    assert result["metrics"]["all"]["msp"]["auroc"] == pytest.approx(0.5)
    assert set(result["roc"]["all"]) == {"path", "msp"}
    single = evaluate_detectors({"path": perfect}, np.where(y == 3, 4, y), is_anomaly, curves=False)
    assert list(single) == ["metrics"] and list(single["metrics"]) == ["4"]  # one class: no "all"


def _metrics(path, msp, maha, glosh):
    return {"4": {"path": {"auroc": path}, "msp": {"auroc": msp}, "mahalanobis": {"auroc": maha},
                  "glosh": {"auroc": glosh}}}


def test_verdicts_from_point_estimates():
    assert verdicts(_metrics(0.9, 0.8, 0.85, 0.7))[0]["outcome"] == "wins"
    lost = verdicts(_metrics(0.8, 0.9, 0.85, 0.7))[0]
    assert lost["outcome"] == "loses" and lost["best_baseline"] == "msp"
    assert lost["text"] == "path score loses on anomaly 4: AUROC 0.800, below msp 0.900, mahalanobis 0.850"


def test_verdicts_with_intervals_over_seeds():
    def diff(lo, hi):
        return {"mean": (lo + hi) / 2, "ci": [lo, hi]}

    clear = {"4": {"msp": diff(0.01, 0.1), "mahalanobis": diff(0.02, 0.05), "glosh": diff(0.1, 0.2)}}
    assert verdicts(_metrics(0.9, 0.8, 0.85, 0.7), clear)[0]["outcome"] == "wins"
    overlap = {"4": {"msp": diff(-0.01, 0.1), "mahalanobis": diff(0.02, 0.05), "glosh": diff(0.1, 0.2)}}
    tie = verdicts(_metrics(0.9, 0.8, 0.85, 0.7), overlap)[0]
    assert tie["outcome"] == "ties" and "msp +0.045 [-0.010, 0.100]" in tie["text"]
    below = {"4": {"msp": diff(-0.2, -0.1), "mahalanobis": diff(0.02, 0.05), "glosh": diff(0.1, 0.2)}}
    assert verdicts(_metrics(0.9, 0.8, 0.85, 0.7), below)[0]["outcome"] == "loses"


def test_unseen_blobs_are_detected_by_every_activation_detector(rng):
    centres = {0: 0.0, 1: 6.0}
    y_train = np.repeat([0, 1], 100)
    train = {"h1": np.stack([rng.normal(centres[c], 1, 4) for c in y_train]),
             "h2": np.stack([rng.normal(centres[c], 1, 3) for c in y_train])}
    y = np.array([0] * 40 + [1] * 40 + [9] * 20)
    is_anomaly = y == 9
    shift = np.where(is_anomaly, 15.0, np.vectorize(centres.get)(np.minimum(y, 1)))
    acts = {"h1": rng.normal(0, 1, (100, 4)) + shift[:, None],
            "h2": rng.normal(0, 1, (100, 3)) + shift[:, None]}
    logits = np.stack([-np.abs(shift - 0), -np.abs(shift - 6)], axis=1)  # the far blob looks like class 1
    scores, info = anomaly_scores(train, y_train, acts, logits, k_range=(2, 4))
    assert info["path_k"] == [2, 2] and info["last_layer"] == "h2" and info["glosh_reference"] == 200
    metrics = evaluate_detectors(scores, y, is_anomaly)["metrics"]["9"]
    for detector in ("path", "mahalanobis", "glosh", "distance_term"):
        assert metrics[detector]["auroc"] == 1.0, detector
    assert metrics["msp"]["auroc"] < 0.8  # confident on the far blob: the known weakness of MSP
    with pytest.raises(ValueError, match=r"anomaly_scores: logits must have shape \(100, classes\), "
                                         r"got \(99, 2\)"):
        anomaly_scores(train, y_train, acts, logits[:99])
    with pytest.raises(ValueError, match=r"anomaly_scores: training and analysed activations must hold the "
                                         r"same layers, got \['h1', 'h2'\] and \['h1'\]"):
        anomaly_scores(train, y_train, {"h1": acts["h1"]}, logits)
