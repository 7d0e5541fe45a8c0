"""Where dataset files are looked for, in order.

1. an explicit ``data_dir=`` (the folder itself, or its ``<name>/`` sub-folder);
2. ``$FLAMBEAU_DATA/<name>/``;
3. the user cache ``$XDG_CACHE_HOME/flambeau/<name>/`` (default ``~/.cache/flambeau/<name>/``),
   where downloads go;
4. the system folder ``/usr/share/datasets/<name>/`` (Debian's ``dataset-fashion-mnist``).

A file counts as present under its published name (``train-images-idx3-ubyte.gz``) or
uncompressed (``train-images-idx3-ubyte``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .._checks import check_path

__all__ = ["SYSTEM_DATA_DIR", "DatasetNotFoundError", "Location", "cache_dir", "find_file",
           "search_locations"]

SYSTEM_DATA_DIR = Path("/usr/share/datasets")


class DatasetNotFoundError(FileNotFoundError):
    """A dataset is in none of the searched folders and could not be downloaded."""


@dataclass(frozen=True)
class Location:
    """A folder that may hold a dataset, and how it was chosen (``"$FLAMBEAU_DATA"``...)."""

    origin: str
    path: Path


def cache_dir(name: str | None = None) -> Path:
    """The user cache of flambeau (``$XDG_CACHE_HOME/flambeau``, default ``~/.cache/flambeau``),
    or the sub-folder of dataset ``name`` in it."""
    root = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    base = Path(root) / "flambeau"
    return base / name if name else base


def search_locations(name: str, data_dir=None) -> list[Location]:
    """The folders searched for dataset ``name``, in order (see the module docstring)."""
    locations = []
    if data_dir is not None:
        data_dir = check_path(name, "data_dir", data_dir)
        locations += [Location("data_dir", data_dir), Location("data_dir", data_dir / name)]
    if os.environ.get("FLAMBEAU_DATA"):
        locations.append(Location("$FLAMBEAU_DATA", Path(os.environ["FLAMBEAU_DATA"]) / name))
    locations.append(Location("user cache", cache_dir(name)))
    locations.append(Location("system", SYSTEM_DATA_DIR / name))
    return locations


def find_file(folder: Path, filename: str) -> Path | None:
    """``folder/filename``, or its uncompressed form (``.gz`` stripped), if either exists."""
    candidates = [folder / filename]
    if filename.endswith(".gz"):
        candidates.append(folder / filename[:-3])
    return next((path for path in candidates if path.is_file()), None)
