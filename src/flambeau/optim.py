"""``Optim``: one training step of a network on one mini-batch.

The gradient convention is an explicit choice, ``reduction``:

- ``"mean"`` (the default): the step follows the gradient of the batch-MEAN loss, as
  PyTorch's losses (``reduction="mean"``) and Lua nn's criteria (``sizeAverage = true``) do.
- ``"sum"`` (the course's): the step follows the gradient of the SUM of the batch's losses,
  exactly what ``backward_update_gradient`` accumulates (it adds the per-sample gradients);
  nothing divides it.

For plain gradient descent (and momentum), without weight decay, ``"sum"`` at learning rate
``lr`` is ``"mean"`` at ``lr * batch_size`` (for full batches; up to rounding). Adam and
RMSprop divide by a running scale of the gradient, so they are nearly indifferent to the
choice (only their ``eps`` weighs differently). The losses reported are per-sample means
whatever the reduction: ``reduction`` changes the gradient, not what is measured.

The learning rate is ``lr``; ``eps`` is the course's name for it (``Optim(net, loss, eps)``).
It is NOT ``Adam(eps=...)`` / ``RMSprop(eps=...)``, which is the epsilon of their denominators.
"""

from __future__ import annotations

import numpy as np

from .dtype import as_compute_dtype
from .module import Loss, Module
from .regularization import clip_grad_norm
from .rules import GradientDescent, UpdateRule

__all__ = ["DEFAULT_LR", "REDUCTIONS", "Optim", "check_reduction", "learning_rate"]

REDUCTIONS = ("mean", "sum")
"""``"mean"``: gradient of the batch-mean loss (PyTorch); ``"sum"``: of the sum (the course)."""

DEFAULT_LR = 1e-3


def learning_rate(where: str, eps=None, lr=None, default: float = DEFAULT_LR):
    """The learning rate given as ``lr=`` or as the course's ``eps`` (not both), checked.

    Returns the value as given (or ``default`` when neither is), so that the arithmetic of the
    update does not depend on which name was used.
    """
    if eps is not None and lr is not None:
        raise ValueError(f"{where}: give the learning rate as lr or as eps (the course's name), "
                         f"not both; got eps={eps!r} and lr={lr!r}")
    value = default if eps is None and lr is None else (lr if eps is None else eps)
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) or not (
            np.isfinite(value) and value > 0):
        raise ValueError(f"{where}: the learning rate (lr, or eps) must be a positive number, "
                         f"got {value!r}")
    return value


def check_reduction(where: str, reduction) -> str:
    if reduction not in REDUCTIONS:
        raise ValueError(f"{where}: reduction must be 'mean' (gradient of the batch-mean loss, "
                         f"PyTorch's) or 'sum' (of the sum, the course's), got {reduction!r}")
    return reduction


class Optim:
    """Bundle a network, a loss and a learning rate into ``step(batch_x, batch_y)``.

    A step is: ``zero_grad``, forward, loss, backward, update. With ``reduction="mean"`` the
    gradient used is that of the batch-MEAN loss (the loss's gradient is divided by the batch
    size before ``backward``), so learning rates mean what they mean in PyTorch; with
    ``reduction="sum"`` it is that of the SUM of the per-sample losses (the course's
    convention: what ``backward_update_gradient`` adds up, undivided). For plain gradient
    descent, ``"sum"`` at ``lr`` equals ``"mean"`` at ``lr * batch_size``.

    Args:
        net: the module to train.
        loss: a ``Loss``.
        eps: learning rate (the course's name; default 1e-3). Not Adam's epsilon.
        rule: an update rule (``flambeau.rules``); plain gradient descent by default.
        clip_norm: if given, scale the gradients of each step so that their global norm is at
            most this value (``flambeau.regularization.clip_grad_norm``; the norm is that of
            the gradient as reduced).
        lr: the learning rate under its usual name (give ``lr`` or ``eps``, not both).
        reduction: ``"mean"`` or ``"sum"`` (see above).

    Attributes:
        lr: the learning rate of the next steps (``eps`` is the same attribute).
    """

    def __init__(self, net: Module, loss: Loss, eps: float | None = None,
                 rule: UpdateRule | None = None, clip_norm: float | None = None, *,
                 lr: float | None = None, reduction: str = "mean"):
        if not isinstance(net, Module):
            raise TypeError(f"Optim: net must be a Module, got {type(net).__name__}")
        if not isinstance(loss, Loss):
            raise TypeError(f"Optim: loss must be a Loss, got {type(loss).__name__}")
        self.net, self.loss = net, loss
        self.lr = float(learning_rate("Optim", eps, lr))
        self.reduction = check_reduction("Optim", reduction)
        self.rule = rule if rule is not None else GradientDescent()
        if clip_norm is not None and not (clip_norm > 0 and np.isfinite(clip_norm)):
            raise ValueError(f"Optim: clip_norm must be a positive number, got {clip_norm!r}")
        self.clip_norm = clip_norm

    @property
    def eps(self) -> float:
        """The learning rate, under the course's name (the same attribute as ``lr``)."""
        return self.lr

    @eps.setter
    def eps(self, value: float) -> None:
        self.lr = value

    def step(self, batch_x, batch_y) -> float:
        """One update on a mini-batch; returns the MEAN per-sample loss of the batch (before the
        update), whatever the reduction."""
        return self.step_with(batch_x, batch_y, self.net.parameters(), self.net.gradients())

    def step_with(self, batch_x, batch_y, params: dict, grads: dict) -> float:
        """``step`` given ``net.parameters()`` and ``net.gradients()`` collected beforehand.

        Training loops collect the two dicts once per epoch rather than once per batch; they
        hold the live arrays, so they stay valid while no layer replaces its arrays.
        """
        yhat, losses = self.forward_backward(batch_x, batch_y)
        if self.clip_norm is not None:
            clip_grad_norm(grads, self.clip_norm)
        self.rule.step(params, grads, self.lr)
        return float(losses.mean())

    def forward_backward(self, batch_x, batch_y):
        """zero_grad, forward, loss and backward (gradient of the mean or of the sum, as
        ``reduction`` says); returns ``(yhat, losses)`` with ``losses`` one value per sample."""
        net = self.net
        if net.dtype is not None:
            batch_x = as_compute_dtype(batch_x, net.dtype, f"{type(self).__name__}.step")
        net.zero_grad()
        yhat = net.forward(batch_x)
        losses = self.loss.forward(batch_y, yhat)
        delta = self.loss.backward(batch_y, yhat)
        if self.reduction == "mean":
            delta *= 1.0 / len(batch_x)
        net.backward_update_gradient(batch_x, delta)
        return yhat, losses

    def __repr__(self) -> str:
        return (f"Optim(lr={self.lr!r}, rule={self.rule!r}, reduction={self.reduction!r}"
                + (f", clip_norm={self.clip_norm!r})" if self.clip_norm is not None else ")"))
