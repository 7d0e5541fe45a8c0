"""Sankey flows split by true class: each link drawn as one band per class of its samples, in
the class's colour (the first column's node: ``true c`` or ``anomaly c``)."""

from __future__ import annotations

import numpy as np

from .store import SignatureRun

__all__ = ["class_flows", "rgba"]


def rgba(hex_colour: str, alpha: float) -> str:
    """``"#1f77b4"`` -> ``"rgba(31, 119, 180, alpha)"``."""
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r}, {g}, {b}, {alpha})"


def class_flows(study: SignatureRun, rows: np.ndarray | None = None):
    """Samples of each (link, class) pair, for the samples ``rows`` (bool ``(n,)``; all if None).

    The class of a sample is its node in the first column (``node_ids[:, 0]``), so known and
    anomalous samples of the same digit stay apart. One ``bincount`` over ``(n, L + 1)`` codes
    ``link * K + class``.

    Returns:
        ``(links, classes, values)``, three ``(m,)`` arrays over the pairs that carry samples,
        ``classes`` as first-column node ids.
    """
    p = study.paths
    key = p.node_ids[:, 0]
    n_keys = int(key.max()) + 1 if len(key) else 1
    link_ids = p.link_ids if rows is None else p.link_ids[rows]
    key = key if rows is None else key[rows]
    codes = (link_ids * n_keys + key[:, None]).ravel()
    counts = np.bincount(codes, minlength=len(p.link_value) * n_keys)
    pairs = np.flatnonzero(counts)
    return pairs // n_keys, pairs % n_keys, counts[pairs]
