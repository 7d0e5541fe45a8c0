"""Bootstrap intervals over seeds, the linear probe and the separation layer."""

import numpy as np
import pytest

from flambeau.signatures.uncertainty import (
    bootstrap_mean,
    linear_probe,
    seed_layer_measures,
    separation_with_interval,
    summarize_seeds,
)

NAMES = ["l1", "l2", "l3"]


def test_bootstrap_mean_and_interval():
    constant = bootstrap_mean([0.9] * 10)
    assert constant["mean"] == pytest.approx(0.9) and constant["ci"] == pytest.approx([0.9, 0.9])
    values = np.linspace(0.8, 1.0, 10)
    result = bootstrap_mean(values, seed=3)
    assert result == bootstrap_mean(values, seed=3)  # seeded
    low, high = result["ci"]
    assert result["mean"] == pytest.approx(0.9) and values.min() < low < 0.9 < high < values.max()
    # the percentile interval of a mean of 10 values is about 2 standard errors wide on each side
    assert high - low == pytest.approx(2 * 1.96 * values.std() / np.sqrt(10), rel=0.2)
    with pytest.raises(ValueError, match="bootstrap_mean: values must be a non-empty"):
        bootstrap_mean([])


def test_linear_probe_separates_separable_classes(rng):
    X = np.concatenate([rng.normal(0, 1, (60, 5)), rng.normal(4, 1, (60, 5))])
    y = np.repeat([3, 8], 60)
    assert linear_probe(X[::2], y[::2], X[1::2], y[1::2]) == 1.0
    assert linear_probe(rng.normal(size=(100, 5)), rng.integers(0, 2, 100), rng.normal(size=(100, 5)),
                        rng.integers(0, 2, 100)) < 0.7


def test_separation_layer_its_interval_and_the_probe():
    purity = np.array([[0.90, 0.97, 0.99]] * 6 + [[0.99, 0.97, 0.99]] * 4)  # mean 0.936 at l1
    probe = np.array([[0.97, 0.99, 0.99]] * 10)
    result = separation_with_interval(purity, probe, NAMES, threshold=0.95)
    assert result["layer"] == "l2" and result["probe_layer"] == "l1" and not result["agrees"]
    assert result["seed_layers"] == ["l2"] * 6 + ["l1"] * 4
    # a resample holding 6 or more of the 4 good seeds (probability 0.17) crosses at l1
    assert result["interval"] == ["l1", "l2"] and 0.7 < result["share_of_resamples"] < 0.95
    assert "classes separate at l2 (mean purity 0.970 >= 0.95 over 10 seeds" in result["text"]
    assert "the linear probe reaches 0.95 earlier, at l1 (0.970)" in result["text"]
    agreeing = separation_with_interval(purity, np.array([[0.8, 0.97, 0.99]] * 10), NAMES, threshold=0.95)
    assert agreeing["agrees"]
    assert "the linear probe agrees (0.970 there, below 0.95 before)" in agreeing["text"]
    none = separation_with_interval(purity * 0.5, probe * 0.5, NAMES, threshold=0.95)
    assert none["layer"] is None and none["interval"] == ["none", "none"] and not none["agrees"]
    assert none["text"].startswith("no layer reaches mean purity 0.95 over 10 seeds (the purest is l3, 0.495")


def _blobs(rng, n, shift):
    return {"a": rng.normal(0, 1, (n, 4)) + shift[:, None], "b": rng.normal(0, 1, (n, 3)) + shift[:, None]}


def test_seed_measures_and_their_summary(rng):
    y_train, y = np.repeat([0, 1], 50), np.repeat([0, 1, 2], [30, 30, 10])
    is_anomaly = y == 2
    per_seed = []
    for seed in range(3):
        train, acts = _blobs(rng, 100, 8.0 * y_train), _blobs(rng, 70, 8.0 * y)
        per_seed.append(seed_layer_measures(train, y_train, acts, y, is_anomaly, (2, 3), "kmeans", seed))
    assert set(per_seed[0]) == {"a", "b"}
    assert per_seed[0]["a"]["purity"] == 1.0 and per_seed[0]["a"]["probe_accuracy"] == 1.0
    assert per_seed[0]["a"]["k"] == 3 and per_seed[0]["a"]["labels"].shape == (70,)  # anomalies get a cluster
    summary = summarize_seeds(per_seed, [0, 1, 2])
    layer = summary["layers"]["a"]
    assert layer["purity"]["ci"] == [1.0, 1.0] and layer["k"] == {"values": [3, 3, 3], "counts": {"3": 3},
                                                                    "mode": 3, "mode_share": 1.0}
    assert layer["partition_agreement_ari"] == pytest.approx(1.0)
    assert summary["separation"]["layer"] == "a" and summary["separation"]["agrees"]
    with pytest.raises(ValueError, match="summarize_seeds: one measure per seed expected, got 3 for 2 seeds"):
        summarize_seeds(per_seed, [0, 1])
