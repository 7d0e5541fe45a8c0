"""Sliding-window plumbing shared by convolutions and pooling (1-D and 2-D, channels last).

A window layer sees an input ``(batch, *spatial, chan)`` through windows of ``kernel`` taps
moved by ``stride``. The output has ``floor((size - k) / stride) + 1`` positions per spatial
axis, as in PyTorch: trailing inputs that no full window covers are ignored.

Instead of a loop over output positions, the layers loop over the kernel *taps*: for tap
``(i, j)`` the strided slice ``X[:, i::s_h, j::s_w]`` (cut to the output size) holds the input
seen by that tap at every output position at once.
"""

from __future__ import annotations

import functools
import itertools

import numpy as np

from .._checks import ShapeError

__all__ = ["as_tuple", "check_input", "interior", "output_size", "pad_spatial", "padded_shape", "tap_slices",
           "unpad_spatial", "windows_view"]


def as_tuple(where: str, name: str, value, ndim: int, minimum: int = 1) -> tuple[int, ...]:
    """An int or a tuple of ``ndim`` ints, each ``>= minimum``, as a tuple of ``ndim`` ints."""
    values = tuple(value) if isinstance(value, (tuple, list)) else (value,) * ndim
    ok = len(values) == ndim and all(
        isinstance(v, (int, np.integer)) and not isinstance(v, bool) and v >= minimum for v in values)
    if not ok:
        kind = "a positive int" if minimum == 1 else "a non-negative int"
        what = kind if ndim == 1 else f"{kind} or a pair of them"
        raise ValueError(f"{where}: {name} must be {what}, got {value!r}")
    return tuple(int(v) for v in values)


def output_size(size: int, kernel: int, stride: int) -> int:
    """Number of window positions along one axis: ``(size - kernel) // stride + 1``."""
    return (size - kernel) // stride + 1


def check_input(where: str, X: np.ndarray, layout: tuple[str, ...], chan: int | None,
                kernel: tuple[int, ...], stride: tuple[int, ...],
                padding: tuple[int, ...]) -> tuple[int, ...]:
    """Check rank, channels and spatial sizes of ``X``; return the output spatial sizes.

    Args:
        where: ``"Module.method"`` named in messages.
        X: input ``(batch, *spatial, chan)``.
        layout: the axis names, e.g. ``("batch", "length", "chan")``.
        chan: required number of channels, or None for any.
        kernel, stride, padding: per spatial axis.
    """
    shown = list(layout)
    if chan is not None:
        shown[-1] = str(chan)
    expected = "(" + ", ".join(shown) + ")"
    if X.ndim != len(layout) or (chan is not None and X.shape[-1] != chan):
        raise ShapeError(f"{where}: X must have shape {expected}, got {tuple(X.shape)}")
    names = layout[1:-1]
    for name, size, k, p in zip(names, X.shape[1:-1], kernel, padding, strict=True):
        if size + 2 * p < k:
            padded = f" + 2*padding {2 * p}" if p else ""
            raise ShapeError(f"{where}: X {name} {size}{padded} is shorter than the kernel size {k}, "
                             f"got X of shape {tuple(X.shape)}")
    return tuple(output_size(s + 2 * p, k, st) for s, k, p, st in
                 zip(X.shape[1:-1], kernel, padding, stride, strict=True))


@functools.lru_cache(maxsize=256)
def tap_slices(kernel: tuple[int, ...], stride: tuple[int, ...],
               out: tuple[int, ...]) -> tuple[tuple[slice, ...], ...]:
    """For each kernel tap (row-major order), the index of ``X[:, tap::stride, ...]``.

    The slice of tap ``t`` along one axis is ``t, t + s, ..., t + s (out - 1)``: the inputs that
    tap multiplies at each of the ``out`` output positions. Cached per geometry (a few per network,
    asked for about 40 times per training step of the MNIST CNN).
    """
    return tuple((slice(None), *(slice(t, t + s * (o - 1) + 1, s) for t, s, o in zip(tap, stride, out,
                                                                                      strict=True)))
                 for tap in itertools.product(*(range(k) for k in kernel)))


def windows_view(padded: np.ndarray, kernel: tuple[int, ...], stride: tuple[int, ...],
                 out: tuple[int, ...]) -> np.ndarray:
    """A view ``(batch, *out, *kernel, chan)`` of the windows of ``padded`` ``(batch, *spatial,
    chan)``: ``view[n, i, j, u, v, c] = padded[n, i s_h + u, j s_w + v, c]``. Windows overlap: read
    it, never write it.

    Built by ``as_strided`` from the strides of ``padded`` (the windows' axes step by ``stride``
    inputs, the taps' by one): 4 us a call instead of 15 for ``sliding_window_view`` then
    ``moveaxis``, called once per im2col chunk."""
    steps = padded.strides[1:-1]
    shape = (padded.shape[0], *out, *kernel, padded.shape[-1])
    strides = (padded.strides[0], *(st * s for st, s in zip(steps, stride, strict=True)), *steps,
               padded.strides[-1])
    return np.lib.stride_tricks.as_strided(padded, shape, strides)


def pad_spatial(X: np.ndarray, padding: tuple[int, ...]) -> np.ndarray:
    """Zero-pad the spatial axes of ``X (batch, *spatial, chan)``; ``X`` itself when no padding."""
    if not any(padding):
        return X
    padded = np.zeros(padded_shape(X.shape, padding), dtype=X.dtype)
    padded[interior(X.shape, padding)] = X
    return padded


def padded_shape(shape: tuple[int, ...], padding: tuple[int, ...]) -> tuple[int, ...]:
    """Shape of an input of ``shape (batch, *spatial, chan)`` once zero-padded."""
    return (shape[0], *(s + 2 * p for s, p in zip(shape[1:-1], padding, strict=True)), shape[-1])


def interior(shape: tuple[int, ...], padding: tuple[int, ...]) -> tuple[slice, ...]:
    """Index of the unpadded part inside a padded array built from an input of ``shape``."""
    return (slice(None), *(slice(p, p + s) for s, p in zip(shape[1:-1], padding, strict=True)))


def unpad_spatial(padded: np.ndarray, shape: tuple[int, ...], padding: tuple[int, ...]) -> np.ndarray:
    """The part of ``padded`` that corresponds to an input of ``shape``."""
    if not any(padding):
        return padded
    return padded[interior(shape, padding)]
