"""BatchNorm1D: running statistics against PyTorch, evaluation mode, buffers, errors, config (outputs
and gradients in train and eval modes against finite differences and PyTorch: the check battery
and its cases, tests/test_modules.py)."""

from __future__ import annotations

import numpy as np
import pytest

from flambeau import BatchNorm1D, Sequential, ShapeError, default_dtype
from tests.helpers import assert_close, to_torch, torch


def _pair(C=4, momentum=0.1, affine=True, seed=0):
    t = torch()
    with default_dtype(np.float64):
        ours = BatchNorm1D(C, momentum=momentum, affine=affine)
    theirs = t.nn.BatchNorm1d(C, momentum=momentum, affine=affine).double()
    if affine:
        rng = np.random.default_rng(seed)
        gamma, beta = rng.normal(size=C), rng.normal(size=C)
        ours._parameters["gamma"][...] = gamma
        ours._parameters["beta"][...] = beta
        with t.no_grad():
            theirs.weight.copy_(to_torch(gamma))
            theirs.bias.copy_(to_torch(beta))
    return ours, theirs


@pytest.mark.parametrize("affine", [True, False])
@pytest.mark.parametrize("shape", [(8, 4), (3, 5, 4)], ids=["2d", "length_axis"])
def test_running_statistics_match_torch(affine, shape):
    ours, theirs = _pair(affine=affine)
    rng = np.random.default_rng(1)
    for step in range(3):  # several batches: running statistics accumulate
        X = rng.normal(3.0, 2.0, size=shape)
        Y = ours.forward(X)
        X_t = to_torch(X if len(shape) == 2 else X.transpose(0, 2, 1))
        Y_t = theirs(X_t).detach().numpy()
        assert_close(Y, Y_t if len(shape) == 2 else Y_t.transpose(0, 2, 1), f"forward, batch {step}")
        assert_close(ours.buffers()["running_mean"], theirs.running_mean, f"running_mean, batch {step}")
        assert_close(ours.buffers()["running_var"], theirs.running_var, f"running_var, batch {step}")


def test_eval_mode_uses_and_keeps_the_running_statistics():
    with default_dtype(np.float64):
        bn = BatchNorm1D(2, momentum=0.3)
    bn.forward(np.array([[1.0, 2.0], [3.0, 6.0]]))
    mean, var = bn.buffers()["running_mean"].copy(), bn.buffers()["running_var"].copy()
    np.testing.assert_allclose(mean, [0.6, 1.2])
    bn.eval()
    X = np.array([[0.0, 1.0], [2.0, 5.0], [4.0, -1.0]])
    np.testing.assert_allclose(bn.forward(X), (X - mean) / np.sqrt(var + bn.eps))
    bn.backward_delta(X, np.ones_like(X))
    np.testing.assert_array_equal(bn.buffers()["running_mean"], mean)
    np.testing.assert_array_equal(bn.buffers()["running_var"], var)


def test_buffers_are_saved_state_not_parameters():
    bn = BatchNorm1D(3)
    assert sorted(bn.parameters()) == ["beta", "gamma"]
    assert sorted(bn.buffers()) == ["running_mean", "running_var"]
    assert sorted(Sequential(bn).buffers()) == ["0.running_mean", "0.running_var"]
    assert bn.to(np.float64).buffers()["running_var"].dtype == np.float64


def test_float32_by_default():
    bn = BatchNorm1D(2)
    X = np.array([[1, 2], [2, 4], [3, 9]], dtype=np.float32)
    assert bn.forward(X).dtype == np.float32


def test_shape_errors():
    bn = BatchNorm1D(3)
    with pytest.raises(ShapeError) as info:
        bn.forward(np.ones((4, 2), dtype=np.float32))
    assert str(info.value) == ("BatchNorm1D.forward: X must have shape (batch, 3) or "
                               "(batch, length, 3), got (4, 2)")
    with pytest.raises(ValueError) as info:
        bn.forward(np.ones((1, 3), dtype=np.float32))
    assert str(info.value) == ("BatchNorm1D.forward: training needs more than one value per "
                               "feature, got input shape (1, 3)")
    X = np.ones((4, 3), dtype=np.float32)
    bn.forward(X)
    with pytest.raises(ShapeError, match=r"^BatchNorm1D.backward_delta: delta must have shape \(4, 3\) "
                                         r"for an input of shape \(4, 3\), got \(4, 2\)$"):
        bn.backward_delta(X, np.ones((4, 2)))


@pytest.mark.parametrize("kwargs, message", [
    ({"num_features": 0}, "BatchNorm1D: num_features must be a positive int, got 0"),
    ({"num_features": 2, "eps": 0}, "BatchNorm1D: eps must be a positive number, got 0"),
    ({"num_features": 2, "momentum": 1.5}, "BatchNorm1D: momentum must lie in [0, 1], got 1.5"),
])
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError) as info:
        BatchNorm1D(**kwargs)
    assert str(info.value) == message


def test_config_round_trip():
    bn = BatchNorm1D(5, eps=1e-3, momentum=0.2, affine=False)
    assert repr(bn) == "BatchNorm1D(num_features=5, eps=0.001, momentum=0.2, affine=False)"
    assert type(bn)(**bn.get_config()).get_config() == bn.get_config()
