"""Atomic writes for study folders: a file (or a whole folder) appears complete or not at all."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np

from .._atomic import atomic_write

__all__ = ["make_tmp_folder", "publish_folder", "write_json", "write_npz", "write_png"]


def _atomic(path: Path, write) -> Path:
    with atomic_write(path) as file:
        write(file)
    return Path(path)


def write_json(path, data: dict) -> Path:
    """Write ``data`` as indented JSON (NaN written as null)."""
    text = json.dumps(_nan_to_none(data), indent=2)
    return _atomic(path, lambda f: f.write(text.encode()))


def write_npz(path, **arrays) -> Path:
    """Write arrays into one compressed ``.npz`` (no pickled objects)."""
    return _atomic(path, lambda f: np.savez_compressed(f, **arrays))


def write_png(path, fig, dpi: int = 100) -> Path:
    """Save a matplotlib figure as PNG."""
    return _atomic(path, lambda f: fig.savefig(f, format="png", dpi=dpi))


def make_tmp_folder(parent: Path, name: str) -> Path:
    """A hidden temporary folder in ``parent`` to fill before ``publish_folder``, with the
    permissions of a normal new folder (``mkdtemp`` makes it private)."""
    parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=parent, prefix=f".{name}.", suffix=".tmp"))
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o777 & ~umask)
    return tmp


def publish_folder(tmp_dir: Path, final: Path) -> Path:
    """Move a fully written folder into place, replacing an older one of the same name."""
    final = Path(final)
    old = None
    if final.exists():
        old = final.with_name(f".{final.name}.old-{os.getpid()}")
        os.replace(final, old)
    os.replace(tmp_dir, final)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    return final


def _nan_to_none(value):
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, dict):
        return {k: _nan_to_none(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_nan_to_none(v) for v in value]
    return value
