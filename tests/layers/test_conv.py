"""Conv1D / Conv2D: shapes and errors, finite differences, PyTorch agreement, caching, config."""

import math

import numpy as np
import pytest

import flambeau as fb
from flambeau import ShapeError
from tests.helpers import assert_close, to_torch, torch


def run_ours(layer, X, delta):
    """Forward, then both backward calls with ``delta``; returns ``(Y, dX, grads)``."""
    layer.zero_grad()
    Y = layer.forward(X)
    layer.backward_update_gradient(X, delta)
    return Y, layer.backward_delta(X, delta), {k: v.copy() for k, v in layer._gradient.items()}


# -- shapes and errors ---------------------------------------------------------------------
def test_conv1d_shapes_parameters_and_float32():
    layer = fb.Conv1D(3, 1, 32)
    assert layer._parameters["W"].shape == (3, 1, 32)
    assert layer._parameters["b"].shape == (32,)
    assert set(layer._gradient) == {"W", "b"}
    X = np.ones((4, 256, 1), np.float32)
    Y = layer.forward(X)
    assert Y.shape == (4, 254, 32) and Y.dtype == np.float32
    delta = np.ones_like(Y)
    layer.backward_update_gradient(X, delta)
    assert layer._gradient["W"].dtype == np.float32
    assert layer.backward_delta(X, delta).dtype == np.float32
    assert "b" not in fb.Conv1D(3, 1, 2, bias=False)._parameters


@pytest.mark.parametrize("length, k, stride, padding, expected", [
    (10, 3, 1, 0, 8), (10, 3, 2, 0, 4), (10, 3, 2, 1, 5), (5, 5, 1, 0, 1), (7, 2, 3, 0, 2), (1, 3, 1, 1, 1)])
def test_conv1d_output_length_is_floored(length, k, stride, padding, expected):
    layer = fb.Conv1D(k, 2, 3, stride=stride, padding=padding)
    assert layer.forward(np.ones((2, length, 2), np.float32)).shape == (2, expected, 3)


def test_conv1d_inputs_past_the_last_window_get_no_gradient(rng):
    layer = fb.Conv1D(3, 1, 2, stride=2, dtype=np.float64)  # length 10: windows cover 0..8
    X = rng.normal(size=(2, 10, 1))
    dX = layer.backward_delta(X, np.ones((2, 4, 2)))
    assert np.all(dX[:, 9] == 0) and np.all(dX[:, 8] != 0)


def test_conv2d_shapes_with_pairs():
    layer = fb.Conv2D((3, 2), 2, 5, stride=(2, 1), padding=(1, 0))
    assert layer._parameters["W"].shape == (3, 2, 2, 5)
    assert layer.forward(np.ones((3, 9, 6, 2), np.float32)).shape == (3, 5, 5, 5)
    same = fb.Conv2D(3, 1, 16, padding=1)
    assert same.forward(np.ones((2, 28, 28, 1), np.float32)).shape == (2, 28, 28, 16)


def test_conv1d_input_errors_name_module_and_shapes():
    layer = fb.Conv1D(3, 2, 4)
    with pytest.raises(ShapeError, match=r"^Conv1D.forward: X must have shape \(batch, length, 2\), "
                                         r"got \(5, 10\)$"):
        layer.forward(np.ones((5, 10), np.float32))
    with pytest.raises(ShapeError, match=r"^Conv1D.forward: X must have shape \(batch, length, 2\), "
                                         r"got \(5, 10, 3\)$"):
        layer.forward(np.ones((5, 10, 3), np.float32))
    with pytest.raises(ShapeError, match=r"^Conv1D.forward: X length 2 is shorter than the kernel size 3, "
                                         r"got X of shape \(5, 2, 2\)$"):
        layer.forward(np.ones((5, 2, 2), np.float32))
    padded = fb.Conv1D(5, 2, 4, padding=1)
    with pytest.raises(ShapeError, match=r"X length 2 \+ 2\*padding 2 is shorter than the kernel size 5"):
        padded.forward(np.ones((5, 2, 2), np.float32))


