"""Test helpers: PyTorch comparison in float64, data location, strict JSON and permission checks."""

from __future__ import annotations

import json
import os
import stat
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


def strict_json(text: str):
    """``json.loads`` refusing ``NaN``, ``Infinity`` and ``-Infinity``, as strict parsers do."""
    def refuse(constant):
        raise ValueError(f"not strict JSON: bare {constant}")
    return json.loads(text, parse_constant=refuse)


def assert_strict_json_files(folder) -> int:
    """Parse strictly every ``.json`` file under ``folder`` and the JSON header of every flambeau
    ``.npz`` there; returns how many documents were parsed."""
    parsed = 0
    for path in sorted(Path(folder).rglob("*")):
        if path.suffix == ".json":
            strict_json(path.read_text(encoding="utf-8"))
            parsed += 1
        elif path.suffix == ".npz":
            with np.load(path, allow_pickle=False) as archive:
                if "__flambeau__" in archive.files:
                    strict_json(str(archive["__flambeau__"]))
                    parsed += 1
    return parsed


def current_umask() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return umask


def assert_umask_permissions(folder) -> int:
    """Every file under ``folder`` has mode ``0o666 & ~umask``, every folder ``0o777 & ~umask``
    (what ``open`` and ``mkdir`` give), and no temporary is left; returns the number of files."""
    umask, files = current_umask(), 0
    for path in sorted(Path(folder).rglob("*")):
        assert not path.name.endswith(".tmp"), f"temporary left: {path}"
        expected = (0o777 if path.is_dir() else 0o666) & ~umask
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == expected, f"{path}: mode {mode:o}, expected {expected:o} (umask {umask:03o})"
        files += path.is_file()
    return files


def case_ids(cases) -> list[str]:
    """pytest ids of module-database or loss cases."""
    return [case.id for case in cases]


def one_case_per_class(cases) -> list:
    """The first case of each class, in database order."""
    seen, chosen = set(), []
    for case in cases:
        if case.name not in seen:
            seen.add(case.name)
            chosen.append(case)
    return chosen
