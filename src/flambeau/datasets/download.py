"""Downloading a file from a list of mirrors, with SHA-256 verification and an atomic move.

The file is streamed into a temporary file next to its destination (``flambeau.files.atomic_write``),
hashed on the fly, and renamed into place only when complete and verified, so an interrupted
download never leaves a partial file under the final name.
"""

from __future__ import annotations

import hashlib
import http.client
import logging
import urllib.request
from pathlib import Path

from tqdm.auto import tqdm

from ..files import atomic_write

__all__ = ["ChecksumError", "DownloadError", "download_file", "sha256_of"]

logger = logging.getLogger(__name__)

_CHUNK = 1 << 16


class DownloadError(OSError):
    """No mirror delivered a complete file."""


class ChecksumError(DownloadError):
    """A downloaded file does not have the expected SHA-256."""


def sha256_of(path) -> str:
    """Hex SHA-256 of a file."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def download_file(urls, dest, sha256: str | None, progress: bool = True, timeout: float = 30.0) -> Path:
    """Download the first of ``urls`` that works into ``dest``, verified against ``sha256``.

    Args:
        urls: candidate URLs of the same file, tried in order.
        dest: final path; its folder is created.
        sha256: expected hex digest; ``None`` accepts the file with a logged warning.
        progress: show a tqdm progress bar.
        timeout: seconds to wait for each connection.

    Raises:
        ChecksumError: a mirror served bytes with another checksum and no mirror served the
            right ones.
        DownloadError: every mirror failed (network error, HTTP error, truncated transfer).
    """
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    failures = []
    for url in urls:
        try:
            _fetch(url, dest, sha256, progress, timeout)
            return dest
        except (OSError, http.client.HTTPException) as error:
            logger.warning("download of %s failed: %s", url, error)
            failures.append((url, error))
    report = "; ".join(f"{url}: {error}" for url, error in failures)
    if any(isinstance(error, ChecksumError) for _, error in failures):
        raise ChecksumError(f"download_file: no mirror served {dest.name} with SHA-256 {sha256} ({report})")
    raise DownloadError(f"download_file: could not download {dest.name} ({report or 'no URL given'})")


def _fetch(url: str, dest: Path, sha256: str | None, progress: bool, timeout: float) -> None:
    with atomic_write(dest) as out:  # renamed into place only if the block ends without error
        with urllib.request.urlopen(url, timeout=timeout) as response:
            total = response.headers.get("Content-Length")
            total = int(total) if total else None
            digest, received = _stream(response, out, total, dest.name, progress)
        if total is not None and received != total:
            raise DownloadError(f"truncated transfer: got {received} of {total} bytes")
        _verify(url, digest, sha256)


def _stream(response, out, total, label: str, progress: bool):
    digest, received = hashlib.sha256(), 0
    with tqdm(total=total, unit="B", unit_scale=True, desc=label, disable=not progress) as bar:
        while chunk := response.read(_CHUNK):
            out.write(chunk)
            digest.update(chunk)
            received += len(chunk)
            bar.update(len(chunk))
    return digest.hexdigest(), received


def _verify(url: str, digest: str, sha256: str | None) -> None:
    if sha256 is None:
        logger.warning("%s: no known SHA-256, accepted unverified (got %s)", url, digest)
    elif digest != sha256.lower():
        raise ChecksumError(f"SHA-256 mismatch: expected {sha256}, got {digest}")
