"""Finite-difference gradient checking (library code, like Lua Torch's ``nn.Jacobian``)."""

from __future__ import annotations

import copy

import numpy as np

from .module import Loss, Module
from .random import make_rng

__all__ = ["gradcheck", "relative_error"]


def relative_error(analytic: np.ndarray, numeric: np.ndarray) -> float:
    """``max |a - n| / max(max |a|, max |n|, 1e-8)``: the worst error, relative to the scale."""
    scale = max(float(np.abs(analytic).max(initial=0)), float(np.abs(numeric).max(initial=0)), 1e-8)
    return float(np.abs(analytic - numeric).max(initial=0)) / scale


def _total_loss(net, loss, X, y) -> float:
    return float(np.sum(loss.forward(y, net.forward(X))))


def _numeric(f, array: np.ndarray, indices, h: float) -> np.ndarray:
    """Central differences of the scalar ``f()`` w.r.t. ``array.flat[i]`` for ``i`` in indices."""
    flat = array.reshape(-1)  # a view: perturbations reach the module
    grads = np.empty(len(indices))
    for j, i in enumerate(indices):
        saved = flat[i]
        flat[i] = saved + h
        plus = f()
        flat[i] = saved - h
        minus = f()
        flat[i] = saved
        grads[j] = (plus - minus) / (2 * h)
    return grads


def gradcheck(module: Module, loss: Loss, X, y, h: float = 1e-6, max_entries: int = 200,
              seed: int = 0) -> dict[str, float]:
    """Compare back-propagated gradients with central finite differences, in float64.

    The loss checked is ``sum(loss.forward(y, module.forward(X)))``. The module is copied
    and cast to float64; the original is untouched. Tensors with more than ``max_entries``
    entries are checked on a random subset of that many entries (seeded).

    Returns:
        ``{"input": err, "<param name>": err, ...}``: the ``relative_error`` per tensor.
    """
    net = copy.deepcopy(module).to(np.float64)
    net.train(module.training)
    X = np.array(X, dtype=np.float64)
    rng = make_rng(seed)

    def pick(size):
        return np.arange(size) if size <= max_entries else rng.choice(size, max_entries, False)

    net.zero_grad()
    yhat = net.forward(X)
    delta = loss.backward(y, yhat)
    net.backward_update_gradient(X, delta)
    analytic_input = net.backward_delta(X, delta)

    def f():
        return _total_loss(net, loss, X, y)

    idx = pick(X.size)
    errors = {"input": relative_error(analytic_input.reshape(-1)[idx], _numeric(f, X, idx, h))}
    grads = net.gradients()
    for name, param in net.parameters().items():
        idx = pick(param.size)
        errors[name] = relative_error(grads[name].reshape(-1)[idx], _numeric(f, param, idx, h))
    return errors
