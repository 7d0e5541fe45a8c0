"""Keeping part of a labelled dataset: a subset of classes, a number of samples per class.

``cut_per_class`` is the reports' ``cut_data``: keep ``n`` images of each kept digit, here
drawn at random (seeded) instead of the first ``n``.
"""

from __future__ import annotations

import math

import numpy as np

from .._checks import check_bool, check_int
from ..random import make_rng
from .preprocessing import one_hot as _one_hot

__all__ = ["cut_per_class", "finish_labels", "prepare_split", "relabel", "select_classes"]


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
    n = check_int(where, "n_per_class", n)
    rng = make_rng(rng, where, "seed")
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
    y = np.array(y, dtype=np.int64)  # a fresh, writable copy
    return _one_hot(y, n_classes) if one_hot else y


def prepare_split(X_train, y_train, X_test, y_test, *, n_classes: int, where: str, sample_shape=None,
                  flatten: bool = True, one_hot: bool = False, classes=None, n_per_class=None,
                  seed: int = 0, scale: float = 1.0):
    """Apply the options shared by every loader to a train/test split.

    Classes are selected and the training set cut *before* the float conversion, so that a
    small subset of a large uint8 set costs little memory.

    Args:
        X_train, X_test: samples ``(n, ...)`` of any numeric dtype.
        y_train, y_test: integer labels ``(n,)`` in ``0..n_classes-1``.
        n_classes: number of classes of the full dataset (one-hot width without ``classes``).
        where: loader named in error messages.
        sample_shape: shape of one sample when not flattened (``(28, 28)``); ``None`` for
            tabular data, which is returned ``(n, n_features)``.
        flatten, one_hot, classes, n_per_class, seed: see ``flambeau.datasets``.
        scale: samples are returned as ``float32(X) / scale``.

    Returns:
        ``(X_train, y_train, X_test, y_test)``.
    """
    flatten, one_hot = check_bool(where, "flatten", flatten), check_bool(where, "one_hot", one_hot)
    classes = _check_classes(where, classes)
    if classes is not None:
        X_train, y_train = select_classes(X_train, y_train, classes, where)
        X_test, y_test = select_classes(X_test, y_test, classes, where)
        y_train, y_test = relabel(y_train, classes), relabel(y_test, classes)
        n_classes = len(set(classes))
    if n_per_class is not None:
        X_train, y_train = cut_per_class(X_train, y_train, n_per_class, seed, where)
    X_train, X_test = (_as_samples(X, sample_shape, flatten, scale) for X in (X_train, X_test))
    return (X_train, finish_labels(y_train, n_classes, one_hot),
            X_test, finish_labels(y_test, n_classes, one_hot))


def _check_classes(where: str, classes):
    """``classes`` as a list of ints (or None), else a ``ValueError`` naming ``where``."""
    if classes is None:
        return None
    values = list(classes) if isinstance(classes, (list, tuple, range, np.ndarray)) else None
    if not values or not all(isinstance(c, (int, np.integer)) and not isinstance(c, bool) for c in values):
        raise ValueError(f"{where}: classes must be a non-empty list of integer labels, got {classes!r:.100}")
    return [int(c) for c in values]


def _as_samples(X: np.ndarray, sample_shape, flatten: bool, scale: float) -> np.ndarray:
    X = np.array(X, dtype=np.float32)  # always a fresh, writable copy (loaders cache their arrays)
    if scale != 1.0:
        X /= np.float32(scale)
    if sample_shape is None or flatten:
        return X.reshape(X.shape[0], math.prod(X.shape[1:]))
    return X.reshape(len(X), *sample_shape)
