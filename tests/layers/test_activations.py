"""Activations: stability, hand-worked values, errors, repr (gradients, PyTorch agreement, dtype
and caching: the check battery, tests/test_modules.py)."""

import warnings

import numpy as np
import pytest

import flambeau as fb
from flambeau import ShapeError

MAKERS = {
    "Identity": fb.Identity,
    "TanH": fb.TanH,
    "Sigmoid": fb.Sigmoid,
    "ReLU": fb.ReLU,
    "LeakyReLU": lambda: fb.LeakyReLU(0.2),
    "Softmax": fb.Softmax,
    "LogSoftmax": fb.LogSoftmax,
}


@pytest.mark.parametrize("name", MAKERS)
def test_stable_for_huge_inputs(name):
    module = MAKERS[name]()
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


@pytest.mark.parametrize("name", MAKERS)
def test_delta_shape_mismatch_is_named(name):
    module = MAKERS[name]()
    for method in ("backward_delta", "backward_update_gradient"):
        with pytest.raises(ShapeError, match=rf"^{type(module).__name__}.{method}: delta must have shape "
                                             r"\(2, 3\) for an input of shape \(2, 3\), got \(2, 4\)$"):
            getattr(module, method)(np.ones((2, 3)), np.ones((2, 4)))


def test_softmax_needs_two_axes():
    with pytest.raises(ShapeError, match=r"Softmax.forward: X must have shape \(batch, classes\)"):
        fb.Softmax().forward(np.ones(3))


def test_repr():
    assert repr(fb.TanH()) == "TanH()"
    assert repr(fb.LeakyReLU(0.2)) == "LeakyReLU(alpha=0.2)"
    assert fb.LeakyReLU(**fb.LeakyReLU(0.3).get_config()).alpha == 0.3


def test_no_parameters():
    for make in MAKERS.values():
        module = make()
        assert module.parameters() == {} and module.gradients() == {}


@pytest.mark.parametrize("name", MAKERS)
def test_a_scalar_is_refused_for_want_of_a_batch_axis(name):
    """Found by the fuzz suite: a 0-d input gave a NumPy scalar, not an array."""
    module = MAKERS[name]()
    with pytest.raises(ShapeError, match=rf"^{type(module).__name__}.forward: X must hold samples along its "
                                         r"first axis \(n, \.\.\.\), got bool False$"):
        module.forward(False)
