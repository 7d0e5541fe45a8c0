"""Fixtures of the app tests: a tiny real study in a temporary runs folder, and synthetic
studies of any size (for the responsiveness measurement)."""

from __future__ import annotations

import pytest

from flambeau.signatures import SignatureConfig, run_signatures

TINY = SignatureConfig(classes=(1, 7), n_per_class=30, hidden=(8, 6), anomalies=(4,), n_anomalies=15,
                   epochs=20, lr=0.1, k_range=(2, 4), projection="pca")


@pytest.fixture(scope="session")
def runs_dir(tmp_path_factory):
    runs = tmp_path_factory.mktemp("app_runs")
    run_signatures(TINY, runs, show_progress=False, figures=False)
    return runs


@pytest.fixture
def synthetic():
    """``synthetic(n, n_layers) -> SignatureRun`` of a fake study."""
    from flambeau.app.synthetic import synthetic_run

    return synthetic_run
