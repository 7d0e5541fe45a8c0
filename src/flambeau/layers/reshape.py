"""Shape-only modules: ``Flatten``, ``Reshape`` and ``Transpose2D`` (no parameters, no copies
beyond what NumPy's ``reshape`` needs). ``backward_delta`` applies the inverse map to ``delta``.
"""

from __future__ import annotations

import math

import numpy as np

from .._checks import ShapeError, check_shape
from ..module import Module

__all__ = ["Flatten", "Reshape", "Transpose2D"]


def _check_batch_axis(where: str, X: np.ndarray) -> None:
    if X.ndim < 1:
        raise ShapeError(f"{where}: X must have a batch axis (batch, ...), got {tuple(X.shape)}")


class Flatten(Module):
    """Flatten every axis but the batch one.

    Shape:
        X ``(batch, d1, ..., dk)`` -> Y ``(batch, d1 * ... * dk)``; ``dL/dX = delta`` reshaped
        back to ``(batch, d1, ..., dk)``.
    """

    def forward(self, X):
        X = np.asarray(X)
        _check_batch_axis("Flatten.forward", X)
        return X.reshape(X.shape[0], -1)

    def backward_delta(self, input, delta):
        shape = np.shape(input)
        _check_batch_axis("Flatten.backward_delta", np.asarray(input))
        delta = np.asarray(delta)
        check_shape("Flatten.backward_delta", "delta", delta, (shape[0], math.prod(shape[1:])))
        return delta.reshape(shape)


class Reshape(Module):
    """View each sample with a new shape, e.g. flat USPS digits ``(256,)`` as images ``(16, 16, 1)``.

    Args:
        shape: the new per-sample shape (positive ints); its size must equal the input's.

    Shape:
        X ``(batch, *in_shape)`` -> Y ``(batch, *shape)`` with ``prod(in_shape) == prod(shape)``;
        ``dL/dX = delta`` reshaped to ``(batch, *in_shape)``.
    """

    def __init__(self, shape):
        super().__init__()
        values = tuple(shape) if isinstance(shape, (tuple, list)) else (shape,)
        if not values or not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) and v >= 1
                                 for v in values):
            raise ValueError(f"Reshape: shape must be a tuple of positive ints, got {shape!r}")
        self.shape = tuple(int(v) for v in values)

    def forward(self, X):
        X = np.asarray(X)
        _check_batch_axis("Reshape.forward", X)
        if math.prod(X.shape[1:]) != math.prod(self.shape):
            target = "(batch, " + ", ".join(map(str, self.shape)) + ")"
            raise ShapeError(f"Reshape.forward: X of shape {tuple(X.shape)} cannot be reshaped to "
                             f"{target}: {math.prod(X.shape[1:])} values per sample, "
                             f"{math.prod(self.shape)} needed")
        return X.reshape(X.shape[0], *self.shape)

    def backward_delta(self, input, delta):
        shape = np.shape(input)
        delta = np.asarray(delta)
        check_shape("Reshape.backward_delta", "delta", delta, (shape[0], *self.shape))
        return delta.reshape(shape)

    def get_config(self) -> dict:
        return {"shape": list(self.shape)}


class Transpose2D(Module):
    """Swap the two spatial axes of channels-last images (the course's trick to turn vertical
    patterns into horizontal ones).

    Shape:
        X ``(batch, height, width, chan)`` -> Y ``(batch, width, height, chan)``,
        ``Y[n, j, i, c] = X[n, i, j, c]``; ``dL/dX`` is ``delta`` transposed back.
    """

    def forward(self, X):
        X = np.asarray(X)
        self._check(X, "X", "forward")
        return X.transpose(0, 2, 1, 3)

    def backward_delta(self, input, delta):
        shape = np.shape(input)
        self._check(np.asarray(input), "input", "backward_delta")
        delta = np.asarray(delta)
        check_shape("Transpose2D.backward_delta", "delta", delta, (shape[0], shape[2], shape[1], shape[3]))
        return delta.transpose(0, 2, 1, 3)

    @staticmethod
    def _check(X, name: str, method: str) -> None:
        if X.ndim != 4:
            raise ShapeError(f"Transpose2D.{method}: {name} must have shape (batch, height, width, chan) "
                             f"(4 axes), got {tuple(X.shape)}")
