"""BatchNorm1D: PyTorch agreement in train and eval modes, running statistics, gradients."""

from __future__ import annotations

import numpy as np
import pytest

from flambeau import BatchNorm1D, Linear, MSELoss, Sequential, ShapeError, default_dtype, gradcheck
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
def test_training_mode_matches_torch(affine):
    ours, theirs = _pair(affine=affine)
    rng = np.random.default_rng(1)
    for step in range(3):  # several batches: running statistics accumulate
        X = rng.normal(3.0, 2.0, size=(8, 4))
        delta = rng.normal(size=(8, 4))
        Xt = to_torch(X, requires_grad=True)
        Yt = theirs(Xt)
        Yt.backward(to_torch(delta))
        Y = ours.forward(X)
        ours.zero_grad()
        ours.backward_update_gradient(X, delta)
        assert_close(Y, Yt, f"forward, batch {step}")
        assert_close(ours.backward_delta(X, delta), Xt.grad, f"dL/dX, batch {step}")
        if affine:
            assert_close(ours._gradient["gamma"], theirs.weight.grad, "dL/dgamma")
            assert_close(ours._gradient["beta"], theirs.bias.grad, "dL/dbeta")
            theirs.weight.grad = theirs.bias.grad = None
        assert_close(ours.buffers()["running_mean"], theirs.running_mean, "running_mean")
        assert_close(ours.buffers()["running_var"], theirs.running_var, "running_var")


def test_eval_mode_matches_torch():
    ours, theirs = _pair(momentum=0.3)
    rng = np.random.default_rng(2)
    for _ in range(2):
        batch = rng.normal(1.0, 3.0, size=(6, 4))
        ours.forward(batch)
        theirs(to_torch(batch))
    ours.eval()
    theirs.eval()
    X, delta = rng.normal(size=(5, 4)), rng.normal(size=(5, 4))
    Xt = to_torch(X, requires_grad=True)
    Yt = theirs(Xt)
    Yt.backward(to_torch(delta))
    before = ours.buffers()["running_mean"].copy()
    assert_close(ours.forward(X), Yt, "eval forward")
    assert_close(ours.backward_delta(X, delta), Xt.grad, "eval dL/dX")
    ours.zero_grad()
    ours.backward_update_gradient(X, delta)
    assert_close(ours._gradient["gamma"], theirs.weight.grad, "eval dL/dgamma")
    np.testing.assert_array_equal(ours.buffers()["running_mean"], before)


def test_three_axis_input_matches_torch_channels_first():
    t = torch()
    ours, theirs = _pair(C=3)
    X = np.random.default_rng(3).normal(size=(2, 5, 3))  # (batch, length, chan)
    Y = ours.forward(X)
    Yt = theirs(to_torch(X.transpose(0, 2, 1))).detach().numpy().transpose(0, 2, 1)
    assert_close(Y, Yt, "(batch, length, chan) forward")
    assert t.is_tensor(theirs.running_mean)
    assert_close(ours.buffers()["running_var"], theirs.running_var, "running_var")


@pytest.mark.parametrize("training", [True, False])
def test_gradcheck(training):
    with default_dtype(np.float64):
        net = Sequential(Linear(3, 4, bias=False, rng=0), BatchNorm1D(4))  # a bias there has zero gradient
    net[1]._parameters["gamma"][...] = [0.5, 2.0, -1.0, 1.5]
    net[1]._buffers["running_var"][...] = [0.5, 2.0, 1.0, 3.0]
    net.train(training)
    rng = np.random.default_rng(0)
    errors = gradcheck(net, MSELoss(), rng.normal(size=(6, 3)), rng.normal(size=(6, 4)))
    assert max(errors.values()) < 1e-6, errors


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
    with pytest.raises(ShapeError, match=r"delta must have shape \(4, 3\) like the input, got \(4, 2\)"):
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


def test_gradients_accumulate_and_zero_grad_resets():
    with default_dtype(np.float64):
        bn = BatchNorm1D(3)
    rng = np.random.default_rng(4)
    X, delta = rng.normal(size=(5, 3)), rng.normal(size=(5, 3))
    bn.forward(X)
    bn.backward_update_gradient(X, delta)
    once = {k: g.copy() for k, g in bn.gradients().items()}
    bn.backward_update_gradient(X, delta)
    for key, grad in bn.gradients().items():
        np.testing.assert_allclose(grad, 2 * once[key], err_msg=key)
    bn.zero_grad()
    assert not any(g.any() for g in bn.gradients().values())


def test_backward_on_another_input_recomputes_its_statistics():
    with default_dtype(np.float64):
        bn, fresh = BatchNorm1D(3), BatchNorm1D(3)
    rng = np.random.default_rng(5)
    X1, X2, delta = rng.normal(size=(6, 3)), rng.normal(3, 2, size=(6, 3)), rng.normal(size=(6, 3))
    bn.forward(X1)
    fresh.forward(X2)
    np.testing.assert_allclose(bn.backward_delta(X2, delta), fresh.backward_delta(X2, delta))
