"""Stratified samples of rows: what the silhouette, k-means and UMAP fit on when n is large."""

from __future__ import annotations

import numpy as np

__all__ = ["stratified_rows"]


def stratified_rows(n: int, size: int, strata=None, seed: int = 0) -> np.ndarray:
    """Sorted indices ``(min(n, size),)`` of a random sample of ``size`` rows among ``n``.

    All rows (``arange(n)``) when ``n <= size``. With ``strata`` ``(n,)`` (e.g. the true
    classes), each stratum s keeps its share: ``floor(size * n_s / n)`` rows, the rows left
    over going to the largest fractional parts (Hamilton's rule), drawn at random within it.

    Raises:
        ValueError: ``strata`` of another shape than ``(n,)``, or ``size < 1``.
    """
    if size < 1:
        raise ValueError(f"stratified_rows: size must be >= 1, got {size}")
    if n <= size:
        return np.arange(n)
    rng = np.random.default_rng(seed)
    if strata is None:
        return np.sort(rng.choice(n, size=size, replace=False))
    strata = np.asarray(strata)
    if strata.shape != (n,):
        raise ValueError(f"stratified_rows: strata must have shape ({n},), got {strata.shape}")
    _, inverse, counts = np.unique(strata, return_inverse=True, return_counts=True)
    quota = counts * size / n
    take = np.floor(quota).astype(np.int64)
    left = size - int(take.sum())
    take[np.argsort(-(quota - take), kind="stable")[:left]] += 1
    order = np.lexsort((rng.random(n), inverse))  # rows by stratum, shuffled within each
    starts = np.cumsum(counts) - counts
    rank = np.arange(n) - starts[inverse[order]]  # position of each row within its stratum
    return np.sort(order[rank < take[inverse[order]]])