def test_conv_delta_errors():
    layer = fb.Conv1D(3, 2, 4)
    X = np.ones((5, 10, 2), np.float32)
    layer.forward(X)
    with pytest.raises(ShapeError, match=r"^Conv1D.backward_update_gradient: delta must have shape "
                                         r"\(5, 8, 4\), got \(5, 8, 3\)$"):
        layer.backward_update_gradient(X, np.ones((5, 8, 3), np.float32))
    with pytest.raises(ShapeError, match=r"^Conv1D.backward_delta: delta must have shape \(5, 8, 4\), "
                                         r"got \(5, 9, 4\)$"):
        layer.backward_delta(X, np.ones((5, 9, 4), np.float32))
    with pytest.raises(ShapeError, match=r"^Conv2D.forward: X must have shape \(batch, height, width, 1\), "
                                         r"got \(2, 28, 28\)$"):
        fb.Conv2D(3, 1, 4).forward(np.ones((2, 28, 28), np.float32))
    with pytest.raises(ShapeError, match=r"^Conv2D.forward: X width 2 is shorter than the kernel size 3"):
        fb.Conv2D(3, 1, 4).forward(np.ones((2, 5, 2, 1), np.float32))


@pytest.mark.parametrize("kwargs, message", [
    ({"k_size": 0}, "Conv1D: k_size must be a positive int, got 0"),
    ({"stride": 0}, "Conv1D: stride must be a positive int, got 0"),
    ({"padding": -1}, "Conv1D: padding must be a non-negative int, got -1"),
    ({"chan_in": 0}, "Conv1D: chan_in must be a positive int, got 0"),
    ({"chan_out": 2.5}, "Conv1D: chan_out must be a positive int, got 2.5"),
    ({"init": "bogus"}, "Conv1D: unknown init 'bogus'"),
])
def test_conv1d_constructor_errors(kwargs, message):
    args = {"k_size": 3, "chan_in": 1, "chan_out": 2, **kwargs}
    with pytest.raises(ValueError, match="^" + message.replace("(", r"\(").replace(")", r"\)")):
        fb.Conv1D(**args)


def test_conv2d_constructor_errors():
    with pytest.raises(ValueError, match=r"^Conv2D: k_size must be a positive int or a pair of them, "
                                         r"got \(3, 3, 3\)$"):
        fb.Conv2D((3, 3, 3), 1, 2)
    with pytest.raises(ValueError, match=r"^Conv2D: stride must be a positive int or a pair of them, "
                                         r"got \(1, 0\)$"):
        fb.Conv2D(3, 1, 2, stride=(1, 0))


# -- finite differences --------------------------------------------------------------------
@pytest.mark.parametrize("k, stride, padding, bias", [(3, 1, 0, True), (2, 3, 1, False), (4, 2, 2, True)])
def test_conv1d_gradcheck(k, stride, padding, bias, rng):
    layer = fb.Conv1D(k, 2, 3, stride=stride, padding=padding, bias=bias, rng=0, dtype=np.float64)
    X = rng.normal(size=(2, 7, 2))
    y = rng.normal(size=layer.forward(X).shape)
    errors = fb.gradcheck(layer, fb.MSELoss(), X, y)
    assert set(errors) == ({"input", "W", "b"} if bias else {"input", "W"})
    assert max(errors.values()) < 1e-7, errors


@pytest.mark.parametrize("k, stride, padding, chan_in", [(3, 1, 1, 2), ((2, 3), (2, 1), (0, 1), 2),
                                                         (2, 1, 0, 8)])
def test_conv2d_gradcheck(k, stride, padding, chan_in, rng):
    layer = fb.Conv2D(k, chan_in, 3, stride=stride, padding=padding, rng=0, dtype=np.float64)
    X = rng.normal(size=(2, 5, 4, chan_in))
    y = rng.normal(size=layer.forward(X).shape)
    errors = fb.gradcheck(layer, fb.MSELoss(), X, y)
    assert max(errors.values()) < 1e-7, errors


