"""Linear: shapes and errors, finite differences, PyTorch agreement, accumulation, init."""

import numpy as np
import pytest

import flambeau as fb
from flambeau import ShapeError
from tests.helpers import assert_close, to_torch, torch


def make_linear(n_in=4, n_out=3, bias=True, seed=0):
    return fb.Linear(n_in, n_out, bias=bias, rng=seed, dtype=np.float64)


def test_shapes_and_parameters():
    layer = fb.Linear(5, 2)
    assert layer._parameters["W"].shape == (5, 2)
    assert layer._parameters["b"].shape == (2,)
    assert set(layer._gradient) == {"W", "b"}
    assert layer.forward(np.ones((7, 5), np.float32)).shape == (7, 2)
    assert layer._parameters["W"].dtype == np.float32
    assert "b" not in fb.Linear(5, 2, bias=False)._parameters


def test_wrong_input_shape_names_module_and_shapes():
    with pytest.raises(ShapeError, match=r"Linear.forward: X must have shape \(batch, 5\), got \(7, 4\)"):
        fb.Linear(5, 2).forward(np.ones((7, 4), np.float32))
    with pytest.raises(ShapeError, match=r"Linear.forward: X must have shape \(batch, 5\), got \(5,\)"):
        fb.Linear(5, 2).forward(np.ones(5, np.float32))


def test_wrong_delta_shape():
    layer = fb.Linear(5, 2)
    X = np.ones((3, 5), np.float32)
    with pytest.raises(ShapeError, match=r"Linear.backward_update_gradient: delta must have shape "
                                         r"\(3, 2\), got \(3, 3\)"):
        layer.backward_update_gradient(X, np.ones((3, 3), np.float32))
    with pytest.raises(ShapeError, match=r"Linear.backward_delta: delta must have shape"):
        layer.backward_delta(X, np.ones((3, 4), np.float32))


def test_constructor_errors():
    with pytest.raises(ValueError, match="Linear: input must be a positive int, got 0"):
        fb.Linear(0, 2)
    with pytest.raises(ValueError, match="Linear: unknown init 'bogus'"):
        fb.Linear(2, 2, init="bogus")


@pytest.mark.parametrize("bias", [True, False])
def test_gradcheck(bias, rng):
    X = rng.normal(size=(6, 4))
    y = rng.normal(size=(6, 3))
    errors = fb.gradcheck(make_linear(bias=bias), fb.MSELoss(), X, y)
    assert set(errors) == ({"input", "W", "b"} if bias else {"input", "W"})
    assert max(errors.values()) < 1e-7, errors


@pytest.mark.parametrize("bias", [True, False])
def test_agrees_with_torch(bias, rng):
    t = torch()
    layer = make_linear(bias=bias)
    X = rng.normal(size=(6, 4))
    delta = rng.normal(size=(6, 3))
    ref = t.nn.Linear(4, 3, bias=bias).double()
    with t.no_grad():
        ref.weight.copy_(to_torch(layer._parameters["W"].T))
        if bias:
            ref.bias.copy_(to_torch(layer._parameters["b"]))
    Xt = to_torch(X, requires_grad=True)
    out = ref(Xt)
    out.backward(to_torch(delta))
    assert_close(layer.forward(X), out, "output")
    layer.backward_update_gradient(X, delta)
    assert_close(layer.backward_delta(X, delta), Xt.grad, "input gradient")
    assert_close(layer._gradient["W"], ref.weight.grad.T, "W gradient")
    if bias:
        assert_close(layer._gradient["b"], ref.bias.grad, "b gradient")


def test_gradients_accumulate_and_zero_grad_resets(rng):
    layer = make_linear()
    X, delta = rng.normal(size=(5, 4)), rng.normal(size=(5, 3))
    layer.backward_update_gradient(X, delta)
    once = {k: v.copy() for k, v in layer._gradient.items()}
    layer.backward_update_gradient(X, delta)
    for name in once:
        np.testing.assert_allclose(layer._gradient[name], 2 * once[name])
    layer.zero_grad()
    assert all(not g.any() for g in layer._gradient.values())


def test_update_parameters_is_plain_step(rng):
    layer = make_linear()
    layer.backward_update_gradient(rng.normal(size=(5, 4)), rng.normal(size=(5, 3)))
    before = layer._parameters["W"].copy()
    layer.update_parameters(0.5)
    np.testing.assert_allclose(layer._parameters["W"], before - 0.5 * layer._gradient["W"])


def test_default_init_matches_pytorch_bounds():
    layer = fb.Linear(400, 300, rng=1, dtype=np.float64)
    bound = 1 / np.sqrt(400)
    for p in layer._parameters.values():
        assert np.abs(p).max() <= bound
        assert np.abs(p).max() > 0.95 * bound


def test_seeded_init_is_reproducible():
    a, b = fb.Linear(6, 5, rng=3), fb.Linear(6, 5, rng=3)
    np.testing.assert_array_equal(a._parameters["W"], b._parameters["W"])
    assert not np.array_equal(a._parameters["W"], fb.Linear(6, 5, rng=4)._parameters["W"])


def test_repr_and_config_round_trip():
    layer = fb.Linear(3, 2, bias=False, init="he")
    assert repr(layer) == "Linear(input=3, output=2, bias=False, init='he')"
    clone = fb.Linear(**layer.get_config())
    assert clone.get_config() == layer.get_config()
