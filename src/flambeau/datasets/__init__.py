"""Datasets: loaders returning ``(X_train, y_train, X_test, y_test)``."""

from .usps import load_usps, read_usps_text

__all__ = ["load_usps", "read_usps_text"]