# -- PyTorch agreement ---------------------------------------------------------------------
# (batch, length, chan_in, chan_out, k, stride, padding): stride > kernel, kernel = length,
# batch of 1, padding, several channel counts.
CONV1D_GRID = [
    (3, 11, 2, 4, 3, 1, 0),
    (2, 11, 3, 2, 3, 2, 1),
    (1, 9, 1, 5, 2, 3, 0),
    (4, 5, 2, 3, 5, 1, 0),
    (2, 6, 3, 3, 4, 4, 2),
    (1, 1, 2, 2, 3, 1, 1),
    (2, 9, 8, 3, 3, 2, 1),  # 4+ channels: im2col copies all windows at once
    (1, 7, 9, 2, 2, 3, 0),
    (2, 8, 4, 2, 3, 1, 1),
]


@pytest.mark.parametrize("batch, length, chan_in, chan_out, k, stride, padding", CONV1D_GRID)
def test_conv1d_agrees_with_torch(batch, length, chan_in, chan_out, k, stride, padding, rng):
    t = torch()
    layer = fb.Conv1D(k, chan_in, chan_out, stride=stride, padding=padding, rng=1, dtype=np.float64)
    X = rng.normal(size=(batch, length, chan_in))
    out = (length + 2 * padding - k) // stride + 1
    delta = rng.normal(size=(batch, out, chan_out))
    Y, dX, grads = run_ours(layer, X, delta)

    X_t = to_torch(X.transpose(0, 2, 1), requires_grad=True)
    W_t = to_torch(layer._parameters["W"].transpose(2, 1, 0), requires_grad=True)
    b_t = to_torch(layer._parameters["b"], requires_grad=True)
    Y_t = t.nn.functional.conv1d(X_t, W_t, b_t, stride=stride, padding=padding)
    (Y_t * to_torch(delta.transpose(0, 2, 1))).sum().backward()
    assert_close(Y, Y_t.detach().permute(0, 2, 1), "Y")
    assert_close(dX, X_t.grad.permute(0, 2, 1), "dL/dX")
    assert_close(grads["W"], W_t.grad.permute(2, 1, 0), "dL/dW")
    assert_close(grads["b"], b_t.grad, "dL/db")


# (batch, height, width, chan_in, chan_out, k, stride, padding)
CONV2D_GRID = [
    (2, 6, 7, 2, 3, 3, 1, 1),
    (1, 5, 5, 1, 4, 5, 1, 0),
    (2, 8, 6, 3, 2, (2, 3), (3, 2), (1, 0)),
    (3, 7, 7, 2, 2, 2, 3, 0),
    (1, 4, 9, 3, 5, (3, 1), (1, 2), (0, 2)),
    (2, 6, 5, 8, 3, 3, (2, 1), (1, 0)),  # 4+ channels: im2col copies all windows at once
    (2, 7, 6, 4, 3, (3, 2), (2, 3), (2, 1)),
    (1, 5, 7, 10, 2, (2, 3), (1, 3), (0, 1)),
]


@pytest.mark.parametrize("batch, height, width, chan_in, chan_out, k, stride, padding", CONV2D_GRID)
def test_conv2d_agrees_with_torch(batch, height, width, chan_in, chan_out, k, stride, padding, rng):
    t = torch()
    layer = fb.Conv2D(k, chan_in, chan_out, stride=stride, padding=padding, rng=2, dtype=np.float64)
    X = rng.normal(size=(batch, height, width, chan_in))
    out_shape = layer.forward(X).shape
    delta = rng.normal(size=out_shape)
    Y, dX, grads = run_ours(layer, X, delta)

    X_t = to_torch(X.transpose(0, 3, 1, 2), requires_grad=True)
    W_t = to_torch(layer._parameters["W"].transpose(3, 2, 0, 1), requires_grad=True)
    b_t = to_torch(layer._parameters["b"], requires_grad=True)
    Y_t = t.nn.functional.conv2d(X_t, W_t, b_t, stride=stride, padding=padding)
    (Y_t * to_torch(delta.transpose(0, 3, 1, 2))).sum().backward()
    assert_close(Y, Y_t.detach().permute(0, 2, 3, 1), "Y")
    assert_close(dX, X_t.grad.permute(0, 2, 3, 1), "dL/dX")
    assert_close(grads["W"], W_t.grad.permute(2, 3, 1, 0), "dL/dW")
    assert_close(grads["b"], b_t.grad, "dL/db")


