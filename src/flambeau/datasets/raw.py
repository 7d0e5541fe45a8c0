"""The bytes of a data file, gzip-compressed (name ending in ``.gz``) or not, read by chunks.

``read_prefix(path, count)`` returns at most ``count`` bytes: memory follows what the file holds,
never what a header announces nor the limit asked for (``read(n)`` reserves ``n`` bytes at once,
so a single ``read(64 MiB)`` of an empty file costs 64 MiB). A truncated or invalid gzip stream
raises ``EOFError`` / ``gzip.BadGzipFile`` / ``zlib.error``, which each reader turns into its own
format error naming the file.
"""

from __future__ import annotations

import gzip
from pathlib import Path

__all__ = ["read_prefix"]

_CHUNK = 256 << 10


def read_prefix(path, count: int) -> bytes:
    """The first ``count`` bytes of the (decompressed) file at ``path``, fewer if it is shorter."""
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(Path(path), "rb") as file:
        chunks, left = [], count
        while left > 0:
            chunk = file.read(min(left, _CHUNK))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    return b"".join(chunks)
