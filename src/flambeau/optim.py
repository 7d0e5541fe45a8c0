"""``Optim``: one training step of a network on one mini-batch."""

from __future__ import annotations

import numpy as np

from .dtype import as_compute_dtype
from .module import Loss, Module
from .regularization import clip_grad_norm
from .rules import GradientDescent, UpdateRule

__all__ = ["Optim"]


class Optim:
    """Bundle a network, a loss and a learning rate into ``step(batch_x, batch_y)``.

    A step is: ``zero_grad``, forward, loss, backward, update. The gradient used is the
    gradient of the batch-MEAN loss, so learning rates mean what they mean in PyTorch.

    Args:
        net: the module to train.
        loss: a ``Loss``.
        eps: learning rate.
        rule: an update rule (``flambeau.rules``); plain gradient descent by default.
        clip_norm: if given, scale the gradients of each step so that their global norm is at
            most this value (``flambeau.regularization.clip_grad_norm``).
    """

    def __init__(self, net: Module, loss: Loss, eps: float = 1e-3, rule: UpdateRule | None = None,
                 clip_norm: float | None = None):
        if not isinstance(net, Module):
            raise TypeError(f"Optim: net must be a Module, got {type(net).__name__}")
        if not isinstance(loss, Loss):
            raise TypeError(f"Optim: loss must be a Loss, got {type(loss).__name__}")
        if not (eps > 0 and np.isfinite(eps)):
            raise ValueError(f"Optim: eps (learning rate) must be a positive number, got {eps!r}")
        self.net, self.loss, self.eps = net, loss, float(eps)
        self.rule = rule if rule is not None else GradientDescent()
        if clip_norm is not None and not (clip_norm > 0 and np.isfinite(clip_norm)):
            raise ValueError(f"Optim: clip_norm must be a positive number, got {clip_norm!r}")
        self.clip_norm = clip_norm

    def step(self, batch_x, batch_y) -> float:
        """One update on a mini-batch; returns the mean loss of the batch (before the update)."""
        return self.step_with(batch_x, batch_y, self.net.parameters(), self.net.gradients())

    def step_with(self, batch_x, batch_y, params: dict, grads: dict) -> float:
        """``step`` given ``net.parameters()`` and ``net.gradients()`` collected beforehand.

        Training loops collect the two dicts once per epoch rather than once per batch; they
        hold the live arrays, so they stay valid while no layer replaces its arrays.
        """
        yhat, losses = self.forward_backward(batch_x, batch_y)
        if self.clip_norm is not None:
            clip_grad_norm(grads, self.clip_norm)
        self.rule.step(params, grads, self.eps)
        return float(losses.mean())

    def forward_backward(self, batch_x, batch_y):
        """zero_grad, forward, loss and backward (mean gradient); returns ``(yhat, losses)``."""
        net = self.net
        if net.dtype is not None:
            batch_x = as_compute_dtype(batch_x, net.dtype, f"{type(self).__name__}.step")
        net.zero_grad()
        yhat = net.forward(batch_x)
        losses = self.loss.forward(batch_y, yhat)
        delta = self.loss.backward(batch_y, yhat)
        delta *= 1.0 / len(batch_x)
        net.backward_update_gradient(batch_x, delta)
        return yhat, losses
