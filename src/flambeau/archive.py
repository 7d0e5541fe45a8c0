"""Reading a flambeau ``.npz`` file without trusting it: every size is checked before it costs memory.

A flambeau file (``flambeau.serialization``) is a zip archive of ``.npy`` members: the header
``__flambeau__.npy`` (a 0-d unicode array holding JSON) and one member per array
(``param:<name>.npy``, ``buffer:<name>.npy``, and in checkpoints ``rule:<key>.npy`` and
``callback:<key>.npy``). ``StoredFile`` opens one and checks, before reading any array:

- the member names: each one ``<key>.npy`` with a key of the kinds above, no ``/``, ``\\``,
  ``..`` or NUL (a name such as ``../../evil.npy`` is refused, never written anywhere), no
  duplicate, nothing else in the archive;
- each member's ``.npy`` header (at most ``MAX_NPY_HEADER`` bytes, read without the data): a
  plain numeric dtype, and a declared shape whose bytes are exactly what the member holds, so
  that a header declaring 10^12 values beside 64 stored bytes is refused, not allocated; a
  compressed member may not declare more than deflate can give (1032 bytes per stored byte);
- the header JSON: at most ``MAX_HEADER_CHARS`` characters, nested at most ``MAX_JSON_DEPTH``
  levels (checked on the text, before ``json`` recurses into it), at most ``MAX_MODULE_SPECS``
  module specs.

Only then are arrays read (``read``), each into an array of its declared shape. Every error is a
``SerializationError`` naming the file (and the member).
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import numpy as np

from .files import loads_exact

__all__ = ["HEADER", "MAX_HEADER_CHARS", "MAX_JSON_DEPTH", "MAX_MODULE_SPECS", "MAX_NPY_HEADER",
           "SerializationError", "StoredArray", "StoredFile", "json_depth"]

HEADER = "__flambeau__"
MAX_HEADER_CHARS = 16 << 20
"""Characters of header JSON read at most (a checkpoint of 10,000 epochs holds about 1 MB)."""
MAX_JSON_DEPTH = 100
"""Nesting of the header JSON (a module nested in a container adds 4 levels)."""
MAX_MODULE_SPECS = 100_000
"""Module specs in one header (one per layer and container)."""
MAX_NPY_HEADER = 10_000
"""Bytes of a member's ``.npy`` header (NumPy's own default limit)."""
_DEFLATE_MAX_RATIO = 1032  # deflate never expands one byte into more than about 1032
_KEY = re.compile(r"(param|buffer|rule|callback[0-9]*):[^/\\\x00]+|" + HEADER)
# what zipfile and NumPy's .npy reader raise on damaged bytes (a CRC mismatch is a BadZipFile, an
# unknown compression method a NotImplementedError, a bad .npy header a ValueError or SyntaxError)
_ZIP_ERRORS = (ValueError, OSError, EOFError, zipfile.BadZipFile, SyntaxError, NotImplementedError,
               RuntimeError)
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)


class SerializationError(ValueError):
    """A file is not a flambeau file, is damaged, or does not match the architecture."""


class StoredArray:
    """What the ``.npy`` header of one member declares: ``shape``, ``dtype``, ``size``."""

    __slots__ = ("dtype", "info", "shape")

    def __init__(self, info: zipfile.ZipInfo, shape: tuple[int, ...], dtype: np.dtype):
        self.info, self.shape, self.dtype = info, shape, dtype

    @property
    def size(self) -> int:
        return int(np.prod(self.shape, dtype=object))


class StoredFile:
    """An opened flambeau file: ``header`` (the JSON, a dict), ``arrays`` (``{key: StoredArray}``,
    declared shapes and dtypes, nothing read yet) and ``read(key)``. A context manager.

    Raises ``FileNotFoundError`` when there is no file at ``path``, ``SerializationError`` for
    anything wrong in it (see the module docstring).
    """

    def __init__(self, path, where: str = "load"):
        self.path, self.where = Path(path), where
        if not self.path.is_file():
            raise FileNotFoundError(f"{where}: no such file: {self.path}")
        self._zip = self._open()
        try:
            members = self._members()
            header_info = members.pop(HEADER)
            self.arrays = {key: self._declared(key, info) for key, info in members.items()}
            self.header = self._header(header_info)
        except BaseException:
            self._zip.close()
            raise

    # -- public ----------------------------------------------------------------------------
    def error(self, text: str) -> SerializationError:
        """A ``SerializationError`` reading ``<where>: <path> <text>``."""
        return SerializationError(f"{self.where}: {self.path} {text}")

    def read(self, key: str) -> np.ndarray:
        """The array of member ``key`` (its size was checked when the file was opened)."""
        stored = self.arrays[key]
        try:
            with self._zip.open(stored.info) as member:
                return np.lib.format.read_array(member, allow_pickle=False,
                                                max_header_size=MAX_NPY_HEADER)
        except _ZIP_ERRORS as error:
            raise self.error(f"has a damaged member {stored.info.filename!r} ({error})") from None

    def read_all(self, prefixes: tuple[str, ...] = ("",)) -> dict[str, np.ndarray]:
        """``{key: array}`` of the members whose key starts with one of ``prefixes``."""
        return {key: self.read(key) for key in self.arrays if key.startswith(prefixes)}

    def close(self) -> None:
        self._zip.close()

    def __enter__(self) -> StoredFile:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- checks ----------------------------------------------------------------------------
    def _open(self) -> zipfile.ZipFile:
        if not zipfile.is_zipfile(self.path):
            with open(self.path, "rb") as file:
                magic = file.read(6)
            if magic == b"\x93NUMPY":
                raise self.error("is a bare .npy array, not a flambeau .npz file")
            raise self.error("is not a flambeau .npz file (not a zip archive)")
        try:
            return zipfile.ZipFile(self.path)
        except _ZIP_ERRORS as error:
            raise self.error(f"is not a flambeau .npz file ({error})") from None

    def _members(self) -> dict[str, zipfile.ZipInfo]:
        """``{key: ZipInfo}``, every member name checked."""
        members, file_size = {}, self.path.stat().st_size
        if HEADER + ".npy" not in self._zip.namelist():
            raise self.error(f"is an .npz file but not a flambeau file (no {HEADER!r} header entry)")
        for info in self._zip.infolist():
            name = info.filename
            key = name[:-4] if name.endswith(".npy") else None
            if key is None or not _KEY.fullmatch(key) or ".." in name:
                raise self.error(f"holds an unexpected member {name[:200]!r}: a flambeau file holds "
                                 f"{HEADER}.npy and param:, buffer:, rule: and callback: arrays only")
            if key in members:
                raise self.error(f"holds the member {name[:200]!r} twice")
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) or info.flag_bits & 1:
                raise self.error(f"is damaged: member {name[:200]!r} is encrypted or uses compression "
                                 f"method {info.compress_type} (flambeau files are stored or deflated)")
            if info.compress_size > file_size:
                raise self.error(f"is damaged: member {name[:200]!r} claims {info.compress_size} bytes, "
                                 f"more than the file's {file_size}")
            members[key] = info
        return members

    def _declared(self, key: str, info: zipfile.ZipInfo) -> StoredArray:
        """The shape and dtype a member's ``.npy`` header declares, checked against its size."""
        name = info.filename
        try:
            with self._zip.open(info) as member:
                version = np.lib.format.read_magic(member)
                read_header = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                               else np.lib.format.read_array_header_2_0)
                shape, _, dtype = read_header(member, max_header_size=MAX_NPY_HEADER)
                header_bytes = member.tell()
        except _ZIP_ERRORS as error:
            raise self.error(f"has a damaged member {name[:200]!r} ({error})") from None
        if dtype.hasobject or dtype.kind not in ("U" if key == HEADER else "biuf"):
            raise self.error(f"member {name[:200]!r} has dtype {dtype}; flambeau files hold numbers "
                             "(and one text header)")
        stored = StoredArray(info, tuple(int(d) for d in shape), dtype)
        declared = stored.size * dtype.itemsize
        if header_bytes + declared != info.file_size:
            raise self.error(f"is damaged: member {name[:200]!r} declares shape {stored.shape} of "
                             f"{dtype} ({declared:,} bytes) but holds {info.file_size - header_bytes:,}")
        ratio = 1 if info.compress_type == zipfile.ZIP_STORED else _DEFLATE_MAX_RATIO
        if info.file_size > ratio * info.compress_size + 1024:
            raise self.error(f"is damaged: member {name[:200]!r} declares {info.file_size:,} bytes "
                             f"from {info.compress_size:,} stored")
        return stored

    def _header(self, info: zipfile.ZipInfo) -> dict:
        """The header JSON as a dict, its size and nesting bounded before it is parsed."""
        stored = self._declared(HEADER, info)
        if stored.shape != () or stored.dtype.itemsize // 4 > MAX_HEADER_CHARS:
            raise self.error(f"has a header of shape {stored.shape} and dtype {stored.dtype}; expected "
                             f"one string of at most {MAX_HEADER_CHARS:,} characters")
        self.arrays[HEADER] = stored
        text = str(self.read(HEADER))
        del self.arrays[HEADER]
        depth = json_depth(text)
        if depth > MAX_JSON_DEPTH:
            raise self.error(f"has a header nested {depth} levels deep (at most {MAX_JSON_DEPTH})")
        if text.count('"__module__"') > MAX_MODULE_SPECS:
            raise self.error(f"has a header with more than {MAX_MODULE_SPECS:,} module specs")
        try:
            header = loads_exact(text)
        except (ValueError, RecursionError) as error:
            raise self.error(f"has a damaged header (invalid JSON: {error})") from None
        if not isinstance(header, dict) or header.get("format") != "flambeau":
            raise self.error("has a header that is not a flambeau header")
        return header


def json_depth(text: str) -> int:
    """How deep the arrays and objects of a JSON text nest (strings skipped), without parsing it:
    one pass over the bytes, no recursion."""
    skeleton = _STRING.sub('""', text).encode("utf-8", "surrogatepass")
    codes = np.frombuffer(skeleton, dtype=np.uint8)
    steps = (np.isin(codes, (ord("["), ord("{"))).astype(np.int64)
             - np.isin(codes, (ord("]"), ord("}"))))
    return int(np.cumsum(steps).max(initial=0))
