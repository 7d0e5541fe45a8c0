"""Every named dataset of flambeau: its loader, its class names, and where it is available.

``load_dataset("mnist", n_per_class=100)`` calls the loader by name; ``locate_dataset`` says
whether the data is here and where, without loading it (used by ``flambeau datasets``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .fetch import find_dataset
from .idx_datasets import load_fashion_mnist, load_kmnist, load_mnist
from .registry import DATASETS as IDX_DATASETS
from .tabular import load_digits, load_iris
from .usps import embedded_usps_paths, find_usps_files, load_usps

__all__ = ["CLASS_NAMES", "LOADERS", "Availability", "load_dataset", "locate_dataset"]

LOADERS = {
    "usps": load_usps,
    "mnist": load_mnist,
    "fashion-mnist": load_fashion_mnist,
    "kmnist": load_kmnist,
    "iris": load_iris,
    "digits": load_digits,
}

CLASS_NAMES = {
    "usps": tuple(str(d) for d in range(10)),
    "iris": ("setosa", "versicolor", "virginica"),
    "digits": tuple(str(d) for d in range(10)),
    **{name: spec.class_names for name, spec in IDX_DATASETS.items()},
}


@dataclass(frozen=True)
class Availability:
    """Where a dataset is, as far as can be told without loading it.

    Attributes:
        name: catalog name.
        status: ``"embedded"``, ``"found"``, ``"bundled"`` (ships with scikit-learn) or
            ``"missing"`` (an IDX dataset that a load would download).
        where: folder and how it was found, or what a load would do.
        files: the data files found, empty when none.
    """

    name: str
    status: str
    where: str
    files: tuple[Path, ...] = field(default=())

    @property
    def available(self) -> bool:
        return self.status != "missing"

    @property
    def size_bytes(self) -> int:
        return sum(path.stat().st_size for path in self.files)


def load_dataset(name: str, **kwargs):
    """Call the loader of dataset ``name`` (a key of ``LOADERS``) with ``kwargs``."""
    if name not in LOADERS:
        raise KeyError(f"load_dataset: unknown dataset {name!r}; known: {', '.join(LOADERS)}")
    return LOADERS[name](**kwargs)


def locate_dataset(name: str, data_dir=None) -> Availability:
    """Where dataset ``name`` is available (see ``Availability``)."""
    if name not in LOADERS:
        raise KeyError(f"locate_dataset: unknown dataset {name!r}; known: {', '.join(LOADERS)}")
    if name == "usps":
        found = find_usps_files(data_dir) if data_dir is not None else None
        if found:
            return Availability(name, "found", f"{found[0].parent} (data_dir)", found)
        paths = embedded_usps_paths()
        return Availability(name, "embedded", f"{paths[0].parent} (in the package)", paths)
    if name in ("iris", "digits"):
        return Availability(name, "bundled", "scikit-learn (sklearn.datasets)")
    spec = IDX_DATASETS[name]
    found = find_dataset(spec, data_dir)
    if found is None:
        return Availability(name, "missing", f"not here; a load downloads it from {spec.mirrors[0]}")
    location, paths = found
    return Availability(name, "found", f"{location.path} ({location.origin})", tuple(paths))
