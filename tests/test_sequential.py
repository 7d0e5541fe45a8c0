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
    b.forward(X)
    b.backward_update_gradient(X, delta)
    np.testing.assert_allclose(b.backward_delta(X, delta), expected)
    for name, grad in a.gradients().items():
        np.testing.assert_allclose(b.gradients()[name], grad)
    # a delta-only pass (no update first) must not touch gradients
    c = small_net()
    c.forward(X)
    np.testing.assert_allclose(c.backward_delta(X, delta), expected)
    assert all(not g.any() for g in c.gradients().values())


def test_backward_delta_reuses_the_update_pass_for_the_same_delta(rng):
    X, delta = rng.normal(size=(4, 3)), rng.normal(size=(4, 2))
    net = small_net()
    net.forward(X)
    net.backward_update_gradient(X, delta)
    calls = []
    original = net[1].backward_delta
    net[1].backward_delta = lambda *a: calls.append(1) or original(*a)
    net.backward_delta(X, delta)
    assert calls == []  # only module 0's input gradient was left to compute
    net.backward_delta(X, delta.copy())  # another delta: the whole chain again
    assert calls == [1]


def test_backward_on_another_input_is_an_error_not_a_second_forward(rng):
    net = fb.Sequential(fb.Linear(3, 5, rng=0), fb.Dropout(0.5, rng=1), fb.BatchNorm1D(5))
    X1, X2 = rng.normal(size=(4, 3)).astype(np.float32), rng.normal(size=(4, 3)).astype(np.float32)
    net.forward(X1)
    mask, running = net[1]._scaled_mask, net[2].buffers()["running_mean"].copy()
    for method in ("backward_update_gradient", "backward_delta"):
        with pytest.raises(RuntimeError, match=rf"^Sequential.{method}: input differs from the last "
                                               r"forward's \(same shape \(4, 3\), other values\); "
                                               r"call forward\(input\) first, then the backward "
                                               "methods with that same input"):
            getattr(net, method)(X2, np.ones((4, 5), np.float32))
    assert net[1]._scaled_mask is mask  # no new mask drawn
    np.testing.assert_array_equal(net[2].buffers()["running_mean"], running)  # statistics moved once
    assert all(not g.any() for g in net.gradients().values())


def test_backward_accepts_an_equal_copy_of_the_forward_input(rng):
    """A copy with the same values (``X[idx]`` indexed again) is the same input: no error, same result."""
    X, delta = rng.normal(size=(4, 3)), rng.normal(size=(4, 2))
    a, b = small_net(), small_net()
    a.forward(X)
    a.backward_update_gradient(X, delta)
    b.forward(X)
    b.backward_update_gradient(X.copy(), delta)
    np.testing.assert_array_equal(b.backward_delta(X.tolist(), delta), a.backward_delta(X, delta))
    for name, grad in a.gradients().items():
        np.testing.assert_array_equal(b.gradients()[name], grad)
    with pytest.raises(RuntimeError, match=r"input has shape \(3, 3\), the last forward's had \(4, 3\)"):
        b.backward_delta(X[:3], delta[:3])


def test_backward_methods_before_any_forward_are_errors():
    for method in ("backward_update_gradient", "backward_delta"):
        with pytest.raises(RuntimeError, match=rf"^Sequential.{method}: no forward pass to go back "
                                               r"through; call forward\(input\) first"):
            getattr(small_net(), method)(np.ones((1, 3)), np.ones((1, 2)))


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
