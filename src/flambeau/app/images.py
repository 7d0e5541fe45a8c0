"""Images as inline PNG (``data:image/png;base64,...``), encoded with zlib only: the inputs
(greyscale) and the maps of large studies (RGB)."""

from __future__ import annotations

import base64
import struct
import zlib

import numpy as np

__all__ = ["png_bytes", "png_data_uri"]


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bytes(image: np.ndarray, palette=None, level: int = 6) -> bytes:
    """8-bit PNG of a ``(h, w)`` greyscale or ``(h, w, 3)`` RGB uint8 image, or of a ``(h, w)``
    image of indices into ``palette`` ``(k, 3)`` uint8 colours (k <= 256); each row prefixed by
    filter type 0, compressed at zlib ``level``."""
    image = np.ascontiguousarray(image, dtype=np.uint8)
    if image.ndim not in (2, 3) or (image.ndim == 3 and (image.shape[2] != 3 or palette is not None)):
        raise ValueError(f"png_bytes: image must have shape (h, w) or (h, w, 3), got {image.shape}")
    h, w = image.shape[:2]
    rows = np.concatenate([np.zeros((h, 1), np.uint8), image.reshape(h, -1)], axis=1)
    kind = 0 if image.ndim == 2 else 2
    chunks = b""
    if palette is not None:
        palette = np.ascontiguousarray(palette, dtype=np.uint8)
        if palette.ndim != 2 or palette.shape[1] != 3 or not 1 <= len(palette) <= 256:
            raise ValueError(f"png_bytes: palette must have shape (k, 3) with k <= 256, got {palette.shape}")
        kind, chunks = 3, _chunk(b"PLTE", palette.tobytes())
    header = struct.pack(">IIBBBBB", w, h, 8, kind, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + chunks
            + _chunk(b"IDAT", zlib.compress(rows.tobytes(), level)) + _chunk(b"IEND", b""))


def png_data_uri(image: np.ndarray, palette=None, level: int = 6) -> str:
    """The image (see ``png_bytes``) as a ``data:`` URI for an ``<img src=...>``."""
    return "data:image/png;base64," + base64.b64encode(png_bytes(image, palette, level)).decode("ascii")
