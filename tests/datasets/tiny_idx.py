"""Tiny MNIST-like IDX datasets written on the fly by the dataset tests."""

from __future__ import annotations

import dataclasses

import numpy as np

from flambeau.datasets.idx import write_idx
from flambeau.datasets.registry import MNIST, DatasetFile

TINY_SHAPE = (4, 5)


def tiny_arrays(seed: int = 0):
    """Train (30 images, labels 0..2 ten each) and test (9 images) uint8 arrays."""
    rng = np.random.default_rng(seed)
    y_train = np.repeat(np.arange(3, dtype=np.uint8), 10)
    y_test = np.repeat(np.arange(3, dtype=np.uint8), 3)
    X_train = rng.integers(0, 256, size=(30, *TINY_SHAPE), dtype=np.uint8)
    X_test = rng.integers(0, 256, size=(9, *TINY_SHAPE), dtype=np.uint8)
    return X_train, y_train, X_test, y_test


def write_tiny(folder, arrays=None, spec=None):
    """Write the four IDX files of ``spec`` (default: the tiny spec) into ``folder``."""
    spec = spec or tiny_spec()
    folder.mkdir(parents=True, exist_ok=True)
    for file, array in zip(spec.files, arrays or tiny_arrays(), strict=True):
        write_idx(folder / file.name, array)
    return folder


def tiny_spec(**changes):
    """An MNIST-like spec named ``tiny-test`` with 4x5 images and 3 classes."""
    files = {role: DatasetFile(getattr(MNIST, role).name, None)
             for role in ("train_images", "train_labels", "test_images", "test_labels")}
    fields = dict(name="tiny-test", title="Tiny", image_shape=TINY_SHAPE,
                  class_names=("a", "b", "c"), mirrors=(), homepage="(tests)", **files)
    fields.update(changes)
    return dataclasses.replace(MNIST, **fields)