# -- contract: accumulation, caching, config -----------------------------------------------
def test_gradients_accumulate_and_zero_grad_resets(rng):
    layer = fb.Conv2D(2, 2, 3, rng=0, dtype=np.float64)
    X = rng.normal(size=(2, 4, 4, 2))
    delta = rng.normal(size=layer.forward(X).shape)
    layer.backward_update_gradient(X, delta)
    once = {k: v.copy() for k, v in layer._gradient.items()}
    layer.backward_update_gradient(X, delta)
    for name, grad in layer._gradient.items():
        np.testing.assert_allclose(grad, 2 * once[name])
    layer.zero_grad()
    assert all(not grad.any() for grad in layer._gradient.values())


def test_backward_uses_the_input_it_is_given_not_the_cached_one(rng):
    layer = fb.Conv1D(3, 2, 3, stride=2, rng=0, dtype=np.float64)
    X_seen, X_other = rng.normal(size=(2, 9, 2)), rng.normal(size=(2, 9, 2))
    delta = rng.normal(size=(2, 4, 3))
    layer.forward(X_seen)
    layer.backward_update_gradient(X_other, delta)
    fresh = fb.Conv1D(3, 2, 3, stride=2, rng=0, dtype=np.float64)
    fresh.forward(X_other)
    fresh.backward_update_gradient(X_other, delta)
    np.testing.assert_allclose(layer._gradient["W"], fresh._gradient["W"])
    assert not np.allclose(layer._gradient["W"], _grad_W_after_forward(X_seen, delta))


def _grad_W_after_forward(X, delta):
    layer = fb.Conv1D(3, 2, 3, stride=2, rng=0, dtype=np.float64)
    layer.forward(X)
    layer.backward_update_gradient(X, delta)
    return layer._gradient["W"]


def test_default_init_is_pytorchs_uniform():
    layer = fb.Conv2D(3, 4, 50, rng=0)
    bound = 1 / math.sqrt(3 * 3 * 4)
    W, b = layer._parameters["W"], layer._parameters["b"]
    assert np.abs(W).max() <= bound and np.abs(W).max() > 0.95 * bound
    assert np.abs(b).max() <= bound
    assert W.std() == pytest.approx(bound / math.sqrt(3), rel=0.05)
    np.testing.assert_array_equal(W, fb.Conv2D(3, 4, 50, rng=0)._parameters["W"])


@pytest.mark.parametrize("layer", [
    fb.Conv1D(3, 1, 32, stride=2, padding=1, bias=False),
    fb.Conv2D((3, 2), 2, 4, stride=1, padding=(1, 0), init="he"),
])
def test_config_round_trip_and_repr(layer):
    rebuilt = type(layer)(**layer.get_config())
    assert rebuilt.get_config() == layer.get_config()
    assert {k: v.shape for k, v in rebuilt.parameters().items()} == \
           {k: v.shape for k, v in layer.parameters().items()}
    assert repr(layer).startswith(type(layer).__name__ + "(k_size=")
    assert repr(fb.Conv1D(3, 1, 32)) == ("Conv1D(k_size=3, chan_in=1, chan_out=32, stride=1, padding=0, "
                                         "bias=True, init='uniform')")


def test_eval_mode_keeps_no_window_copy_and_backward_still_works(rng):
    layer = fb.Conv1D(3, 2, 3, rng=0, dtype=np.float64).eval()
    X, delta = rng.normal(size=(2, 6, 2)), rng.normal(size=(2, 4, 3))
    layer.forward(X)
    assert layer._forward_cols.empty
    layer.backward_update_gradient(X, delta)
    trained = fb.Conv1D(3, 2, 3, rng=0, dtype=np.float64)
    trained.forward(X)
    trained.backward_update_gradient(X, delta)
    np.testing.assert_allclose(layer._gradient["W"], trained._gradient["W"])
