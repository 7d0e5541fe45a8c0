"""The two contracts of the library: ``Module`` (a layer or a network) and ``Loss``.

A module maps ``forward(X) -> Y``. On the way back it receives ``delta = dL/dY`` and
its input again, and answers two questions separately, as in Lua Torch ``nn``:

- ``backward_update_gradient(input, delta)`` ADDS ``dL/dparams`` into ``_gradient``;
- ``backward_delta(input, delta)`` returns ``dL/dX``.

Parameters live in ``_parameters`` and their gradients in ``_gradient``: dicts with the same
keys. Optimizers, gradient checks and serialization reach them through ``parameters()`` and
``gradients()`` only. State that is saved but not trained (BatchNorm's running statistics)
lives in ``_buffers`` and is reached through ``buffers()``.

Configuration protocol (used by ``save`` / ``flambeau.load``, see ``flambeau.serialization``):

- every concrete subclass is registered by class name in ``MODULES`` when it is defined;
- ``get_config()`` returns the constructor arguments as JSON values, where a value may also
  be a ``Module``, or a list / dict of ``Module`` (a container's children): serialization
  encodes each as a nested ``{"class": name, "config": {...}}`` spec;
- ``from_config(config)`` (a classmethod) receives that dict with the nested modules already
  rebuilt and returns a new module; the default is ``cls(**config)``. A container whose
  constructor takes its children positionally (``Sequential(*modules)``) overrides it;
- the rebuilt module must have the same ``parameters()`` / ``buffers()`` names and shapes,
  so that the saved arrays can be copied in.
"""

from __future__ import annotations

import numpy as np

from .dtype import as_compute_dtype

__all__ = ["LOSSES", "MODULES", "Loss", "Module"]

MODULES: dict[str, type] = {}
"""Class name -> module class, filled by ``Module.__init_subclass__`` (names starting with
``_`` are private helpers and are not registered)."""

LOSSES: dict[str, type] = {}
"""Class name -> loss class, filled by ``Loss.__init_subclass__`` (same rule as ``MODULES``)."""


class _HybridMethod:
    """``Class.load(path)`` builds a new module; ``instance.load(path)`` loads into it."""

    def __init__(self, func):
        self.func = func
        self.__doc__ = func.__doc__

    def __get__(self, instance, owner):
        target = owner if instance is None else instance
        return lambda *args, **kwargs: self.func(target, *args, **kwargs)


