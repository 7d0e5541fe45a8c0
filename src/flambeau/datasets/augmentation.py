"""Data augmentation: more training images from the ones we have.

``shift_augment`` adds copies of every image translated by a few pixels, the simplest prior
that a digit moved by one pixel is the same digit. With it the course's Conv1D network on USPS
goes from about 94.5 % to over 96 % test accuracy (``flambeau run cnn``).
"""

from __future__ import annotations

import numpy as np

from .._checks import ShapeError

__all__ = ["shift_augment", "shift_images"]

#: one-pixel moves (down, up, right, left) as (rows, columns).
ONE_PIXEL_SHIFTS = ((1, 0), (-1, 0), (0, 1), (0, -1))


def shift_images(images, dy: int, dx: int, fill: float | None = None) -> np.ndarray:
    """``images`` ``(n, height, width)`` or ``(n, height, width, chan)`` moved by ``dy`` rows
    (positive: down) and ``dx`` columns (positive: right); the uncovered border takes ``fill``
    (default: the smallest value of ``images``, the background)."""
    images = np.asarray(images)
    if images.ndim not in (3, 4):
        raise ShapeError("shift_images: images must have shape (n, height, width) or "
                         f"(n, height, width, chan), got {images.shape}")
    height, width = images.shape[1:3]
    if abs(dy) >= height or abs(dx) >= width:
        raise ValueError(f"shift_images: shift ({dy}, {dx}) must be smaller than the image "
                         f"({height}, {width})")
    fill = images.min() if fill is None else fill
    shifted = np.full_like(images, fill)
    shifted[:, max(dy, 0):height + min(dy, 0), max(dx, 0):width + min(dx, 0)] = \
        images[:, max(-dy, 0):height + min(-dy, 0), max(-dx, 0):width + min(-dx, 0)]
    return shifted


def shift_augment(images, labels, shifts=ONE_PIXEL_SHIFTS, fill: float | None = None):
    """The images followed by one shifted copy of all of them per entry of ``shifts``.

    Args:
        images: ``(n, height, width)`` or ``(n, height, width, chan)``; flat images must be
            reshaped first (e.g. USPS ``(n, 256)`` -> ``(n, 16, 16)``).
        labels: ``(n,)`` or ``(n, classes)``, repeated for every copy.
        shifts: ``(dy, dx)`` moves, default the four one-pixel moves.
        fill: value of the uncovered border (default: the smallest value, the background).

    Returns:
        ``(images, labels)`` with ``n * (1 + len(shifts))`` samples, the originals first.
    """
    images, labels = np.asarray(images), np.asarray(labels)
    if len(labels) != len(images):
        raise ShapeError(f"shift_augment: labels must have {len(images)} rows like images, "
                         f"got {len(labels)}")
    fill = np.asarray(images).min() if fill is None else fill
    copies = [images, *(shift_images(images, dy, dx, fill) for dy, dx in shifts)]
    return np.concatenate(copies), np.concatenate([labels] * len(copies))
