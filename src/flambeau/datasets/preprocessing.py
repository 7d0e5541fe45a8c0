"""Preprocessing: one-hot labels, normalization with reusable statistics, stratified splits.

The corruption helpers of the autoencoder studies live in ``corruption.py`` and are
re-exported here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._checks import as_float, check_int, check_real, samples
from ..random import make_rng
from .corruption import add_noise, mask_patch, mask_random, salt_and_pepper

__all__ = ["NORMALIZATIONS", "NormalizationStats", "add_noise", "mask_patch", "mask_random",
           "normalize", "one_hot", "salt_and_pepper", "train_val_split"]


def one_hot(y, n_classes: int | None = None, dtype=np.float32) -> np.ndarray:
    """One-hot encode integer labels.

    Args:
        y: labels ``(n,)`` in ``0..n_classes-1``.
        n_classes: number of columns; default ``max(y) + 1``.
        dtype: output dtype (float32).

    Returns:
        ``(n, n_classes)`` with ``out[i, y[i]] = 1``.
    """
    y = np.asarray(y) if isinstance(y, np.ndarray) else np.asarray(as_float(y, "one_hot", "y", None))
    if y.ndim != 1 or (y.size and y.dtype.kind not in "iu"):
        raise ValueError(f"one_hot: y must be integer labels of shape (n,), got dtype {y.dtype} "
                         f"shape {tuple(y.shape)}")
    n_classes = int(y.max(initial=-1)) + 1 if n_classes is None else check_int("one_hot", "n_classes",
                                                                                n_classes, 0)
    if y.size and (y.min() < 0 or y.max() >= n_classes):
        raise ValueError(f"one_hot: labels must lie in 0..{n_classes - 1}, got range "
                         f"{int(y.min())}..{int(y.max())}")
    out = np.zeros((y.size, n_classes), dtype=dtype)
    out[np.arange(y.size), y] = 1
    return out


@dataclass(frozen=True)
class NormalizationStats:
    """Fitted statistics: ``normalize`` computes ``(X - shift) / scale``.

    Attributes:
        method: ``"minmax"`` (to [0, 1]) or ``"standard"`` (zero mean, unit variance).
        shift: min or mean, ``(n_features,)`` when fitted per feature, else a scalar array.
        scale: max - min or standard deviation (1 where it is 0: constant features).
    """

    method: str
    shift: np.ndarray
    scale: np.ndarray

    def apply(self, X) -> np.ndarray:
        """``(X - shift) / scale`` in the dtype of ``X`` (float32 stays float32)."""
        X = np.asarray(X)
        dtype = X.dtype if X.dtype.kind == "f" else np.float32
        return ((X - self.shift) / self.scale).astype(dtype, copy=False)

    def invert(self, Z) -> np.ndarray:
        """Undo ``apply``: ``Z * scale + shift``."""
        Z = np.asarray(Z)
        return (Z * self.scale + self.shift).astype(Z.dtype, copy=False)


def _minmax(X: np.ndarray, axis):
    low = X.min(axis=axis)
    return low, X.max(axis=axis) - low


def _standard(X: np.ndarray, axis):
    return X.mean(axis=axis), X.std(axis=axis)


#: name -> function returning (shift, scale) of ``X`` along ``axis``.
NORMALIZATIONS = {"minmax": _minmax, "standard": _standard}


def normalize(X, method: str = "minmax", stats: NormalizationStats | None = None,
              per_feature: bool = True):
    """Scale ``X`` to [0, 1] (``"minmax"``) or to zero mean and unit variance (``"standard"``).

    Fit on the training set, then reuse the statistics on the test set::

        X_train, stats = normalize(X_train, "standard")
        X_test, _ = normalize(X_test, stats=stats)

    Args:
        X: samples ``(n, n_features)`` (or ``(n, ...)``: statistics over axis 0).
        method: a key of ``NORMALIZATIONS``; ignored when ``stats`` is given.
        stats: statistics fitted before; ``None`` fits them on ``X``.
        per_feature: one statistic per feature (axis 0) or one for the whole array.

    Returns:
        ``(normalized X, stats)``.
    """
    X = as_float(X, "normalize", "X", int_dtype=None)
    if stats is None:
        if not isinstance(method, str) or method not in NORMALIZATIONS:
            raise ValueError(f"normalize: method must be one of {sorted(NORMALIZATIONS)}, got {method!r}")
        shift, scale = NORMALIZATIONS[method](X.astype(np.float64), 0 if per_feature else None)
        scale = np.where(scale > 0, scale, 1.0)
        stats = NormalizationStats(method, np.asarray(shift), np.asarray(scale))
    return stats.apply(X), stats


def train_val_split(X, y, val_fraction: float = 0.2, seed=0, stratify: bool = True):
    """Split ``(X, y)`` into a training and a validation part, per class when ``stratify``.

    Each class ``c`` with ``n_c`` samples gives ``round(val_fraction * n_c)`` of them, drawn at
    random, to the validation part; both parts keep the original order of the samples.

    Args:
        X: samples ``(n, ...)``.
        y: labels ``(n,)`` or one-hot ``(n, k)`` (stratified on the argmax).
        val_fraction: share of each class sent to validation, in (0, 1).
        seed: seed or ``numpy.random.Generator``.
        stratify: keep the class proportions; otherwise one random draw over all samples.

    Returns:
        ``(X_train, y_train, X_val, y_val)``.
    """
    X, y = samples("train_val_split", "X", X), samples("train_val_split", "y", y)
    if len(X) != len(y):
        raise ValueError(f"train_val_split: X and y must have the same length, got {len(X)} and {len(y)}")
    check_real("train_val_split", "val_fraction", val_fraction, 0, 1, low_open=True, high_open=True)
    rng = make_rng(seed, "train_val_split", "seed")
    labels = y.argmax(axis=1) if y.ndim == 2 else y
    groups = [np.flatnonzero(labels == c) for c in np.unique(labels)] if stratify else [np.arange(len(y))]
    val = np.concatenate([rng.permutation(g)[: int(round(val_fraction * len(g)))] for g in groups])
    is_val = np.zeros(len(y), dtype=bool)
    is_val[val] = True
    return X[~is_val], y[~is_val], X[is_val], y[is_val]
