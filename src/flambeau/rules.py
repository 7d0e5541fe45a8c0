"""Update rules: how a gradient becomes a parameter step.

A rule has ``step(params, grads, lr)`` where ``params`` and ``grads`` are the dicts of
``Module.parameters()`` / ``Module.gradients()``; it updates the parameter arrays in place.
Stateful rules (momentum, Adam) keep their state keyed by parameter name. ``Optim`` and
``SGD`` take any such object as ``rule=``.
"""

from __future__ import annotations

import numpy as np

__all__ = ["GradientDescent", "UpdateRule"]


class UpdateRule:
    """Base class of update rules."""

    def step(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray], lr: float):
        raise NotImplementedError(f"{type(self).__name__} does not implement step")

    def get_config(self) -> dict:
        return {}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class GradientDescent(UpdateRule):
    """Plain gradient descent: ``p <- p - lr * g`` (the default rule)."""

    def step(self, params, grads, lr):
        for name, param in params.items():
            param -= lr * grads[name]
