"""Check the figures a study wrote."""

from __future__ import annotations


def png_files(folder):
    """PNG files written in ``folder`` (and no temporary file left behind)."""
    names = sorted(p.name for p in folder.iterdir())
    assert not [n for n in names if n.endswith(".tmp")], names
    for name in names:
        assert (folder / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name
    return names
