"""Dropout: inverted scaling and rate, eval mode, seeded masks, errors (gradients with a fixed mask
and in eval mode, PyTorch agreement: the check battery and its cases, tests/test_modules.py)."""

from __future__ import annotations

import numpy as np
import pytest

from flambeau import Dropout, ShapeError


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
    assert str(info.value) == ("Dropout.backward_delta: delta must have shape (2, 3) for an input of "
                               "shape (2, 3), got (2, 4)")


def test_config_and_repr():
    layer = Dropout(0.2, rng=0)
    assert repr(layer) == "Dropout(p=0.2)"
    assert type(layer)(**layer.get_config()).p == 0.2
