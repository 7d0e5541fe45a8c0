"""USPS handwritten digits (16x16), embedded in the package.

7,291 training and 2,007 test images, the "zip code" data of *The Elements of Statistical
Learning*. Each text row holds the digit label then 256 grey levels in [-1, 1], mapped here to
[0, 1] by ``(v + 1) / 2`` (copies holding [0, 1], [0, 2] or 0..255 grey levels are detected
and divided by that bound).

The embedded copy (``flambeau/datasets/data/zip.{train,test}.gz``) is used unless ``data_dir``
is given; that folder (or its ``usps/`` sub-folder) may hold the course's ``USPS_train.txt`` /
``USPS_test.txt`` (a header line, then the rows) or ``zip.train[.gz]`` / ``zip.test[.gz]``.
"""

from __future__ import annotations

import functools
import gzip
import zlib
from importlib import resources
from pathlib import Path

import numpy as np

from .._checks import check_path
from .locate import DatasetNotFoundError
from .raw import read_prefix
from .selection import prepare_split

__all__ = ["USPS_FILE_PAIRS", "USPSFormatError", "load_usps", "read_text_lines", "read_usps_text"]

_SHAPE = (16, 16)
_ROW = 257  # label + 16 * 16 grey levels
# The full training file is 7.4 MB of text; anything beyond this bound is not USPS and is refused
# before it is split into tokens (about 60 bytes of memory each).
_MAX_TEXT_BYTES = 64 << 20
_FLOAT32_MAX = float(np.finfo(np.float32).max)

#: (train, test) file names recognised in a ``data_dir``, in order of preference.
USPS_FILE_PAIRS = (("USPS_train.txt", "USPS_test.txt"), ("zip.train.gz", "zip.test.gz"),
                   ("zip.train", "zip.test"))


class USPSFormatError(ValueError):
    """A USPS text file is truncated, corrupted, or does not hold rows of 257 numbers."""


def read_usps_text(path) -> tuple[np.ndarray, np.ndarray]:
    """Read a USPS text file (``zip.train[.gz]`` form, or the course's ``USPS_*.txt`` with a
    header line). Returns images ``(n, 256)`` float32 in [0, 1] and labels ``(n,)`` int64.

    Raises:
        USPSFormatError: unreadable or truncated gzip, not text, empty, a token that is not a
            finite number, a label that is not a digit 0..9, or rows that are not 257 values;
            the message names the file and, where there is one, the line.
    """
    lines = read_text_lines(Path(path))
    first = 1  # line number of lines[0] in the file
    if lines and lines[0].split() and not _is_number(lines[0].split()[0]):
        lines, first = lines[1:], 2  # the course's files start with a header line
    try:
        with np.errstate(over="ignore", invalid="ignore"):  # 1e39 -> inf, refused below
            values = np.array(" ".join(lines).split(), dtype=np.float32)
    except ValueError:
        raise _bad_token(path, lines, first) from None
    if values.size == 0:
        raise USPSFormatError(f"load_usps: {path} holds no rows; expected rows of {_ROW} values "
                              "(label + 256 pixels)")
    if not np.isfinite(values).all():
        raise _bad_token(path, lines, first)
    if values.size % _ROW:
        raise USPSFormatError(f"load_usps: {path} does not hold rows of {_ROW} values (label + 256 "
                              f"pixels): {values.size} values in all{_first_short_line(lines, first)}")
    rows = values.reshape(-1, _ROW)
    bad_labels = np.flatnonzero((rows[:, 0] != np.round(rows[:, 0])) | (rows[:, 0] < 0) | (rows[:, 0] > 9))
    if bad_labels.size:
        row = int(bad_labels[0])
        raise USPSFormatError(f"load_usps: {path}, row {row + 1}{_line_of_row(lines, first, row)}: label "
                              f"{rows[row, 0]:g} is not a digit 0..9")
    labels = rows[:, 0].astype(np.int64)
    return _to_unit_range(rows[:, 1:]), labels


def read_text_lines(path: Path) -> list[str]:
    """The lines of a USPS text file (gzip when its name ends in ``.gz``), at most 64 MiB of
    text; a truncated or invalid gzip file, or bytes that are not text, raise a
    ``USPSFormatError`` naming the file (and the line)."""
    try:
        data = read_prefix(path, _MAX_TEXT_BYTES + 1)
    except EOFError as error:
        raise USPSFormatError(f"load_usps: {path} is a truncated gzip file ({error}); "
                              "delete it and download it again") from None
    except (gzip.BadGzipFile, zlib.error) as error:
        raise USPSFormatError(f"load_usps: {path} is not a valid gzip file ({error})") from None
    if len(data) > _MAX_TEXT_BYTES:
        raise USPSFormatError(f"load_usps: {path} holds more than {_MAX_TEXT_BYTES >> 20} MiB of text; "
                              "a USPS file holds 7.4 MB")
    try:
        return data.decode("utf-8").splitlines()
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        raise USPSFormatError(f"load_usps: {path}, line {line}: byte 0x{data[error.start]:02x} is not "
                              "text; expected numbers separated by spaces") from None


