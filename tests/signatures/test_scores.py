import numpy as np
import pytest

from flambeau.signatures import (
    anomaly_routing,
    layer_scores,
    majority_paths,
    path_entropy,
    paths,
    score_paths,
    separation_layer,
)

Y = np.array([0, 0, 0, 1, 1, 1])
L1 = np.array([0, 0, 1, 1, 1, 1])


def test_perfect_clusters_score_one_and_separation_is_the_first_pure_layer():
    assert layer_scores(Y, Y) == {"nmi": 1.0, "ari": 1.0, "purity": 1.0}
    scores = {"l1": layer_scores(L1, Y), "l2": layer_scores(Y, Y)}
    assert scores["l1"]["purity"] == pytest.approx(5 / 6)
    assert separation_layer(scores, 0.95) == "l2"
    assert separation_layer(scores, 0.8) == "l1"
    assert separation_layer({"l1": scores["l1"]}, 0.95) is None


def test_majority_paths_and_entropy():
    signatures = np.stack([L1, Y], axis=1)
    assert majority_paths(signatures, Y) == {0: {"path": [0, 0], "share": 2 / 3},
                                             1: {"path": [1, 1], "share": 1.0}}
    assert path_entropy(np.array([[0, 0], [0, 0], [1, 1], [1, 1]])) == pytest.approx(1.0)
    assert path_entropy(np.array([[3, 1]] * 5)) == 0.0


def test_anomaly_routing_shares_per_known_class():
    y = np.array([0, 0, 1, 1, 9, 9, 9, 9])
    anomaly = y == 9
    clusters = np.array([[0], [0], [1], [1], [0], [1], [1], [2]])
    result = anomaly_routing(clusters, y, anomaly, ["l1"])
    assert result[9]["routing"]["l1"] == {"0": 0.25, "1": 0.5, "none": 0.25}
    assert result[9]["n"] == 4 and result[9]["distinct_paths"] == 3
    assert result[9]["path_entropy_bits"] == pytest.approx(1.5)


def test_score_paths_uses_known_samples_for_layer_scores():
    y = np.array([0, 0, 1, 1, 5])
    anomaly = np.array([0, 0, 0, 0, 1], bool)
    p = paths({"l1": np.array([0, 0, 1, 1, 0])}, y, np.array([0, 0, 1, 1, 0]), anomaly)
    scores = score_paths(p, y, anomaly)
    assert scores["layers"]["l1"] == {"nmi": 1.0, "ari": 1.0, "purity": 1.0}
    assert scores["separation"] == {"threshold": 0.95, "criterion": "purity >= threshold",
                                    "first_layer": "l1"}
    assert scores["anomalies"]["5"]["routing"]["l1"] == {"0": 1.0, "1": 0.0, "none": 0.0}
