"""Finite-difference gradient checking (library code, like Lua Torch's ``nn.Jacobian``).

``gradcheck`` checks a network and a loss in one call and gives a verdict (``GradcheckResult``);
on a ``Sequential`` it names the layer whose gradient is wrong. Its pieces are public for checkers built
on top of it (``flambeau.testing``): ``pick_entries`` (which entries of a tensor to perturb),
``numeric_gradient`` (central differences of any scalar function) and ``compare`` (the worst
entry of two arrays, with its index and both values).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from ._checks import as_float
from .module import Loss, Module, check_loss, check_module
from .random import make_rng

__all__ = ["DEFAULT_TOLERANCE", "Comparison", "GradcheckResult", "compare", "gradcheck", "numeric_gradient",
           "pick_entries", "relative_error"]


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


DEFAULT_TOLERANCE = 1e-5
"""Largest relative error ``gradcheck`` accepts by default (the check battery's
``GRADIENT_TOLERANCE``, measured there over every module of the database and 20 seeds)."""


_METHODS = {"input": "backward_delta", "yhat": "backward"}  # the method each local error checks


@dataclass(frozen=True)
class GradcheckResult(Mapping):
    """What ``gradcheck`` found: the errors, the tolerance and the verdict.

    It reads as the ``{tensor name: relative error}`` dict of the whole network (``"input"``,
    ``"W"``, ``"0.W"``...), as ``gradcheck`` always returned.

    Attributes:
        errors: relative error per tensor of the network checked as a whole.
        tolerance: the largest relative error accepted.
        layers: for a ``Sequential`` (nested ones unrolled), each layer checked on its own, on the
            input it receives in the forward pass: ``{"1": {"input": err, "W": err, ...}}``; and
            ``"loss"``: the loss's ``backward`` against finite differences of its forward. A wrong
            backward pass corrupts the gradients of every layer below it, so the network's errors
            alone cannot say which layer is wrong; these can.
        descriptions: layer path -> the layer's one-line repr.
    """

    errors: dict[str, float]
    tolerance: float = DEFAULT_TOLERANCE
    layers: dict[str, dict[str, float]] = field(default_factory=dict)
    descriptions: dict[str, str] = field(default_factory=dict)

    def __getitem__(self, name: str) -> float:
        return self.errors[name]

    def __iter__(self):
        return iter(self.errors)

    def __len__(self) -> int:
        return len(self.errors)

    @property
    def passed(self) -> bool:
        """Every error, of the network and of each layer, at most ``tolerance`` (NaN fails)."""
        values = [*self.errors.values(), *(e for layer in self.layers.values() for e in layer.values())]
        return all(error <= self.tolerance for error in values)

    @property
    def wrong_layers(self) -> list[str]:
        """The layers (and ``"loss"``) whose own gradients exceed the tolerance, first to last."""
        return [path for path, errors in self.layers.items()
                if not all(error <= self.tolerance for error in errors.values())]

    def __str__(self) -> str:
        verdict = "passed" if self.passed else "FAILED"
        lines = [f"gradcheck {verdict} (tolerance {self.tolerance:g}): "
                 + ", ".join(f"{name} {error:.1e}" for name, error in self.errors.items())]
        for path in self.wrong_layers:
            errors = self.layers[path]
            wrong = ", ".join(f"{_METHODS.get(name, f'backward_update_gradient ({name})')} relative error "
                              f"{error:.1e}" for name, error in errors.items() if not error <= self.tolerance)
            what = "the loss's backward" if path == "loss" else f"layer {path} ({self.descriptions[path]})"
            lines.append(f"  wrong: {what}: {wrong}")
        return "\n".join(lines)


def _layers(module, prefix: str = "") -> list[tuple[str, object]]:
    """``(path, layer)`` for each layer of a ``Sequential``, nested ones unrolled."""
    from .containers import Sequential

    if not isinstance(module, Sequential):
        return [(prefix.rstrip("."), module)]
    found = []
    for name, child in module.named_children():
        found += _layers(child, f"{prefix}{name}.")
    return found


def _layer_errors(layer, X, delta, h, max_entries, rng) -> dict[str, float]:
    """One layer on its own: ``sum(delta * layer.forward(X))`` differentiated."""
    layer = copy.deepcopy(layer)
    X = np.array(X, dtype=np.float64)
    layer.zero_grad()
    layer.forward(X)
    layer.backward_update_gradient(X, delta)
    analytic = layer.backward_delta(X, delta)

    def f():
        return float(np.sum(delta * layer.forward(X)))

    idx = pick_entries(X.size, max_entries, rng)
    errors = {"input": relative_error(np.asarray(analytic).reshape(-1)[idx], numeric_gradient(f, X, idx, h))}
    grads = layer.gradients()
    for name, param in layer.parameters().items():
        idx = pick_entries(param.size, max_entries, rng)
        errors[name] = relative_error(grads[name].reshape(-1)[idx], numeric_gradient(f, param, idx, h))
    return errors


def _loss_errors(loss, y, yhat, h, max_entries, rng) -> dict[str, float]:
    yhat = np.array(yhat, dtype=np.float64)
    analytic = np.asarray(loss.backward(y, yhat))
    idx = pick_entries(yhat.size, max_entries, rng)
    numeric = numeric_gradient(lambda: float(np.sum(loss.forward(y, yhat))), yhat, idx, h)
    return {"yhat": relative_error(analytic.reshape(-1)[idx], numeric)}


def gradcheck(module: Module, loss: Loss, X, y, h: float = 1e-6, max_entries: int = 200,
              seed: int = 0, tolerance: float = DEFAULT_TOLERANCE) -> GradcheckResult:
    """Compare back-propagated gradients with central finite differences, in float64.

    The loss checked is ``sum(loss.forward(y, module.forward(X)))``. The module is copied
    and cast to float64; the original is untouched. Tensors with more than ``max_entries``
    entries are checked on a random subset of that many entries (seeded). On a ``Sequential``,
    each layer is also checked on its own (on the input it receives and a random delta), and the
    loss's ``backward`` too, so that the result names the layer whose gradient is wrong.

    Returns:
        A ``GradcheckResult``: the ``{"input": err, "<param name>": err, ...}`` mapping of
        ``relative_error`` per tensor, with ``.passed`` (every error at most ``tolerance``),
        ``.tolerance``, ``.layers`` and ``.wrong_layers``; ``print(result)`` gives the verdict.

    Example:
        >>> result = gradcheck(net, MSELoss(), X, y)
        >>> result.passed, result.wrong_layers    # (False, ["2"]): layer 2's backward is wrong
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
    layers, descriptions = {}, {}
    named = _layers(net)
    if len(named) > 1 or named[0][0]:
        inputs = X
        for path, layer in named:
            output = np.asarray(layer.forward(inputs))
            layer_delta = np.random.default_rng([seed, len(layers)]).normal(size=output.shape)
            layers[path] = _layer_errors(layer, inputs, layer_delta, h, max_entries, rng)
            descriptions[path] = " ".join(repr(layer).split())
            inputs = output
        layers["loss"] = _loss_errors(loss, y, yhat, h, max_entries, rng)
    return GradcheckResult(errors, tolerance, layers, descriptions)
