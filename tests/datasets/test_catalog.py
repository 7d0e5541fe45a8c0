import numpy as np
import pytest

from flambeau.datasets import LOADERS, load_dataset, locate_dataset
from flambeau.datasets.catalog import CLASS_NAMES
from tests.datasets.tiny_idx import write_tiny
from tests.helpers import data_dir


def test_every_loader_has_class_names():
    assert set(CLASS_NAMES) == set(LOADERS)
    assert CLASS_NAMES["fashion-mnist"][9] == "Ankle boot" and len(CLASS_NAMES["kmnist"]) == 10


def test_load_dataset_by_name():
    X_train, y_train, _, _ = load_dataset("usps", classes=[0, 1], n_per_class=5)
    assert X_train.shape == (10, 256) and np.bincount(y_train).tolist() == [5, 5]
    with pytest.raises(KeyError, match="load_dataset: unknown dataset 'cifar'; known: usps, mnist"):
        load_dataset("cifar")


def test_locate(isolated):
    assert locate_dataset("usps").status == "embedded"
    assert locate_dataset("iris").status == "bundled" and locate_dataset("iris").files == ()
    missing = locate_dataset("kmnist")
    assert not missing.available and missing.where.startswith("not here; a load downloads it from http")
    write_tiny(isolated / "mine" / "kmnist")
    found = locate_dataset("kmnist", data_dir=isolated / "mine")
    assert found.status == "found" and found.where == f"{isolated / 'mine' / 'kmnist'} (data_dir)"
    assert found.size_bytes == sum(p.stat().st_size for p in (isolated / "mine" / "kmnist").iterdir())


def test_locate_real_mnist():
    place = locate_dataset("mnist", data_dir=data_dir("mnist"))
    assert place.status == "found" and len(place.files) == 4 and place.size_bytes > 10_000_000
