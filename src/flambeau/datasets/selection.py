"""Keeping part of a labelled dataset: a subset of classes, a number of samples per class.

``cut_per_class`` is the reports' ``cut_data``: keep ``n`` images of each kept digit, here
drawn at random (seeded) instead of the first ``n``.
"""

from __future__ import annotations

import numpy as np

from ..random import make_rng
from .preprocessing import one_hot as _one_hot

__all__ = ["cut_per_class", "finish_labels", "relabel", "select_classes"]


def select_classes(X: np.ndarray, y: np.ndarray, classes, where: str):
    """Keep the samples whose label is in ``classes`` (labels unchanged; see ``relabel``).

    Raises:
        ValueError: a requested class has no sample, naming it and the labels present.
    """
    classes = np.unique(np.asarray(list(classes), dtype=np.int64))
    present = np.unique(y)
    missing = np.setdiff1d(classes, present)
    if missing.size:
        raise ValueError(f"{where}: classes {missing.tolist()} not in the labels "
                         f"(present: {present.tolist()})")
    keep = np.isin(y, classes)
    return X[keep], y[keep]


def relabel(y: np.ndarray, classes) -> np.ndarray:
    """Map each label to its rank among the sorted ``classes``: ``[3, 8]`` -> 3 -> 0, 8 -> 1."""
    classes = np.unique(np.asarray(list(classes), dtype=np.int64))
    return np.searchsorted(classes, y).astype(np.int64)


def cut_per_class(X: np.ndarray, y: np.ndarray, n: int, rng, where: str):
    """Keep ``n`` samples of each class, drawn without replacement, in their original order.

    Args:
        X: samples ``(n_samples, ...)``.
        y: labels ``(n_samples,)``.
        n: samples kept per class.
        rng: seed or ``numpy.random.Generator``.
        where: caller named in error messages.

    Raises:
        ValueError: ``n`` is not positive, or a class has fewer than ``n`` samples.
    """
    if int(n) < 1:
        raise ValueError(f"{where}: n_per_class must be a positive integer, got {n}")
    rng = make_rng(rng)
    chosen = []
    for label in np.unique(y):  # a loop over classes, not samples
        indices = np.flatnonzero(y == label)
        if indices.size < n:
            raise ValueError(f"{where}: n_per_class={n} but class {label} has only "
                             f"{indices.size} samples")
        chosen.append(rng.choice(indices, size=int(n), replace=False))
    keep = np.sort(np.concatenate(chosen))
    return X[keep], y[keep]


def finish_labels(y: np.ndarray, n_classes: int, one_hot: bool) -> np.ndarray:
    """Labels as int64 ``(n,)``, or float32 one-hot ``(n, n_classes)`` when ``one_hot``."""
    y = np.asarray(y, dtype=np.int64)
    return _one_hot(y, n_classes) if one_hot else y
