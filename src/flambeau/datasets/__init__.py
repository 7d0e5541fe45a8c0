"""Datasets: loaders returning ``(X_train, y_train, X_test, y_test)``."""

from .idx_datasets import load_fashion_mnist, load_idx_dataset, load_kmnist, load_mnist
from .usps import load_usps, read_usps_text

__all__ = ["load_fashion_mnist", "load_idx_dataset", "load_kmnist", "load_mnist", "load_usps",
           "read_usps_text"]