class Module:
    """Base class of every layer and container.

    Subclasses set ``self._parameters[name] = array`` in ``__init__`` (call ``_init_gradients``
    afterwards) and implement ``forward`` and ``backward_delta``; parametric modules also
    implement ``backward_update_gradient``. ``get_config`` returns the constructor arguments
    (used by ``repr`` and by saving).
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.__name__.startswith("_"):
            return
        previous = MODULES.get(cls.__name__)
        if (previous is not None and previous.__module__.startswith("flambeau.")
                and cls.__module__.startswith("flambeau.") and previous.__module__ != cls.__module__):
            raise TypeError(f"Module: two flambeau modules are named {cls.__name__!r} "
                            f"({previous.__module__} and {cls.__module__}); saved files could not "
                            "tell them apart")
        MODULES[cls.__name__] = cls

    def __init__(self):
        self._parameters: dict[str, np.ndarray] = {}
        self._gradient: dict[str, np.ndarray] = {}
        self._buffers: dict[str, np.ndarray] = {}
        self.training = True

    # -- the course contract ---------------------------------------------------------------
    def forward(self, X):
        raise NotImplementedError(f"{type(self).__name__} does not implement forward")

    def __call__(self, X):
        return self.forward(X)

    def zero_grad(self) -> None:
        """Reset every accumulated gradient (own and sub-modules') to zero."""
        for grad in self._gradient.values():
            grad.fill(0)
        for child in self.children():
            child.zero_grad()

    def backward_update_gradient(self, input, delta) -> None:
        """Accumulate ``dL/dparams`` given ``delta = dL/doutput``. No-op without parameters."""

    def backward_delta(self, input, delta):
        raise NotImplementedError(f"{type(self).__name__} does not implement backward_delta")

    def update_parameters(self, gradient_step: float = 1e-3) -> None:
        """Plain gradient step, in place: ``p -= gradient_step * grad`` (sub-modules too)."""
        for name, param in self._parameters.items():
            param -= gradient_step * self._gradient[name]
        for child in self.children():
            child.update_parameters(gradient_step)

    # -- introspection ---------------------------------------------------------------------
    def parameters(self) -> dict[str, np.ndarray]:
        """Name -> parameter array (the live arrays, not copies), sub-modules' as ``"child.name"``."""
        params = dict(self._parameters)
        for prefix, child in self.named_children():
            params.update({f"{prefix}.{name}": p for name, p in child.parameters().items()})
        return params

    def gradients(self) -> dict[str, np.ndarray]:
        """Name -> gradient array, same keys as ``parameters()``."""
        grads = dict(self._gradient)
        for prefix, child in self.named_children():
            grads.update({f"{prefix}.{name}": g for name, g in child.gradients().items()})
        return grads

    def buffers(self) -> dict[str, np.ndarray]:
        """Name -> saved, untrained state arrays (running statistics), sub-modules' prefixed."""
        buffers = dict(getattr(self, "_buffers", {}))
        for prefix, child in self.named_children():
            buffers.update({f"{prefix}.{name}": b for name, b in child.buffers().items()})
        return buffers

    def named_children(self) -> list[tuple[str, Module]]:
        """``(name, module)`` for each direct sub-module (empty for a leaf layer)."""
        return []

    def children(self) -> list[Module]:
        """Direct sub-modules."""
        return [child for _, child in self.named_children()]

    def modules(self):
        """This module and every sub-module, depth first."""
        yield self
        for child in self.children():
            yield from child.modules()

    def train(self, mode: bool = True) -> Module:
        """Set training mode (dropout active, batch statistics used) on this and sub-modules."""
        for module in self.modules():
            module.training = mode
        return self

    def eval(self) -> Module:
        """Set evaluation mode; same as ``train(False)``."""
        return self.train(False)

    def to(self, dtype) -> Module:
        """Cast parameters, gradients and buffers to ``dtype`` (float32 or float64), in place."""
        dtype = np.dtype(dtype)
        for module in self.modules():
            for store in (module._parameters, module._gradient, getattr(module, "_buffers", {})):
                for name, value in store.items():
                    store[name] = value.astype(dtype, copy=False)
        return self

    @property
    def dtype(self) -> np.dtype | None:
        """dtype of the parameters (None for a parameter-free module)."""
        for module in self.modules():  # no dict building: this runs at every training step
            for value in module._parameters.values():
                return value.dtype
        return None

    def num_parameters(self) -> int:
        return int(sum(p.size for p in self.parameters().values()))

    # -- configuration and printing --------------------------------------------------------
    def get_config(self) -> dict:
        """Constructor arguments, JSON-serialisable; ``type(self)(**config)`` rebuilds it."""
        return {}

    @classmethod
    def from_config(cls, config: dict) -> Module:
        """Rebuild a module from ``get_config()`` (nested modules already rebuilt)."""
        return cls(**config)

    def save(self, path) -> None:
        """Write architecture and weights to one ``.npz`` file (see ``flambeau.serialization``)."""
        from .serialization import save

        save(self, path)

    @_HybridMethod
    def load(target, path):
        """``Class.load(path)``: a new module read from ``path`` (checked to be a ``Class``).
        ``net.load(path)``: copy the weights saved in ``path`` into ``net`` (same
        architecture required) and return ``net``; the course's ``Sequentiel.load``."""
        from .serialization import load, load_weights

        if isinstance(target, Module):
            return load_weights(target, path)
        module = load(path)
        if not isinstance(module, target):
            raise TypeError(f"{target.__name__}.load: {path} holds a {type(module).__name__}, "
                            f"not a {target.__name__}")
        return module

    def extra_repr(self) -> str:
        return ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.extra_repr()})"

    # -- helpers for subclasses ------------------------------------------------------------
    def _init_gradients(self) -> None:
        self._gradient = {name: np.zeros_like(p) for name, p in self._parameters.items()}

    def _compute_input(self, X, method: str = "forward") -> np.ndarray:
        """``X`` as an array in the parameters' dtype (see ``flambeau.dtype``)."""
        return as_compute_dtype(X, self._parameters["W"].dtype, f"{type(self).__name__}.{method}")


class Loss:
    """Base class of losses.

    ``forward(y, yhat)`` returns one loss per sample, shape ``(batch,)``;
    ``backward(y, yhat)`` returns ``d(sum of per-sample losses)/d yhat``, shaped like ``yhat``.
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if not cls.__name__.startswith("_"):
            LOSSES[cls.__name__] = cls

    def forward(self, y, yhat) -> np.ndarray:
        raise NotImplementedError(f"{type(self).__name__} does not implement forward")

    def backward(self, y, yhat) -> np.ndarray:
        raise NotImplementedError(f"{type(self).__name__} does not implement backward")

    def __call__(self, y, yhat) -> np.ndarray:
        return self.forward(y, yhat)

    def get_config(self) -> dict:
        return {}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"
