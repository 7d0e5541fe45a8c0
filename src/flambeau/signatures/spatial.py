"""Reduce a convolutional feature map to one vector per sample before clustering.

A recorded output of more than two axes is a feature map: ``(n, h, w, c)`` channels-last
(flambeau, Keras) or ``(n, c, h, w)`` channels-first (PyTorch, ONNX), and likewise with one or
three spatial axes. Each channel is reduced over its positions, so a layer of ``c`` filters gives
``c`` features whatever the image size:

    ``mean``     ``a_c = (1 / P) sum_p A[p, c]`` (global average pooling, the default);
    ``max``      ``a_c = max_p A[p, c]``;
    ``flatten``  every value kept, in channels-last order ``(h, w, c)`` whatever the layout, so
                 that the same network in two frameworks gives the same columns.
"""

from __future__ import annotations

import numpy as np

__all__ = ["SPATIAL", "reduce_spatial"]

SPATIAL = ("mean", "max", "flatten")


def check_spatial(where: str, spatial: str) -> str:
    """``spatial`` if it names a reduction, else a ``ValueError`` naming ``where``."""
    if spatial not in SPATIAL:
        raise ValueError(f"{where}: spatial must be one of {list(SPATIAL)}, got {spatial!r}")
    return spatial


def reduce_spatial(A: np.ndarray, spatial: str = "mean", channels_last: bool = True) -> np.ndarray:
    """``(n, d)`` features of a recorded output ``A``.

    Args:
        A: ``(n, d)`` (returned as it is) or a feature map ``(n, *positions, c)`` when
            ``channels_last``, ``(n, c, *positions)`` otherwise.
        spatial: ``"mean"``, ``"max"`` or ``"flatten"`` (see the module docstring).
        channels_last: the layout of ``A``.

    Returns:
        ``(n, c)`` for ``mean`` / ``max``, ``(n, positions * c)`` for ``flatten``.
    """
    check_spatial("reduce_spatial", spatial)
    A = np.asarray(A)
    if A.ndim <= 2:
        return A.reshape(len(A), -1)
    if not channels_last:
        A = np.moveaxis(A, 1, -1)
    if spatial == "flatten":
        return np.ascontiguousarray(A).reshape(len(A), -1)
    positions = tuple(range(1, A.ndim - 1))
    return A.mean(axis=positions) if spatial == "mean" else A.max(axis=positions)
