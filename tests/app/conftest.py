"""Fixtures of the app tests: a tiny real study in a temporary runs folder, and synthetic
studies of any size (for the responsiveness measurement)."""

from __future__ import annotations

import numpy as np
import pytest

from flambeau.signatures import StudyConfig, run_study

TINY = StudyConfig(classes=(1, 7), n_per_class=30, hidden=(8, 6), anomalies=(4,), n_anomalies=15,
                   epochs=20, eps=0.1, k_range=(2, 4), projection="pca")


@pytest.fixture(scope="session")
def runs_dir(tmp_path_factory):
    runs = tmp_path_factory.mktemp("app_runs")
    run_study(TINY, runs, show_progress=False, figures=False)
    return runs


def synthetic_arrays(n: int, n_layers: int, seed: int = 0) -> tuple[dict, dict]:
    """``(summary, arrays)`` of a fake study: 3 known classes and 1 anomaly class, each layer
    clustered in 5 clusters that follow the class more and more closely."""
    rng = np.random.default_rng(seed)
    y = rng.choice([1, 4, 7, 9], size=n)
    is_anomaly = y == 9
    layer_of_class = {1: 0, 4: 1, 7: 2, 9: 3}
    base = np.vectorize(layer_of_class.get)(y)
    clusters = np.stack([np.where(rng.random(n) < 0.5 + 0.15 * j, base, rng.integers(0, 5, n))
                         for j in range(n_layers)], axis=1)
    coords = (clusters.T[..., None] * 3 + rng.normal(size=(n_layers, n, 2))).astype(np.float32)
    arrays = {"images": rng.integers(0, 256, size=(n, 256), dtype=np.uint8), "y_true": y,
              "y_pred": np.where(is_anomaly, 7, y), "is_anomaly": is_anomaly, "clusters": clusters,
              "coords": coords, "layer_names": np.asarray([f"layer{j + 1}_ReLU" for j in range(n_layers)])}
    summary = {"name": "synthetic", "config": {"classes": [1, 4, 7], "anomalies": [9]},
               "image_shape": [16, 16], "layers": [], "scores": {}}
    return summary, arrays


@pytest.fixture
def synthetic():
    """``synthetic(n, n_layers) -> StudyData`` of a fake study."""
    from flambeau.app.store import StudyData

    def build(n: int, n_layers: int, seed: int = 0) -> StudyData:
        return StudyData.from_arrays("synthetic", *synthetic_arrays(n, n_layers, seed))

    return build
