"""Gradient clipping by global norm (against torch) and the L2 penalty."""

from __future__ import annotations

import pytest

from flambeau.regularization import clip_grad_norm, global_norm, l2_penalty
from tests.helpers import assert_close, to_torch, torch


@pytest.mark.parametrize("max_norm", [0.5, 100.0])
def test_clip_grad_norm_matches_torch(max_norm, rng):
    t = torch()
    grads = {"W": rng.normal(size=(4, 3)), "b": rng.normal(size=(3,))}
    tensors = [to_torch(g, requires_grad=True) for g in grads.values()]
    for tensor, grad in zip(tensors, grads.values(), strict=True):
        tensor.grad = to_torch(grad)
    expected_norm = t.nn.utils.clip_grad_norm_(tensors, max_norm)
    norm = clip_grad_norm(grads, max_norm)
    assert norm == pytest.approx(float(expected_norm), rel=1e-12)
    for (name, ours), tensor in zip(grads.items(), tensors, strict=True):
        assert_close(ours, tensor.grad, f"clipped {name}", rtol=1e-12)


def test_clipping_is_in_place_and_bounds_the_norm(rng):
    W = rng.normal(size=(10, 10)) * 100
    grads = {"W": W}
    clip_grad_norm(grads, 1.0)
    assert grads["W"] is W
    assert global_norm(grads) == pytest.approx(1.0, rel=1e-5)


def test_bad_max_norm():
    with pytest.raises(ValueError) as info:
        clip_grad_norm({}, 0)
    assert str(info.value) == "clip_grad_norm: max_norm must be a positive number, got 0"


def test_l2_penalty_value_and_gradient_agree_with_weight_decay(rng):
    params = {"W": rng.normal(size=(3, 2)), "b": rng.normal(size=(2,))}
    wd = 0.1
    expected = 0.5 * wd * sum(float((p ** 2).sum()) for p in params.values())
    assert l2_penalty(params, wd) == pytest.approx(expected, rel=1e-12)
    # weight_decay adds wd * p: the finite-difference gradient of the penalty
    h, W = 1e-6, params["W"]
    W[0, 0] += h
    plus = l2_penalty(params, wd)
    W[0, 0] -= 2 * h
    minus = l2_penalty(params, wd)
    W[0, 0] += h
    assert (plus - minus) / (2 * h) == pytest.approx(wd * W[0, 0], rel=1e-6)
