"""Shape-only modules: ``Flatten``, ``Reshape`` and ``Transpose2D`` (no parameters, no copies
beyond what NumPy's ``reshape`` needs). ``backward_delta`` applies the inverse map to ``delta``.

They take arrays of real numbers of any numeric dtype and keep it (integer images stay integer);
anything else (text, objects, ragged lists) is refused (``_checks.as_float``).
"""

from __future__ import annotations

import math

import numpy as np

from .._checks import ShapeError, as_float, check_delta
from ..module import Module

__all__ = ["Flatten", "Reshape", "Transpose2D"]


def _numbers(where: str, name: str, X) -> np.ndarray:
    """``X`` as an array of real numbers with a batch axis (its dtype kept)."""
    X = as_float(X, where, name, int_dtype=None)
    if X.ndim < 1:
        raise ShapeError(f"{where}: {name} must have a batch axis (batch, ...), got {tuple(X.shape)}")
    return X


class Flatten(Module):
    """Flatten every axis but the batch one.

    Shape:
        X ``(batch, d1, ..., dk)`` -> Y ``(batch, d1 * ... * dk)``; ``dL/dX = delta`` reshaped
        back to ``(batch, d1, ..., dk)``.
    """

    def forward(self, X):
        X = _numbers("Flatten.forward", "X", X)
        return X.reshape(X.shape[0], math.prod(X.shape[1:]))  # not -1: an empty batch has no size to infer

    def backward_update_gradient(self, input, delta):
        """No parameters: only the checks of ``backward_delta``."""
        self._checked(input, delta, "backward_update_gradient")

    def backward_delta(self, input, delta):
        shape, delta = self._checked(input, delta, "backward_delta")
        return delta.reshape(shape)

    @staticmethod
    def _checked(input, delta, method: str):
        where = f"Flatten.{method}"
        shape = _numbers(where, "input", input).shape
        return shape, check_delta(where, delta, (shape[0], math.prod(shape[1:])), shape)


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
        X = _numbers("Reshape.forward", "X", X)
        if math.prod(X.shape[1:]) != math.prod(self.shape):
            target = "(batch, " + ", ".join(map(str, self.shape)) + ")"
            raise ShapeError(f"Reshape.forward: X of shape {tuple(X.shape)} cannot be reshaped to "
                             f"{target}: {math.prod(X.shape[1:])} values per sample, "
                             f"{math.prod(self.shape)} needed")
        return X.reshape(X.shape[0], *self.shape)

    def backward_update_gradient(self, input, delta):
        """No parameters: only the checks of ``backward_delta``."""
        self._checked(input, delta, "backward_update_gradient")

    def backward_delta(self, input, delta):
        shape, delta = self._checked(input, delta, "backward_delta")
        return delta.reshape(shape)

    def _checked(self, input, delta, method: str):
        where = f"Reshape.{method}"
        shape = _numbers(where, "input", input).shape
        if math.prod(shape[1:]) != math.prod(self.shape):
            raise ShapeError(f"{where}: input of shape {shape} does not hold {math.prod(self.shape)} "
                             "values per sample, as the last forward's did")
        return shape, check_delta(where, delta, (shape[0], *self.shape), shape)

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
        return self._check(X, "X", "forward").transpose(0, 2, 1, 3)

    def backward_update_gradient(self, input, delta):
        """No parameters: only the checks of ``backward_delta``."""
        self._checked(input, delta, "backward_update_gradient")

    def backward_delta(self, input, delta):
        return self._checked(input, delta, "backward_delta").transpose(0, 2, 1, 3)

    def _checked(self, input, delta, method: str) -> np.ndarray:
        shape = self._check(input, "input", method).shape
        return check_delta(f"Transpose2D.{method}", delta, (shape[0], shape[2], shape[1], shape[3]), shape)

    @staticmethod
    def _check(X, name: str, method: str) -> np.ndarray:
        X = as_float(X, f"Transpose2D.{method}", name, int_dtype=None)
        if X.ndim != 4:
            raise ShapeError(f"Transpose2D.{method}: {name} must have shape (batch, height, width, chan) "
                             f"(4 axes), got {tuple(X.shape)}")
        return X
