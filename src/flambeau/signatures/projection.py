"""2-D maps of each layer's activations (UMAP as in the report, or PCA for speed).

What scales to 70,000 samples x 8 layers: UMAP runs with a fixed seed and 200 epochs (its own
default above 10,000 samples) on at most ``MAP_SAMPLES`` rows, a sample stratified by the
true classes, from exact nearest neighbours computed by scikit-learn; the other rows are
placed at the weighted mean of their nearest sampled neighbours (``_place``). Maps are cached
on disk (``cache_dir``), keyed by a hash of the activations, the strata and the parameters: a
study run again with the same seed reuses them. numba's compiled code of UMAP's functions is
cached on disk too (``_cache_umap_compilation``): only the first study on a machine compiles it.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import sys
import warnings
from pathlib import Path

import numpy as np
from sklearn.decomposition import PCA
from tqdm.auto import tqdm

from .. import files
from .sampling import stratified_rows

__all__ = ["MAP_SAMPLES", "PROJECTIONS", "UMAP_EPOCHS", "map_key", "project", "project_layers"]

log = logging.getLogger(__name__)
MAP_SAMPLES = 5_000  # UMAP is fitted on at most this many rows (500 per class of ten); the others are placed
UMAP_EPOCHS = 200
CACHE_FORMAT = 2  # bump when the maps' algorithm changes: old cache entries are then ignored
CACHE_FILES = 256  # the oldest cached maps beyond this count are deleted
CACHED = ("umap",)  # PCA takes about as long as hashing the activations: not cached


@functools.cache
def _cache_umap_compilation() -> None:
    """Let numba keep the machine code of UMAP's and pynndescent's compiled functions on disk, as
    their own ``cache=True`` functions already do: numba compiles the others in every process
    (5.5 s of a 10,000-sample study on 2 cores; about 0.2 s to load them from the cache). numba keys
    each entry on the source file's time stamp and the CPU, so an upgrade recompiles."""
    from numba.core.caching import NullCache
    from numba.core.dispatcher import Dispatcher

    for name, module in list(sys.modules.items()):
        if name.split(".")[0] not in ("umap", "pynndescent"):
            continue
        for value in list(vars(module).values()):
            if isinstance(value, Dispatcher) and isinstance(value._cache, NullCache):
                try:
                    value.enable_caching()
                except RuntimeError:  # no writable cache folder: compiled in every process, as before
                    return


def _umap(A: np.ndarray, seed: int, strata) -> np.ndarray:
    import umap  # slow import (numba); only when asked for
    from sklearn.neighbors import NearestNeighbors

    _cache_umap_compilation()

    fit_rows = stratified_rows(len(A), MAP_SAMPLES, strata, seed)
    sample = A[fit_rows]
    n_neighbors = max(2, min(15, len(sample) - 1))
    # exact neighbours by scikit-learn (BLAS): no NN-descent, whose numba compilation took
    # 2 to 3 minutes of a 10,000-sample study on a shared 2-core machine
    index = NearestNeighbors(n_neighbors=n_neighbors).fit(sample)
    distances, neighbours = index.kneighbors(sample)
    model = umap.UMAP(n_components=2, n_neighbors=n_neighbors, n_epochs=UMAP_EPOCHS, random_state=seed,
                      n_jobs=1, precomputed_knn=(neighbours, distances, None))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "n_jobs overridden by random_state", "graph not connected"
        sampled = model.fit_transform(sample)
    if len(fit_rows) == len(A):
        return sampled
    coords = np.empty((len(A), 2), np.float32)
    coords[fit_rows] = sampled
    rest = np.setdiff1d(np.arange(len(A)), fit_rows, assume_unique=True)
    coords[rest] = _place(index, sampled, A[rest])
    return coords


