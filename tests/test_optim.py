"""Optim: one step = zero_grad, forward, loss, backward (gradient of the batch mean or sum), update."""

import numpy as np
import pytest

import flambeau as fb
from tests.helpers import assert_close, to_torch, torch


def net64(seed=0):
    return fb.Sequential(fb.Linear(4, 6, rng=seed, dtype=np.float64), fb.TanH(),
                         fb.Linear(6, 3, rng=seed + 1, dtype=np.float64))


def test_step_matches_torch_sgd_with_mean_loss(rng):
    """Same learning rate, same result as torch.optim.SGD on a mean-reduced loss."""
    t = torch()
    net = net64()
    ref = t.nn.Sequential(t.nn.Linear(4, 6), t.nn.Tanh(), t.nn.Linear(6, 3)).double()
    with t.no_grad():
        for i in (0, 2):
            ref[i].weight.copy_(to_torch(net[i]._parameters["W"].T))
            ref[i].bias.copy_(to_torch(net[i]._parameters["b"]))
    optim = fb.Optim(net, fb.CrossEntropyLoss(), eps=0.5)
    torch_optim = t.optim.SGD(ref.parameters(), lr=0.5)
    for _ in range(3):
        X, y = rng.normal(size=(8, 4)), rng.integers(0, 3, 8)
        ours = optim.step(X, y)
        torch_optim.zero_grad()
        loss = t.nn.functional.cross_entropy(ref(to_torch(X)), t.tensor(y))
        loss.backward()
        torch_optim.step()
        assert ours == pytest.approx(loss.item(), rel=1e-9)
    for i in (0, 2):
        assert_close(net[i]._parameters["W"], ref[i].weight.T, f"layer {i} W after 3 steps")
        assert_close(net[i]._parameters["b"], ref[i].bias, f"layer {i} b after 3 steps")


def test_step_uses_the_rule_hook(rng):
    calls = []

    class Recording(fb.rules.UpdateRule):
        def step(self, params, grads, lr):
            calls.append((sorted(params), lr))

    net = net64()
    before = net[0]._parameters["W"].copy()
    fb.Optim(net, fb.MSELoss(), 0.1, rule=Recording()).step(rng.normal(size=(2, 4)),
                                                              rng.normal(size=(2, 3)))
    assert calls == [(["0.W", "0.b", "2.W", "2.b"], 0.1)]
    np.testing.assert_array_equal(net[0]._parameters["W"], before)  # the rule decides


def test_step_zeroes_gradients_first(rng):
    net = net64()
    optim = fb.Optim(net, fb.MSELoss(), 1e-9)
    X, y = rng.normal(size=(3, 4)), rng.normal(size=(3, 3))
    optim.step(X, y)
    first = net[0]._gradient["W"].copy()
    optim.step(X, y)
    np.testing.assert_allclose(net[0]._gradient["W"], first, rtol=1e-6)


def test_constructor_errors():
    with pytest.raises(TypeError, match="Optim: net must be a Module, got str"):
        fb.Optim("net", fb.MSELoss())
    with pytest.raises(TypeError, match="Optim: loss must be a Loss, got Linear"):
        fb.Optim(fb.Linear(2, 2), fb.Linear(2, 2))
    with pytest.raises(ValueError, match=r"Optim: the learning rate \(lr, or eps\) must be a positive "
                                         "number, got -1"):
        fb.Optim(fb.Linear(2, 2), fb.MSELoss(), eps=-1)
    with pytest.raises(ValueError, match="Optim: give the learning rate as lr or as eps .*, not both; "
                                         "got eps=0.1 and lr=0.2"):
        fb.Optim(fb.Linear(2, 2), fb.MSELoss(), 0.1, lr=0.2)
    with pytest.raises(ValueError, match="Optim: reduction must be 'mean' .* or 'sum' .*, got 'average'"):
        fb.Optim(fb.Linear(2, 2), fb.MSELoss(), reduction="average")


def test_lr_and_eps_are_one_learning_rate():
    assert fb.Optim(fb.Linear(2, 2), fb.MSELoss()).lr == 1e-3
    optim = fb.Optim(fb.Linear(2, 2), fb.MSELoss(), lr=0.25)
    assert optim.lr == optim.eps == 0.25
    optim.eps = 0.5
    assert optim.lr == 0.5
    # Adam's eps is its epsilon, untouched by the learning rate
    optim = fb.Optim(fb.Linear(2, 2), fb.MSELoss(), lr=0.1, rule=fb.Adam(eps=1e-6))
    assert optim.rule.eps == 1e-6 and optim.lr == 0.1


def test_sum_reduction_is_mean_reduction_at_lr_times_batch_size(rng):
    """Plain gradient descent: one step on the summed gradient at lr equals one step on the mean
    gradient at lr * batch_size; the returned loss is the batch mean either way."""
    X, y = rng.normal(size=(8, 4)), rng.integers(0, 3, 8)
    nets = {"sum": net64(), "mean": net64()}
    loss_sum = fb.Optim(nets["sum"], fb.CrossEntropyLoss(), 0.05, reduction="sum").step(X, y)
    loss_mean = fb.Optim(nets["mean"], fb.CrossEntropyLoss(), 0.05 * 8).step(X, y)
    assert loss_sum == loss_mean
    for key, value in nets["sum"].parameters().items():
        np.testing.assert_allclose(value, nets["mean"].parameters()[key], rtol=1e-13, atol=1e-15,
                                   err_msg=key)
    # the gradient itself: the summed one is the batch size times the mean one
    mean, total, Y = net64(), net64(), rng.normal(size=(8, 3))
    fb.Optim(mean, fb.MSELoss()).forward_backward(X, Y)
    fb.Optim(total, fb.MSELoss(), reduction="sum").forward_backward(X, Y)
    for key, grad in total.gradients().items():
        np.testing.assert_allclose(grad, 8 * mean.gradients()[key], rtol=1e-12, err_msg=key)


def test_sum_reduction_matches_torch_with_a_summed_loss(rng):
    t = torch()
    net = net64()
    ref = t.nn.Sequential(t.nn.Linear(4, 6), t.nn.Tanh(), t.nn.Linear(6, 3)).double()
    with t.no_grad():
        for i in (0, 2):
            ref[i].weight.copy_(to_torch(net[i]._parameters["W"].T))
            ref[i].bias.copy_(to_torch(net[i]._parameters["b"]))
    optim = fb.Optim(net, fb.CrossEntropyLoss(), lr=0.05, reduction="sum")
    torch_optim = t.optim.SGD(ref.parameters(), lr=0.05)
    for _ in range(3):
        X, y = rng.normal(size=(8, 4)), rng.integers(0, 3, 8)
        ours = optim.step(X, y)
        torch_optim.zero_grad()
        loss = t.nn.functional.cross_entropy(ref(to_torch(X)), t.tensor(y), reduction="sum")
        loss.backward()
        torch_optim.step()
        assert ours == pytest.approx(loss.item() / 8, rel=1e-9)  # the mean, whatever the reduction
    for i in (0, 2):
        assert_close(net[i]._parameters["W"], ref[i].weight.T, f"layer {i} W after 3 steps")
