"""Inverted dropout."""

from __future__ import annotations

import numpy as np

from .._checks import check_delta, samples
from ..module import Module
from ..random import make_rng

__all__ = ["Dropout"]


class Dropout(Module):
    """Zero each input with probability ``p`` during training, scaling the rest by ``1 / (1 - p)``.

    Inverted dropout: ``Y = X * M / (1 - p)`` with ``M ~ Bernoulli(1 - p)`` drawn at each
    ``forward`` in training mode, so that ``E[Y] = X`` and evaluation needs no rescaling. In
    evaluation mode (``eval()``) ``Y = X``.

    Args:
        p: probability of zeroing an input, in ``[0, 1)``.
        rng: seed or ``numpy.random.Generator`` for the masks (default: the library's generator).

    Shape:
        X ``(batch, ...)`` -> Y, same shape.

    Gradient:
        ``dL/dX = delta * M / (1 - p)`` with the mask of the last training ``forward``
        (``delta`` in evaluation mode).
    """

    _transient = {"_scaled_mask": None}  # M / (1 - p) of the last training forward

    def __init__(self, p: float = 0.5, rng=None):
        super().__init__()
        if not (isinstance(p, (int, float, np.floating)) and 0 <= p < 1):
            raise ValueError(f"Dropout: p must lie in [0, 1), got {p!r}")
        self.p = float(p)
        self.rng = make_rng(rng, "Dropout")

    def forward(self, X):
        X = samples("Dropout.forward", "X", X, int_dtype=np.float64)
        if not self.training or self.p == 0:
            return X
        keep = self.rng.random(X.shape, dtype=X.dtype if X.dtype == np.float32 else np.float64) >= self.p
        self._scaled_mask = keep.astype(X.dtype) * X.dtype.type(1 / (1 - self.p))
        return X * self._scaled_mask

    def backward_update_gradient(self, input, delta):
        """No parameters: only the checks of ``backward_delta``."""
        self._checked(input, delta, "backward_update_gradient")

    def backward_delta(self, input, delta):
        delta = self._checked(input, delta, "backward_delta")
        if not self.training or self.p == 0:
            return delta
        if self._scaled_mask is None or self._scaled_mask.shape != delta.shape:
            raise RuntimeError("Dropout.backward_delta: no mask for this input; call forward (in "
                               "training mode) on it first")
        return delta * self._scaled_mask

    @staticmethod
    def _checked(input, delta, method: str) -> np.ndarray:
        where = f"Dropout.{method}"
        shape = samples(where, "input", input).shape
        return check_delta(where, delta, shape, shape)

    def get_config(self) -> dict:
        return {"p": self.p}
