"""Conv1D / Conv2D: shapes and errors, floors, initialisation, window copies, config (gradients,
PyTorch agreement over strides, paddings and channel counts, accumulation, caching: the check
battery and its cases, tests/test_modules.py)."""

import math

import numpy as np
import pytest

import flambeau as fb
from flambeau import ShapeError
from flambeau.layers import conv as conv_module


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
                                         r"\(5, 8, 4\) for an input of shape \(5, 10, 2\), got \(5, 8, 3\)$"):
        layer.backward_update_gradient(X, np.ones((5, 8, 3), np.float32))
    with pytest.raises(ShapeError, match=r"^Conv1D.backward_delta: delta must have shape \(5, 8, 4\) for an "
                                         r"input of shape \(5, 10, 2\), got \(5, 9, 4\)$"):
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


# -- initialisation, config, window copies ------------------------------------------------
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
    assert "cols" not in vars(layer)
    layer.backward_update_gradient(X, delta)
    trained = fb.Conv1D(3, 2, 3, rng=0, dtype=np.float64)
    trained.forward(X)
    trained.backward_update_gradient(X, delta)
    np.testing.assert_allclose(layer._gradient["W"], trained._gradient["W"])


@pytest.mark.parametrize("layer", [fb.Conv2D(3, 4, 5, padding=1, rng=0, dtype=np.float64),
                                   fb.Conv2D(2, 1, 3, stride=2, rng=1, dtype=np.float64),
                                   fb.Conv1D(3, 2, 4, padding=2, rng=2, dtype=np.float64)])
def test_chunks_of_images_give_the_results_of_one_window_matrix(layer, rng, monkeypatch):
    """Forward, gradients and input gradient do not depend on how many images a chunk holds."""
    X = rng.normal(size=(7, *([6] * (len(layer._layout) - 2)), layer.chan_in))
    delta = rng.normal(size=layer.forward(X).shape)
    results = []
    for chunk_bytes in (1, 1 << 30):  # one image per chunk, then the whole batch at once
        monkeypatch.setattr(conv_module, "_CHUNK_BYTES", chunk_bytes)
        layer.zero_grad()
        layer._scratch.clear()
        Y = layer.forward(X)
        layer.backward_update_gradient(X, delta)
        results.append((Y, *(g.copy() for g in layer.gradients().values()), layer.backward_delta(X, delta)))
        images = 1 if chunk_bytes == 1 else len(X)  # the window matrix kept: one chunk's
        assert layer._scratch["cols"].size == images * math.prod(Y.shape[1:-1]) * layer._taps_in
    for chunked, whole in zip(*results, strict=True):
        np.testing.assert_allclose(chunked, whole, rtol=1e-12, atol=1e-12)
