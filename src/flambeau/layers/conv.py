"""Convolutions on channels-last inputs: ``Conv1D`` on ``(batch, length, chan)`` and ``Conv2D`` on
``(batch, height, width, chan)`` images.

Both are an im2col product: the windows of the (zero-padded) input are gathered, in one strided
copy or tap by tap, into a matrix ``cols`` of shape ``(images * positions, taps * chan_in)`` and
multiplied by the kernel seen as a ``(taps * chan_in, chan_out)`` matrix (one BLAS call). The
matrix is built for a few images at a time (``_CHUNK_BYTES``), so that BLAS reads it while it is
still in the CPU cache; ``forward`` and ``backward_update_gradient`` both build it, and nothing
is kept between the passes. With stride 1 the input gradient is the same product on the windows
of ``delta`` (a full correlation with the flipped kernel); otherwise it scatters back with a loop
over the kernel taps.
"""

from __future__ import annotations

import math

import numpy as np

from .._checks import as_float, check_bool, check_delta, check_int
from ..dtype import parameter_dtype
from ..init import init_bias, init_weight
from ..module import Module
from ..random import make_rng
from ._windows import (
    as_tuple,
    check_input,
    interior,
    padded_shape,
    tap_slices,
    unpad_spatial,
    windows_view,
)

__all__ = ["Conv1D", "Conv2D"]

# With this many input channels or more, im2col copies all windows in one call, in runs of
# k_w * chan_in values; with fewer, those runs are too short and one long copy per tap into the
# transposed matrix wins (measured on 28x28 images, batch 64: 2.6x faster at 1 channel, 2.8x
# slower at 8).
_WINDOW_COPY_MIN_CHANNELS = 4

# The im2col matrix is built and multiplied by chunks of images of about this many bytes: a chunk
# is still in the CPU cache when BLAS reads it. Measured on the 2-D MNIST CNN (batch 64, 1 thread):
# its second convolution's forward 2.15 ms instead of 3.0, its weight gradient 2.2 ms instead of
# 2.4 (from a kept matrix of the whole batch) or 3.0 (building it); no matrix is kept either.
_CHUNK_BYTES = 1 << 20


