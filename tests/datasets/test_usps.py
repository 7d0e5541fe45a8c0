"""USPS: the embedded copy, the course's text files, the zip.*.gz form, options."""

import gzip

import numpy as np
import pytest

from flambeau.datasets import load_usps, read_usps_text
from flambeau.datasets.locate import DatasetNotFoundError
from tests.helpers import data_dir


@pytest.fixture(scope="module")
def usps():
    return load_usps()


def test_embedded_counts_and_first_labels(usps):
    X_train, y_train, X_test, y_test = usps
    assert X_train.shape == (7291, 256) and X_test.shape == (2007, 256)
    assert X_train.dtype == np.float32 and y_train.dtype == np.int64
    assert X_train.min() == 0.0 and X_train.max() == 1.0
    assert y_train[:5].tolist() == [6, 5, 4, 7, 3] and y_test[:5].tolist() == [9, 6, 3, 6, 6]
    assert np.bincount(y_train).tolist() == [1194, 1005, 731, 658, 652, 556, 664, 645, 542, 644]


def test_embedded_equals_the_shared_reference_copy(usps):
    shared = load_usps(data_dir=data_dir("usps"))
    for ours, theirs in zip(usps, shared, strict=True):
        np.testing.assert_array_equal(ours, theirs)


def test_returned_arrays_are_fresh_copies(usps):
    X_train, y_train, _, _ = load_usps()
    X_train[0] = -1
    y_train[0] = -1
    again = load_usps()
    assert again[0][0].min() >= 0 and again[1][0] == usps[1][0]


def _course_rows(X, y):
    """Rows as the course writes them: label, then 256 grey levels in [-1, 1]."""
    return "\n".join(" ".join([str(int(label))] + [f"{v:.4f}" for v in 2 * row - 1])
                     for row, label in zip(X, y, strict=True))


def test_reads_the_course_text_files_with_header(tmp_path, usps):
    X_train, y_train, X_test, y_test = (a[:6] for a in usps)
    (tmp_path / "USPS_train.txt").write_text("label pixels\n" + _course_rows(X_train, y_train) + "\n")
    (tmp_path / "USPS_test.txt").write_text("label pixels\n" + _course_rows(X_test, y_test) + "\n")
    got = load_usps(data_dir=tmp_path, flatten=False)
    assert got[0].shape == (6, 16, 16) and got[2].shape == (6, 16, 16)
    np.testing.assert_allclose(got[0].reshape(6, -1), X_train, atol=1e-4)
    assert got[1].tolist() == y_train.tolist() and got[3].tolist() == y_test.tolist()


def test_reads_zip_gz_in_a_usps_subfolder(tmp_path, usps):
    folder = tmp_path / "usps"
    folder.mkdir()
    for name, (X, y) in {"zip.train.gz": usps[:2], "zip.test.gz": usps[2:]}.items():
        with gzip.open(folder / name, "wt") as f:
            f.write(_course_rows(X[:4], y[:4]))
    got = load_usps(data_dir=tmp_path)
    assert got[0].shape == (4, 256) and got[3].tolist() == usps[3][:4].tolist()


def test_bad_row_length(tmp_path):
    (tmp_path / "bad.txt").write_text("1 " + "0 " * 100)
    with pytest.raises(ValueError, match=r"does not hold rows of 257 values \(label \+ 256 pixels\): "
                                         "101 values in all"):
        read_usps_text(tmp_path / "bad.txt")


def test_missing_files_in_data_dir(tmp_path):
    with pytest.raises(DatasetNotFoundError, match=r"load_usps: no USPS files in .* \(looked for "
                                                   r"USPS_train.txt \+ USPS_test.txt, zip.train.gz"):
        load_usps(data_dir=tmp_path)


def test_options(usps):
    X_train, y_train, X_test, y_test = load_usps(classes=[9, 4], n_per_class=30, one_hot=True, seed=5)
    assert X_train.shape == (60, 256) and y_train.sum(axis=0).tolist() == [30, 30]
    assert y_test.shape == (int(np.isin(usps[3], [4, 9]).sum()), 2)
    again = load_usps(classes=[9, 4], n_per_class=30, one_hot=True, seed=5)
    np.testing.assert_array_equal(X_train, again[0])


@pytest.mark.parametrize("scale", [1.0, 2.0, 255.0])
def test_other_grey_level_ranges_are_mapped_to_unit(tmp_path, scale):
    pixels = np.linspace(0, 1, 256)
    (tmp_path / "a.txt").write_text("3 " + " ".join(f"{v * scale:.6f}" for v in pixels))
    images, labels = read_usps_text(tmp_path / "a.txt")
    np.testing.assert_allclose(images[0], pixels, atol=1e-5)
    assert labels.tolist() == [3]
