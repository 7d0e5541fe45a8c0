"""Corrupting images for the denoising and inpainting studies of autoencoders.

Every helper returns ``(corrupted, mask)``: ``corrupted`` has the shape and float dtype of
``X`` and ``mask`` is a boolean array of the same shape, True where a value was corrupted.
Pixel counts are exact: a ``fraction`` f of the ``d`` values of each sample means
``round(f * d)`` values of each sample.
"""

from __future__ import annotations

import numpy as np

from .._checks import as_float, check_real
from ..random import make_rng

__all__ = ["add_noise", "mask_patch", "mask_random", "salt_and_pepper"]


def _float_samples(X, where: str) -> np.ndarray:
    """``X`` as a float array of samples ``(n, ...)``; integer pixels become float32."""
    X = as_float(X, where, "X", int_dtype=np.float32)
    if X.ndim < 2:
        raise ValueError(f"{where}: X must have shape (n, ...) with at least 2 axes, got {tuple(X.shape)}")
    return X


def _check_fraction(fraction: float, where: str) -> None:
    check_real(where, "fraction", fraction, 0, 1)


def random_pixel_mask(shape: tuple, fraction: float, rng) -> np.ndarray:
    """Boolean mask of ``shape`` with exactly ``round(fraction * d)`` True values per sample,
    ``d = prod(shape[1:])``, placed uniformly at random."""
    n, d = shape[0], int(np.prod(shape[1:]))
    k = int(round(fraction * d))
    ranks = make_rng(rng).random((n, d)).argsort(axis=1).argsort(axis=1)
    return (ranks < k).reshape(shape)


def add_noise(X, amplitude: float, rng=None, fraction: float = 1.0, distribution: str = "uniform",
              clip: tuple[float, float] | None = (0.0, 1.0)):
    """Additive noise: ``X + noise`` on a random ``fraction`` of the values, then clipped.

    ``distribution="uniform"`` draws noise in ``[-amplitude, amplitude]`` (the reports'
    "add or remove up to 0.4"); ``"gaussian"`` draws it with standard deviation ``amplitude``.

    Args:
        X: images ``(n, ...)`` in [0, 1].
        amplitude: noise level (>= 0).
        rng: seed or Generator.
        fraction: share of the values of each sample that receive noise.
        distribution: ``"uniform"`` or ``"gaussian"``.
        clip: ``(low, high)`` bounds of the result, or ``None``.

    Returns:
        ``(corrupted, mask)``.
    """
    X = _float_samples(X, "add_noise")
    _check_fraction(fraction, "add_noise")
    amplitude = check_real("add_noise", "amplitude", amplitude, 0)
    rng = make_rng(rng, "add_noise")
    draws = {"uniform": lambda: rng.uniform(-amplitude, amplitude, X.shape),
             "gaussian": lambda: rng.normal(0.0, amplitude, X.shape)}
    if distribution not in draws:
        raise ValueError(f"add_noise: distribution must be one of {sorted(draws)}, got {distribution!r}")
    mask = random_pixel_mask(X.shape, fraction, rng)
    corrupted = X + np.where(mask, draws[distribution](), 0.0).astype(X.dtype)
    if clip is not None:
        corrupted = np.clip(corrupted, clip[0], clip[1])
    return corrupted.astype(X.dtype, copy=False), mask


def salt_and_pepper(X, fraction: float, rng=None, low: float = 0.0, high: float = 1.0):
    """Set a random ``fraction`` of the values of each sample to ``low`` or ``high`` (even odds).

    Returns:
        ``(corrupted, mask)``.
    """
    X = _float_samples(X, "salt_and_pepper")
    _check_fraction(fraction, "salt_and_pepper")
    rng = make_rng(rng)
    mask = random_pixel_mask(X.shape, fraction, rng)
    salt = rng.random(X.shape) < 0.5
    corrupted = np.where(mask, np.where(salt, high, low), X).astype(X.dtype)
    return corrupted, mask


def mask_random(X, fraction: float, rng=None, value: float = 0.0):
    """Replace a random ``fraction`` of the values of each sample by ``value`` (missing pixels).

    Returns:
        ``(corrupted, mask)``.
    """
    X = _float_samples(X, "mask_random")
    _check_fraction(fraction, "mask_random")
    mask = random_pixel_mask(X.shape, fraction, rng)
    return np.where(mask, X.dtype.type(value), X), mask


def mask_patch(X, size: int, rng=None, image_shape: tuple[int, int] | None = None,
               position: tuple[int, int] | None = None, value: float = 0.0):
    """Replace a ``size`` x ``size`` square of each image by ``value`` (inpainting studies).

    Args:
        X: images ``(n, height, width)``, or flat ``(n, height * width)`` with ``image_shape``.
        size: side of the square, at most the image side.
        rng: seed or Generator choosing each image's square (uniform over the positions
            where it fits), unless ``position`` is given.
        image_shape: ``(height, width)`` of flat images.
        position: ``(row, col)`` of the top-left corner, the same for every image.
        value: value written in the square.

    Returns:
        ``(corrupted, mask)``, both of the shape of ``X``.
    """
    X = _float_samples(X, "mask_patch")
    images = _as_images(X, image_shape)
    n, height, width = images.shape
    if not 1 <= size <= min(height, width):
        raise ValueError(f"mask_patch: size must lie in 1..{min(height, width)} for "
                         f"{height}x{width} images, got {size}")
    if position is None:
        rng = make_rng(rng)
        rows = rng.integers(0, height - size + 1, n)
        cols = rng.integers(0, width - size + 1, n)
    else:
        row, col = position
        if not (0 <= row <= height - size and 0 <= col <= width - size):
            raise ValueError(f"mask_patch: a {size}x{size} square at {tuple(position)} does not fit "
                             f"in {height}x{width} images")
        rows, cols = np.full(n, row), np.full(n, col)
    in_rows = (np.arange(height) >= rows[:, None]) & (np.arange(height) < rows[:, None] + size)
    in_cols = (np.arange(width) >= cols[:, None]) & (np.arange(width) < cols[:, None] + size)
    mask = (in_rows[:, :, None] & in_cols[:, None, :]).reshape(X.shape)
    return np.where(mask, X.dtype.type(value), X), mask


def _as_images(X: np.ndarray, image_shape) -> np.ndarray:
    if image_shape is not None:
        if X.ndim != 2 or X.shape[1] != image_shape[0] * image_shape[1]:
            raise ValueError(f"mask_patch: X must have shape (n, {image_shape[0] * image_shape[1]}) "
                             f"for image_shape {tuple(image_shape)}, got {tuple(X.shape)}")
        return X.reshape(len(X), *image_shape)
    if X.ndim != 3:
        raise ValueError(f"mask_patch: X must have shape (n, height, width), or pass image_shape "
                         f"for flat images, got {tuple(X.shape)}")
    return X
