"""Atomic file writes: a temporary file in the destination folder, then ``os.replace``.

Readers never see a half-written file, and a failed write leaves the previous file intact.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

__all__ = ["atomic_write"]


def _default_mode() -> int:
    """Permissions of a newly created file under the current umask (0o644 usually)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


@contextlib.contextmanager
def atomic_write(path) -> Iterator:
    """``with atomic_write(path) as file: file.write(...)``: binary file, renamed into place
    at the end of the block (parent folders created; deleted on error)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as file:
            yield file
        os.chmod(tmp, _default_mode())  # mkstemp creates 0o600 files
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