def _place(index, sampled: np.ndarray, rows: np.ndarray, batch: int = 8192) -> np.ndarray:
    """Map positions of rows outside UMAP's sample: the mean of their k nearest sampled
    neighbours' positions weighted by ``exp(-(d_j - d_1) / mean_j(d_j - d_1))`` (the nearest
    weighs most), as UMAP's ``transform`` starts them, without its optimisation epochs."""
    placed = np.empty((len(rows), 2), np.float32)
    for start in range(0, len(rows), batch):  # batches bound the (batch, k) distance arrays
        distances, neighbours = index.kneighbors(rows[start:start + batch])
        gaps = distances - distances[:, :1]
        weights = np.exp(-gaps / np.maximum(gaps.mean(axis=1, keepdims=True), 1e-12))
        weights /= weights.sum(axis=1, keepdims=True)
        placed[start:start + batch] = np.einsum("ik,ikd->id", weights, sampled[neighbours])
    return placed


def _pca(A: np.ndarray, seed: int, strata) -> np.ndarray:
    coords = np.zeros((len(A), 2))
    n_comp = min(2, A.shape[1], len(A))
    coords[:, :n_comp] = PCA(n_components=n_comp, random_state=seed).fit_transform(A)
    return coords


PROJECTIONS = {"pca": _pca, "umap": _umap}


def map_key(A: np.ndarray, method: str, seed: int, strata=None) -> str:
    """SHA-256 (hex) of the activations ``A`` (values, dtype and shape), the strata and every
    parameter of the map: the name of its cache entry."""
    digest = hashlib.sha256()
    extra = (CACHE_FORMAT, method, int(seed), MAP_SAMPLES, UMAP_EPOCHS, A.shape, str(A.dtype))
    digest.update(repr(extra).encode())
    digest.update(np.ascontiguousarray(A).data)
    if strata is not None:
        digest.update(np.ascontiguousarray(np.asarray(strata, np.int64)).data)
    return digest.hexdigest()


def _cached(path: Path | None, n: int) -> np.ndarray | None:
    if path is None or not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as npz:
            coords = npz["coords"]
    except Exception as error:  # noqa: BLE001 -- a damaged entry is recomputed, never trusted
        log.warning("ignoring the unreadable cached map %s (%s)", path, error)
        return None
    return coords if coords.shape == (n, 2) and coords.dtype == np.float32 else None


def _store(path: Path, coords: np.ndarray) -> None:
    files.write_npz(path, {"coords": coords})
    entries = sorted(path.parent.glob("*.npz"), key=lambda p: p.stat().st_mtime)
    for old in entries[:-CACHE_FILES]:
        old.unlink(missing_ok=True)


def project(A: np.ndarray, method: str = "umap", seed: int = 0, strata=None, cache_dir=None) -> np.ndarray:
    """Map ``A`` ``(n, d)`` to the plane: ``(n, 2)`` float32.

    Args:
        method: a key of ``PROJECTIONS``.
        seed: seeds the map (and the sample UMAP is fitted on).
        strata: optional ``(n,)`` labels (the true classes) stratifying UMAP's sample.
        cache_dir: optional folder of cached UMAP maps (``umap-<map_key>.npz``), read and written.
    """
    if method not in PROJECTIONS:
        raise ValueError(f"project: method must be one of {sorted(PROJECTIONS)}, got {method!r}")
    A = np.asarray(A, np.float32)
    path = None
    if cache_dir is not None and method in CACHED:
        path = Path(cache_dir) / f"{method}-{map_key(A, method, seed, strata)}.npz"
    coords = _cached(path, len(A))
    if coords is None:
        coords = np.asarray(PROJECTIONS[method](A, seed, strata), np.float32)
        if path is not None:
            _store(path, coords)
    return coords


def project_layers(acts: dict[str, np.ndarray], method: str = "umap", seed: int = 0, strata=None,
                   cache_dir=None, progress: bool = False) -> np.ndarray:
    """One map per layer: ``(L, n, 2)`` float32, layers in the order of ``acts`` (see ``project``)."""
    return np.stack([project(A, method, seed, strata, cache_dir)
                     for A in tqdm(acts.values(), desc=f"{method} maps", disable=not progress, leave=False)])
