"""Update rules: how a gradient becomes a parameter step.

A rule has ``step(params, grads, lr)`` where ``params`` and ``grads`` are the dicts of
``Module.parameters()`` / ``Module.gradients()``; it updates the parameter arrays in place.
``lr`` is the learning rate (``Optim``'s and ``SGD``'s ``lr``, called ``eps`` in the course);
the ``eps`` of ``RMSprop`` and ``Adam`` is something else: the small constant of their
denominators, as in ``torch.optim``. ``grads`` is the gradient of the batch-mean loss or of the
batch-sum loss, as ``Optim``'s ``reduction`` says; plain gradient descent and momentum scale
with it (sum at ``lr`` = mean at ``lr * batch_size``), Adam and RMSprop hardly do.
Stateful rules (momentum, Adam) keep their state keyed by parameter name, created lazily at
the first step. ``Optim`` and ``SGD`` take any such object as ``rule=``.

Every rule takes ``weight_decay`` (L2 regularisation): the gradient becomes ``g + wd * p``
before the rule uses it (as ``torch.optim``), except ``AdamW`` whose decay is decoupled:
``p <- p (1 - lr wd)``. Each rule's docstring gives its update, with the same conventions
as the corresponding ``torch.optim`` class (checked step by step in ``tests/test_rules.py``).

``state_dict()`` / ``load_state_dict()`` expose the state as ``{"<slot>:<param name>": array}``
plus ``"t"`` (the step count), so that checkpoints can resume a run exactly.
"""

from __future__ import annotations

import math

import numpy as np

from ._checks import check_bool, check_real

__all__ = ["Adam", "AdamW", "GradientDescent", "Momentum", "RMSprop", "RULES", "UpdateRule"]


def _check_non_negative(where: str, name: str, value: float) -> float:
    return check_real(where, name, value, 0)


def _check_beta(where: str, name: str, value: float) -> float:
    return check_real(where, name, value, 0, 1, high_open=True)


class UpdateRule:
    """Base class of update rules.

    Args:
        weight_decay: L2 coefficient ``wd``; the gradient used is ``g + wd * p``.

    Subclasses list their per-parameter state arrays in ``SLOTS`` and implement ``_update``.
    """

    SLOTS: tuple[str, ...] = ()

    def __init__(self, weight_decay: float = 0.0):
        self.weight_decay = _check_non_negative(type(self).__name__, "weight_decay", weight_decay)
        self.t = 0
        self.state: dict[str, dict[str, np.ndarray]] = {slot: {} for slot in self.SLOTS}

    def step(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray], lr: float) -> None:
        """Update every array of ``params`` in place from ``grads`` (same keys)."""
        self.t += 1
        for name, param in params.items():
            grad = grads[name]
            if self.weight_decay:
                grad = grad + self.weight_decay * param
            self._update(name, param, grad, lr)

    def _update(self, name: str, param: np.ndarray, grad: np.ndarray, lr: float) -> None:
        raise NotImplementedError(f"{type(self).__name__} does not implement _update")

    def _slot(self, slot: str, name: str, param: np.ndarray) -> np.ndarray:
        """The state array ``slot`` of parameter ``name``, zeros at first use."""
        store = self.state[slot]
        value = store.get(name)
        if value is None or value.shape != param.shape:
            value = store[name] = np.zeros_like(param)
        return value

    # -- checkpoints -------------------------------------------------------------------------
    def state_dict(self) -> dict[str, np.ndarray]:
        """State as flat arrays: ``{"t": step count, "<slot>:<param>": array}``."""
        state = {"t": np.array(self.t, dtype=np.int64)}
        for slot, arrays in self.state.items():
            state.update({f"{slot}:{name}": array.copy() for name, array in arrays.items()})
        return state

    def load_state_dict(self, state: dict[str, np.ndarray]) -> None:
        """Restore what ``state_dict`` returned."""
        self.t = int(state.get("t", 0))
        self.state = {slot: {} for slot in self.SLOTS}
        for key, array in state.items():
            if key == "t":
                continue
            slot, _, name = key.partition(":")
            if slot not in self.state:
                raise ValueError(f"{type(self).__name__}.load_state_dict: unknown state slot "
                                 f"{slot!r}; expected one of {list(self.SLOTS)}")
            self.state[slot][name] = np.array(array)

    # -- configuration -----------------------------------------------------------------------
    def get_config(self) -> dict:
        return {"weight_decay": self.weight_decay} if self.weight_decay else {}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class GradientDescent(UpdateRule):
    """Plain gradient descent: ``p <- p - lr * g`` (the default rule; ``torch.optim.SGD``)."""

    def step(self, params, grads, lr):
        if self.weight_decay:
            return super().step(params, grads, lr)
        self.t += 1
        for name, param in params.items():
            param -= lr * grads[name]

    def _update(self, name, param, grad, lr):
        param -= lr * grad


