"""The one shape-checking helper: every user-facing shape error goes through here.

Messages read like ``Linear.forward: X must have shape (batch, 3), got (8, 4)``.
"""

from __future__ import annotations

import numpy as np

__all__ = ["ShapeError", "check_ndim", "check_shape", "check_same_shape", "describe"]


class ShapeError(ValueError):
    """An array of the wrong shape reached a module or a loss."""


def describe(expected) -> str:
    """Render an expected shape where ``None`` means 'any size' and strings are names."""
    parts = ["batch" if i == 0 and d is None else ("*" if d is None else str(d))
             for i, d in enumerate(expected)]
    return "(" + ", ".join(parts) + ("," if len(parts) == 1 else "") + ")"


def check_ndim(where: str, name: str, X: np.ndarray, ndim: int, layout: str) -> None:
    """Raise unless ``X.ndim == ndim``; ``layout`` names the axes, e.g. ``(batch, length, chan)``."""
    if X.ndim != ndim:
        raise ShapeError(f"{where}: {name} must have shape {layout} ({ndim} axes), "
                         f"got {tuple(X.shape)}")


def check_shape(where: str, name: str, X: np.ndarray, expected: tuple) -> None:
    """Raise unless ``X.shape`` matches ``expected`` (``None`` entries match any size)."""
    ok = X.ndim == len(expected) and all(
        e is None or e == s for e, s in zip(expected, X.shape, strict=True))
    if not ok:
        raise ShapeError(f"{where}: {name} must have shape {describe(expected)}, "
                         f"got {tuple(X.shape)}")


def check_same_shape(where: str, name_a: str, a: np.ndarray, name_b: str, b: np.ndarray) -> None:
    """Raise unless two arrays have the same shape."""
    if a.shape != b.shape:
        raise ShapeError(f"{where}: {name_a} and {name_b} must have the same shape, "
                         f"got {tuple(a.shape)} and {tuple(b.shape)}")
