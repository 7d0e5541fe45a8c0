"""Loaders of MNIST-like datasets: real files (counts, first labels, decoded checksums) and tiny
generated ones (options, errors)."""

import hashlib

import numpy as np
import pytest

from flambeau.datasets import load_fashion_mnist, load_idx_dataset, load_mnist
from flambeau.datasets.fetch import find_dataset
from flambeau.datasets.idx import IDXFormatError
from flambeau.datasets.idx_datasets import _read_pair
from flambeau.datasets.registry import FASHION_MNIST, MNIST
from tests.datasets.tiny_idx import TINY_SHAPE, tiny_arrays, tiny_spec, write_tiny
from tests.helpers import data_dir

# SHA-256 of the decoded uint8 arrays (array.tobytes()) of the shared reference copies. The
# shared MNIST was rebuilt from PNGs, so its gzip bytes differ from the official mirror's.
DECODED_SHA256 = {
    "mnist": ("741c988805d008ac6e4c904b69001ba184c24b2c540a4ef403f4c71b676cf757",
              "1feba77c54802fa5339a11837ea4b2866434b83314ec45192930f1df69120c13",
              "6d87418db22cc8025d05968bec9bd5c3932904b23485740db143a061a2c9d161",
              "ddeff807876a9661a1110d45c266c86239a3a1b7d37da0c3716a7a683c852ff5"),
    "fashion-mnist": ("2e487a6c89124f78f2d7521542223cafe96f7123c3ca13d447772ac6ecbb3012",
                      "657fbd221bfc9f4198cc14b5619cc33ec57c58dd0e47af4d99d6650759e869a7",
                      "c867c93ff95360594e8ec3287995350b824dd110b11595c0e13d5423f621867a",
                      "3d0e6c6ea990b53b6f8f500a41cac93881d981b315f84578b7d915342ade01e9"),
}
FIRST_LABELS = {
    "mnist": ([5, 0, 4, 1, 9, 2, 1, 3, 1, 4], [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]),
    "fashion-mnist": ([9, 0, 0, 3, 0, 2, 7, 2, 5, 5], [9, 2, 1, 1, 6, 1, 4, 6, 5, 7]),
}
MNIST_TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]


@pytest.fixture(scope="module")
def mnist():
    return load_mnist(data_dir=data_dir("mnist"), download=False)


@pytest.fixture(scope="module")
def fashion():
    return load_fashion_mnist(data_dir=data_dir("fashion-mnist"), download=False)


@pytest.mark.parametrize("spec", [MNIST, FASHION_MNIST], ids=["mnist", "fashion-mnist"])
def test_real_files_decode_to_the_reference_arrays(spec, mnist, fashion):
    _, paths = find_dataset(spec, data_dir(spec.name))
    # _read_pair is the loader's cached decoder: the module's fixtures have already paid for it
    arrays = [*_read_pair(paths[0], paths[1], (28, 28), "t"), *_read_pair(paths[2], paths[3], (28, 28), "t")]
    digests = tuple(hashlib.sha256(array.astype(np.uint8).tobytes()).hexdigest() for array in arrays)
    assert digests == DECODED_SHA256[spec.name]


@pytest.mark.parametrize("name", ["mnist", "fashion"])
def test_real_counts_shapes_and_first_labels(name, mnist, fashion):
    X_train, y_train, X_test, y_test = {"mnist": mnist, "fashion": fashion}[name]
    assert X_train.shape == (60000, 784) and X_test.shape == (10000, 784)
    assert X_train.dtype == np.float32 and y_train.dtype == np.int64
    assert 0 <= X_train.min() and X_train.max() == 1.0
    first_train, first_test = FIRST_LABELS["mnist" if name == "mnist" else "fashion-mnist"]
    assert y_train[:10].tolist() == first_train and y_test[:10].tolist() == first_test


def test_real_mnist_class_counts(mnist):
    assert np.bincount(mnist[1]).tolist() == MNIST_TRAIN_COUNTS
    assert np.bincount(mnist[3], minlength=10).sum() == 10000


