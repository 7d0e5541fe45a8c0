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

Modules written on the course's skeleton train too (``_parameters`` / ``_gradient`` one array or
``None``, their own ``zero_grad`` and ``update_parameters``):

- with plain gradient descent (``GradientDescent`` without weight decay, the default), when a
  module defined outside flambeau overrides ``update_parameters``, a step ends with the course's
  ``net.update_parameters(lr)``: the module's own update runs, as in the course (the library's
  modules do ``p -= lr * g`` there, the same arithmetic as ``GradientDescent``). Other rules
  (momentum, Adam...) update the arrays of ``parameters()`` and never call it;
- a module that REPLACES its arrays instead of updating them in place (``self._gradient =
  np.zeros(...)`` in ``zero_grad``, ``self._gradient["W"] = X.T @ delta`` in
  ``backward_update_gradient``, ``self._parameters = self._parameters - ...``) is noticed: after
  ``zero_grad`` and after the backward pass, the arrays collected from ``parameters()`` /
  ``gradients()`` are compared by identity with the live ones, and ``Optim`` follows the new
  arrays (the dicts handed to ``step_with`` are updated in place). A gradient replaced during
  the backward pass also gives one ``GradientReplacedWarning`` per array, naming the module and
  the fix (``+=``): ``backward_update_gradient`` must ADD into the gradient, or a module used
  twice in a step (shared weights) keeps only its last contribution.

The learning rate is ``lr``; ``eps`` is the course's name for it (``Optim(net, loss, eps)``).
It is NOT ``Adam(eps=...)`` / ``RMSprop(eps=...)``, which is the epsilon of their denominators.
"""

from __future__ import annotations

import warnings

import numpy as np

from ._checks import as_float, check_real
from .dtype import as_compute_dtype
from .module import Loss, Module, check_loss, check_module, own_arrays
from .registry import is_library_class
from .regularization import clip_grad_norm
from .rules import GradientDescent, UpdateRule

__all__ = ["DEFAULT_LR", "REDUCTIONS", "GradientReplacedWarning", "Optim", "check_reduction",
           "check_rule", "learning_rate"]

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


def check_rule(where: str, rule) -> UpdateRule:
    """``rule``, an update rule (an object with ``step(params, grads, lr)``), or
    ``GradientDescent()`` when None."""
    if rule is None:
        return GradientDescent()
    if isinstance(rule, type) or not callable(getattr(rule, "step", None)):
        raise TypeError(f"{where}: rule must be an update rule such as flambeau.Adam() or "
                        f"flambeau.Momentum(0.9) (an object with a step(params, grads, lr) method), "
                        f"got {rule!r:.100}")
    return rule


def check_reduction(where: str, reduction) -> str:
    if not isinstance(reduction, str) or reduction not in REDUCTIONS:
        raise ValueError(f"{where}: reduction must be 'mean' (gradient of the batch-mean loss, "
                         f"PyTorch's) or 'sum' (of the sum, the course's), got {reduction!r}")
    return reduction


class GradientReplacedWarning(UserWarning):
    """A module's ``backward_update_gradient`` replaced a gradient array instead of adding into it."""


def _named_modules(module, prefix: str = ""):
    """``(prefix, module)`` for ``module`` and every sub-module, with ``parameters()``'s prefixes."""
    yield prefix, module
    for name, child in module.named_children():
        yield from _named_modules(child, f"{prefix}{name}.")


def _watch_list(net, params: dict, grads: dict):
    """``(module, attribute, key, expected)`` for every collected array (``key`` None: the
    attribute is the array itself, or None), so that a step can compare each with the live one
    by identity; None when ``parameters()`` / ``gradients()`` are not the plain walk over the
    modules (a module overriding them): then nothing is compared."""
    entries, names = [], (set(), set())
    for prefix, module in _named_modules(net):
        for attribute, target, seen in (("_parameters", params, names[0]),
                                        ("_gradient", grads, names[1])):
            store = getattr(module, attribute, None)
            if store is None or isinstance(store, np.ndarray):
                entries.append((module, attribute, None, store))
            for key, array in own_arrays(module, attribute).items():
                if target.get(prefix + key) is not array:
                    return None
                if isinstance(store, dict):
                    entries.append((module, attribute, key, array))
                seen.add(prefix + key)
    if names[0] != set(params) or names[1] != set(grads):
        return None
    return entries


def _check_pairs(where: str, params: dict, grads: dict) -> None:
    """Every parameter has a gradient array of its shape, else an error saying what to fix."""
    for name, param in params.items():
        grad = grads.get(name)
        if grad is None or np.shape(grad) != np.shape(param):
            got = "no gradient array" if grad is None else f"a gradient of shape {np.shape(grad)}"
            raise ValueError(
                f"{where}: parameter {name!r} of shape {np.shape(param)} has {got}; give each "
                "module a _gradient with the same keys and shapes as _parameters (e.g. "
                "self._gradient = np.zeros_like(self._parameters) in __init__ and zero_grad)")


