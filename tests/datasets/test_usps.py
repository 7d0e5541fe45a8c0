"""USPS: the embedded copy, the course's text files, the zip.*.gz form, options."""

import gzip

import numpy as np
import pytest

from flambeau.datasets import USPSFormatError, load_usps, read_usps_text
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
    with pytest.raises(USPSFormatError, match=r"does not hold rows of 257 values \(label \+ 256 pixels\): "
                                              "101 values in all; line 1 holds 101$"):
        read_usps_text(tmp_path / "bad.txt")


ROW = "3 " + " ".join(["-1"] * 256)
TWO_ROWS = f"{ROW}\n{ROW}\n"


def _bad_row(position, token):
    """A row whose value ``position`` (1 = the label) is ``token``."""
    values = ROW.split()
    values[position - 1] = token
    return " ".join(values)


@pytest.mark.parametrize("name, text, message", [
    ("empty.txt", "", "empty.txt holds no rows; expected rows of 257 values (label + 256 pixels)"),
    ("USPS_train.txt", "label pixels\n", "USPS_train.txt holds no rows; expected rows of 257 values"),
    ("token.txt", f"{ROW}\n{_bad_row(102, 'abc')}\n",
     "token.txt, line 2: value 102 is 'abc', expected a finite number (label then 256 grey levels)"),
    ("USPS_test.txt", f"header\n{ROW}\n{_bad_row(5, '0,5')}\n", "USPS_test.txt, line 3: value 5 is '0,5'"),
    ("nan.txt", f"{_bad_row(2, 'nan')}\n", "nan.txt, line 1: value 2 is 'nan', expected a finite number"),
    ("inf32.txt", f"{ROW}\n{_bad_row(9, '1e39')}\n", "inf32.txt, line 2: value 9 is '1e39', expected a"),
    ("label.txt", f"{ROW}\n{_bad_row(1, '12')}\n", "label.txt, row 2 (line 2): label 12 is not a digit 0..9"),
    ("half.txt", f"{_bad_row(1, '2.5')}\n", "half.txt, row 1 (line 1): label 2.5 is not a digit 0..9"),
])
def test_malformed_text_names_the_file_and_line(tmp_path, name, text, message):
    (tmp_path / name).write_text(text)
    with pytest.raises(USPSFormatError) as info:
        read_usps_text(tmp_path / name)
    assert str(info.value).startswith(f"load_usps: {tmp_path}/{message}")


def test_binary_garbage_names_the_line(tmp_path):
    (tmp_path / "zip.train").write_bytes(TWO_ROWS.encode() + b"3 1 \xff\xfe 2\n")
    with pytest.raises(USPSFormatError, match=r"zip.train, line 3: byte 0xff is not text; expected numbers "
                                              "separated by spaces"):
        read_usps_text(tmp_path / "zip.train")


def test_truncated_and_invalid_gzip(tmp_path):
    packed = gzip.compress(TWO_ROWS.encode())
    (tmp_path / "zip.train.gz").write_bytes(packed[: len(packed) // 2])
    with pytest.raises(USPSFormatError, match=r"load_usps: .*zip.train.gz is a truncated gzip file "
                                              r"\(Compressed file ended before the end-of-stream marker was "
                                              r"reached\); delete it and download it again"):
        read_usps_text(tmp_path / "zip.train.gz")
    (tmp_path / "zip.test.gz").write_text(TWO_ROWS)
    with pytest.raises(USPSFormatError, match=r"load_usps: .*zip.test.gz is not a valid gzip file \(Not a "
                                              "gzipped file"):
        read_usps_text(tmp_path / "zip.test.gz")


def test_text_beyond_the_size_bound_is_refused_before_parsing(tmp_path, monkeypatch):
    from flambeau.datasets import usps

    monkeypatch.setattr(usps, "_MAX_TEXT_BYTES", 1000)
    (tmp_path / "zip.train.gz").write_bytes(gzip.compress(TWO_ROWS.encode()))  # 1,029 bytes unpacked
    with pytest.raises(USPSFormatError, match=r"zip.train.gz holds more than 0 MiB of text; a USPS file "
                                              "holds 7.4 MB"):
        read_usps_text(tmp_path / "zip.train.gz")


def test_load_usps_on_empty_files_is_a_clear_error(tmp_path):
    (tmp_path / "zip.train").write_text("")
    (tmp_path / "zip.test").write_text(TWO_ROWS)
    with pytest.raises(USPSFormatError, match=r"load_usps: .*zip.train holds no rows"):
        load_usps(data_dir=tmp_path)


def test_small_valid_file_round_trip(tmp_path):
    (tmp_path / "two.txt").write_text(TWO_ROWS.replace("-1", "1", 3))
    images, labels = read_usps_text(tmp_path / "two.txt")
    assert images.shape == (2, 256) and labels.tolist() == [3, 3]
    assert images[0, :4].tolist() == [1.0, 1.0, 1.0, 0.0]


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


@pytest.mark.parametrize("name", ["USPS_train.txt", "zip.train.gz"])
def test_a_small_file_costs_what_it_holds_not_the_size_bound(tmp_path, name):
    """Found by the fuzz suite: one read(64 MiB + 1) reserved 64 MiB for an empty file."""
    import tracemalloc

    path = tmp_path / name
    path.write_bytes(gzip.compress(b"") if name.endswith(".gz") else b"")
    tracemalloc.start()
    try:
        with pytest.raises(USPSFormatError, match=rf"^load_usps: {path} holds no rows"):
            read_usps_text(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1 << 20