def test_real_mnist_options_agree_with_the_full_set(mnist):
    X_train, y_train, X_test, y_test = load_mnist(data_dir=data_dir("mnist"), download=False,
                                                  classes=[7, 1], n_per_class=50, one_hot=True,
                                                  flatten=False, seed=3)
    assert X_train.shape == (100, 28, 28) and y_train.shape == (100, 2)
    assert y_train.sum(axis=0).tolist() == [50, 50]
    assert y_test.sum(axis=0).tolist() == [1135, 1028]  # label 1 -> 0, label 7 -> 1
    # every kept training image is an image of the full set with the same (relabelled) class
    full = mnist[0].reshape(-1, 28, 28)
    rows = [np.flatnonzero((full == image).all(axis=(1, 2)))[0] for image in X_train[:5]]
    assert [mnist[1][r] for r in rows] == [[1, 7][k] for k in y_train[:5].argmax(axis=1)]


@pytest.fixture
def tiny(tmp_path):
    return tiny_spec(), write_tiny(tmp_path / "tiny")


def test_tiny_defaults(tiny):
    spec, folder = tiny
    X_train, y_train, X_test, y_test = load_idx_dataset(spec, data_dir=folder, download=False)
    raw = tiny_arrays()
    assert X_train.shape == (30, 20) and X_test.shape == (9, 20)
    np.testing.assert_allclose(X_train, raw[0].reshape(30, 20) / 255, rtol=1e-6)
    assert y_train.tolist() == raw[1].tolist() and y_test.dtype == np.int64


def test_tiny_unflattened_one_hot(tiny):
    spec, folder = tiny
    X_train, y_train, _, y_test = load_idx_dataset(spec, data_dir=folder, download=False,
                                                   flatten=False, one_hot=True)
    assert X_train.shape == (30, *TINY_SHAPE)
    assert y_train.dtype == np.float32 and y_train.shape == (30, 3)
    np.testing.assert_array_equal(y_test.argmax(axis=1), tiny_arrays()[3])


def test_tiny_classes_relabel_in_sorted_order(tiny):
    spec, folder = tiny
    X_train, y_train, X_test, y_test = load_idx_dataset(spec, data_dir=folder, download=False,
                                                        classes=[2, 0])
    raw = tiny_arrays()
    assert sorted(set(y_train.tolist())) == [0, 1] and len(y_train) == 20
    np.testing.assert_allclose(X_train[y_train == 1], raw[0][20:].reshape(10, 20) / 255, rtol=1e-6)
    assert y_test.tolist() == [0, 0, 0, 1, 1, 1]


def test_tiny_n_per_class_is_seeded(tiny):
    spec, folder = tiny
    a = load_idx_dataset(spec, data_dir=folder, download=False, n_per_class=4, seed=1)
    b = load_idx_dataset(spec, data_dir=folder, download=False, n_per_class=4, seed=1)
    c = load_idx_dataset(spec, data_dir=folder, download=False, n_per_class=4, seed=2)
    assert np.bincount(a[1]).tolist() == [4, 4, 4]
    np.testing.assert_array_equal(a[0], b[0])
    assert not np.array_equal(a[0], c[0])
    assert len(a[3]) == 9  # the test set is never cut


def test_tiny_errors(tiny):
    spec, folder = tiny
    with pytest.raises(ValueError, match=r"load Tiny: classes \[5\] not in the labels "
                                         r"\(present: \[0, 1, 2\]\)"):
        load_idx_dataset(spec, data_dir=folder, download=False, classes=[0, 5])
    with pytest.raises(ValueError, match="load Tiny: n_per_class=11 but class 0 has only 10 samples"):
        load_idx_dataset(spec, data_dir=folder, download=False, n_per_class=11)


def test_images_of_the_wrong_shape(tmp_path):
    folder = write_tiny(tmp_path / "tiny")
    spec = tiny_spec(image_shape=(28, 28), name="tiny-wrong")
    with pytest.raises(IDXFormatError, match=r"train-images-idx3-ubyte.gz must hold uint8 images of "
                                             r"shape \(n, 28, 28\), got uint8 \(30, 4, 5\)"):
        load_idx_dataset(spec, data_dir=folder, download=False)


def test_labels_count_mismatch(tmp_path):
    X_train, y_train, X_test, y_test = tiny_arrays()
    folder = write_tiny(tmp_path / "tiny", (X_train, y_train[:-1], X_test, y_test))
    with pytest.raises(IDXFormatError, match=r"must hold 30 labels \(one per image of "
                                             r"train-images-idx3-ubyte.gz\), got shape \(29,\)"):
        load_idx_dataset(tiny_spec(name="tiny-count"), data_dir=folder, download=False)
