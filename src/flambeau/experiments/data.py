"""Dataset access for the studies: one ``load(name)`` turning missing data into ``StudySkipped``."""

from __future__ import annotations

import importlib

from .spec import StudySkipped

__all__ = ["LOADERS", "load"]

LOADERS = {
    "usps": "load_usps",
    "mnist": "load_mnist",
    "fashion-mnist": "load_fashion_mnist",
    "kmnist": "load_kmnist",
    "iris": "load_iris",
}
IDX_DATASETS = {"mnist", "fashion-mnist", "kmnist"}


def load(name: str, download: bool = False, **kwargs):
    """``(X_train, y_train, X_test, y_test)`` of a dataset, flattened images in [0, 1].

    IDX datasets (MNIST, Fashion-MNIST, KMNIST) are searched where ``flambeau.datasets`` looks
    ($FLAMBEAU_DATA, the user cache, ...); ``download`` allows fetching them from the mirrors.

    Raises:
        StudySkipped: the dataset (or its loader) is not available here; the message says why.
    """
    datasets = importlib.import_module("flambeau.datasets")
    loader = getattr(datasets, LOADERS[name], None)
    if loader is None:
        raise StudySkipped(f"flambeau.datasets.{LOADERS[name]} is not available in this version")
    if name in IDX_DATASETS:
        kwargs = {"download": download, "progress": False, **kwargs}
    try:
        return loader(**kwargs)
    except (FileNotFoundError, OSError) as error:
        raise StudySkipped(f"{name} data not found: {error}") from error
