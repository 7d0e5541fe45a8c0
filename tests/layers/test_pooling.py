"""Max and average pooling, 1-D and 2-D: shapes and errors, ties (against PyTorch), non-contiguous
inputs, config (gradients and PyTorch agreement over strides and window sizes, caching: the check
battery and its cases, tests/test_modules.py)."""

import numpy as np
import pytest

import flambeau as fb
from flambeau import ShapeError
from tests.helpers import assert_close, to_torch, torch

POOLS_1D = ("AvgPool1D", "MaxPool1D")
POOLS_2D = ("AvgPool2D", "MaxPool2D")


def torch_pool(name: str, X, delta, k, stride):
    """PyTorch's output and input gradient for channels-last ``X`` and upstream ``delta``."""
    t = torch()
    spatial = X.ndim - 2
    to_first = (0, spatial + 1, *range(1, spatial + 1))
    to_last = (0, *range(2, spatial + 2), 1)
    X_t = to_torch(X.transpose(to_first), requires_grad=True)
    Y_t = getattr(t.nn.functional, name)(X_t, k, stride)
    (Y_t * to_torch(delta.transpose(to_first))).sum().backward()
    return Y_t.detach().permute(to_last), X_t.grad.permute(to_last)


# -- shapes and errors ---------------------------------------------------------------------
@pytest.mark.parametrize("name", POOLS_1D)
def test_pool1d_shapes_default_stride_and_float32(name):
    layer = getattr(fb, name)(2)
    X = np.ones((4, 254, 32), np.float32)
    Y = layer.forward(X)
    assert Y.shape == (4, 127, 32) and Y.dtype == np.float32
    assert layer.backward_delta(X, np.ones_like(Y)).dtype == np.float32
    assert getattr(fb, name)(3, 2).forward(np.ones((2, 10, 3), np.float32)).shape == (2, 4, 3)
    assert layer.parameters() == {}


@pytest.mark.parametrize("name", POOLS_2D)
def test_pool2d_shapes(name):
    assert getattr(fb, name)(2).forward(np.ones((2, 28, 28, 16), np.float32)).shape == (2, 14, 14, 16)
    assert getattr(fb, name)((2, 3), (1, 2)).forward(np.ones((2, 7, 7, 1), np.float32)).shape == (2, 6, 3, 1)


def test_pool_errors_name_module_and_shapes():
    with pytest.raises(ShapeError, match=r"^MaxPool1D.forward: X must have shape \(batch, length, chan\), "
                                         r"got \(4, 10\)$"):
        fb.MaxPool1D(2).forward(np.ones((4, 10), np.float32))
    with pytest.raises(ShapeError, match=r"^AvgPool1D.forward: X length 2 is shorter than the kernel size 3, "
                                         r"got X of shape \(4, 2, 1\)$"):
        fb.AvgPool1D(3).forward(np.ones((4, 2, 1), np.float32))
    with pytest.raises(ShapeError, match=r"^MaxPool2D.forward: X must have shape "
                                         r"\(batch, height, width, chan\), got \(2, 28, 28\)$"):
        fb.MaxPool2D(2).forward(np.ones((2, 28, 28), np.float32))
    with pytest.raises(ShapeError, match=r"^AvgPool2D.forward: X height 1 is shorter than the kernel size 2"):
        fb.AvgPool2D(2).forward(np.ones((2, 1, 5, 1), np.float32))
    X = np.ones((2, 8, 3), np.float32)
    with pytest.raises(ShapeError, match=r"^MaxPool1D.backward_delta: delta must have shape \(2, 4, 3\) "
                                         r"for an input of shape \(2, 8, 3\), got \(2, 8, 3\)$"):
        fb.MaxPool1D(2).backward_delta(X, X)
    with pytest.raises(ValueError, match=r"^MaxPool1D: k_size must be a positive int, got 0$"):
        fb.MaxPool1D(0)
    with pytest.raises(ValueError, match=r"^AvgPool2D: stride must be a positive int or a pair of them, "
                                         r"got -1$"):
        fb.AvgPool2D(2, -1)


