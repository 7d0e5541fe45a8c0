"""Dropout: inverted scaling, eval mode, seeded masks, gradients, errors."""

from __future__ import annotations

import numpy as np
import pytest

from flambeau import Dropout, Linear, MSELoss, Sequential, ShapeError, default_dtype, gradcheck
from tests.helpers import assert_close, to_torch, torch


class _FixedMaskDropout(Dropout):
    """Dropout re-seeded at every forward: the same mask each time, for finite differences."""

    def forward(self, X):
        self.rng = np.random.default_rng(0)
        return super().forward(X)


def test_inverted_scaling_and_rate():
    X = np.ones((200, 50), dtype=np.float32)
    Y = Dropout(0.3, rng=0).forward(X)
    assert Y.dtype == np.float32
    kept = Y != 0
    np.testing.assert_allclose(Y[kept], 1 / 0.7, rtol=1e-6)
    assert abs(kept.mean() - 0.7) < 0.02
    assert abs(Y.mean() - 1.0) < 0.03


def test_eval_mode_is_identity_and_gradient_passes_through():
    layer = Dropout(0.5, rng=0).eval()
    X = np.arange(6.0).reshape(2, 3)
    assert layer.forward(X) is X
    delta = np.ones((2, 3))
    np.testing.assert_array_equal(layer.backward_delta(X, delta), delta)


def test_same_seed_same_masks_and_new_mask_each_call():
    X = np.ones((4, 10))
    a, b = Dropout(0.5, rng=3), Dropout(0.5, rng=3)
    first = a.forward(X)
    np.testing.assert_array_equal(first, b.forward(X))
    assert not np.array_equal(first, a.forward(X))


def test_backward_uses_the_forward_mask():
    layer = Dropout(0.4, rng=1)
    X = np.random.default_rng(0).normal(size=(5, 6))
    Y = layer.forward(X)
    delta = np.random.default_rng(1).normal(size=(5, 6))
    np.testing.assert_allclose(layer.backward_delta(X, delta), delta * (Y / X))


def test_gradcheck_with_a_fixed_mask():
    with default_dtype(np.float64):
        net = Sequential(Linear(4, 6, rng=0), _FixedMaskDropout(0.5))
    errors = gradcheck(net, MSELoss(), np.random.default_rng(0).normal(size=(3, 4)),
                       np.random.default_rng(1).normal(size=(3, 6)))
    assert max(errors.values()) < 1e-6, errors


def test_matches_torch_on_the_same_mask():
    t = torch()
    layer = Dropout(0.25, rng=2)
    X = np.random.default_rng(0).normal(size=(4, 5))
    Y = layer.forward(X)
    mask = (Y != 0).astype(np.float64)
    delta = np.random.default_rng(1).normal(size=(4, 5))
    Xt = to_torch(X, requires_grad=True)
    Yt = Xt * to_torch(mask) / (1 - 0.25)
    Yt.backward(to_torch(delta))
    assert_close(Y, Yt, "Dropout forward")
    assert_close(layer.backward_delta(X, delta), Xt.grad, "Dropout dL/dX")
    with t.no_grad():
        assert_close(layer.eval().forward(X), t.nn.functional.dropout(to_torch(X), 0.25,
                                                                      training=False), "eval")


def test_p_zero_is_identity():
    X = np.ones((2, 3))
    assert Dropout(0.0).forward(X) is X


@pytest.mark.parametrize("p", [1.0, -0.1, "0.5"])
def test_bad_p(p):
    with pytest.raises(ValueError) as info:
        Dropout(p)
    assert str(info.value) == f"Dropout: p must lie in [0, 1), got {p!r}"


def test_backward_shape_error():
    layer = Dropout(0.5, rng=0)
    layer.forward(np.ones((2, 3)))
    with pytest.raises(ShapeError) as info:
        layer.backward_delta(np.ones((2, 3)), np.ones((2, 4)))
    assert str(info.value) == ("Dropout.backward_delta: input and delta must have the same shape, "
                               "got (2, 3) and (2, 4)")


def test_config_and_repr():
    layer = Dropout(0.2, rng=0)
    assert repr(layer) == "Dropout(p=0.2)"
    assert type(layer)(**layer.get_config()).p == 0.2
