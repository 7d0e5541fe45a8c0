"""Optim: one step = zero_grad, forward, loss, backward (batch-mean gradient), update."""

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
    with pytest.raises(ValueError, match=r"Optim: eps \(learning rate\) must be a positive number"):
        fb.Optim(fb.Linear(2, 2), fb.MSELoss(), eps=-1)
