"""Every file flambeau writes: atomic writes, strict JSON, ``.npz`` archives, PNG figures.

**Atomic.** A file is written to a temporary sibling ``.<name>.<pid>.<8 hex digits>.tmp`` in the
destination folder, flushed and fsynced, then renamed over the target with ``os.replace``: a
reader (the web app, a resumed run) sees the old file or the new one, never part of one, even
after a power cut. On any error the temporary file is removed and the old file is left as it
was. New files get the permissions ``open`` gives (``0o666 & ~umask``, 0o644 usually), never
``mkstemp``'s private 0o600; folders ``0o777 & ~umask``.

**Crash leftovers.** A process killed while writing (SIGKILL, out of memory) cannot remove its
temporary. Each write of a target first removes the temporaries of THAT target whose process
(the ``<pid>`` in the name) no longer runs on this machine. Temporaries of other targets, of
running processes (another thread or process writing the same file) and files named otherwise
are never touched.

**Strict JSON** (RFC 8259: no ``NaN``, ``Infinity``, which strict parsers such as JavaScript's
``JSON.parse`` reject). Two rules, one per kind of file:

- *Artefacts* (``write_json``, ``dumps``: ``metrics.json``, ``config.json``, ``study.json``,
  sweep summaries): NaN is written ``null``, +inf ``"inf"`` and -inf ``"-inf"``. What a person,
  a spreadsheet or a browser expects; ``read_json`` returns these values as written (``None``,
  the strings), so ``null`` also stands for a missing value. NumPy scalars and arrays, tuples and
  paths become plain JSON values.
- *Exact* (``dumps_exact``, ``loads_exact``: the header inside flambeau ``.npz`` files, i.e.
  saved models and training checkpoints): a non-finite float is written as the object
  ``{"__float__": "nan"}``, ``{"__float__": "inf"}`` or ``{"__float__": "-inf"}`` and
  ``loads_exact`` turns it back into that float, so a history or a callback state holding NaN
  or inf (a plateau schedule's ``best`` of inf) is restored exactly and a resumed run stays
  bit-identical. Other values are written as ``json.dumps`` writes them.

Both writers refuse to emit a bare NaN/Infinity (``allow_nan=False``). Both readers still accept
the bare constants that files written by earlier versions may hold.

**Figures.** ``save_figure`` writes a matplotlib figure as a PNG (atomically, umask
permissions) and closes it if pyplot manages it.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import os
import re
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import numpy as np

__all__ = ["atomic_write", "dumps", "dumps_exact", "loads_exact", "publish_folder", "read_json",
           "remove_stale_temporaries", "save_figure", "temporary_folder", "to_jsonable",
           "write_bytes", "write_json", "write_npz", "write_text"]

logger = logging.getLogger(__name__)

_TEMPORARY_TAIL = re.compile(r"(?P<pid>[0-9]{1,10})\.[0-9a-f]{8}\.tmp")
"""What follows ``.<target name>.`` in the name of one of our temporaries."""


# -- temporaries --------------------------------------------------------------------------------
def _temporary_path(target: Path) -> Path:
    return target.with_name(f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")


def _process_runs(pid: int) -> bool:
    """Whether process ``pid`` exists on this machine (signal 0 checks without signalling)."""
    if os.name == "nt" or pid <= 0 or pid == os.getpid():
        return True  # Windows' os.kill would terminate it; os.kill(0, 0) tests our own group
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it runs, under another user
        return True
    except (OverflowError, OSError):
        return False
    return True


def remove_stale_temporaries(target) -> list[Path]:
    """Remove the temporaries of ``target`` (files or folders) left by processes that no longer
    run; returns what was removed. Called by every write of ``target``."""
    target = Path(target)
    prefix = f".{target.name}."
    removed = []
    try:
        entries = list(os.scandir(target.parent))
    except FileNotFoundError:
        return removed
    for entry in entries:
        match = entry.name.startswith(prefix) and _TEMPORARY_TAIL.fullmatch(entry.name[len(prefix):])
        if not match or _process_runs(int(match["pid"])):
            continue
        path = Path(entry.path)
        with contextlib.suppress(FileNotFoundError):  # another writer may clean it at the same time
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(path)
            else:
                path.unlink()
            removed.append(path)
            logger.info("removed %s, left by a process that no longer runs", path)
    return removed


# -- atomic writes -------------------------------------------------------------------------------
@contextlib.contextmanager
def atomic_write(path) -> Iterator[BinaryIO]:
    """``with atomic_write(path) as file: file.write(...)``: a binary file that replaces ``path``
    when the block ends without error (parent folders created, stale temporaries of ``path``
    removed, temporary deleted on error)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(path)
    tmp = _temporary_path(path)
    try:
        with open(tmp, "xb") as file:  # "x": created here, with the umask's permissions
            yield file
            file.flush()
            os.fsync(file.fileno())  # the data is on disk before the rename makes it visible
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_bytes(path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically."""
    with atomic_write(path) as file:
        file.write(data)
    return Path(path)


def write_text(path, text: str) -> Path:
    """Write ``text`` to ``path`` atomically, UTF-8 encoded (HTML reports, CSV tables)."""
    return write_bytes(path, text.encode("utf-8"))


def write_npz(path, arrays: dict[str, np.ndarray], compressed: bool = False) -> Path:
    """Write ``arrays`` into one ``.npz`` at ``path`` atomically (``compressed``: deflate)."""
    save = np.savez_compressed if compressed else np.savez
    with atomic_write(path) as file:
        save(file, **arrays)
    return Path(path)


# -- whole folders -------------------------------------------------------------------------------
def temporary_folder(parent, name: str) -> Path:
    """An empty hidden folder in ``parent`` to fill, then move into place as ``parent/name`` with
    ``publish_folder`` (stale temporary folders of ``name`` are removed first)."""
    parent = Path(parent)
    parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(parent / name)
    tmp = _temporary_path(parent / name)
    tmp.mkdir()  # 0o777 & ~umask, not mkdtemp's private 0o700
    return tmp


def publish_folder(tmp: Path, final) -> Path:
    """Move the fully written folder ``tmp`` to ``final``, replacing an older folder there."""
    final = Path(final)
    old = None
    if final.exists():
        old = _temporary_path(final)  # named as a temporary: removed later if we are killed here
        os.replace(final, old)
    os.replace(tmp, final)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    return final


# -- JSON ----------------------------------------------------------------------------------------
def to_jsonable(value):
    """``value`` as plain JSON values under the artefact rule: NaN -> None, +/-inf -> "inf" /
    "-inf", NumPy scalars and arrays -> numbers and lists, tuples -> lists, paths -> strings,
    dict keys -> strings."""
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return to_jsonable(value.tolist())
    if isinstance(value, np.generic):
        return to_jsonable(value.item())
    if isinstance(value, float) and not math.isfinite(value):
        return None if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, Path):
        return str(value)
    return value


def dumps(value, indent: int | None = 2) -> str:
    """Strict JSON text of ``value`` under the artefact rule (see ``to_jsonable``)."""
    return json.dumps(to_jsonable(value), indent=indent, allow_nan=False)


def write_json(path, value) -> Path:
    """Write ``value`` as indented strict JSON (artefact rule), atomically."""
    return write_text(path, dumps(value) + "\n")


def read_json(path):
    """The value of a JSON file written by ``write_json`` (non-finite numbers as written)."""
    return json.loads(Path(path).read_text(encoding="utf-8"))


_NON_FINITE = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


def _tag_non_finite(value):
    if isinstance(value, float) and not math.isfinite(value):
        return {"__float__": "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")}
    if isinstance(value, dict):
        return {k: _tag_non_finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_tag_non_finite(v) for v in value]
    return value


def _untag_non_finite(obj: dict):
    if len(obj) == 1 and obj.get("__float__") in _NON_FINITE:
        return _NON_FINITE[obj["__float__"]]
    return obj


def dumps_exact(value) -> str:
    """Strict JSON text of ``value`` that ``loads_exact`` reads back exactly, NaN and inf
    included (written ``{"__float__": "nan" | "inf" | "-inf"}``)."""
    return json.dumps(_tag_non_finite(value), allow_nan=False)


def loads_exact(text: str):
    """The value ``dumps_exact`` wrote (raises ``json.JSONDecodeError`` on invalid JSON)."""
    return json.loads(text, object_hook=_untag_non_finite)


# -- figures -------------------------------------------------------------------------------------
def save_figure(fig, path, dpi: int = 100, tight: bool = False) -> Path:
    """Write the matplotlib figure ``fig`` as a PNG at ``path`` atomically, then close it if
    pyplot manages it (a ``matplotlib.figure.Figure`` built directly needs no closing and stays
    usable). ``tight``: crop the canvas to the drawn content (``bbox_inches="tight"``)."""
    options = {"bbox_inches": "tight"} if tight else {}
    try:
        with atomic_write(path) as file:
            fig.savefig(file, format="png", dpi=dpi, **options)
    finally:
        _close(fig)
    return Path(path)


def _close(fig) -> None:
    if getattr(fig.canvas, "manager", None) is not None:  # only pyplot gives a figure a manager
        import matplotlib.pyplot as plt

        plt.close(fig)
