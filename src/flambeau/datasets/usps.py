"""USPS handwritten digits (16x16), embedded in the package.

7,291 training and 2,007 test images, the "zip code" data of *The Elements of Statistical
Learning*. Each text row holds the digit label then 256 grey levels in [-1, 1].
"""

from __future__ import annotations

import gzip
from importlib import resources

import numpy as np

__all__ = ["load_usps", "read_usps_text"]

_SHAPE = (16, 16)


def read_usps_text(path) -> tuple[np.ndarray, np.ndarray]:
    """Read a USPS text file (``zip.train[.gz]`` form, or the course's ``USPS_*.txt`` with a
    header line). Returns images ``(n, 256)`` float32 in [0, 1] and labels ``(n,)`` int64."""
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rt") as f:
        lines = f.read().splitlines()
    if lines and not _is_number(lines[0].split()[0]):
        lines = lines[1:]  # the course's files start with a header line
    values = np.array(" ".join(lines).split(), dtype=np.float32)
    if values.size % 257:
        raise ValueError(f"load_usps: {path} does not hold rows of 257 values (label + 256 "
                         f"pixels): {values.size} values in all")
    rows = values.reshape(-1, 257)
    labels = rows[:, 0].astype(np.int64)
    images = (rows[:, 1:] + 1) / 2  # [-1, 1] -> [0, 1]
    return np.clip(images, 0, 1), labels


def _is_number(token: str) -> bool:
    try:
        float(token)
    except ValueError:
        return False
    return True


def load_usps(flatten: bool = True):
    """The embedded USPS digits as ``(X_train, y_train, X_test, y_test)``.

    Images are float32 in [0, 1]: ``(n, 256)`` when ``flatten`` else ``(n, 16, 16)``.
    """
    data = resources.files("flambeau.datasets") / "data"
    with resources.as_file(data / "zip.train.gz") as train, \
            resources.as_file(data / "zip.test.gz") as test:
        X_train, y_train = read_usps_text(train)
        X_test, y_test = read_usps_text(test)
    if not flatten:
        X_train, X_test = X_train.reshape(-1, *_SHAPE), X_test.reshape(-1, *_SHAPE)
    return X_train, y_train, X_test, y_test
