"""Max and average pooling over channels-last inputs, 1-D ``(batch, length, chan)`` and 2-D
``(batch, height, width, chan)``.

Each pools windows of ``k_size`` taps moved by ``stride`` (default ``k_size``), channel by
channel, without padding: ``out = floor((size - k_size) / stride) + 1`` per spatial axis, as in
PyTorch (inputs past the last full window are ignored). All passes loop over the kernel taps,
never over positions; the max-pool backward rebuilds the arg-max as one boolean mask per tap.
"""

from __future__ import annotations

import math

import numpy as np

from .._checks import check_shape
from ..module import Module
from ._windows import as_tuple, check_input, tap_slices

__all__ = ["AvgPool1D", "AvgPool2D", "MaxPool1D", "MaxPool2D"]


def _as_float(X) -> np.ndarray:
    X = np.asarray(X)
    return X if X.dtype.kind == "f" else X.astype(np.float64)


class _Pool(Module):
    """Shared pooling plumbing; subclasses set ``_layout`` and implement ``_pool`` / ``_scatter``."""

    _layout: tuple[str, ...] = ()

    def __init__(self, k_size, stride=None):
        super().__init__()
        name, ndim = type(self).__name__, len(self._layout) - 2
        self.kernel = as_tuple(name, "k_size", k_size, ndim)
        self.strides = as_tuple(name, "stride", k_size if stride is None else stride, ndim)
        self._last_input = None
        self._last_output = None

    def forward(self, X):
        given = X
        X = _as_float(X)
        Y = self._pool(X, self._check_input(X, "forward"))
        self._last_input, self._last_output = given, Y
        return Y

    def backward_delta(self, input, delta):
        given = input
        input = _as_float(input)
        out = self._check_input(input, "backward_delta")
        delta = np.asarray(delta)
        check_shape(f"{type(self).__name__}.backward_delta", "delta", delta,
                    (input.shape[0], *out, input.shape[-1]))
        dtype = np.result_type(delta.dtype, np.float32)
        grad = np.empty(input.shape, dtype) if self._tiles(input.shape) else np.zeros(input.shape, dtype)
        self._scatter(given, input, delta, out, grad)
        return grad

    def _taps(self, out):
        return tap_slices(self.kernel, self.strides, out)

    @property
    def _overlapping(self) -> bool:
        """Whether windows share inputs (some stride smaller than the kernel)."""
        return any(s < k for s, k in zip(self.strides, self.kernel, strict=True))

    def _tiles(self, shape) -> bool:
        """Whether the windows cover every input exactly once (every gradient entry is written)."""
        return all(s == k and size % k == 0 for s, k, size in zip(self.strides, self.kernel, shape[1:-1],
                                                                   strict=True))

    def _check_input(self, X, method: str) -> tuple[int, ...]:
        return check_input(f"{type(self).__name__}.{method}", X, self._layout, None, self.kernel,
                           self.strides, (0,) * len(self.kernel))

    def _pool(self, X, out):
        raise NotImplementedError

    def _scatter(self, given, input, delta, out, grad):
        raise NotImplementedError

    def get_config(self) -> dict:
        def compact(values):
            return values[0] if len(set(values)) == 1 else list(values)

        return {"k_size": compact(self.kernel), "stride": compact(self.strides)}

    def __getstate__(self):
        state = self.__dict__.copy()
        state["_last_input"] = state["_last_output"] = None
        return state


class _MaxPool(_Pool):
    """``Y = max over the window``; ``dL/dX`` gets ``delta`` at the arg-max of each window only.

    Ties go to the first maximum in row-major window order, as in PyTorch, so that each window
    sends its gradient to exactly one input.
    """

    def _pool(self, X, out):
        taps = self._taps(out)
        Y = X[next(taps)].copy()
        for index in taps:
            np.maximum(Y, X[index], out=Y)
        return Y

    def _scatter(self, given, input, delta, out, grad):
        Y = self._last_output if given is self._last_input else self._pool(input, out)
        claimed = None  # windows whose maximum an earlier tap has taken
        n_taps = math.prod(self.kernel)
        for tap, index in enumerate(self._taps(out)):
            hit = input[index] == Y
            if claimed is None:
                claimed = hit
            else:
                np.greater(hit, claimed, out=hit)  # for booleans, hit > claimed is hit and not claimed
                if tap < n_taps - 1:
                    claimed |= hit
            if self._overlapping:
                grad[index] += delta * hit
            else:
                np.multiply(delta, hit, out=grad[index])


class _AvgPool(_Pool):
    """``Y = mean over the window``; ``dL/dX += delta / taps`` at every input of the window."""

    def _pool(self, X, out):
        taps = self._taps(out)
        Y = X[next(taps)].copy()
        for index in taps:
            Y += X[index]
        Y *= 1.0 / math.prod(self.kernel)
        return Y

    def _scatter(self, given, input, delta, out, grad):
        share = delta * (1.0 / math.prod(self.kernel))
        for index in self._taps(out):
            if self._overlapping:
                grad[index] += share
            else:
                grad[index] = share


_DOC_1D = """

    Args:
        k_size: window length.
        stride: step between windows (default ``k_size``).

    Shape:
        X ``(batch, length, chan)`` -> Y ``(batch, floor((length - k_size) / stride) + 1, chan)``.
    """

_DOC_2D = """

    Args:
        k_size: window size, an int or a pair ``(k_h, k_w)``.
        stride: step between windows, an int or a pair (default ``k_size``).

    Shape:
        X ``(batch, height, width, chan)`` -> Y ``(batch, out_h, out_w, chan)`` with
        ``out_h = floor((height - k_h) / s_h) + 1`` (likewise ``out_w``).
    """


class MaxPool1D(_MaxPool):
    __doc__ = "1-D max pooling. " + _MaxPool.__doc__ + _DOC_1D
    _layout = ("batch", "length", "chan")

    def __init__(self, k_size: int, stride: int | None = None):
        super().__init__(k_size, stride)


class AvgPool1D(_AvgPool):
    __doc__ = "1-D average pooling. " + _AvgPool.__doc__ + _DOC_1D
    _layout = ("batch", "length", "chan")

    def __init__(self, k_size: int, stride: int | None = None):
        super().__init__(k_size, stride)


class MaxPool2D(_MaxPool):
    __doc__ = "2-D max pooling. " + _MaxPool.__doc__ + _DOC_2D
    _layout = ("batch", "height", "width", "chan")

    def __init__(self, k_size, stride=None):
        super().__init__(k_size, stride)


class AvgPool2D(_AvgPool):
    __doc__ = "2-D average pooling. " + _AvgPool.__doc__ + _DOC_2D
    _layout = ("batch", "height", "width", "chan")

    def __init__(self, k_size, stride=None):
        super().__init__(k_size, stride)
