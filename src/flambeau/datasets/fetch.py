"""Finding the files of an IDX dataset locally, or downloading them into the user cache."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from .download import ChecksumError, DownloadError, download_file
from .locate import DatasetNotFoundError, Location, cache_dir, find_file, search_locations
from .registry import IDXDataset

__all__ = ["fetch_dataset", "find_dataset"]

logger = logging.getLogger(__name__)


def find_dataset(spec: IDXDataset, data_dir=None) -> tuple[Location, list[Path]] | None:
    """The first searched location holding all files of ``spec`` and their paths, or ``None``."""
    for location in search_locations(spec.name, data_dir):
        paths = [find_file(location.path, f.name) for f in spec.files]
        if all(paths):
            return location, paths
    return None


def fetch_dataset(spec: IDXDataset, data_dir=None, download: bool = True,
                  progress: bool = True, where: str = "fetch_dataset") -> list[Path]:
    """Paths of the four files of ``spec``, found locally or downloaded into the cache.

    Args:
        spec: the dataset.
        data_dir: folder searched first (see ``flambeau.datasets.locate``).
        download: allow downloading the missing files from ``spec.mirrors``.
        progress: show a progress bar while downloading.
        where: caller named in messages.

    Raises:
        DatasetNotFoundError: not found and not downloadable; the message lists every place
            searched, every download failure, and how to provide the files.
        ChecksumError: a mirror served a file with the wrong SHA-256.
    """
    found = find_dataset(spec, data_dir)
    if found is not None:
        logger.info("%s: %s found in %s (%s)", where, spec.title, found[0].path, found[0].origin)
        return found[1]
    searched = _searched_lines(spec, data_dir)  # before a download creates the cache folder
    if not download:
        note = "not attempted (download=False)"
        raise DatasetNotFoundError(_not_found_message(spec, where, searched, note))
    try:
        return _download_missing(spec, progress)
    except ChecksumError:
        raise
    except DownloadError as error:
        raise DatasetNotFoundError(_not_found_message(spec, where, searched, str(error))) from error


def _download_missing(spec: IDXDataset, progress: bool) -> list[Path]:
    folder = cache_dir(spec.name)
    paths = []
    for file in spec.files:
        path = find_file(folder, file.name)
        if path is None:
            urls = [mirror + file.name for mirror in spec.mirrors]
            path = download_file(urls, folder / file.name, file.sha256, progress=progress)
        paths.append(path)
    return paths


def _searched_lines(spec: IDXDataset, data_dir) -> list[str]:
    names = [f.name for f in spec.files]
    lines = []
    for location in search_locations(spec.name, data_dir):
        if location.origin == "user cache" and not os.environ.get("FLAMBEAU_DATA"):
            lines.append(f"  - $FLAMBEAU_DATA/{spec.name}: not searched, FLAMBEAU_DATA is not set")
        lines.append(f"  - {location.path} ({location.origin}): {_missing(location.path, names)}")
    return lines


def _not_found_message(spec: IDXDataset, where: str, searched: list[str], download_note: str) -> str:
    names = ", ".join(f.name for f in spec.files)
    return "\n".join([
        f"{where}: {spec.title} not found. Searched, in order:",
        *searched,
        f"Download: {download_note}",
        f"To provide the files, put {names} (gzip or uncompressed) in one of these folders, for "
        f"example set FLAMBEAU_DATA=/some/folder holding {spec.name}/, or pass data_dir=. "
        f"Source: {spec.homepage}",
    ])


def _missing(folder: Path, names: list[str]) -> str:
    if not folder.is_dir():
        return "no such folder"
    missing = [name for name in names if find_file(folder, name) is None]
    return "missing " + ", ".join(missing)