class _Conv(Module):
    """Shared N-d convolution; subclasses set ``_layout``, the names of the input axes."""

    _layout: tuple[str, ...] = ()
    _transient = {"_scratch": {}}  # storage of the padded input and of the im2col matrix (chunks)

    def __init__(self, k_size, chan_in: int, chan_out: int, stride=1, padding=0, bias: bool = True,
                 init: str = "uniform", rng=None, dtype=None):
        super().__init__()
        name, ndim = type(self).__name__, len(self._layout) - 2
        self.kernel = as_tuple(name, "k_size", k_size, ndim)
        self.strides = as_tuple(name, "stride", stride, ndim)
        self.paddings = as_tuple(name, "padding", padding, ndim, minimum=0)
        self.chan_in = check_int(name, "chan_in", chan_in)
        self.chan_out = check_int(name, "chan_out", chan_out)
        self.bias, self.init = check_bool(name, "bias", bias), init
        self.reset_parameters(rng, dtype)

    def reset_parameters(self, rng=None, dtype=None) -> None:
        """Draw fresh weights (and bias); ``fan_in = taps * chan_in`` as in PyTorch."""
        rng, dtype = make_rng(rng, type(self).__name__), parameter_dtype(dtype, type(self).__name__)
        taps = math.prod(self.kernel)
        shape = (*self.kernel, self.chan_in, self.chan_out)
        fan_in, fan_out = taps * self.chan_in, taps * self.chan_out
        self._parameters = {"W": init_weight(self.init, shape, fan_in, fan_out, rng, dtype,
                                             type(self).__name__)}
        if self.bias:
            self._parameters["b"] = init_bias(self.init, (self.chan_out,), fan_in, rng, dtype,
                                              type(self).__name__)
        self._init_gradients()

    # -- passes ----------------------------------------------------------------------------
    def forward(self, X):
        X = self._compute_input(X)
        out = self._check_input(X, "forward")
        kernel = self._kernel_matrix()
        Y = np.empty((X.shape[0], *out, self.chan_out), dtype=np.result_type(X, kernel))
        Y_rows = Y.reshape(-1, self.chan_out)
        for rows, cols in self._im2col_chunks(X, out):
            np.matmul(cols, kernel, out=Y_rows[rows])
        if self.bias:  # b repeated over an image's positions: one long run per image, not runs of
            # chan_out values (MNIST CNN, batch 64: 0.09 ms instead of 0.31 for the first convolution)
            Y_images = Y.reshape(Y.shape[0], math.prod(out) * self.chan_out)
            np.add(Y_images, np.tile(self._parameters["b"], math.prod(out)), out=Y_images)
        return Y

    def backward_update_gradient(self, input, delta):
        where = "backward_update_gradient"
        X = self._compute_input(input, where)
        out = self._check_input(X, where)
        delta = self._check_delta(X, out, delta, where).reshape(-1, self.chan_out)
        grad_W = self._gradient["W"].reshape(self._taps_in, self.chan_out)  # a view: += writes through
        for rows, cols in self._im2col_chunks(X, out):
            grad_W += cols.T @ delta[rows]
        if self.bias:  # a product with ones: BLAS sums the columns several times faster than sum(axis=0)
            ones = self._scratch.get("ones")
            if ones is None or ones.shape != delta.shape[:1] or ones.dtype != delta.dtype:
                ones = self._scratch["ones"] = np.ones(delta.shape[:1], delta.dtype)
            self._gradient["b"] += ones @ delta

    def backward_delta(self, input, delta):
        input = as_float(input, f"{type(self).__name__}.backward_delta", "input", int_dtype=None)
        out = self._check_input(input, "backward_delta")
        delta = self._check_delta(input, out, delta, "backward_delta")
        if all(s == 1 for s in self.strides) and all(p < k for p, k in zip(self.paddings, self.kernel,
                                                                            strict=True)):
            return self._full_correlation(input.shape, delta)
        delta = delta.reshape(-1, self.chan_out)
        kernels = self._parameters["W"].reshape(-1, self.chan_in, self.chan_out)
        dtype = np.result_type(delta.dtype, kernels.dtype)
        grad_padded = np.zeros(padded_shape(input.shape, self.paddings), dtype=dtype)
        # one product per tap into a contiguous buffer: scattering from the strided
        # (positions, taps, chan_in) matrix of a single product is several times slower
        tap_grad = np.empty((delta.shape[0], self.chan_in), dtype=dtype)
        for tap, index in enumerate(tap_slices(self.kernel, self.strides, out)):
            np.matmul(delta, kernels[tap].T, out=tap_grad)
            grad_padded[index] += tap_grad.reshape(input.shape[0], *out, self.chan_in)
        return unpad_spatial(grad_padded, input.shape, self.paddings)

    def _full_correlation(self, shape: tuple[int, ...], delta: np.ndarray) -> np.ndarray:
        """``dL/dX`` of a stride-1 convolution as another im2col product: ``delta`` zero-padded by
        ``k - 1 - p`` and correlated with the kernel flipped along its spatial axes, chan_in and
        chan_out swapped: ``dL/dX[n, y, c] = sum_{t, o} deltap[n, y + t, o] W[k - 1 - t, c, o]``.
        One product of depth ``taps * chan_out`` instead of one product and one scatter-add per tap,
        into a contiguous gradient (MNIST CNN training, batch 64, one thread: its second convolution's
        backward_delta 2.7 ms a step instead of 2.9, and the max-pool fed that contiguous gradient
        1.25 ms instead of 1.45)."""
        ndim = len(self.kernel)
        flipped = self._parameters["W"][(slice(None, None, -1),) * ndim]  # (*kernel, chan_in, chan_out)
        kernel = np.swapaxes(flipped, -1, -2).reshape(-1, self.chan_in)  # rows ordered (tap, chan_out)
        grad = np.empty((*shape[:-1], self.chan_in), dtype=np.result_type(delta.dtype, kernel.dtype))
        grad_rows = grad.reshape(-1, self.chan_in)
        paddings = tuple(k - 1 - p for k, p in zip(self.kernel, self.paddings, strict=True))
        for rows, cols in self._im2col_chunks(delta, shape[1:-1], (1,) * ndim, paddings, "delta "):
            np.matmul(cols, kernel, out=grad_rows[rows])
        return grad

    # -- helpers ---------------------------------------------------------------------------
    @property
    def _taps_in(self) -> int:
        return math.prod(self.kernel) * self.chan_in

    def _kernel_matrix(self) -> np.ndarray:
        return self._parameters["W"].reshape(self._taps_in, self.chan_out)

    def _check_input(self, X, method: str) -> tuple[int, ...]:
        return check_input(f"{type(self).__name__}.{method}", X, self._layout, self.chan_in,
                           self.kernel, self.strides, self.paddings)

    def _check_delta(self, X, out: tuple[int, ...], delta, method: str) -> np.ndarray:
        return check_delta(f"{type(self).__name__}.{method}", delta, (X.shape[0], *out, self.chan_out),
                           X.shape)

    def _im2col_chunks(self, X: np.ndarray, out: tuple[int, ...], strides=None, paddings=None,
                       key: str = ""):
        """For successive chunks of images of ``X``: ``(rows, cols)``, ``cols`` their windows as a
        matrix ``(images * positions, taps * chan)`` (columns ordered like the rows of
        ``_kernel_matrix()``) and ``rows`` the slice of the same rows in ``(batch * positions, ...)``.
        Each ``cols`` overwrites the previous chunk's storage. ``strides``, ``paddings`` (default: the
        layer's) and the ``key`` of the storage let ``backward_delta`` window ``delta`` the same way."""
        strides = self.strides if strides is None else strides
        paddings = self.paddings if paddings is None else paddings
        positions, taps_in = math.prod(out), math.prod(self.kernel) * X.shape[-1]
        step = max(1, _CHUNK_BYTES // (positions * taps_in * X.dtype.itemsize))
        for first in range(0, X.shape[0], step):
            images = X[first:first + step]
            rows = slice(first * positions, (first + images.shape[0]) * positions)
            padded = self._padded(images, paddings, step, key)
            yield rows, self._im2col(padded, out, strides, step, key)

    def _im2col(self, padded: np.ndarray, out: tuple[int, ...], strides: tuple[int, ...], capacity: int,
                key: str) -> np.ndarray:
        """The windows of the padded images as a matrix ``(images * positions, taps * chan)``,
        written into storage kept for chunks of up to ``capacity`` images."""
        batch, taps, chan = padded.shape[0], math.prod(self.kernel), padded.shape[-1]
        if chan >= _WINDOW_COPY_MIN_CHANNELS:
            cols = self._buffer(key + "cols", (batch, *out, *self.kernel, chan), padded.dtype)
            np.copyto(cols, windows_view(padded, self.kernel, strides, out))
            return cols.reshape(-1, taps * chan)
        # few channels: fill the transpose (taps, chan, positions) instead, whose rows are long
        # contiguous copies, and hand out its transposed view (BLAS reads either layout)
        cols_t = self._buffer(key + "cols", (taps, chan, batch, *out), padded.dtype)
        channels_first = (padded.ndim - 1, *range(padded.ndim - 1))
        for tap, index in enumerate(tap_slices(self.kernel, strides, out)):
            cols_t[tap] = padded[index].transpose(channels_first)
        return cols_t.reshape(taps * chan, -1).T

    def _padded(self, X: np.ndarray, paddings: tuple[int, ...], capacity: int, key: str) -> np.ndarray:
        """``X`` zero-padded, in kept storage whose border stays zero (``X`` itself without padding)."""
        if not any(paddings):
            return X
        shape = padded_shape(X.shape, paddings)
        kept = self._scratch.get(key + "padded")
        if kept is None or kept.shape[1:] != shape[1:] or len(kept) < len(X) or kept.dtype != X.dtype:
            kept = self._scratch[key + "padded"] = np.zeros((capacity, *shape[1:]), X.dtype)  # border: zeros
        padded = kept[:len(X)]
        padded[interior(X.shape, paddings)] = X
        return padded

    def _buffer(self, name: str, shape: tuple[int, ...], dtype) -> np.ndarray:
        """An uninitialised contiguous array of ``shape`` over storage kept under ``name`` between
        calls (replaced when too small)."""
        size = math.prod(shape)
        kept = self._scratch.get(name)
        if kept is None or kept.size < size or kept.dtype != dtype:
            kept = self._scratch[name] = np.empty(size, dtype)
        return kept[:size].reshape(shape)

    def get_config(self) -> dict:
        def compact(values):
            return values[0] if len(set(values)) == 1 else list(values)

        return {"k_size": compact(self.kernel), "chan_in": self.chan_in, "chan_out": self.chan_out,
                "stride": compact(self.strides), "padding": compact(self.paddings),
                "bias": self.bias, "init": self.init}


class Conv1D(_Conv):
    """1-D convolution (cross-correlation, as PyTorch) over ``(batch, length, chan_in)``.

    Args:
        k_size: kernel length.
        chan_in: input channels.
        chan_out: output channels (number of kernels).
        stride: step between windows.
        padding: zeros added at both ends of the length axis.
        bias: learn one additive bias per output channel.
        init: weight initialiser (``flambeau.init``); default ``uniform``, PyTorch's
            U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with ``fan_in = k_size * chan_in``.
        rng: seed or ``numpy.random.Generator`` for the initial weights.
        dtype: parameter dtype (default: ``flambeau.get_default_dtype()``).

    Shape:
        X ``(batch, length, chan_in)`` -> Y ``(batch, out, chan_out)`` with
        ``out = floor((length + 2 padding - k_size) / stride) + 1`` (inputs past the last full
        window are ignored, as in PyTorch); ``W`` ``(k_size, chan_in, chan_out)``,
        ``b`` ``(chan_out,)``.

    Formulas (``Xp`` the padded input, ``s`` the stride):
        ``Y[n, l, o] = b[o] + sum_{t, c} Xp[n, l s + t, c] W[t, c, o]``;
        ``dL/dW[t, c, o] += sum_{n, l} Xp[n, l s + t, c] delta[n, l, o]``;
        ``dL/db[o] += sum_{n, l} delta[n, l, o]``;
        ``dL/dXp[n, l s + t, c] += sum_o delta[n, l, o] W[t, c, o]``.

    Example:
        >>> Conv1D(3, 1, 32)(np.zeros((64, 256, 1), np.float32)).shape
        (64, 254, 32)
    """

    _layout = ("batch", "length", "chan_in")

    def __init__(self, k_size: int, chan_in: int, chan_out: int, stride: int = 1, padding: int = 0,
                 bias: bool = True, init: str = "uniform", rng=None, dtype=None):
        super().__init__(k_size, chan_in, chan_out, stride, padding, bias, init, rng, dtype)


class Conv2D(_Conv):
    """2-D convolution (cross-correlation, as PyTorch) over channels-last images.

    Args:
        k_size: kernel size, an int or a pair ``(k_h, k_w)``.
        chan_in, chan_out: input and output channels.
        stride: an int or a pair ``(s_h, s_w)``.
        padding: zeros added on each side, an int or a pair ``(p_h, p_w)``.
        bias, init, rng, dtype: as ``Conv1D`` (``fan_in = k_h k_w chan_in``).

    Shape:
        X ``(batch, height, width, chan_in)`` -> Y ``(batch, out_h, out_w, chan_out)`` with
        ``out_h = floor((height + 2 p_h - k_h) / s_h) + 1`` (likewise ``out_w``);
        ``W`` ``(k_h, k_w, chan_in, chan_out)``, ``b`` ``(chan_out,)``.

    Formulas (``Xp`` the padded input):
        ``Y[n, i, j, o] = b[o] + sum_{u, v, c} Xp[n, i s_h + u, j s_w + v, c] W[u, v, c, o]``;
        ``dL/dW[u, v, c, o] += sum_{n, i, j} Xp[n, i s_h + u, j s_w + v, c] delta[n, i, j, o]``;
        ``dL/db[o] += sum_{n, i, j} delta[n, i, j, o]``;
        ``dL/dXp[n, i s_h + u, j s_w + v, c] += sum_o delta[n, i, j, o] W[u, v, c, o]``.

    Example:
        >>> Conv2D(3, 1, 16, padding=1)(np.zeros((8, 28, 28, 1), np.float32)).shape
        (8, 28, 28, 16)
    """

    _layout = ("batch", "height", "width", "chan_in")

    def __init__(self, k_size, chan_in: int, chan_out: int, stride=1, padding=0, bias: bool = True,
                 init: str = "uniform", rng=None, dtype=None):
        super().__init__(k_size, chan_in, chan_out, stride, padding, bias, init, rng, dtype)
