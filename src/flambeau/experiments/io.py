"""Atomic writes for run artefacts: JSON, text, PNG figures, CSV tables.

Every file is written to a temporary sibling then renamed over the target, so a reader (the
web app, a resumed sweep) never sees a half-written file.
"""

from __future__ import annotations

import io
import json
import math
import os
from pathlib import Path

import numpy as np

__all__ = ["atomic_write_bytes", "atomic_write_text", "read_json", "save_figure", "to_jsonable",
           "write_json"]


def atomic_write_bytes(path, data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file and ``os.replace``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    return path


def atomic_write_text(path, text: str) -> Path:
    return atomic_write_bytes(path, text.encode("utf-8"))


def to_jsonable(value):
    """Turn NumPy scalars/arrays, tuples, paths and non-finite floats into plain JSON values."""
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


def write_json(path, data) -> Path:
    """Atomically write ``data`` (made JSON-safe by ``to_jsonable``) as indented JSON."""
    return atomic_write_text(path, json.dumps(to_jsonable(data), indent=2, sort_keys=False) + "\n")


def read_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def save_figure(fig, path, dpi: int = 100) -> bytes:
    """Render a matplotlib figure to PNG, write it atomically, close it; returns the PNG bytes."""
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    plt.close(fig)
    data = buffer.getvalue()
    atomic_write_bytes(path, data)
    return data
