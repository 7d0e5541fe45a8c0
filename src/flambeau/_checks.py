"""The input checks: every user-facing shape error, and every conversion of an argument to a
float array, goes through here.

Messages read like ``Linear.forward: X must have shape (batch, 3), got (8, 4)`` and
``MSELoss.forward: y must be an array of real numbers, got None``.
"""

from __future__ import annotations

import reprlib

import numpy as np

__all__ = ["NotNumericError", "ShapeError", "as_float", "check_ndim", "check_same_shape",
           "check_shape", "describe"]


class ShapeError(ValueError):
    """An array of the wrong shape reached a module or a loss."""


class NotNumericError(TypeError, ValueError):
    """An argument that must be an array of real numbers is not one (None, text, a ragged list,
    objects, complex numbers). Both a ``TypeError`` and a ``ValueError``, as NumPy's own errors for
    such values are one or the other."""


def as_float(value, where: str, name: str, int_dtype=np.float64) -> np.ndarray:
    """``value`` as a floating-point array: the one converter of numeric arguments.

    Float arrays come back as they are (the same object for an ndarray, never copied); integer
    and boolean ones are cast to ``int_dtype`` (float64 unless the caller needs another); any
    array-like of real numbers (lists, scalars) is read with ``np.asarray`` first. Anything else
    is refused with a ``NotNumericError`` naming ``where`` (``"Module.method"``), the argument
    ``name`` and what was received.
    """
    try:
        array = np.asarray(value)
    except ValueError:  # NumPy's "inhomogeneous shape": a ragged nested sequence
        raise _not_numeric(where, name, value, " (nested sequences of different lengths)") from None
    except TypeError:
        raise _not_numeric(where, name, value, " (NumPy cannot read it as an array)") from None
    kind = array.dtype.kind
    if kind == "f":
        return array
    if kind in "biu":
        return array.astype(int_dtype)
    raise _not_numeric(where, name, value)


def _not_numeric(where: str, name: str, value, why: str = "") -> NotNumericError:
    return NotNumericError(f"{where}: {name} must be an array of real numbers, got "
                           f"{_received(value)}{why}")


def _received(value) -> str:
    """``None``, ``an array of dtype <U3``, ``str 'abc'``, ``list [[1, 2], [3]]``: for messages."""
    if value is None:
        return "None"
    if isinstance(value, np.ndarray):
        return f"an array of dtype {value.dtype}"
    return f"{type(value).__name__} {reprlib.repr(value)}"


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
