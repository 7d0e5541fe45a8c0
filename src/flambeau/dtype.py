"""The one dtype policy of flambeau.

Parameters are created in the *default dtype*: float32 for training, float64 on request
(``set_default_dtype(np.float64)`` or the ``default_dtype`` context manager, used by
gradient checks). Inputs are brought to the dtype of the parameters that consume them by
``as_compute_dtype``: integers and lower-precision floats are cast exactly, while a
higher-precision float (float64 data into a float32 network) is cast with a
``PrecisionWarning`` so that precision is never lost silently.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator

import numpy as np

from ._checks import as_float

__all__ = [
    "PrecisionWarning",
    "as_compute_dtype",
    "default_dtype",
    "get_default_dtype",
    "parameter_dtype",
    "set_default_dtype",
]

_SUPPORTED = (np.dtype(np.float32), np.dtype(np.float64))
_default = np.dtype(np.float32)


class PrecisionWarning(UserWarning):
    """An input was cast to a lower floating-point precision."""


def _checked(dtype, where: str = "set_default_dtype") -> np.dtype:
    try:
        checked = np.dtype(dtype)
    except TypeError:  # NumPy's "data type 'x' not understood"
        checked = None
    if checked is None or checked not in _SUPPORTED:  # (None == float64 dtype in NumPy)
        shown = checked if checked is not None else f"{dtype!r:.100}"
        raise TypeError(f"{where}: flambeau supports float32 and float64 parameters, got {shown}")
    return checked


def parameter_dtype(dtype, where: str) -> np.dtype:
    """The dtype of new parameters: ``dtype`` (float32 or float64, checked) or, when None, the
    default dtype."""
    return _default if dtype is None else _checked(dtype, where)


def get_default_dtype() -> np.dtype:
    """The dtype new parameters are created with (float32 unless changed)."""
    return _default


def set_default_dtype(dtype) -> None:
    """Set the dtype of parameters created from now on (float32 or float64)."""
    global _default
    _default = _checked(dtype)


@contextlib.contextmanager
def default_dtype(dtype) -> Iterator[np.dtype]:
    """Temporarily change the default dtype: ``with default_dtype(np.float64): ...``."""
    previous = get_default_dtype()
    set_default_dtype(dtype)
    try:
        yield get_default_dtype()
    finally:
        set_default_dtype(previous)


def as_compute_dtype(X, dtype, where: str, name: str = "X") -> np.ndarray:
    """Return ``X`` as an array of ``dtype``, warning if that loses float precision.

    Args:
        X: array-like of real numbers (anything else is refused: ``_checks.as_float``).
        dtype: the dtype of the parameters that will consume ``X``.
        where: ``"Module.method"`` named in messages.
        name: the argument named in messages.
    """
    if type(X) is np.ndarray and X.dtype == dtype:  # the hot path
        return X
    X = as_float(X, where, name, int_dtype=None)
    if X.dtype == dtype:
        return X
    if X.dtype.kind == "f" and X.dtype.itemsize > np.dtype(dtype).itemsize:
        warnings.warn(
            f"{where}: input of dtype {X.dtype} cast to {np.dtype(dtype)}, the parameters' dtype; "
            f"pass {np.dtype(dtype)} data, or call .to(np.{X.dtype}) on the model to keep "
            "full precision",
            PrecisionWarning,
            stacklevel=3,
        )
    return X.astype(dtype)
