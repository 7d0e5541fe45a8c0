"""Element-wise and softmax activations (no parameters, so no parameter gradient: ``forward`` and
``backward_delta`` only).

All are numerically stable: no overflow for inputs of magnitude 1e4 or more. Where the
derivative is cheaper from the output (tanh, sigmoid, softmax), ``forward`` remembers its
output for its input (``module.Remembered``) and ``backward_delta`` reuses it when it receives
that same input object; the others keep nothing.
"""

from __future__ import annotations

import numpy as np

from .._checks import check_delta, check_ndim, check_real, samples
from ..module import Module, Remembered

__all__ = ["Identity", "LeakyReLU", "LogSoftmax", "ReLU", "Sigmoid", "Softmax", "TanH"]


class _Activation(Module):
    """Shared plumbing: input conversion and the delta check (``delta`` shaped like the input)."""

    def forward(self, X):
        return self._apply(_batch(f"{type(self).__name__}.forward", "X", X))

    def backward_update_gradient(self, input, delta):
        """No parameters: only the checks of ``backward_delta``."""
        self._checked(input, delta, "backward_update_gradient")

    def backward_delta(self, input, delta):
        return self._input_gradient(*self._checked(input, delta, "backward_delta"))

    def _checked(self, input, delta, method: str):
        where = f"{type(self).__name__}.{method}"
        input = _batch(where, "input", input)
        return input, check_delta(where, delta, input.shape, input.shape)

    def _apply(self, X):
        raise NotImplementedError

    def _input_gradient(self, input, delta):
        raise NotImplementedError


class _FromOutput(_Activation):
    """An activation whose derivative is computed from its output ``Y``: forward remembers ``Y``
    for its (float) input."""

    _transient = {"_output": Remembered()}

    def forward(self, X):
        X = _batch(f"{type(self).__name__}.forward", "X", X)
        return self._output.remember(X, self._apply(X))

    def _output_for(self, input):
        """The forward output for ``input``: the remembered one, or computed again."""
        Y = self._output.recall(input)
        return self._apply(input) if Y is None else Y


def _batch(where: str, name: str, X) -> np.ndarray:
    """``X`` as a float array with a batch axis (``_checks.samples``; integers become float64)."""
    return samples(where, name, X, int_dtype=np.float64)


class Identity(_Activation):
    """``Y = X``; ``dL/dX = delta``.

    Shape:
        X ``(batch, ...)`` -> Y, same shape.
    """

    def _apply(self, X):
        return X

    def _input_gradient(self, input, delta):
        return delta


class TanH(_FromOutput):
    """``Y = tanh(X)``; ``dL/dX = delta * (1 - Y^2)``.

    Shape:
        X ``(batch, ...)`` -> Y, same shape.
    """

    def _apply(self, X):
        return np.tanh(X)

    def _input_gradient(self, input, delta):
        Y = self._output_for(input)
        return delta * (1 - Y * Y)


class Sigmoid(_FromOutput):
    """``Y = 1 / (1 + exp(-X))``; ``dL/dX = delta * Y (1 - Y)``.

    Computed as ``exp(-|x|)`` based branches so that no ``exp`` overflows.

    Shape:
        X ``(batch, ...)`` -> Y, same shape.
    """

    def _apply(self, X):
        e = np.exp(-np.abs(X))
        return np.where(X >= 0, 1, e) / (1 + e)

    def _input_gradient(self, input, delta):
        Y = self._output_for(input)
        return delta * Y * (1 - Y)


class ReLU(_Activation):
    """``Y = max(X, 0)``; ``dL/dX = delta * [X > 0]``.

    Shape:
        X ``(batch, ...)`` -> Y, same shape.
    """

    def _apply(self, X):
        return np.maximum(X, 0)

    def _input_gradient(self, input, delta):
        grad = (input > 0).astype(delta.dtype)  # a float mask: multiplying by booleans casts slowly
        grad *= delta
        return grad


class LeakyReLU(_Activation):
    """``Y = X`` where ``X > 0`` else ``alpha X``; ``dL/dX = delta`` or ``alpha delta``.

    Args:
        alpha: slope for negative inputs (default 0.01, as PyTorch).

    Shape:
        X ``(batch, ...)`` -> Y, same shape.
    """

    def __init__(self, alpha: float = 0.01):
        super().__init__()
        self.alpha = check_real("LeakyReLU", "alpha", alpha)

    def _apply(self, X):
        return np.where(X > 0, X, self.alpha * X)

    def _input_gradient(self, input, delta):
        return np.where(input > 0, delta, self.alpha * delta)

    def get_config(self):
        return {"alpha": self.alpha}


class Softmax(_FromOutput):
    """``Y_i = exp(X_i) / sum_j exp(X_j)`` over the last axis.

    ``backward_delta`` is the exact Jacobian-vector product
    ``dL/dX = Y * (delta - sum(delta * Y, axis=-1))``.

    Shape:
        X ``(batch, classes)`` -> Y, same shape (each row sums to 1).
    """

    def _apply(self, X):
        check_ndim("Softmax.forward", "X", X, 2, "(batch, classes)")
        return softmax(X)

    def _input_gradient(self, input, delta):
        Y = self._output_for(input)
        return Y * (delta - (delta * Y).sum(axis=-1, keepdims=True))


class LogSoftmax(_FromOutput):
    """``Y = X - logsumexp(X)`` over the last axis; ``dL/dX = delta - softmax(X) sum(delta)``.

    Shape:
        X ``(batch, classes)`` -> Y, same shape.
    """

    def _apply(self, X):
        check_ndim("LogSoftmax.forward", "X", X, 2, "(batch, classes)")
        return log_softmax(X)

    def _input_gradient(self, input, delta):
        probabilities = np.exp(self._output_for(input))
        return delta - probabilities * delta.sum(axis=-1, keepdims=True)


def log_softmax(X: np.ndarray) -> np.ndarray:
    """Stable ``X - logsumexp(X, axis=-1)`` (no class: an empty result, as PyTorch)."""
    if not X.shape[-1]:
        return np.empty_like(X)
    shifted = X - X.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def log_softmax_and_softmax(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(log_softmax(X), softmax(X))`` with one ``exp`` (the same values as the two functions)."""
    if not X.shape[-1]:
        return np.empty_like(X), np.empty_like(X)
    shifted = X - X.max(axis=-1, keepdims=True)
    e = np.exp(shifted)
    total = e.sum(axis=-1, keepdims=True)
    logp = shifted - np.log(total)
    e /= total
    return logp, e


def softmax(X: np.ndarray) -> np.ndarray:
    """Stable softmax over the last axis (no class: an empty result, as PyTorch)."""
    if not X.shape[-1]:
        return np.empty_like(X)
    e = np.exp(X - X.max(axis=-1, keepdims=True))
    e /= e.sum(axis=-1, keepdims=True)
    return e
