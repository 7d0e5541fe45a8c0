"""scikit-learn's small bundled datasets, with a seeded stratified train/test split.

Neither has an official split: ``test_fraction`` of each class goes to the test set, drawn
with ``seed`` (``train_val_split``); both parts keep the original order of the samples.

- ``load_iris``: 150 flowers, 4 features in centimetres (float32, *not* rescaled: use
  ``preprocessing.normalize`` fitted on the training part), 3 classes.
- ``load_digits``: 1,797 8x8 digit images, pixel counts 0..16 divided by 16 into [0, 1],
  10 classes.
"""

from __future__ import annotations

import numpy as np

from .preprocessing import train_val_split
from .selection import prepare_split

__all__ = ["load_digits", "load_iris"]


def load_iris(*, one_hot: bool = False, classes=None, n_per_class=None, seed: int = 0,
              test_fraction: float = 0.3, flatten: bool = True):
    """Iris as ``(X_train, y_train, X_test, y_test)``: features float32 ``(n, 4)`` (cm).

    With the default ``test_fraction=0.3``: 105 training and 45 test flowers, 15 of each class
    in the test set. ``flatten`` is accepted for a uniform signature and has no effect.
    The ``seed`` draws the split and the ``n_per_class`` cut.
    """
    from sklearn.datasets import load_iris as sklearn_iris

    bunch = sklearn_iris()
    split = train_val_split(bunch.data, bunch.target.astype(np.int64), val_fraction=test_fraction, seed=seed)
    return prepare_split(*split, n_classes=3, where="load_iris", one_hot=one_hot, classes=classes,
                         n_per_class=n_per_class, seed=seed)


def load_digits(*, flatten: bool = True, one_hot: bool = False, classes=None, n_per_class=None,
                seed: int = 0, test_fraction: float = 0.25):
    """scikit-learn's 8x8 digits as ``(X_train, y_train, X_test, y_test)``.

    Images float32 in [0, 1]: ``(n, 64)`` when ``flatten`` else ``(n, 8, 8)``. With the
    default ``test_fraction=0.25``: 1,347 training and 450 test images.
    """
    from sklearn.datasets import load_digits as sklearn_digits

    bunch = sklearn_digits()
    split = train_val_split(bunch.data, bunch.target.astype(np.int64), val_fraction=test_fraction, seed=seed)
    return prepare_split(*split, n_classes=10, where="load_digits", sample_shape=(8, 8), flatten=flatten,
                         one_hot=one_hot, classes=classes, n_per_class=n_per_class, seed=seed, scale=16.0)
