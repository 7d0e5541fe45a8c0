"""Shared tiny data for the study tests: a USPS subset and an autoencoder trained on it briefly."""

from __future__ import annotations

import numpy as np
import pytest

from flambeau import AutoEncoder, Identity, Sequential
from flambeau.analysis import train_autoencoder
from flambeau.datasets import load_usps


@pytest.fixture(scope="session")
def usps_small():
    X_train, y_train, X_test, y_test = load_usps()
    rng = np.random.default_rng(0)
    train, test = rng.choice(len(X_train), 600, replace=False), rng.choice(len(X_test), 150, replace=False)
    return X_train[train], y_train[train], X_test[test], y_test[test]


@pytest.fixture(scope="session")
def trained_ae(usps_small):
    X_train = usps_small[0]
    ae = AutoEncoder.symmetric(256, 8, hidden=[32], rng=0)
    train_autoencoder(ae, X_train, epochs=8, batch_size=32, lr=3e-3, seed=0, progress=False)
    return ae


@pytest.fixture
def identity_ae():
    """An "autoencoder" that returns its input: reconstruction error = corruption error."""
    return AutoEncoder(Sequential(Identity()), Sequential(Identity()))
