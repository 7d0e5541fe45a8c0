"""Reading signature run folders for the app: listing, loading, validating (never recomputing)."""

from __future__ import annotations

import hashlib
import json
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..files import read_json
from ..signatures.paths import Paths, paths

__all__ = ["MAX_DEPTH", "SignatureRun", "RunError", "list_presets", "list_runs", "load_run", "rows_digest"]

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
MAX_DEPTH = 3  # a run folder is found up to runs/a/b/<run>/ (a preset's, the quickstart's)
_ARRAYS = ("images", "y_true", "y_pred", "is_anomaly", "clusters", "coords", "layer_names")
SANKEY_PATHS = 30  # the Sankey draws this many most frequent paths; the others as "other paths"
_cache: dict[tuple, SignatureRun] = {}
_cache_lock = threading.Lock()


class RunError(Exception):
    """A study that cannot be shown; the message is meant for the page."""


@dataclass
class SignatureRun:
    """A loaded run folder: summary, per-sample arrays and the paths rebuilt from the clusters
    (the ``SANKEY_PATHS`` most frequent drawn, the others grouped as "other paths").

    Arrays hold one row per analysed sample (n): ``images`` ``(n, h*w)`` uint8, ``y_true``,
    ``y_pred``, ``is_anomaly``, ``clusters`` ``(n, L)``, ``coords`` ``(L, n, 2)``.
    """

    name: str
    summary: dict
    images: np.ndarray
    image_shape: tuple[int, int]
    y_true: np.ndarray
    y_pred: np.ndarray
    is_anomaly: np.ndarray
    clusters: np.ndarray
    coords: np.ndarray
    layer_names: list[str]
    paths: Paths
    cache: dict = field(default_factory=dict, repr=False)

    @property
    def n(self) -> int:
        return len(self.y_true)

    @classmethod
    def from_arrays(cls, name: str, summary: dict, arrays: dict) -> SignatureRun:
        """Build from the arrays of ``arrays.npz`` (checked for consistent shapes)."""
        y_true = np.asarray(arrays["y_true"]).astype(np.int64)
        n = len(y_true)
        clusters = np.asarray(arrays["clusters"]).astype(np.int64)
        coords = np.asarray(arrays["coords"], np.float32)
        layer_names = [str(s) for s in arrays["layer_names"]]
        L = len(layer_names)
        expected = {"y_pred": (n,), "is_anomaly": (n,), "clusters": (n, L), "coords": (L, n, 2)}
        for key, shape in expected.items():
            if np.shape(arrays[key]) != shape:
                raise RunError(f"study {name!r}: arrays.npz[{key!r}] has shape "
                                 f"{np.shape(arrays[key])}, expected {shape}")
        images = np.asarray(arrays["images"])
        shape = tuple(int(s) for s in summary.get("image_shape", ()))
        if images.ndim != 2 or len(images) != n or len(shape) != 2 or shape[0] * shape[1] != images.shape[1]:
            raise RunError(f"study {name!r}: images of shape {images.shape} do not match "
                             f"{n} samples of image_shape {list(shape)}")
        is_anomaly = np.asarray(arrays["is_anomaly"], bool)
        y_pred = np.asarray(arrays["y_pred"]).astype(np.int64)
        names_to_clusters = {layer: clusters[:, j] for j, layer in enumerate(layer_names)}
        return cls(name, summary, images, shape, y_true, y_pred, is_anomaly, clusters, coords,
                   layer_names, paths(names_to_clusters, y_true, y_pred, is_anomaly, max_paths=SANKEY_PATHS))


def _folder(runs_dir, name: str) -> Path:
    """``runs_dir/name`` for a name of 1 to ``MAX_DEPTH`` parts separated by '/', each made of
    letters, digits, '_', '.' and '-' (not starting with '.' or '-': no '..', no hidden folder)."""
    parts = name.split("/") if isinstance(name, str) else [None]
    if not 1 <= len(parts) <= MAX_DEPTH or not all(isinstance(p, str) and _NAME.match(p) for p in parts):
        raise RunError(f"unknown study {name!r}: names hold letters, digits, '_', '.' and '-', in at most "
                       f"{MAX_DEPTH} folders separated by '/'")
    folder = Path(runs_dir).joinpath(*parts)
    if not (folder / "study.json").is_file():
        raise RunError(f"unknown study {name!r}: no {name}/study.json in {runs_dir}")
    return folder


