"""Sequential: chaining, the backward passes' order and caching, parameter names, modes (gradients,
PyTorch agreement, accumulation, update and zero_grad of whole networks: the check battery and
its cases, tests/test_modules.py)."""

import numpy as np
import pytest

import flambeau as fb


def small_net(seed=0):
    return fb.Sequential(fb.Linear(3, 5, rng=seed, dtype=np.float64), fb.TanH(),
                         fb.Linear(5, 2, rng=seed + 1, dtype=np.float64), fb.Sigmoid())


def test_accepts_list_and_aliases():
    layers = [fb.Linear(2, 3), fb.ReLU()]
    assert len(fb.Sequential(layers)) == 2 and len(fb.Sequential(*layers)) == 2
    assert fb.Sequentiel is fb.Sequential
    net = fb.Sequentiel()
    net.add_module(fb.Linear(2, 2)).append(fb.TanH())
    assert [type(m).__name__ for m in net] == ["Linear", "TanH"]


def test_rejects_non_modules():
    with pytest.raises(TypeError, match="Sequential: expected a Module, got int"):
        fb.Sequential(fb.Linear(2, 2), 3)


def test_parameters_are_named_and_live():
    net = small_net()
    params = net.parameters()
    assert list(params) == ["0.W", "0.b", "2.W", "2.b"]
    assert params["0.W"] is net[0]._parameters["W"]
    assert list(net.gradients()) == list(params)
    assert net.num_parameters() == 3 * 5 + 5 + 5 * 2 + 2


def test_update_then_delta_equals_full_backward(rng):
    """The container contract: backward_update_gradient then backward_delta, no double work."""
    X, delta = rng.normal(size=(4, 3)), rng.normal(size=(4, 2))
    a, b = small_net(), small_net()
    a.forward(X)
    expected = a.backward(delta)
    b.backward_update_gradient(X, delta)
    np.testing.assert_allclose(b.backward_delta(X, delta), expected)
    for name, grad in a.gradients().items():
        np.testing.assert_allclose(b.gradients()[name], grad)
    # a delta-only pass (no update first) must not touch gradients
    c = small_net()
    np.testing.assert_allclose(c.backward_delta(X, delta), expected)
    assert all(not g.any() for g in c.gradients().values())


def test_backward_recomputes_forward_for_another_input(rng):
    net, X1, X2 = small_net(), rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    delta = rng.normal(size=(4, 2))
    net.forward(X1)
    net.backward_update_gradient(X2, delta)
    ref = small_net()
    ref.forward(X2)
    ref.backward(delta)
    for name, grad in ref.gradients().items():
        np.testing.assert_allclose(net.gradients()[name], grad)


def test_backward_before_forward_is_an_error():
    with pytest.raises(RuntimeError, match="Sequential.backward: call forward before backward"):
        small_net().backward(np.ones((1, 2)))


def test_train_eval_recurse():
    net = small_net()
    net.eval()
    assert not any(m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())


def test_nested_sequential_names():
    inner = fb.Sequential(fb.Linear(3, 4, rng=0), fb.TanH())
    net = fb.Sequential(inner, fb.Linear(4, 1, rng=1))
    assert list(net.parameters()) == ["0.0.W", "0.0.b", "1.W", "1.b"]


def test_repr():
    assert repr(fb.Sequential(fb.Linear(2, 3), fb.TanH())) == (
        "Sequential(\n  (0): Linear(input=2, output=3, bias=True, init='uniform')\n  (1): TanH()\n)")
