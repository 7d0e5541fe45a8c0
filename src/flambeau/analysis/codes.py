"""Latent codes of a dataset, seeded subsampling, and seeds for scikit-learn."""

from __future__ import annotations

import numpy as np

from ..training import predict

__all__ = ["encode", "sklearn_seed", "subsample"]


def encode(model, X, batch_size: int = 1024) -> np.ndarray:
    """Latent codes ``(n, k)`` of ``X`` ``(n, d)`` through ``model.encoder``, by chunks, in eval mode."""
    if not hasattr(model, "encoder"):
        raise TypeError(f"encode: expected an AutoEncoder (a module with .encoder), "
                        f"got {type(model).__name__}")
    return predict(model.encoder, X, batch_size)


def subsample(X, y, max_samples: int | None, seed=0):
    """``(X, y)`` restricted to a seeded random subset of ``max_samples`` rows (order kept)."""
    X, y = np.asarray(X), np.asarray(y)
    if len(X) != len(y):
        raise ValueError(f"subsample: X and y must hold the same number of samples, "
                         f"got {len(X)} and {len(y)}")
    if max_samples is None or len(X) <= max_samples:
        return X, y
    rows = np.sort(np.random.default_rng(sklearn_seed(seed)).choice(len(X), max_samples, replace=False))
    return X[rows], y[rows]


def sklearn_seed(seed) -> int:
    """An int ``random_state`` for scikit-learn from None (0), an int or a ``numpy`` Generator."""
    if isinstance(seed, np.random.Generator):
        return int(seed.integers(2**31 - 1))
    return 0 if seed is None else int(seed)
