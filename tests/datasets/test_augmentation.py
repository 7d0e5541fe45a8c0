"""Shift augmentation: exact moves, border fill, label repetition, errors."""

import numpy as np
import pytest

from flambeau._checks import ShapeError
from flambeau.datasets import shift_augment, shift_images


def test_shift_moves_pixels_and_fills_the_border_with_the_background():
    image = np.arange(1, 10, dtype=np.float32).reshape(1, 3, 3)
    down = shift_images(image, 1, 0)
    np.testing.assert_array_equal(down[0], [[1, 1, 1], [1, 2, 3], [4, 5, 6]])  # fill = min = 1
    left = shift_images(image, 0, -1, fill=0)
    np.testing.assert_array_equal(left[0], [[2, 3, 0], [5, 6, 0], [8, 9, 0]])


def test_shift_keeps_channels_and_dtype():
    images = np.random.default_rng(0).random((2, 4, 5, 3)).astype(np.float32)
    shifted = shift_images(images, -1, 2)
    assert shifted.shape == images.shape and shifted.dtype == np.float32
    np.testing.assert_array_equal(shifted[:, :-1, 2:], images[:, 1:, :-2])


def test_shift_augment_appends_four_one_pixel_copies_with_their_labels():
    images = np.random.default_rng(1).random((3, 5, 5))
    labels = np.array([0, 1, 2])
    X, y = shift_augment(images, labels)
    assert X.shape == (15, 5, 5)
    np.testing.assert_array_equal(X[:3], images)
    np.testing.assert_array_equal(y, np.tile(labels, 5))
    np.testing.assert_array_equal(X[3:6], shift_images(images, 1, 0, fill=images.min()))
    np.testing.assert_array_equal(X[12:], shift_images(images, 0, -1, fill=images.min()))


def test_errors_name_the_function_and_the_shapes():
    with pytest.raises(ShapeError, match=r"^shift_images: images must have shape \(n, height, width\) or "
                                         r"\(n, height, width, chan\), got \(4, 256\)$"):
        shift_images(np.zeros((4, 256)), 1, 0)
    with pytest.raises(ValueError, match=r"^shift_images: shift \(16, 0\) must be smaller than the image "
                                         r"\(16, 16\)$"):
        shift_images(np.zeros((1, 16, 16)), 16, 0)
    with pytest.raises(ShapeError, match=r"^shift_augment: labels must have 2 rows like images, got 3$"):
        shift_augment(np.zeros((2, 4, 4)), np.zeros(3))
