"""MNIST, Fashion-MNIST and Kuzushiji-MNIST: 28x28 grey images in 10 classes, 60,000 / 10,000.

Every loader returns ``(X_train, y_train, X_test, y_test)``:

- images float32 in [0, 1] (pixel / 255), ``(n, 784)`` when ``flatten`` (the default) else
  ``(n, 28, 28)``; ``Conv2D`` takes channels-last images: pass ``X[..., None]``,
  ``(n, 28, 28, 1)``;
- labels int64 ``(n,)``, or float32 one-hot ``(n, k)`` with ``one_hot=True``.

``classes=[3, 8]`` keeps those labels, relabelled 0..k-1 in sorted order (train and test);
``n_per_class=100`` keeps 100 random training images per class (seeded by ``seed``; the test
set is never cut). Files are found as described in ``flambeau.datasets.locate`` or downloaded.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np

from .fetch import fetch_dataset
from .idx import IDXFormatError, read_idx
from .registry import FASHION_MNIST, KMNIST, MNIST, IDXDataset
from .selection import prepare_split

__all__ = ["load_fashion_mnist", "load_idx_dataset", "load_kmnist", "load_mnist"]


def load_idx_dataset(spec: IDXDataset, *, flatten: bool = True, one_hot: bool = False, classes=None,
                     n_per_class: int | None = None, seed: int = 0, data_dir=None,
                     download: bool = True, progress: bool = True, where: str | None = None):
    """Load an IDX dataset described by ``spec``.

    Args:
        spec: the dataset (``registry.MNIST``...).
        flatten: images ``(n, h * w)`` (default) or ``(n, h, w)``.
        one_hot: labels float32 ``(n, k)`` instead of int64 ``(n,)``.
        classes: keep these labels, relabelled 0..k-1 in sorted order.
        n_per_class: keep this many random training images per class.
        seed: seed of the ``n_per_class`` draw.
        data_dir: folder searched first for the four files.
        download: allow a download into the user cache when the files are nowhere.
        progress: show a download progress bar.
        where: name used in messages.

    Returns:
        ``(X_train, y_train, X_test, y_test)``.

    Raises:
        DatasetNotFoundError: not found locally and not downloadable (message says where it
            looked and how to provide the files).
        ChecksumError: a download did not match its SHA-256.
        IDXFormatError: a file is truncated, corrupted or of the wrong shape.
    """
    where = where or f"load {spec.title}"
    paths = fetch_dataset(spec, data_dir=data_dir, download=download, progress=progress, where=where)
    X_train, y_train = _read_pair(paths[0], paths[1], spec.image_shape, where)
    X_test, y_test = _read_pair(paths[2], paths[3], spec.image_shape, where)
    return prepare_split(X_train, y_train, X_test, y_test, n_classes=spec.n_classes, where=where,
                         sample_shape=spec.image_shape, flatten=flatten, one_hot=one_hot,
                         classes=classes, n_per_class=n_per_class, seed=seed, scale=255.0)


def load_mnist(*, flatten: bool = True, one_hot: bool = False, classes=None, n_per_class=None,
               seed: int = 0, data_dir=None, download: bool = True, progress: bool = True):
    """MNIST handwritten digits (LeCun et al.). Arguments as in ``load_idx_dataset``."""
    return load_idx_dataset(MNIST, flatten=flatten, one_hot=one_hot, classes=classes,
                            n_per_class=n_per_class, seed=seed, data_dir=data_dir, download=download,
                            progress=progress, where="load_mnist")


def load_fashion_mnist(*, flatten: bool = True, one_hot: bool = False, classes=None, n_per_class=None,
                       seed: int = 0, data_dir=None, download: bool = True, progress: bool = True):
    """Fashion-MNIST (Zalando) clothing images. Arguments as in ``load_idx_dataset``."""
    return load_idx_dataset(FASHION_MNIST, flatten=flatten, one_hot=one_hot, classes=classes,
                            n_per_class=n_per_class, seed=seed, data_dir=data_dir, download=download,
                            progress=progress, where="load_fashion_mnist")


def load_kmnist(*, flatten: bool = True, one_hot: bool = False, classes=None, n_per_class=None,
                seed: int = 0, data_dir=None, download: bool = True, progress: bool = True):
    """Kuzushiji-MNIST (cursive Japanese characters, CODH). Arguments as in ``load_idx_dataset``."""
    return load_idx_dataset(KMNIST, flatten=flatten, one_hot=one_hot, classes=classes,
                            n_per_class=n_per_class, seed=seed, data_dir=data_dir, download=download,
                            progress=progress, where="load_kmnist")


def _read_pair(images_path: Path, labels_path: Path, image_shape, where: str):
    """Decoded uint8 images ``(n, h, w)`` and int64 labels ``(n,)``, checked against each other."""
    stamp = tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in (images_path, labels_path))
    images, labels = _decode_pair(stamp)
    if images.ndim != 3 or images.shape[1:] != tuple(image_shape) or images.dtype != np.uint8:
        raise IDXFormatError(f"{where}: {images_path} must hold uint8 images of shape "
                             f"(n, {image_shape[0]}, {image_shape[1]}), got {images.dtype} "
                             f"{tuple(images.shape)}")
    if labels.ndim != 1 or len(labels) != len(images):
        raise IDXFormatError(f"{where}: {labels_path} must hold {len(images)} labels (one per "
                             f"image of {images_path.name}), got shape {tuple(labels.shape)}")
    return images, labels.astype(np.int64)


@functools.lru_cache(maxsize=4)
def _decode_pair(stamp):
    # Decoding MNIST takes ~0.5 s; keep the last few arrays, read-only, keyed on (path, mtime, size).
    arrays = read_idx(stamp[0][0]), read_idx(stamp[1][0])
    for array in arrays:
        array.flags.writeable = False
    return arrays
