"""Element-wise and softmax activations (no parameters).

All are numerically stable: no overflow for inputs of magnitude 1e4 or more. Where the
derivative is cheaper from the output (tanh, sigmoid, softmax), the output of the last
``forward`` is kept and reused when ``backward_delta`` receives that same input array.
"""

from __future__ import annotations

import numpy as np

from .._checks import ShapeError, check_ndim
from ..module import Module

__all__ = ["Identity", "LeakyReLU", "LogSoftmax", "ReLU", "Sigmoid", "Softmax", "TanH"]


class _Activation(Module):
    """Shared plumbing: input check and the cached (input, output) pair."""

    def __init__(self):
        super().__init__()
        self._last_input = None
        self._last_output = None

    def forward(self, X):
        X = np.asarray(X)
        if X.dtype.kind != "f":
            X = X.astype(np.float64)
        Y = self._apply(X)
        self._last_input, self._last_output = X, Y
        return Y

    def backward_delta(self, input, delta):
        where = f"{type(self).__name__}.backward_delta"
        _check_pair(where, input, delta)
        return self._input_gradient(input, delta)

    def _output_for(self, input):
        """The forward output for ``input``, reused from the last forward when possible."""
        if input is self._last_input:
            return self._last_output
        return self._apply(np.asarray(input))

    def _apply(self, X):
        raise NotImplementedError

    def _input_gradient(self, input, delta):
        raise NotImplementedError

    def __getstate__(self):
        state = self.__dict__.copy()
        state["_last_input"] = state["_last_output"] = None
        return state


def _check_pair(where, input, delta):
    if np.shape(input) != np.shape(delta):
        raise ShapeError(f"{where}: input and delta must have the same shape, "
                         f"got {tuple(np.shape(input))} and {tuple(np.shape(delta))}")


class Identity(_Activation):
    """``Y = X``; ``dL/dX = delta``."""

    def _apply(self, X):
        return X

    def _input_gradient(self, input, delta):
        return delta


class TanH(_Activation):
    """``Y = tanh(X)``; ``dL/dX = delta * (1 - Y^2)``."""

    def _apply(self, X):
        return np.tanh(X)

    def _input_gradient(self, input, delta):
        Y = self._output_for(input)
        return delta * (1 - Y * Y)


class Sigmoid(_Activation):
    """``Y = 1 / (1 + exp(-X))``; ``dL/dX = delta * Y (1 - Y)``.

    Computed as ``exp(-|x|)`` based branches so that no ``exp`` overflows.
    """

    def _apply(self, X):
        e = np.exp(-np.abs(X))
        return np.where(X >= 0, 1, e) / (1 + e)

    def _input_gradient(self, input, delta):
        Y = self._output_for(input)
        return delta * Y * (1 - Y)


class ReLU(_Activation):
    """``Y = max(X, 0)``; ``dL/dX = delta * [X > 0]``."""

    def _apply(self, X):
        return np.maximum(X, 0)

    def _input_gradient(self, input, delta):
        return delta * (np.asarray(input) > 0)


class LeakyReLU(_Activation):
    """``Y = X`` where ``X > 0`` else ``alpha X``; ``dL/dX = delta`` or ``alpha delta``.

    Args:
        alpha: slope for negative inputs (default 0.01, as PyTorch).
    """

    def __init__(self, alpha: float = 0.01):
        super().__init__()
        if not np.isfinite(alpha):
            raise ValueError(f"LeakyReLU: alpha must be finite, got {alpha!r}")
        self.alpha = float(alpha)

    def _apply(self, X):
        return np.where(X > 0, X, self.alpha * X)

    def _input_gradient(self, input, delta):
        return np.where(np.asarray(input) > 0, delta, self.alpha * delta)

    def get_config(self):
        return {"alpha": self.alpha}


class Softmax(_Activation):
    """``Y_i = exp(X_i) / sum_j exp(X_j)`` over the last axis.

    ``backward_delta`` is the exact Jacobian-vector product
    ``dL/dX = Y * (delta - sum(delta * Y, axis=-1))``.
    """

    def _apply(self, X):
        check_ndim("Softmax.forward", "X", X, 2, "(batch, classes)")
        return softmax(X)

    def _input_gradient(self, input, delta):
        Y = self._output_for(input)
        return Y * (delta - (delta * Y).sum(axis=-1, keepdims=True))


class LogSoftmax(_Activation):
    """``Y = X - logsumexp(X)`` over the last axis; ``dL/dX = delta - softmax(X) sum(delta)``."""

    def _apply(self, X):
        check_ndim("LogSoftmax.forward", "X", X, 2, "(batch, classes)")
        return log_softmax(X)

    def _input_gradient(self, input, delta):
        probabilities = np.exp(self._output_for(input))
        return delta - probabilities * delta.sum(axis=-1, keepdims=True)


def log_softmax(X: np.ndarray) -> np.ndarray:
    """Stable ``X - logsumexp(X, axis=-1)``."""
    shifted = X - X.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def softmax(X: np.ndarray) -> np.ndarray:
    """Stable softmax over the last axis."""
    e = np.exp(X - X.max(axis=-1, keepdims=True))
    e /= e.sum(axis=-1, keepdims=True)
    return e