def read_summary(folder: Path) -> dict:
    try:
        summary = read_json(folder / "study.json")
    except (OSError, ValueError) as error:
        raise RunError(f"study {folder.name!r}: study.json is unreadable ({error})") from None
    if not isinstance(summary, dict) or not isinstance(summary.get("config"), dict):
        raise RunError(f"study {folder.name!r}: study.json lacks its 'config' section")
    return summary


def load_run(runs_dir, name: str) -> SignatureRun:
    """Load (and cache, until its files change) the study ``runs_dir/name``.

    Raises:
        RunError: unknown name or malformed folder, with a message for the page.
    """
    folder = _folder(runs_dir, name)
    try:
        stamp = tuple((f, (folder / f).stat().st_mtime_ns) for f in ("study.json", "arrays.npz"))
    except OSError:
        raise RunError(f"study {name!r}: arrays.npz is missing") from None
    key = (str(folder.resolve()), stamp)
    with _cache_lock:
        if key in _cache:
            return _cache[key]
    summary = read_summary(folder)
    try:
        with np.load(folder / "arrays.npz", allow_pickle=False) as npz:
            missing = [k for k in _ARRAYS if k not in npz.files]
            if missing:
                raise RunError(f"study {name!r}: arrays.npz lacks {missing}")
            arrays = {k: npz[k] for k in _ARRAYS}
    except RunError:
        raise
    except Exception as error:  # noqa: BLE001 -- any corruption becomes a page message
        raise RunError(f"study {name!r}: arrays.npz is unreadable ({type(error).__name__}: "
                         f"{error})") from None
    try:
        data = SignatureRun.from_arrays(name, summary, arrays)
    except RunError:
        raise
    except Exception as error:  # noqa: BLE001
        raise RunError(f"study {name!r}: inconsistent arrays ({type(error).__name__}: {error})") from None
    with _cache_lock:
        _cache.clear()  # keep one study in memory (they can be large)
        _cache[key] = data
    return data


def _run_folders(folder: Path, depth: int):
    """Run folders (holding a ``study.json``) under ``folder``, at most ``depth`` levels down;
    hidden folders (the temporary ones of a run being written) are skipped."""
    try:
        children = sorted(p for p in folder.iterdir() if p.is_dir() and _NAME.match(p.name))
    except OSError:
        return
    for child in children:
        if (child / "study.json").is_file():
            yield child
        elif depth > 1:
            yield from _run_folders(child, depth - 1)


def list_runs(runs_dir) -> list[dict]:
    """One row per run folder holding a ``study.json``, at the top of ``runs_dir`` or nested up
    to ``MAX_DEPTH`` folders down (``report004/signature_01_100_mnist``), newest first: name
    (the relative path), group (its parent folder, "" at the top), classes, anomalies, samples
    per class, accuracy, date, or ``error`` for a malformed one."""
    runs = Path(runs_dir)
    rows = []
    if not runs.is_dir():
        return rows
    for folder in _run_folders(runs, MAX_DEPTH):
        name = folder.relative_to(runs).as_posix()
        group = folder.parent.relative_to(runs).as_posix()
        group = "" if group == "." else group
        try:
            summary = read_summary(folder)
            config = summary["config"]
            rows.append({"name": name, "group": group, "dataset": config.get("dataset", "?"),
                         "classes": config.get("classes", []), "anomalies": config.get("anomalies", []),
                         "n_per_class": config.get("n_per_class"), "n_train": summary.get("n_train"),
                         "hidden": config.get("hidden", []),
                         "accuracy": summary.get("accuracy"), "created": summary.get("created", "")})
        except RunError as error:
            rows.append({"name": name, "group": group, "error": str(error), "created": ""})
    return sorted(rows, key=lambda r: r.get("created") or "", reverse=True)


def list_presets(runs_dir) -> dict[str, dict]:
    """``{group: preset summary}`` for every folder of ``runs_dir`` holding a readable
    ``preset.json`` (written by ``flambeau signatures --preset``)."""
    runs = Path(runs_dir)
    presets = {}
    if not runs.is_dir():
        return presets
    for path in sorted(runs.glob("*/preset.json")) + sorted(runs.glob("*/*/preset.json")):
        try:
            summary = read_json(path)
        except (OSError, ValueError):
            continue
        if isinstance(summary, dict) and isinstance(summary.get("studies"), list):
            presets[path.parent.relative_to(runs).as_posix()] = summary
    return presets


def rows_digest(rows: list[dict]) -> str:
    """A short fingerprint of a study listing (the page redraws the list only when it changes)."""
    return hashlib.md5(json.dumps(rows, sort_keys=True).encode()).hexdigest()