def _bad_token(path, lines: list[str], first: int) -> USPSFormatError:
    """The error naming the first token of ``lines`` that is not a finite number."""
    for number, line in enumerate(lines, start=first):
        for position, token in enumerate(line.split(), start=1):
            if not _is_number(token) or not abs(float(token)) <= _FLOAT32_MAX:
                return USPSFormatError(f"load_usps: {path}, line {number}: value {position} is "
                                       f"{token[:40]!r}, expected a finite number (label then 256 grey "
                                       "levels)")
    return USPSFormatError(f"load_usps: {path} holds a value that is not a finite number")


def _first_short_line(lines: list[str], first: int) -> str:
    """``"; line 7 holds 101"`` for the first non-empty line of other than 257 values, if any."""
    for number, line in enumerate(lines, start=first):
        count = len(line.split())
        if count not in (0, _ROW):
            return f"; line {number} holds {count}"
    return ""


def _line_of_row(lines: list[str], first: int, row: int) -> str:
    """``" (line 9)"`` when the file holds one row per line."""
    counts = [len(line.split()) for line in lines]
    rows_lines = [number for number, count in enumerate(counts, start=first) if count]
    return f" (line {rows_lines[row]})" if all(c in (0, _ROW) for c in counts) else ""


def _to_unit_range(pixels: np.ndarray) -> np.ndarray:
    """Map grey levels to [0, 1]: [-1, 1] (ESL's files, any negative value), [0, 1] kept,
    [0, 2] or 0..255 (other copies) divided by their upper bound."""
    if pixels.min(initial=0) < 0:
        return np.clip((pixels + 1) / 2, 0, 1)
    top = pixels.max(initial=0)
    bound = next(b for b in (1.0, 2.0, 255.0, float("inf")) if top <= b)
    return np.clip(pixels / np.float32(min(bound, max(top, 1.0))), 0, 1)


def _is_number(token: str) -> bool:
    try:
        float(token)
    except ValueError:
        return False
    return True


def load_usps(flatten: bool = True, *, one_hot: bool = False, classes=None, n_per_class=None,
              seed: int = 0, data_dir=None):
    """USPS digits as ``(X_train, y_train, X_test, y_test)``.

    Args:
        flatten: images ``(n, 256)`` (default) or ``(n, 16, 16)``; float32 in [0, 1].
        one_hot: labels float32 ``(n, k)`` instead of int64 ``(n,)``.
        classes: keep these digits, relabelled 0..k-1 in sorted order.
        n_per_class: keep this many random training images per class (seeded by ``seed``).
        seed: seed of the ``n_per_class`` draw.
        data_dir: read the files found there instead of the embedded copy.

    Raises:
        DatasetNotFoundError: ``data_dir`` holds no USPS file pair.
    """
    train_path, test_path = _usps_paths(data_dir)
    X_train, y_train = _read_cached(train_path)
    X_test, y_test = _read_cached(test_path)
    return prepare_split(X_train, y_train, X_test, y_test, n_classes=10, where="load_usps",
                         sample_shape=_SHAPE, flatten=flatten, one_hot=one_hot, classes=classes,
                         n_per_class=n_per_class, seed=seed)


def embedded_usps_paths() -> tuple[Path, Path]:
    """Paths of the embedded ``zip.train.gz`` and ``zip.test.gz``."""
    data = resources.files("flambeau.datasets") / "data"
    return Path(str(data / "zip.train.gz")), Path(str(data / "zip.test.gz"))


def find_usps_files(data_dir) -> tuple[Path, Path] | None:
    """The first ``(train, test)`` pair of ``USPS_FILE_PAIRS`` in ``data_dir`` or ``data_dir/usps``."""
    for folder in (Path(data_dir), Path(data_dir) / "usps"):
        for train, test in USPS_FILE_PAIRS:
            if (folder / train).is_file() and (folder / test).is_file():
                return folder / train, folder / test
    return None


def _usps_paths(data_dir) -> tuple[Path, Path]:
    if data_dir is None:
        return embedded_usps_paths()
    data_dir = check_path("load_usps", "data_dir", data_dir)
    found = find_usps_files(data_dir)
    if found is None:
        pairs = ", ".join(" + ".join(pair) for pair in USPS_FILE_PAIRS)
        raise DatasetNotFoundError(f"load_usps: no USPS files in {data_dir} nor {Path(data_dir) / 'usps'} "
                                   f"(looked for {pairs}); omit data_dir to use the embedded copy")
    return found


def _read_cached(path: Path):
    stat = path.stat()
    return _read_text_cached(str(path), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=8)
def _read_text_cached(path: str, mtime_ns: int, size: int):
    images, labels = read_usps_text(path)
    images.flags.writeable = False
    labels.flags.writeable = False
    return images, labels
