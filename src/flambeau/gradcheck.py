"""Finite-difference gradient checking (library code, like Lua Torch's ``nn.Jacobian``).

``gradcheck`` checks a network and a loss in one call. Its pieces are public for checkers built
on top of it (``flambeau.testing``): ``pick_entries`` (which entries of a tensor to perturb),
``numeric_gradient`` (central differences of any scalar function) and ``compare`` (the worst
entry of two arrays, with its index and both values).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np

from ._checks import as_float
from .module import Loss, Module, check_loss, check_module
from .random import make_rng

__all__ = ["Comparison", "compare", "gradcheck", "numeric_gradient", "pick_entries", "relative_error"]


def relative_error(analytic: np.ndarray, numeric: np.ndarray) -> float:
    """``max |a - n| / max(max |a|, max |n|, 1e-8)``: the worst error, relative to the scale."""
    scale = max(float(np.abs(analytic).max(initial=0)), float(np.abs(numeric).max(initial=0)), 1e-8)
    return float(np.abs(analytic - numeric).max(initial=0)) / scale


@dataclass(frozen=True)
class Comparison:
    """The worst entry of ``obtained`` against ``expected``.

    ``error`` is ``relative_error(obtained, expected)``; ``index`` is the multi-index (in the
    compared tensor) of the entry with the largest ``|obtained - expected|``, where the two
    values are ``obtained_value`` and ``expected_value``.
    """

    error: float
    index: tuple[int, ...]
    expected_value: float
    obtained_value: float

    def where(self, name: str) -> str:
        """``"name[i, j]: expected 0.25, got 0.5"``."""
        index = ", ".join(map(str, self.index))
        return (f"{name}[{index}]: expected {self.expected_value:.6g}, "
                f"got {self.obtained_value:.6g}")


def compare(obtained, expected, indices=None, shape=None) -> Comparison:
    """Compare two arrays of the same shape; see ``Comparison``.

    With ``indices`` (flat indices into a tensor of ``shape``), ``obtained`` and ``expected``
    are 1-D arrays of the entries at those indices (as ``numeric_gradient`` returns them) and
    the worst index is reported in the tensor's own coordinates.
    """
    obtained, expected = np.asarray(obtained, np.float64), np.asarray(expected, np.float64)
    error = relative_error(obtained, expected)
    if obtained.size == 0:
        return Comparison(error, (), 0.0, 0.0)
    worst = int(np.argmax(np.abs(obtained - expected).reshape(-1)))
    if indices is None:
        index = np.unravel_index(worst, obtained.shape)
    else:
        index = np.unravel_index(int(np.asarray(indices)[worst]), shape)
    return Comparison(error, tuple(int(i) for i in index), float(expected.reshape(-1)[worst]),
                      float(obtained.reshape(-1)[worst]))


def _total_loss(net, loss, X, y) -> float:
    return float(np.sum(loss.forward(y, net.forward(X))))


def pick_entries(size: int, max_entries: int, rng: np.random.Generator) -> np.ndarray:
    """Flat indices to check in a tensor of ``size`` entries: all of them, or ``max_entries``
    distinct ones drawn from ``rng`` when the tensor is larger."""
    return np.arange(size) if size <= max_entries else rng.choice(size, max_entries, False)


def numeric_gradient(f, array: np.ndarray, indices, h: float = 1e-6) -> np.ndarray:
    """Central differences ``(f(a + h) - f(a - h)) / 2h`` of the scalar ``f()`` w.r.t.
    ``array.flat[i]`` for each ``i`` in ``indices``.

    ``array`` is perturbed in place (one entry at a time, restored afterwards), so it must be
    the live array that ``f`` reads: a module's parameter, or the input ``f`` feeds forward.
    """
    grads = np.empty(len(indices))
    for j, i in enumerate(indices):
        entry = np.unravel_index(int(i), array.shape)  # works on non-contiguous views too
        saved = array[entry]
        array[entry] = saved + h
        plus = f()
        array[entry] = saved - h
        minus = f()
        array[entry] = saved
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
    check_module("gradcheck", "module", module)
    check_loss("gradcheck", "loss", loss)
    X = np.array(as_float(X, "gradcheck", "X"), dtype=np.float64)
    net = copy.deepcopy(module).to(np.float64)
    net.train(module.training)
    rng = make_rng(seed, "gradcheck", "seed")

    net.zero_grad()
    yhat = net.forward(X)
    delta = loss.backward(y, yhat)
    net.backward_update_gradient(X, delta)
    analytic_input = net.backward_delta(X, delta)

    def f():
        return _total_loss(net, loss, X, y)

    idx = pick_entries(X.size, max_entries, rng)
    errors = {"input": relative_error(analytic_input.reshape(-1)[idx], numeric_gradient(f, X, idx, h))}
    grads = net.gradients()
    for name, param in net.parameters().items():
        idx = pick_entries(param.size, max_entries, rng)
        errors[name] = relative_error(grads[name].reshape(-1)[idx], numeric_gradient(f, param, idx, h))
    return errors
