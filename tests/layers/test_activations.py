"""Activations: PyTorch agreement, finite differences, stability, errors, repr."""

import warnings

import numpy as np
import pytest

import flambeau as fb
from flambeau import ShapeError
from tests.helpers import assert_close, to_torch, torch

# (flambeau module factory, torch function on a tensor)
CASES = {
    "Identity": (fb.Identity, lambda t, x: x),
    "TanH": (fb.TanH, lambda t, x: t.tanh(x)),
    "Sigmoid": (fb.Sigmoid, lambda t, x: t.sigmoid(x)),
    "ReLU": (fb.ReLU, lambda t, x: t.relu(x)),
    "LeakyReLU": (lambda: fb.LeakyReLU(0.2), lambda t, x: t.nn.functional.leaky_relu(x, 0.2)),
    "Softmax": (fb.Softmax, lambda t, x: t.softmax(x, dim=-1)),
    "LogSoftmax": (fb.LogSoftmax, lambda t, x: t.log_softmax(x, dim=-1)),
}


def away_from_kinks(rng, shape):
    """Inputs with |x| >= 0.05 so that finite differences never straddle ReLU's kink."""
    X = rng.normal(size=shape)
    return np.where(np.abs(X) < 0.05, 0.1, X)


@pytest.mark.parametrize("name", CASES)
def test_agrees_with_torch(name, rng):
    t = torch()
    make, reference = CASES[name]
    module = make()
    X = away_from_kinks(rng, (5, 4))
    delta = rng.normal(size=(5, 4))
    Xt = to_torch(X, requires_grad=True)
    out = reference(t, Xt)
    out.backward(to_torch(delta))
    assert_close(module.forward(X), out, f"{name} output")
    assert_close(module.backward_delta(X, delta), Xt.grad, f"{name} input gradient")


@pytest.mark.parametrize("name", CASES)
def test_gradcheck(name, rng):
    module = CASES[name][0]()
    X = away_from_kinks(rng, (4, 3))
    errors = fb.gradcheck(module, fb.MSELoss(), X, rng.normal(size=(4, 3)))
    assert errors["input"] < 1e-6, errors


@pytest.mark.parametrize("name", CASES)
def test_backward_without_forward_recomputes(name, rng):
    """backward_delta must not reuse the output of a forward on another input."""
    module = CASES[name][0]()
    X1, X2 = away_from_kinks(rng, (3, 4)), away_from_kinks(rng, (3, 4))
    delta = rng.normal(size=(3, 4))
    module.forward(X1)
    expected = CASES[name][0]().backward_delta(X2, delta)
    np.testing.assert_allclose(module.backward_delta(X2, delta), expected)


@pytest.mark.parametrize("name", CASES)
def test_stable_for_huge_inputs(name):
    module = CASES[name][0]()
    X = np.array([[1e4, -1e4, 0.0, 3.0], [-1e4, -1e4, 1e4, 1e4]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Y = module.forward(X)
        D = module.backward_delta(X, np.ones_like(X))
    assert np.all(np.isfinite(Y)) and np.all(np.isfinite(D))


def test_known_values():
    X = np.array([[0.0, 1e4, -1e4]])
    np.testing.assert_allclose(fb.Sigmoid().forward(X), [[0.5, 1.0, 0.0]])
    np.testing.assert_allclose(fb.Softmax().forward(np.log([[1.0, 3.0]])), [[0.25, 0.75]])
    np.testing.assert_allclose(fb.LogSoftmax().forward(np.log([[1.0, 3.0]])), np.log([[0.25, 0.75]]))


@pytest.mark.parametrize("name", CASES)
def test_float32_stays_float32(name, rng):
    module = CASES[name][0]()
    X = rng.normal(size=(3, 4)).astype(np.float32)
    assert module.forward(X).dtype == np.float32
    assert module.backward_delta(X, np.ones_like(X)).dtype == np.float32


@pytest.mark.parametrize("name", CASES)
def test_delta_shape_mismatch_is_named(name):
    module = CASES[name][0]()
    with pytest.raises(ShapeError, match=rf"{type(module).__name__}.backward_delta: input and delta "
                                         r"must have the same shape, got \(2, 3\) and \(2, 4\)"):
        module.backward_delta(np.ones((2, 3)), np.ones((2, 4)))


def test_softmax_needs_two_axes():
    with pytest.raises(ShapeError, match=r"Softmax.forward: X must have shape \(batch, classes\)"):
        fb.Softmax().forward(np.ones(3))


def test_softmax_backward_is_the_jacobian_product(rng):
    """Not the 'returns delta' shortcut: compare with the explicit Jacobian."""
    X, delta = rng.normal(size=(1, 4)), rng.normal(size=(1, 4))
    s = fb.Softmax().forward(X)[0]
    jacobian = np.diag(s) - np.outer(s, s)
    np.testing.assert_allclose(fb.Softmax().backward_delta(X, delta)[0], jacobian @ delta[0])
    assert not np.allclose(fb.Softmax().backward_delta(X, delta), delta)


def test_repr():
    assert repr(fb.TanH()) == "TanH()"
    assert repr(fb.LeakyReLU(0.2)) == "LeakyReLU(alpha=0.2)"
    assert fb.LeakyReLU(**fb.LeakyReLU(0.3).get_config()).alpha == 0.3


def test_no_parameters():
    for make, _ in CASES.values():
        module = make()
        assert module.parameters() == {} and module.gradients() == {}
