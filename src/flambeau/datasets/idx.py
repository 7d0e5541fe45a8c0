"""Reader for the IDX format of MNIST-like datasets (gzip-compressed or raw).

An IDX file is a big-endian header followed by the array, row-major::

    byte 0-1   0x00 0x00
    byte 2     dtype code (0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64)
    byte 3     number of dimensions d
    4 * d      each dimension as an unsigned 32-bit integer
    ...        prod(dims) items of the dtype, big-endian
"""

from __future__ import annotations

import gzip
import math
import zlib
from pathlib import Path

import numpy as np

from ..files import atomic_write
from .raw import read_prefix

__all__ = ["IDX_DTYPES", "IDXFormatError", "MAX_IDX_BYTES", "read_idx", "write_idx"]

IDX_DTYPES = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}


MAX_IDX_BYTES = 4 << 30
"""The most data an IDX header may announce (MNIST's training images: 47 MB)."""


class IDXFormatError(ValueError):
    """An IDX file is truncated, corrupted, or not an IDX file at all."""


def read_idx(path) -> np.ndarray:
    """Read an IDX file (``.gz`` compressed or raw) into an array in native byte order.

    Args:
        path: file path; a name ending in ``.gz`` is decompressed.

    Returns:
        The array, of shape given by the header (e.g. ``(60000, 28, 28)`` uint8).

    Raises:
        IDXFormatError: bad magic number, unknown dtype code, a header announcing more than
            ``MAX_IDX_BYTES``, or a size that does not match the header (truncated download,
            trailing garbage), naming the file. The header is read first: no more than it
            announces (plus one byte) is ever read or decompressed.
    """
    path = Path(path)
    head = _read_bytes(path, 4)
    ndim = head[3] if len(head) >= 4 else 0
    head = _read_bytes(path, 4 + 4 * ndim)
    dtype, dims, offset = _parse_header(path, head)
    expected = math.prod(dims) * dtype.itemsize
    if expected > MAX_IDX_BYTES:
        raise IDXFormatError(f"read_idx: {path} announces shape {dims} ({expected:,} bytes of data), "
                             f"more than the {MAX_IDX_BYTES >> 30} GiB this reader accepts")
    data = _read_bytes(path, offset + expected + 1)
    received = len(data) - offset
    if received < expected:
        raise IDXFormatError(f"read_idx: {path} is truncated: header announces shape {dims} "
                             f"({expected} bytes of data), got {received} bytes")
    if received > expected:
        raise IDXFormatError(f"read_idx: {path} is corrupted: header announces shape {dims} "
                             f"({expected} bytes of data), got more (trailing bytes)")
    array = np.frombuffer(data, dtype=dtype, count=int(np.prod(dims)), offset=offset)
    return array.reshape(dims).astype(dtype.newbyteorder("="), copy=False)


def write_idx(path, array: np.ndarray) -> None:
    """Write ``array`` as an IDX file (gzip-compressed when ``path`` ends in ``.gz``).

    Used by tests and by anyone converting data; the dtype must be one of ``IDX_DTYPES``.
    """
    array = np.asarray(array)
    codes = {dt.newbyteorder("="): code for code, dt in IDX_DTYPES.items()}
    native = array.dtype.newbyteorder("=")
    if native not in codes:
        raise IDXFormatError(f"write_idx: dtype {array.dtype} has no IDX code; use one of "
                             f"uint8, int8, int16, int32, float32, float64")
    header = bytes([0, 0, codes[native], array.ndim])
    header += np.asarray(array.shape, dtype=">u4").tobytes()
    body = np.ascontiguousarray(array, dtype=IDX_DTYPES[codes[native]]).tobytes()
    with atomic_write(path) as file:
        if str(path).endswith(".gz"):
            with gzip.GzipFile(filename=str(path), mode="wb", fileobj=file) as compressed:
                compressed.write(header + body)
        else:
            file.write(header + body)


def _read_bytes(path: Path, count: int) -> bytes:
    """The first ``count`` bytes of the (decompressed) file, fewer if it is shorter."""
    try:
        return read_prefix(path, count)
    except EOFError as error:
        raise IDXFormatError(f"read_idx: {path} is a truncated gzip file ({error}); "
                             "delete it and download it again") from error
    except (gzip.BadGzipFile, zlib.error) as error:
        raise IDXFormatError(f"read_idx: {path} is not a valid gzip file ({error})") from error


def _parse_header(path: Path, data: bytes) -> tuple[np.dtype, tuple[int, ...], int]:
    if len(data) < 4:
        raise IDXFormatError(f"read_idx: {path} is truncated: {len(data)} bytes, "
                             "shorter than the 4-byte magic number")
    if data[0] != 0 or data[1] != 0:
        raise IDXFormatError(f"read_idx: {path} is not an IDX file: magic number must start "
                             f"with 0x0000, got 0x{data[0]:02x}{data[1]:02x}")
    if data[2] not in IDX_DTYPES:
        known = ", ".join(f"0x{code:02X}" for code in IDX_DTYPES)
        raise IDXFormatError(f"read_idx: {path} has unknown dtype code 0x{data[2]:02X} "
                             f"(expected one of {known})")
    ndim = data[3]
    if ndim == 0:
        raise IDXFormatError(f"read_idx: {path} announces 0 dimensions")
    offset = 4 + 4 * ndim
    if len(data) < offset:
        raise IDXFormatError(f"read_idx: {path} is truncated inside its header "
                             f"({len(data)} bytes, the header of {ndim} dims needs {offset})")
    dims = tuple(int(d) for d in np.frombuffer(data, dtype=">u4", count=ndim, offset=4))
    return IDX_DTYPES[data[2]], dims, offset
