"""Fixtures of the dataset tests: an isolated search path."""

from __future__ import annotations

import pytest

from flambeau.datasets import locate


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    """No $FLAMBEAU_DATA, a fresh cache under tmp_path, an empty system folder."""
    monkeypatch.delenv("FLAMBEAU_DATA", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(locate, "SYSTEM_DATA_DIR", tmp_path / "system")
    return tmp_path
