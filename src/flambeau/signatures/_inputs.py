"""Check inputs against the shape a framework model declares, before running it."""

from __future__ import annotations

import numpy as np

__all__ = ["check_input_shape"]


def check_input_shape(where: str, what: str, expected: tuple, X: np.ndarray) -> None:
    """``ValueError`` naming ``what`` and its shape (``None``: any size) when ``X`` does not fit.

    ``expected[0]`` is the batch axis: shown as ``batch`` when free, never compared.
    """
    fits = X.ndim == len(expected) and all(e is None or e == x for e, x in zip(expected[1:], X.shape[1:],
                                                                               strict=True))
    if not fits:
        shown = ", ".join("batch" if i == 0 and e is None else str(e) for i, e in enumerate(expected))
        raise ValueError(f"{where}: {what} of shape ({shown}), got X of shape {X.shape}")