def test_trailing_inputs_are_ignored_by_the_floor(rng):
    X = rng.normal(size=(2, 7, 1))
    layer = fb.MaxPool1D(2)
    dX = layer.backward_delta(X, np.ones((2, 3, 1)))
    assert layer.forward(X).shape == (2, 3, 1)
    assert np.all(dX[:, 6] == 0) and dX.sum() == 6


# -- ties and memory layouts ----------------------------------------------------------------
@pytest.mark.parametrize("layout", ["fortran", "transposed"])
@pytest.mark.parametrize("name", POOLS_2D)
def test_pool2d_accepts_non_contiguous_inputs(name, layout, rng):
    X = rng.integers(0, 3, size=(2, 8, 6, 16)).astype(np.float32)  # ties, 16 channels (word path)
    view = np.asfortranarray(X) if layout == "fortran" else np.ascontiguousarray(
        X.transpose(3, 1, 2, 0)).transpose(3, 1, 2, 0)
    delta = rng.normal(size=(2, 4, 3, 16)).astype(np.float32)
    layer = getattr(fb, name)(2)
    np.testing.assert_array_equal(layer.forward(view), getattr(fb, name)(2).forward(X))
    np.testing.assert_array_equal(layer.backward_delta(view, delta),
                                  getattr(fb, name)(2).backward_delta(X, delta))


@pytest.mark.parametrize("k, stride", [(2, 2), (3, 1), (2, 3), ((2, 3), (2, 3)), (3, 3)])
def test_max_pool_ties_send_the_gradient_to_the_first_maximum_like_torch(k, stride, rng):
    X = rng.integers(0, 2, size=(2, 7, 7, 2)).astype(np.float64)  # many ties
    layer = fb.MaxPool2D(k, stride)
    delta = rng.normal(size=layer.forward(X).shape)
    dX = layer.backward_delta(X, delta)
    _, dX_t = torch_pool("max_pool2d", X, delta, k, stride)
    assert_close(dX, dX_t, "dL/dX with ties")
    if stride >= k:  # disjoint windows: each sends its delta to exactly one input
        assert np.count_nonzero(dX) == delta.size


@pytest.mark.parametrize("k", [2, (2, 3)])
def test_max_pool_ties_where_the_windows_tile_the_input_like_torch(k, rng):
    X = rng.integers(0, 2, size=(3, 8, 6, 5)).astype(np.float64)  # 8 x 6: whole windows, many ties
    layer = fb.MaxPool2D(k)
    delta = rng.normal(size=layer.forward(X).shape)
    dX = layer.backward_delta(X, delta)
    _, dX_t = torch_pool("max_pool2d", X, delta, k, k)
    assert_close(dX, dX_t, "dL/dX with ties")
    assert np.count_nonzero(dX) == delta.size


def test_max_pool1d_ties():
    X = np.array([[[1.0], [1.0], [0.0], [2.0], [2.0], [2.0]]])
    dX = fb.MaxPool1D(3, 3).backward_delta(X, np.array([[[5.0], [7.0]]]))
    np.testing.assert_array_equal(dX[0, :, 0], [5, 0, 0, 7, 0, 0])


# -- config --------------------------------------------------------------------
@pytest.mark.parametrize("layer", [fb.MaxPool1D(2, 1), fb.AvgPool1D(3), fb.MaxPool2D((2, 3), 1),
                                   fb.AvgPool2D(2, (1, 2))])
def test_config_round_trip_and_repr(layer):
    rebuilt = type(layer)(**layer.get_config())
    assert rebuilt.get_config() == layer.get_config()
    assert repr(fb.MaxPool1D(2)) == "MaxPool1D(k_size=2, stride=2)"
    assert repr(fb.MaxPool2D((2, 3), 1)) == "MaxPool2D(k_size=[2, 3], stride=1)"
