"""Datasets: loaders returning ``(X_train, y_train, X_test, y_test)``, synthetic generators,
preprocessing, augmentation.

Loaders: ``load_usps`` (embedded), ``load_mnist``, ``load_fashion_mnist``, ``load_kmnist``
(IDX files found locally or downloaded, see ``locate``), ``load_iris``, ``load_digits``
(scikit-learn, seeded stratified split). Images are float32 in [0, 1], flattened by default;
labels int64, or float32 one-hot with ``one_hot=True``. ``classes=`` keeps a subset of labels
relabelled 0..k-1 in sorted order; ``n_per_class=`` keeps that many random training samples
per class (seeded by ``seed=``).
"""

from .augmentation import shift_augment, shift_images
from .catalog import LOADERS, load_dataset, locate_dataset
from .corruption import add_noise, mask_patch, mask_random, salt_and_pepper
from .download import ChecksumError, DownloadError
from .idx import IDXFormatError, read_idx, write_idx
from .idx_datasets import load_fashion_mnist, load_idx_dataset, load_kmnist, load_mnist
from .locate import DatasetNotFoundError, cache_dir
from .preprocessing import NormalizationStats, normalize, one_hot, train_val_split
from .registry import DATASETS
from .selection import cut_per_class
from .synthetic import gen_arti, make_moons, make_sine_regression
from .tabular import load_digits, load_iris
from .usps import USPSFormatError, load_usps, read_usps_text

__all__ = [
    "ChecksumError",
    "DATASETS",
    "DatasetNotFoundError",
    "DownloadError",
    "IDXFormatError",
    "LOADERS",
    "NormalizationStats",
    "USPSFormatError",
    "add_noise",
    "cache_dir",
    "cut_per_class",
    "gen_arti",
    "load_dataset",
    "load_digits",
    "load_fashion_mnist",
    "load_idx_dataset",
    "load_iris",
    "load_kmnist",
    "load_mnist",
    "load_usps",
    "locate_dataset",
    "make_moons",
    "make_sine_regression",
    "mask_patch",
    "mask_random",
    "normalize",
    "one_hot",
    "read_idx",
    "read_usps_text",
    "salt_and_pepper",
    "shift_augment",
    "shift_images",
    "train_val_split",
    "write_idx",
]
