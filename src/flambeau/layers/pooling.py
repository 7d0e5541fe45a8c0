"""Max and average pooling over channels-last inputs, 1-D ``(batch, length, chan)`` and 2-D
``(batch, height, width, chan)``.

Each pools windows of ``k_size`` taps moved by ``stride`` (default ``k_size``), channel by
channel, without padding: ``out = floor((size - k_size) / stride) + 1`` per spatial axis, as in
PyTorch (inputs past the last full window are ignored). All passes loop over the kernel taps,
never over positions; the max-pool backward rebuilds the arg-max as one boolean mask per tap.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from .._checks import as_float, check_delta
from ..module import Module, Remembered
from ._windows import as_tuple, check_input, tap_slices

__all__ = ["AvgPool1D", "AvgPool2D", "MaxPool1D", "MaxPool2D"]


class _Pool(Module):
    """Shared pooling plumbing; subclasses set ``_layout`` and implement ``_pool`` / ``_scatter``."""

    _layout: tuple[str, ...] = ()

    def __init__(self, k_size, stride=None):
        super().__init__()
        name, ndim = type(self).__name__, len(self._layout) - 2
        self.kernel = as_tuple(name, "k_size", k_size, ndim)
        self.strides = as_tuple(name, "stride", k_size if stride is None else stride, ndim)

    def forward(self, X):
        X = as_float(X, f"{type(self).__name__}.forward", "X")
        return self._pool(X, self._check_input(X, "forward"))

    def backward_update_gradient(self, input, delta):
        """No parameters: only the checks of ``backward_delta``."""
        self._checked(input, delta, "backward_update_gradient")

    def backward_delta(self, input, delta):
        given = input
        input, delta, out = self._checked(input, delta, "backward_delta")
        dtype = np.result_type(delta.dtype, np.float32)
        grad = np.empty(input.shape, dtype) if self._tiles(input.shape) else np.zeros(input.shape, dtype)
        self._scatter(given, input, delta, out, grad)
        return grad

    def _checked(self, input, delta, method: str):
        """``(input, delta, output spatial sizes)``, both arrays checked."""
        where = f"{type(self).__name__}.{method}"
        input = as_float(input, where, "input")
        out = self._check_input(input, method)
        delta = check_delta(where, delta, (input.shape[0], *out, input.shape[-1]), input.shape)
        return input, delta, out

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


class _MaxPool(_Pool):
    """``Y = max over the window``; ``dL/dX`` gets ``delta`` at the arg-max of each window only.

    Ties go to the first maximum in row-major window order, as in PyTorch, so that each window
    sends its gradient to exactly one input. ``forward`` remembers its output for its input: the
    backward pass compares the input with it to find the arg-max.
    """

    _transient = {"_output": Remembered()}

    def forward(self, X):
        return self._output.remember(X, super().forward(X))

    def _pool(self, X, out):
        if self.strides == self.kernel:
            return _reduce_tiles(np.maximum, X, self.kernel, out)
        taps = self._taps(out)
        Y = X[next(taps)].copy()
        for index in taps:
            np.maximum(Y, X[index], out=Y)
        return Y

    def _scatter(self, given, input, delta, out, grad):
        Y = self._output.recall(given)
        if Y is None:
            Y = self._pool(input, out)
        if self.strides == self.kernel:
            self._scatter_tiles(input, Y, delta, out, grad)
            return
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

    def _scatter_tiles(self, input, Y, delta, out, grad):
        """Windows that tile the input (stride = kernel): the input seen as
        ``(batch, out_1, k_1, out_2, k_2, ..., chan)`` is compared with the maximum in one pass,
        ties are resolved tap by tap on the boolean array, and one product writes the gradient
        (faster than a strided compare and product per tap on large inputs)."""
        tiled = _tiled(input, self.kernel, out)
        hit = np.equal(tiled, _spread(Y, len(out)), order="C")  # C order whatever the input's layout
        _keep_first_hits(hit, self.kernel)
        if self._tiles(input.shape):
            np.multiply(hit, _spread(delta, len(out)), out=grad.reshape(tiled.shape))
        else:  # inputs past the last window get no gradient
            grad[...] = 0
            grad[_covered(self.kernel, out)] = (hit * _spread(delta, len(out))).reshape(
                grad[_covered(self.kernel, out)].shape)


def _keep_first_hits(hit: np.ndarray, kernel) -> None:
    """Clear, in place, every hit of a window after its first one in row-major tap order.

    ``hit`` is a boolean ``(batch, o_1, k_1, ..., o_n, k_n, chan)`` array. When the channels fill
    whole 8-byte words, the boolean bytes are processed as ``uint64`` words (8 channels per
    operation): ``hit &= not_claimed`` then ``not_claimed ^= hit`` keep each byte 0 or 1.
    """
    whole_words = hit.flags.c_contiguous and hit.shape[-1] % 8 == 0
    words = hit.view(np.uint64) if whole_words else hit.view(np.uint8)
    not_claimed = None
    for tap in itertools.product(*(range(k) for k in kernel)):
        hit_tap = words[(slice(None), *itertools.chain.from_iterable((slice(None), t) for t in tap))]
        if not_claimed is None:
            not_claimed = np.invert(hit_tap)  # bytes 0xFE (claimed) or 0xFF (free)
        else:
            np.bitwise_and(hit_tap, not_claimed, out=hit_tap)
            np.bitwise_xor(not_claimed, hit_tap, out=not_claimed)


def _covered(kernel, out) -> tuple[slice, ...]:
    """Index of the inputs that tiling windows cover."""
    return (slice(None), *(slice(0, o * k) for o, k in zip(out, kernel, strict=True)))


def _tiled(X, kernel, out) -> np.ndarray:
    """``X (batch, *spatial, chan)`` cut to the windows and seen as ``(batch, o_1, k_1, ..., chan)``."""
    X = X[_covered(kernel, out)]
    pairs = itertools.chain.from_iterable(zip(out, kernel, strict=True))
    return X.reshape(X.shape[0], *pairs, X.shape[-1])


def _reduce_tiles(ufunc, X, kernel, out) -> np.ndarray:
    """Windows that tile ``X``, reduced by ``ufunc`` (``np.maximum``, ``np.add``) one window axis at
    a time, outermost first: the first passes combine long contiguous blocks, so this beats a
    pass per tap over strided views. Returns a new ``(batch, *out, chan)`` array."""
    Z = _tiled(X, kernel, out)
    for axis, k in enumerate(kernel, start=2):  # window axis `axis` once the earlier ones are gone
        lead = (slice(None),) * axis
        reduced = Z[(*lead, 0)] if k == 1 else ufunc(Z[(*lead, 0)], Z[(*lead, 1)])
        for tap in range(2, k):
            ufunc(reduced, Z[(*lead, tap)], out=reduced)
        Z = reduced
    return Z if Z.base is None else Z.copy()


def _spread(Y, ndim: int) -> np.ndarray:
    """``Y (batch, *out, chan)`` as ``(batch, o_1, 1, ..., o_n, 1, chan)``, to broadcast over windows."""
    return Y.reshape(Y.shape[0], *itertools.chain.from_iterable((o, 1) for o in Y.shape[1:1 + ndim]),
                     Y.shape[-1])


class _AvgPool(_Pool):
    """``Y = mean over the window``; ``dL/dX += delta / taps`` at every input of the window."""

    def _pool(self, X, out):
        if self.strides == self.kernel:
            Y = _reduce_tiles(np.add, X, self.kernel, out)
        else:
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