class Momentum(UpdateRule):
    """Gradient descent with momentum (``torch.optim.SGD(momentum=beta, nesterov=...)``).

    ``v <- beta v + g``; then ``p <- p - lr v``, or with Nesterov ``p <- p - lr (g + beta v)``.

    Args:
        beta: momentum coefficient in [0, 1) (0.9 is usual).
        nesterov: use Nesterov's look-ahead form.
        weight_decay: L2 coefficient.
    """

    SLOTS = ("velocity",)

    def __init__(self, beta: float = 0.9, nesterov: bool = False, weight_decay: float = 0.0):
        super().__init__(weight_decay)
        self.beta = _check_beta("Momentum", "beta", beta)
        self.nesterov = check_bool("Momentum", "nesterov", nesterov)

    def _update(self, name, param, grad, lr):
        velocity = self._slot("velocity", name, param)
        velocity *= self.beta
        velocity += grad
        param -= lr * (grad + self.beta * velocity if self.nesterov else velocity)

    def get_config(self):
        return {"beta": self.beta, "nesterov": self.nesterov, **super().get_config()}


class RMSprop(UpdateRule):
    """RMSprop (``torch.optim.RMSprop``): ``s <- alpha s + (1 - alpha) g^2``,
    ``p <- p - lr g / (sqrt(s) + eps)``.

    Args:
        alpha: smoothing of the squared-gradient average.
        eps: added to the denominator for stability (RMSprop's epsilon, not a learning rate:
            the learning rate is ``Optim``'s / ``SGD``'s ``lr``).
        weight_decay: L2 coefficient.
    """

    SLOTS = ("square_avg",)

    def __init__(self, alpha: float = 0.99, eps: float = 1e-8, weight_decay: float = 0.0):
        super().__init__(weight_decay)
        self.alpha = _check_beta("RMSprop", "alpha", alpha)
        self.eps = _check_non_negative("RMSprop", "eps", eps)

    def _update(self, name, param, grad, lr):
        square_avg = self._slot("square_avg", name, param)
        square_avg *= self.alpha
        square_avg += (1 - self.alpha) * grad * grad
        param -= lr * grad / (np.sqrt(square_avg) + self.eps)

    def get_config(self):
        return {"alpha": self.alpha, "eps": self.eps, **super().get_config()}


class Adam(UpdateRule):
    """Adam (``torch.optim.Adam``), with bias correction at step ``t``:

    ``m <- b1 m + (1 - b1) g``, ``v <- b2 v + (1 - b2) g^2``,
    ``p <- p - lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)``.

    Args:
        betas: ``(b1, b2)`` decay rates of the two moment averages.
        eps: added to the denominator for stability (Adam's epsilon, as ``torch.optim.Adam``'s;
            not a learning rate: the learning rate is ``Optim``'s / ``SGD``'s ``lr``, which the
            course calls ``eps``).
        weight_decay: L2 coefficient (added to the gradient, as ``torch.optim.Adam``).
    """

    SLOTS = ("m", "v")

    def __init__(self, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0):
        super().__init__(weight_decay)
        if len(betas) != 2:
            raise ValueError(f"{type(self).__name__}: betas must be a pair (b1, b2), got {betas!r}")
        self.betas = (_check_beta(type(self).__name__, "betas[0]", betas[0]),
                      _check_beta(type(self).__name__, "betas[1]", betas[1]))
        self.eps = _check_non_negative(type(self).__name__, "eps", eps)
        self._scratch: dict[np.dtype, np.ndarray] = {}

    def _update(self, name, param, grad, lr):
        b1, b2 = self.betas
        m, v = self._slot("m", name, param), self._slot("v", name, param)
        # lr / (1 - b1^t) * m / (sqrt(v) / c + eps) with c = sqrt(1 - b2^t), multiplied through by c.
        c = math.sqrt(1 - b2 ** self.t)
        eps, scale = self.eps * c, lr * c / (1 - b1 ** self.t)
        # In place, through one scratch array (no temporaries: this is most of a step's time for wide
        # dense layers). m += (1 - b1)(g - m) is m <- b1 m + (1 - b1) g.
        work = self._work(param.shape, param.dtype)
        np.subtract(grad, m, out=work)
        work *= 1 - b1
        m += work
        np.multiply(grad, grad, out=work)
        work *= 1 - b2
        v *= b2
        v += work
        np.sqrt(v, out=work)
        work += eps
        np.divide(m, work, out=work)
        work *= scale
        param -= work

    def _work(self, shape, dtype):
        """A scratch array of ``shape`` over storage kept between steps and shared by the parameters
        (not part of the state)."""
        size = math.prod(shape)
        kept = self._scratch.get(dtype)
        if kept is None or kept.size < size:
            kept = self._scratch[dtype] = np.empty(size, dtype)
        return kept[:size].reshape(shape)

    def get_config(self):
        return {"betas": list(self.betas), "eps": self.eps, **super().get_config()}


class AdamW(Adam):
    """Adam with decoupled weight decay (``torch.optim.AdamW``): first ``p <- p (1 - lr wd)``,
    then the Adam step on the raw gradient. Default ``weight_decay=0.01`` as PyTorch."""

    def __init__(self, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.01):
        super().__init__(betas, eps, weight_decay)

    def step(self, params, grads, lr):
        self.t += 1
        for name, param in params.items():
            if self.weight_decay:
                param *= 1 - lr * self.weight_decay
            self._update(name, param, grads[name], lr)

    def get_config(self):
        return {"betas": list(self.betas), "eps": self.eps, "weight_decay": self.weight_decay}


RULES: dict[str, type[UpdateRule]] = {
    cls.__name__: cls for cls in (GradientDescent, Momentum, RMSprop, Adam, AdamW)}
"""Class name -> rule class (used to rebuild a rule from a checkpoint)."""
