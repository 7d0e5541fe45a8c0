"""Flatten, Reshape, Transpose2D: round trips, errors, config (gradients and PyTorch agreement: the
check battery, tests/test_modules.py)."""

import numpy as np
import pytest

import flambeau as fb
from flambeau import ShapeError


def test_flatten_round_trip(rng):
    X = rng.normal(size=(3, 4, 5, 2)).astype(np.float32)
    layer = fb.Flatten()
    Y = layer.forward(X)
    assert Y.shape == (3, 40) and Y.dtype == np.float32
    np.testing.assert_array_equal(Y[1], X[1].ravel())
    np.testing.assert_array_equal(layer.backward_delta(X, Y), X)


def test_reshape_flat_digits_to_images(rng):
    X = rng.normal(size=(2, 256))
    layer = fb.Reshape((16, 16, 1))
    Y = layer.forward(X)
    assert Y.shape == (2, 16, 16, 1)
    np.testing.assert_array_equal(Y[0, 1, :, 0], X[0, 16:32])
    np.testing.assert_array_equal(layer.backward_delta(X, Y), X)


def test_transpose2d_swaps_height_and_width(rng):
    X = rng.normal(size=(2, 3, 5, 4))
    layer = fb.Transpose2D()
    Y = layer.forward(X)
    assert Y.shape == (2, 5, 3, 4)
    assert Y[1, 4, 2, 3] == X[1, 2, 4, 3]
    np.testing.assert_array_equal(layer.backward_delta(X, Y), X)


def test_errors_name_module_and_shapes():
    with pytest.raises(ShapeError, match=r"^Flatten.backward_delta: delta must have shape \(3, 20\) for an "
                                         r"input of shape \(3, 4, 5\), got \(3, 21\)$"):
        fb.Flatten().backward_delta(np.ones((3, 4, 5)), np.ones((3, 21)))
    with pytest.raises(ShapeError, match=r"^Reshape.forward: X of shape \(2, 255\) cannot be reshaped to "
                                         r"\(batch, 16, 16, 1\): 255 values per sample, 256 needed$"):
        fb.Reshape((16, 16, 1)).forward(np.ones((2, 255)))
    with pytest.raises(ShapeError, match=r"^Reshape.backward_delta: delta must have shape \(2, 16, 16\) "
                                         r"for an input of shape \(2, 256\), got \(2, 256\)$"):
        fb.Reshape((16, 16)).backward_delta(np.ones((2, 256)), np.ones((2, 256)))
    with pytest.raises(ShapeError, match=r"^Transpose2D.forward: X must have shape "
                                         r"\(batch, height, width, chan\) \(4 axes\), got \(2, 16, 16\)$"):
        fb.Transpose2D().forward(np.ones((2, 16, 16)))
    with pytest.raises(ShapeError, match=r"^Transpose2D.backward_delta: delta must have shape "
                                         r"\(2, 5, 3, 1\) for an input of shape \(2, 3, 5, 1\), "
                                         r"got \(2, 3, 5, 1\)$"):
        fb.Transpose2D().backward_delta(np.ones((2, 3, 5, 1)), np.ones((2, 3, 5, 1)))
    with pytest.raises(ShapeError, match=r"^Flatten.forward: X must have a batch axis"):
        fb.Flatten().forward(np.float64(3.0))
    with pytest.raises(ValueError, match=r"^Reshape: shape must be a tuple of positive ints, got \(16, 0\)$"):
        fb.Reshape((16, 0))


@pytest.mark.parametrize("layer", [fb.Flatten(), fb.Reshape((16, 16, 1)), fb.Transpose2D()])
def test_config_round_trip_and_repr(layer):
    assert type(layer)(**layer.get_config()).get_config() == layer.get_config()
    assert repr(fb.Reshape((16, 16, 1))) == "Reshape(shape=[16, 16, 1])"
    assert repr(fb.Flatten()) == "Flatten()"
