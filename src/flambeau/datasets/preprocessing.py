"""Preprocessing: one-hot labels, normalization, stratified splits."""

from __future__ import annotations

import numpy as np

__all__ = ["one_hot"]


def one_hot(y, n_classes: int | None = None, dtype=np.float32) -> np.ndarray:
    """One-hot encode integer labels.

    Args:
        y: labels ``(n,)`` in ``0..n_classes-1``.
        n_classes: number of columns; default ``max(y) + 1``.
        dtype: output dtype (float32).

    Returns:
        ``(n, n_classes)`` with ``out[i, y[i]] = 1``.
    """
    y = np.asarray(y)
    if y.ndim != 1 or (y.size and y.dtype.kind not in "iu"):
        raise ValueError(f"one_hot: y must be integer labels of shape (n,), got dtype {y.dtype} "
                         f"shape {tuple(y.shape)}")
    n_classes = int(y.max(initial=-1)) + 1 if n_classes is None else int(n_classes)
    if y.size and (y.min() < 0 or y.max() >= n_classes):
        raise ValueError(f"one_hot: labels must lie in 0..{n_classes - 1}, got range "
                         f"{int(y.min())}..{int(y.max())}")
    out = np.zeros((y.size, n_classes), dtype=dtype)
    out[np.arange(y.size), y] = 1
    return out
