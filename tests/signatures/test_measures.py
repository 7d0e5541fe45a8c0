"""The measured sections of a study: anomaly detection and intervals over seeds."""

import numpy as np
import pytest

from flambeau.signatures.measures import measure_study


def _observe(rng, y, spread=1.0):
    shift = np.where(y == 9, 14.0, 7.0 * y)
    return {"h1": rng.normal(0, spread, (len(y), 4)) + shift[:, None],
            "h2": rng.normal(0, spread, (len(y), 3)) + shift[:, None]}


@pytest.fixture
def study(rng):
    y_train = np.repeat([0, 1], 60)
    y = np.repeat([0, 1, 9], [40, 40, 20])
    logits = np.stack([-np.abs(np.minimum(y, 1) - 0.0), -np.abs(np.minimum(y, 1) - 1.0)], axis=1)
    return y_train, y, y == 9, logits


def test_one_seed_measures_anomaly_detection_only(rng, study):
    y_train, y, is_anomaly, logits = study
    result = measure_study(_observe(rng, y_train), y_train, _observe(rng, y), y, is_anomaly, logits,
                           k_range=(2, 3))
    assert list(result) == ["anomaly_detection"]
    section = result["anomaly_detection"]
    assert set(section["metrics"]["9"]) == {"path", "msp", "mahalanobis", "glosh", "path_term",
                                            "distance_term"}
    assert section["metrics"]["9"]["path"]["auroc"] == 1.0
    assert set(section["roc"]["9"]) == {"path", "msp", "mahalanobis", "glosh"}
    assert section["verdicts"][0]["split"] == "9" and "over_seeds" not in section


def test_seeds_retrain_and_give_intervals(rng, study):
    y_train, y, is_anomaly, logits = study
    calls = []

    def retrain(seed):
        calls.append(seed)
        return _observe(rng, y_train), _observe(rng, y), logits

    result = measure_study(_observe(rng, y_train), y_train, _observe(rng, y), y, is_anomaly, logits,
                           seeds=[5, 6, 7], retrain=retrain, k_range=(2, 3))
    assert calls == [6, 7]
    assert result["uncertainty"]["seeds"] == [5, 6, 7]
    assert result["uncertainty"]["separation"]["layer"] == "h1"
    over = result["anomaly_detection"]["over_seeds"]
    assert over["metrics"]["9"]["path"]["auroc"]["values"] == [1.0, 1.0, 1.0]
    assert len(over["differences"]["9"]["msp"]["values"]) == 3
    assert "path minus baseline over seeds" in result["anomaly_detection"]["verdicts"][0]["text"]


def test_no_anomaly_or_no_training_activations_means_no_detection(rng, study):
    y_train, y, _, logits = study
    known = y != 9
    assert measure_study(_observe(rng, y_train), y_train, _observe(rng, y[known]), y[known],
                         np.zeros(known.sum(), bool), logits[known]) == {}
    assert measure_study(None, None, _observe(rng, y), y, y == 9, logits) == {}
    with pytest.raises(ValueError, match="measure_study: 2 seeds need a retrain function"):
        measure_study(_observe(rng, y_train), y_train, _observe(rng, y), y, y == 9, logits, seeds=[0, 1])
