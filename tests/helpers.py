"""Test helpers: PyTorch comparison in float64, data location."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]


def torch():
    """Import PyTorch (test-only reference)."""
    return pytest.importorskip("torch", reason="pip install torch==2.13.0 (test extra)")


def to_torch(array, requires_grad: bool = False):
    t = torch()
    return t.tensor(np.asarray(array, dtype=np.float64), requires_grad=requires_grad)


def assert_close(ours, theirs, name: str, rtol: float = 1e-6, atol: float = 1e-9) -> None:
    """Assert two arrays agree; the message shows both shapes and the worst difference."""
    if hasattr(theirs, "detach"):
        theirs = theirs.detach().numpy()
    ours, theirs = np.asarray(ours), np.asarray(theirs)
    assert ours.shape == theirs.shape, f"{name}: shape {ours.shape} (ours) vs {theirs.shape}"
    worst = float(np.abs(ours - theirs).max(initial=0))
    assert np.allclose(ours, theirs, rtol=rtol, atol=atol), (
        f"{name}: max |ours - torch| = {worst:.3g} (shapes {ours.shape} / {theirs.shape})")


def data_dir(name: str) -> Path:
    """Folder of a real dataset in $FLAMBEAU_DATA or ../shared/data; skips when absent."""
    candidates = [Path(p) / name for p in [os.environ.get("FLAMBEAU_DATA")] if p]
    candidates.append(REPO.parent / "shared" / "data" / name)
    for path in candidates:
        if path.is_dir():
            return path
    pytest.skip(f"real {name} data not found: set FLAMBEAU_DATA to a folder holding {name}/")
