"""Atomic writes: the file appears whole with ordinary permissions, or not at all."""

from __future__ import annotations

import os

import pytest

from flambeau._atomic import atomic_write


def test_writes_and_uses_umask_permissions(tmp_path):
    path = tmp_path / "sub" / "f.bin"
    with atomic_write(path) as file:
        file.write(b"abc")
    assert path.read_bytes() == b"abc"
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask


def test_error_keeps_the_previous_file_and_no_temporary(tmp_path):
    path = tmp_path / "f.bin"
    path.write_bytes(b"old")
    with pytest.raises(RuntimeError, match="boom"), atomic_write(path) as file:
        file.write(b"partial")
        raise RuntimeError("boom")
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["f.bin"]
