"""Classification on latent codes versus raw pixels."""

from __future__ import annotations

import numpy as np

from flambeau.analysis import classifier_scores, latent_classification_study


def test_classifier_on_separable_blobs():
    rng = np.random.default_rng(0)
    y = np.repeat(np.arange(3), 40)
    X = np.eye(3)[y] * 3 + rng.normal(scale=0.3, size=(120, 3))
    result = classifier_scores(X[::2], y[::2], X[1::2], y[1::2], hidden=8, epochs=30, lr=1e-2, seed=0)
    assert result["accuracy"] > 0.95 and result["macro_f1"] > 0.95 and result["input_dim"] == 3


def test_latent_vs_raw(trained_ae, usps_small):
    X_train, y_train, X_test, y_test = usps_small
    result = latent_classification_study(trained_ae, X_train, y_train, X_test, y_test, hidden=16,
                                         epochs=5, lr=1e-2, seed=0)
    assert result["latent"]["input_dim"] == 8 and result["raw"]["input_dim"] == 256
    for space in ("latent", "raw"):
        assert 0.3 < result[space]["accuracy"] <= 1  # far above chance (0.1) on 10 digits
    assert result["accuracy_gap"] == result["raw"]["accuracy"] - result["latent"]["accuracy"]
