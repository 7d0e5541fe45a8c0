"""2-D maps of each layer's activations (UMAP as in the report, or PCA for speed)."""

from __future__ import annotations

import numpy as np
from sklearn.decomposition import PCA

__all__ = ["PROJECTIONS", "project", "project_layers"]


def _umap(A: np.ndarray, seed: int) -> np.ndarray:
    import umap  # slow import (numba); only when asked for

    n_neighbors = max(2, min(15, len(A) - 1))
    return umap.UMAP(n_components=2, n_neighbors=n_neighbors, random_state=seed, n_jobs=1).fit_transform(A)


def _pca(A: np.ndarray, seed: int) -> np.ndarray:
    coords = np.zeros((len(A), 2))
    n_comp = min(2, A.shape[1], len(A))
    coords[:, :n_comp] = PCA(n_components=n_comp, random_state=seed).fit_transform(A)
    return coords


PROJECTIONS = {"pca": _pca, "umap": _umap}


def project(A: np.ndarray, method: str = "umap", seed: int = 0) -> np.ndarray:
    """Map ``A`` ``(n, d)`` to the plane: ``(n, 2)`` float32."""
    if method not in PROJECTIONS:
        raise ValueError(f"project: method must be one of {sorted(PROJECTIONS)}, got {method!r}")
    return np.asarray(PROJECTIONS[method](np.asarray(A, np.float32), seed), np.float32)


def project_layers(acts: dict[str, np.ndarray], method: str = "umap", seed: int = 0) -> np.ndarray:
    """One map per layer: ``(L, n, 2)`` float32, layers in the order of ``acts``."""
    return np.stack([project(A, method, seed) for A in acts.values()])