def _overrides_update(net) -> bool:
    """Whether a module defined outside flambeau has its own ``update_parameters``."""
    return any(not is_library_class(type(m))
               and type(m).update_parameters is not Module.update_parameters for m in net.modules())


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
        self.net, self.loss = check_module("Optim", "net", net), check_loss("Optim", "loss", loss)
        self.lr = float(learning_rate("Optim", eps, lr))
        self.reduction = check_reduction("Optim", reduction)
        self.rule = check_rule("Optim", rule)
        self.clip_norm = None if clip_norm is None else check_real("Optim", "clip_norm", clip_norm, 0,
                                                                   low_open=True)
        self._own_update = _overrides_update(net)
        self._watched, self._watch, self._checked, self._warned = None, None, None, set()
        self._own_zero_grad = True  # some module defines its own zero_grad (set with the watch list)

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
        hold the live arrays. A module that replaces an array during the step is followed: the
        two dicts are updated in place (see the module docstring).
        """
        if self._watched is None or self._watched[1] is not grads:
            self._watched, self._watch = (params, grads), _watch_list(self.net, params, grads)
            self._checked = False  # not None: a watch list may be None
            self._own_zero_grad = any(type(m).zero_grad is not Module.zero_grad for m in self.net.modules())
        yhat, losses = self.forward_backward(batch_x, batch_y)
        self._follow_replaced(params, grads, warn=True)
        if self._checked is not self._watch:  # once per collection: the arrays are paired
            _check_pairs(f"{type(self).__name__}.step", params, grads)
            self._checked = self._watch
        if self.clip_norm is not None:
            clip_grad_norm(grads, self.clip_norm)
        if self._own_update and type(self.rule) is GradientDescent and not self.rule.weight_decay:
            self.rule.t += 1
            self.net.update_parameters(self.lr)  # the course's step: each module's own update
        else:
            self.rule.step(params, grads, self.lr)
        return float(losses.mean())

    def _follow_replaced(self, params: dict, grads: dict, warn: bool) -> None:
        """Point ``params`` / ``grads`` at the live arrays of modules that replaced theirs (one
        identity test per array); with ``warn``, a replaced gradient is also reported."""
        watch = self._watch
        if not watch:
            return
        for module, attribute, key, expected in watch:
            store = getattr(module, attribute, None)
            live = store if key is None else store.get(key) if isinstance(store, dict) else store
            if live is not expected:
                break
        else:
            return
        fresh_params, fresh_grads = self.net.parameters(), self.net.gradients()
        if warn:
            self._warn_replaced(grads, fresh_grads)
        for old, new in ((params, fresh_params), (grads, fresh_grads)):
            old.clear()
            old.update(new)
        self._watch = _watch_list(self.net, params, grads)

    def _warn_replaced(self, grads: dict, fresh: dict) -> None:
        for name, array in fresh.items():
            if grads.get(name) is not array and name not in self._warned:
                self._warned.add(name)
                owner = type(self._owner_of(name)).__name__
                warnings.warn(
                    f"{type(self).__name__}.step: {owner}.backward_update_gradient replaced the "
                    f"gradient array {name!r} instead of adding into it; write "
                    f"`self._gradient[...] += ...` (not `=`): gradients accumulate, and a "
                    "module used twice in a step would keep only its last contribution. Optim "
                    "follows the new array, so training goes on", GradientReplacedWarning,
                    stacklevel=4)

    def _owner_of(self, name: str):
        """The module that holds the array ``name`` of ``parameters()`` / ``gradients()``."""
        prefix = name.rpartition(".")[0]
        for module_prefix, module in _named_modules(self.net):
            if module_prefix == (prefix + "." if prefix else ""):
                return module
        return self.net

    def forward_backward(self, batch_x, batch_y):
        """zero_grad, forward, loss and backward (gradient of the mean or of the sum, as
        ``reduction`` says); returns ``(yhat, losses)`` with ``losses`` one value per sample."""
        net, dtype = self.net, self.net.dtype
        ready = type(batch_x) is np.ndarray and dtype is not None and batch_x.dtype == dtype
        if not (ready and batch_x.ndim and len(batch_x)):  # a training loop's batches are ready
            batch_x = self._checked_batch(batch_x, dtype)
        net.zero_grad()
        if self._watch and self._own_zero_grad:  # a zero_grad that replaces the arrays (the
            self._follow_replaced(*self._watched, warn=False)  # course's skeleton): follow them
        yhat = net.forward(batch_x)
        losses = self.loss.forward(batch_y, yhat)
        delta = self.loss.backward(batch_y, yhat)
        if self.reduction == "mean":
            delta *= 1.0 / len(batch_x)
        net.backward_update_gradient(batch_x, delta)
        return yhat, losses

    def _checked_batch(self, batch_x, dtype) -> np.ndarray:
        """``batch_x`` as a float array of the network's dtype holding at least one sample."""
        where = f"{type(self).__name__}.step"
        batch_x = as_float(batch_x, where, "batch_x", int_dtype=None)
        if dtype is not None:
            batch_x = as_compute_dtype(batch_x, dtype, where, "batch_x")
        if batch_x.ndim == 0 or len(batch_x) == 0:
            raise ValueError(f"{where}: batch_x must hold at least one sample (batch, ...), got shape "
                             f"{batch_x.shape}")
        return batch_x

    def __repr__(self) -> str:
        return (f"Optim(lr={self.lr!r}, rule={self.rule!r}, reduction={self.reduction!r}"
                + (f", clip_norm={self.clip_norm!r})" if self.clip_norm is not None else ")"))
