import gzip
import tracemalloc

import numpy as np
import pytest

from flambeau.datasets.idx import IDXFormatError, read_idx, write_idx


@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.int16, np.int32, np.float32, np.float64])
@pytest.mark.parametrize("suffix", ["", ".gz"])
def test_round_trip_every_dtype(tmp_path, dtype, suffix):
    array = (np.arange(24).reshape(2, 3, 4) - 5).astype(dtype)
    path = tmp_path / f"a.idx{suffix}"
    write_idx(path, array)
    back = read_idx(path)
    assert back.dtype == np.dtype(dtype).newbyteorder("=")
    np.testing.assert_array_equal(back, array)


def test_header_is_big_endian(tmp_path):
    write_idx(tmp_path / "a", np.array([1, 258], dtype=np.int32))
    assert (tmp_path / "a").read_bytes() == bytes([0, 0, 0x0C, 1, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 1, 2])


def _write(path, data: bytes):
    path.write_bytes(data)
    return path


def test_bad_magic(tmp_path):
    path = _write(tmp_path / "x", b"\x01\x02\x08\x01" + b"\x00" * 8)
    with pytest.raises(IDXFormatError, match=r"is not an IDX file: magic number must start with "
                                             r"0x0000, got 0x0102"):
        read_idx(path)


def test_unknown_dtype_code(tmp_path):
    path = _write(tmp_path / "x", b"\x00\x00\x07\x01\x00\x00\x00\x01\x00")
    with pytest.raises(IDXFormatError, match=r"has unknown dtype code 0x07 \(expected one of 0x08, "
                                             r"0x09, 0x0B, 0x0C, 0x0D, 0x0E\)"):
        read_idx(path)


def test_too_short_for_magic(tmp_path):
    path = _write(tmp_path / "x", b"\x00\x00")
    with pytest.raises(IDXFormatError, match="is truncated: 2 bytes, shorter than the 4-byte magic"):
        read_idx(path)


def test_truncated_header(tmp_path):
    path = _write(tmp_path / "x", b"\x00\x00\x08\x03\x00\x00\x00\x02")
    with pytest.raises(IDXFormatError, match=r"truncated inside its header \(8 bytes, the header "
                                             r"of 3 dims needs 16\)"):
        read_idx(path)


def test_truncated_data(tmp_path):
    path = tmp_path / "x"
    write_idx(path, np.zeros((10, 2, 2), dtype=np.uint8))
    path.write_bytes(path.read_bytes()[:-5])
    with pytest.raises(IDXFormatError, match=r"is truncated: header announces shape \(10, 2, 2\) "
                                             r"\(40 bytes of data\), got 35 bytes"):
        read_idx(path)


def test_trailing_bytes(tmp_path):
    path = tmp_path / "x"
    write_idx(path, np.zeros(3, dtype=np.float32))
    path.write_bytes(path.read_bytes() + b"junk")
    with pytest.raises(IDXFormatError, match=r"is corrupted: header announces shape \(3,\) "
                                             r"\(12 bytes of data\), got more \(trailing bytes\)"):
        read_idx(path)


def test_truncated_gzip(tmp_path):
    path = tmp_path / "x.gz"
    write_idx(path, np.arange(1000, dtype=np.int32))
    path.write_bytes(path.read_bytes()[:-20])
    with pytest.raises(IDXFormatError, match="is a truncated gzip file"):
        read_idx(path)


def test_not_gzip(tmp_path):
    path = _write(tmp_path / "x.gz", b"\x00\x00\x08\x01\x00\x00\x00\x01\x07")
    with pytest.raises(IDXFormatError, match="is not a valid gzip file"):
        read_idx(path)


def test_gzip_and_raw_give_the_same_array(tmp_path):
    array = np.arange(60, dtype=np.uint8).reshape(3, 4, 5)
    write_idx(tmp_path / "a", array)
    with gzip.open(tmp_path / "a.gz", "wb") as f:
        f.write((tmp_path / "a").read_bytes())
    np.testing.assert_array_equal(read_idx(tmp_path / "a"), read_idx(tmp_path / "a.gz"))


def test_write_rejects_unsupported_dtype(tmp_path):
    with pytest.raises(IDXFormatError, match="write_idx: dtype complex128 has no IDX code"):
        write_idx(tmp_path / "x", np.zeros(2, dtype=complex))


def _traced_peak(call):
    tracemalloc.start()
    try:
        with pytest.raises(IDXFormatError) as error:
            call()
        return error.value, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("suffix", ["", ".gz"])
def test_a_header_announcing_gigabytes_costs_what_the_file_holds(tmp_path, suffix):
    path = tmp_path / f"x{suffix}"
    data = bytes([0, 0, 8, 1]) + (4_000_000_000).to_bytes(4, "big") + b"\0" * 10
    path.write_bytes(gzip.compress(data) if suffix else data)
    error, peak = _traced_peak(lambda: read_idx(path))
    assert str(error) == (f"read_idx: {path} is truncated: header announces shape (4000000000,) "
                          "(4000000000 bytes of data), got 10 bytes")
    assert peak < 1 << 20


def test_a_header_announcing_more_than_the_limit_is_refused_unread(tmp_path):
    path = tmp_path / "x.gz"
    path.write_bytes(gzip.compress(bytes([0, 0, 0x0E, 2]) + (2**31).to_bytes(4, "big") * 2))
    error, peak = _traced_peak(lambda: read_idx(path))
    assert str(error).startswith(f"read_idx: {path} announces shape (2147483648, 2147483648) "
                                 "(36,893,488,147,419,103,232 bytes of data), more than the 4 GiB")
    assert peak < 1 << 20


def test_a_gzip_bomb_is_decompressed_no_further_than_the_header_announces(tmp_path):
    path = tmp_path / "bomb.gz"
    path.write_bytes(gzip.compress(bytes([0, 0, 8, 1]) + (10).to_bytes(4, "big") + b"\0" * 100_000_000))
    error, peak = _traced_peak(lambda: read_idx(path))
    assert "got more (trailing bytes)" in str(error)
    assert peak < 1 << 20
