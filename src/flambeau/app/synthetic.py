"""Synthetic studies of any size, to measure the app's responsiveness without training."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .. import files
from .store import SignatureRun

__all__ = ["synthetic_arrays", "synthetic_run", "write_synthetic_run"]


def synthetic_arrays(n: int, n_layers: int, seed: int = 0) -> tuple[dict, dict]:
    """``(summary, arrays)`` of a fake study: known classes 1, 4, 7 and anomaly class 9; each
    layer has 5 clusters that follow the class more closely layer after layer; random images."""
    rng = np.random.default_rng(seed)
    y = rng.choice([1, 4, 7, 9], size=n)
    is_anomaly = y == 9
    base = np.searchsorted([1, 4, 7, 9], y)
    clusters = np.stack([np.where(rng.random(n) < 0.5 + 0.15 * j, base, rng.integers(0, 5, n))
                         for j in range(n_layers)], axis=1)
    coords = (clusters.T[..., None] * 3 + rng.normal(size=(n_layers, n, 2))).astype(np.float32)
    arrays = {"images": rng.integers(0, 256, size=(n, 256), dtype=np.uint8), "y_true": y,
              "y_pred": np.where(is_anomaly, 7, y), "is_anomaly": is_anomaly, "clusters": clusters,
              "coords": coords, "layer_names": np.asarray([f"layer{j + 1}_ReLU" for j in range(n_layers)])}
    summary = {"name": "synthetic", "created": "", "accuracy": None, "image_shape": [16, 16],
               "config": {"dataset": "synthetic", "classes": [1, 4, 7], "anomalies": [9],
                          "n_per_class": n // 4, "hidden": [0] * n_layers, "projection": "none"},
               "layers": [], "scores": {}, "top_signatures": []}
    return summary, arrays


def synthetic_run(n: int, n_layers: int, seed: int = 0) -> SignatureRun:
    """A loaded fake study (see ``synthetic_arrays``)."""
    return SignatureRun.from_arrays("synthetic", *synthetic_arrays(n, n_layers, seed))


def write_synthetic_run(runs_dir, name: str, n: int, n_layers: int, seed: int = 0) -> Path:
    """Write a fake study as a run folder ``runs_dir/name`` the app can open."""
    summary, arrays = synthetic_arrays(n, n_layers, seed)
    folder = Path(runs_dir) / name
    files.write_npz(folder / "arrays.npz", arrays, compressed=True)
    files.write_json(folder / "study.json", {**summary, "name": name})
    return folder
