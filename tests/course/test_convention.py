"""The course's Optim and SGD: the library's, stepping on the gradient of the SUM of the losses."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

import flambeau
from flambeau import course

N, D_IN, D_OUT, EPS = 5, 3, 2, 0.05


def _problem(seed=0):
    rng = np.random.default_rng(seed)
    net = flambeau.Linear(D_IN, D_OUT, rng=seed, dtype=np.float64)
    return net, rng.normal(size=(N, D_IN)), rng.normal(size=(N, D_OUT))


def _summed_gradient(net, X, Y):
    """By hand: MSE per sample ``||y - (xW + b)||^2``, gradients summed over the batch."""
    W, b = net._parameters["W"], net._parameters["b"]
    delta = 2 * (X @ W + b - Y)  # (N, D_OUT), one row per sample
    return sum(np.outer(x, d) for x, d in zip(X, delta, strict=True)), delta.sum(axis=0)


def test_one_optim_step_moves_by_eps_times_the_summed_gradient():
    net, X, Y = _problem()
    W0, b0 = net._parameters["W"].copy(), net._parameters["b"].copy()
    grad_W, grad_b = _summed_gradient(net, X, Y)
    optim = course.Optim(net, flambeau.MSELoss(), EPS)
    assert optim.reduction == "sum" and isinstance(optim, flambeau.Optim)
    optim.step(X, Y)
    np.testing.assert_allclose(net._parameters["W"], W0 - EPS * grad_W, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(net._parameters["b"], b0 - EPS * grad_b, rtol=1e-12, atol=1e-14)


def test_the_sum_at_eps_is_the_mean_at_eps_times_the_batch_size():
    summed, X, Y = _problem()
    mean, _, _ = _problem()
    course.Optim(summed, flambeau.MSELoss(), EPS).step(X, Y)
    flambeau.Optim(mean, flambeau.MSELoss(), EPS * N).step(X, Y)
    np.testing.assert_allclose(summed._parameters["W"], mean._parameters["W"], rtol=1e-12)
    assert course.Optim(summed, flambeau.MSELoss(), EPS, reduction="mean").reduction == "mean"


def test_sgd_at_full_batch_is_one_optim_step_per_epoch():
    by_sgd, X, Y = _problem()
    by_optim, _, _ = _problem()
    history = course.SGD(by_sgd, flambeau.MSELoss(), X, Y, N, 2, EPS, shuffle=False, progress=False)
    optim = course.Optim(by_optim, flambeau.MSELoss(), EPS)
    losses = [optim.step(X, Y) for _ in range(2)]
    np.testing.assert_allclose(by_sgd._parameters["W"], by_optim._parameters["W"], rtol=1e-12)
    np.testing.assert_allclose(history["train_loss"], losses, rtol=1e-12)


def test_same_arguments_as_the_library_only_the_reduction_default_differs():
    for ours, library in ((course.Optim.__init__, flambeau.Optim.__init__), (course.SGD, flambeau.SGD)):
        ours, library = inspect.signature(ours).parameters, inspect.signature(library).parameters
        assert list(ours) == list(library)
        assert ours["reduction"].default == "sum" and library["reduction"].default == "mean"
        assert [p.kind for p in ours.values()] == [p.kind for p in library.values()]


def test_a_bad_call_names_the_function():
    net, _, _ = _problem()
    with pytest.raises(TypeError, match="Optim: missing a required argument: 'loss'"):
        course.Optim(net)
    with pytest.raises(TypeError, match="SGD: got an unexpected keyword argument 'nb_iter'"):
        course.SGD(net, flambeau.MSELoss(), np.zeros((2, 3)), np.zeros((2, 2)), nb_iter=3)
