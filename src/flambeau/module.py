"""The two contracts of the library: ``Module`` (a layer or a network) and ``Loss``.

A module maps ``forward(X) -> Y``. On the way back it receives ``delta = dL/dY`` and
its input again, and answers two questions separately, as in Lua Torch ``nn``:

- ``backward_update_gradient(input, delta)`` ADDS ``dL/dparams`` into ``_gradient``;
- ``backward_delta(input, delta)`` returns ``dL/dX``.

Parameters live in ``_parameters`` and their gradients in ``_gradient``: dicts with the same
keys (a module written on the course's skeleton may keep one array in each, read as the one entry
``"param"``, or ``None``: see ``own_arrays``). Optimizers, gradient checks and serialization
reach them through ``parameters()`` and ``gradients()`` only. State that is saved but not
trained (BatchNorm's running statistics) lives in ``_buffers`` and is reached through
``buffers()``.

Configuration protocol (used by ``save`` / ``flambeau.load``, see ``flambeau.serialization``):

- every concrete subclass is registered in ``MODULES`` (``flambeau.registry``) when it is
  defined: the library's under their bare name, any other under ``"<module>.<qualified name>"``
  (a student's ``__main__.Linear`` lives beside the library's ``Linear``);
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

import copy

import numpy as np

from . import serialization
from ._checks import as_float, check_real
from .dtype import as_compute_dtype, parameter_dtype
from .registry import LOSSES, MODULES, register_loss, register_module

__all__ = ["LOSSES", "MODULES", "SINGLE", "Loss", "Module", "Remembered", "check_loss", "check_module",
           "own_arrays"]

SINGLE = "param"
"""Name of the one parameter (and gradient) of a module whose ``_parameters`` is one array."""


def own_arrays(module, attribute: str) -> dict[str, np.ndarray]:
    """A module's own ``_parameters`` / ``_gradient`` / ``_buffers`` as a dict (the live arrays).

    The library's layers keep dicts. A module written on the course's skeleton keeps ONE array
    (read as ``{"param": array}``, see ``SINGLE``) or ``None`` (no entry).
    """
    value = getattr(module, attribute, None)
    if isinstance(value, dict):
        return value
    if value is None:
        return {}
    if isinstance(value, np.ndarray):
        return {SINGLE: value}
    raise TypeError(f"{type(module).__name__}.{attribute} must be a dict {{name: array}}, one numpy "
                    f"array or None, got {type(value).__name__}; store the arrays as "
                    f"self.{attribute} = {{'W': ..., 'b': ...}} or as one np.ndarray")

_NOTHING = object()  # the key of an empty Remembered: no argument is ever this object


class Remembered:
    """A value computed for one input object, recalled only when handed that same object.

    The one caching mechanism of the library. ``forward(X)`` remembers what the backward pass
    will need (an output, an im2col matrix, the inputs of a container's children) with
    ``remember(X, value)``; the backward pass, which receives ``X`` again, asks ``recall(X)``.
    The key is the object itself, compared with ``is``: one pointer comparison, no copy and no
    hashing on the hot path. Holding the key keeps it alive, so its identity cannot be reused by
    another array. The library never modifies an input or a delta in place; a caller that does so
    between ``forward`` and backward gets what was remembered for the old values.

    - ``recall(key)``: the value, or None when ``key`` is not the remembered object. For a cache
      that can be recomputed (a layer's output): recompute on None.
    - ``require(key, where)``: the value for a backward pass that cannot recompute it without side
      effects (a container would run its children's ``forward`` again, drawing new Dropout masks
      and moving BatchNorm statistics twice). An array with the same shape and values as the key
      is accepted (compared only when the identity differs); anything else, or an empty memo,
      raises a ``RuntimeError`` telling the caller to run ``forward`` first.
    """

    __slots__ = ("key", "value")

    def __init__(self):
        self.forget()

    def forget(self) -> None:
        self.key, self.value = _NOTHING, None

    @property
    def empty(self) -> bool:
        return self.key is _NOTHING

    def remember(self, key, value):
        """Keep ``value`` for ``key`` (replacing what was kept) and return it."""
        self.key, self.value = key, value
        return value

    def recall(self, key):
        """The value remembered for ``key`` itself, or None."""
        return self.value if key is self.key else None

    def require(self, key, where: str):
        """The value remembered for ``key`` or for an array equal to it; else a clear error."""
        if key is self.key:
            return self.value
        if self.empty:
            raise RuntimeError(f"{where}: no forward pass to go back through; {_FORWARD_FIRST}")
        if not _same_values(key, self.key):
            shape, seen = _shape(key), _shape(self.key)
            how = (f"has shape {shape}, the last forward's had {seen}" if shape != seen else
                   f"differs from the last forward's (same shape {shape}, other values)")
            raise RuntimeError(f"{where}: input {how}; {_FORWARD_FIRST} (a second forward here "
                               "would draw new Dropout masks and move BatchNorm statistics twice)")
        return self.value


_FORWARD_FIRST = "call forward(input) first, then the backward methods with that same input"


def _shape(value):
    """``np.shape(value)``, or ``"(ragged)"`` for nested sequences of different lengths."""
    try:
        return np.shape(value)
    except ValueError:
        return "(ragged)"


def _same_values(a, b) -> bool:
    """Whether two array-likes have the same shape and values (NaN equal to NaN)."""
    try:
        a, b = np.asarray(a), np.asarray(b)
        floats = a.dtype.kind in "fc" and b.dtype.kind in "fc"
        return a.shape == b.shape and bool(np.array_equal(a, b, equal_nan=floats))
    except (TypeError, ValueError):  # not comparable as arrays (text against numbers, ragged lists)
        return False


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

    The obligations of a layer author:

    1. Parameters: set ``self._parameters[name] = array`` in ``__init__`` (after
       ``super().__init__()``), then call ``_init_gradients()`` so that ``_gradient`` has the
       same keys, shapes and dtypes. Saved but untrained state goes in ``_buffers``.
    2. Passes: implement ``forward`` and ``backward_delta``; a parametric module also implements
       ``backward_update_gradient``, which ADDS into ``_gradient`` (never zeroes it). Inputs and
       deltas are never modified in place. ``_compute_input(X)`` brings an input to the
       parameters' dtype (or, without parameters, to a float array, see ``_checks.as_float``).
    3. Caches: a value that ``forward`` keeps for the backward pass lives in a ``Remembered``
       (``remember(X, value)`` in forward, ``recall(input)`` in backward): it is reused only when
       the backward pass receives the very object ``forward`` saw, and recomputed otherwise. A
       container, which cannot run its children's ``forward`` twice, uses ``require`` instead:
       a backward pass on another input is an error, never a silent second forward.
    4. Transient attributes: every attribute holding a cache (a ``Remembered``, scratch storage,
       a dropout mask) is declared in the class attribute ``_transient``, a dict
       ``{attribute name: its empty value}`` (``{"_output": Remembered(), "_scratch": {}}``).
       ``Module.__init__`` creates each one (a copy of its empty value), and ``copy``,
       ``deepcopy`` and pickling never carry them: the copy gets fresh empty ones. A subclass
       declares only its own; declarations add up along the class hierarchy.
    5. Configuration: ``get_config`` returns the constructor arguments (used by ``repr`` and by
       saving, see the configuration protocol above); the class is registered by name.
    """

    _transient: dict[str, object] = {}
    _all_transient: dict[str, object] = {}  # this class's and its bases' declarations

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        declared = cls.__dict__.get("_transient", {})
        if not (isinstance(declared, dict) and all(isinstance(k, str) for k in declared)):
            raise TypeError(f"{cls.__name__}._transient must be a dict {{attribute name: empty "
                            f"value}}, got {declared!r}")
        cls._all_transient = {**cls._all_transient, **declared}
        register_module(cls)

    def __init__(self):
        self._parameters: dict[str, np.ndarray] = {}
        self._gradient: dict[str, np.ndarray] = {}
        self._buffers: dict[str, np.ndarray] = {}
        self.training = True
        self._reset_transient()

    def _reset_transient(self) -> None:
        """Give every declared transient attribute a fresh copy of its empty value."""
        for name, empty in self._all_transient.items():
            setattr(self, name, copy.copy(empty))

    def __getstate__(self) -> dict:
        """The state that ``copy``, ``deepcopy`` and ``pickle`` carry: all but transient attributes."""
        return {k: v for k, v in self.__dict__.items() if k not in self._all_transient}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._reset_transient()

    # -- the course contract ---------------------------------------------------------------
    def forward(self, X):
        raise NotImplementedError(f"{type(self).__name__} does not implement forward")

    def __call__(self, X):
        return self.forward(X)

    def zero_grad(self) -> None:
        """Reset every accumulated gradient (own and sub-modules') to zero."""
        for grad in own_arrays(self, "_gradient").values():
            grad.fill(0)
        for child in self.children():
            child.zero_grad()

    def backward_update_gradient(self, input, delta) -> None:
        """Accumulate ``dL/dparams`` given ``delta = dL/doutput``. No-op without parameters."""

    def backward_delta(self, input, delta):
        raise NotImplementedError(f"{type(self).__name__} does not implement backward_delta")

    def update_parameters(self, gradient_step: float = 1e-3) -> None:
        """Plain gradient step, in place: ``p -= gradient_step * grad`` (sub-modules too)."""
        check_real(f"{type(self).__name__}.update_parameters", "gradient_step", gradient_step)
        grads = own_arrays(self, "_gradient")
        for name, param in own_arrays(self, "_parameters").items():
            param -= gradient_step * grads[name]
        for child in self.children():
            child.update_parameters(gradient_step)

    # -- introspection ---------------------------------------------------------------------
    def parameters(self) -> dict[str, np.ndarray]:
        """Name -> parameter array (the live arrays, not copies), sub-modules' as ``"child.name"``."""
        params = dict(own_arrays(self, "_parameters"))
        for prefix, child in self.named_children():
            params.update({f"{prefix}.{name}": p for name, p in child.parameters().items()})
        return params

    def gradients(self) -> dict[str, np.ndarray]:
        """Name -> gradient array, same keys as ``parameters()``."""
        grads = dict(own_arrays(self, "_gradient"))
        for prefix, child in self.named_children():
            grads.update({f"{prefix}.{name}": g for name, g in child.gradients().items()})
        return grads

    def buffers(self) -> dict[str, np.ndarray]:
        """Name -> saved, untrained state arrays (running statistics), sub-modules' prefixed."""
        buffers = dict(own_arrays(self, "_buffers"))
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
        dtype = parameter_dtype(dtype, f"{type(self).__name__}.to")
        for module in self.modules():
            for attribute in ("_parameters", "_gradient", "_buffers"):
                value = getattr(module, attribute, None)
                if isinstance(value, np.ndarray):  # a course-skeleton module's one array
                    setattr(module, attribute, value.astype(dtype, copy=False))
                    continue
                store = own_arrays(module, attribute)
                for name, array in store.items():
                    store[name] = array.astype(dtype, copy=False)
        return self

    @property
    def dtype(self) -> np.dtype | None:
        """dtype of the first parameter, depth first (None for a parameter-free module)."""
        params = self._parameters  # no dict building: this runs at every step
        if isinstance(params, np.ndarray):  # a course-skeleton module's one array
            return params.dtype
        for value in (params or {}).values():
            return value.dtype
        for child in self.children():
            dtype = child.dtype
            if dtype is not None:
                return dtype
        return None

    def num_parameters(self) -> int:
        return int(sum(p.size for p in self.parameters().values()))

    def summary(self, input_shape) -> str:
        """Print and return a Keras-like table: each sub-module's path and class (indented by
        depth), output shape and parameter count, then the totals (as PyTorch counts them).

        ``input_shape`` is the shape of ONE sample, without the batch axis: ``net.summary((256,))``,
        ``cnn.summary((28, 28, 1))``. The shapes come from a dry forward pass on zeros through a
        copy of the network in eval mode: the network itself is left exactly as it was.
        """
        from .summary import summary_table  # flambeau.summary imports nothing of this module

        table = summary_table(self, input_shape)
        print(table)
        return table

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
        serialization.save(self, path)

    @_HybridMethod
    def load(target, path, modules=()):
        """``Class.load(path)``: a new module read from ``path`` (checked to be a ``Class``;
        ``Class`` itself and ``modules`` are classes the file may name, see
        ``flambeau.serialization.load``). ``net.load(path)``: copy the weights saved in ``path``
        into ``net`` (same architecture required) and return ``net``; the course's
        ``Sequentiel.load``."""
        if isinstance(target, Module):
            return serialization.load_weights(target, path)
        module = serialization.load(path, modules=[target, *modules])
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
        """``X`` as an array in the module's dtype (see ``flambeau.dtype``); without parameters, as
        a float array (``_checks.as_float``: integers become float64, floats are kept)."""
        dtype = self.dtype
        if type(X) is np.ndarray and dtype is not None and X.dtype == dtype:  # the hot path
            return X
        where, name = f"{type(self).__name__}.{method}", "X" if method == "forward" else "input"
        if dtype is None:
            return as_float(X, where, name)
        return as_compute_dtype(X, dtype, where, name)


class Loss:
    """Base class of losses.

    ``forward(y, yhat)`` returns one loss per sample, shape ``(batch,)``;
    ``backward(y, yhat)`` returns ``d(sum of per-sample losses)/d yhat``, shaped like ``yhat``.

    Empty batch: ``forward`` returns an empty ``(0,)`` array (the sum of no losses is 0, their
    mean is undefined: NaN, as PyTorch's ``reduction="mean"`` gives) and ``backward`` an empty
    array shaped like ``yhat``. ``Optim.step`` refuses an empty batch; ``evaluate`` refuses no data.
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        register_loss(cls)

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


def check_module(where: str, name: str, value) -> Module:
    """``value`` if it is a ``Module`` instance, else a ``TypeError`` naming ``where``."""
    if not isinstance(value, Module):
        raise TypeError(f"{where}: {name} must be a Module, got {_kind_of(value)}")
    return value


def check_loss(where: str, name: str, value) -> Loss:
    """``value`` if it is a ``Loss`` instance, else a ``TypeError`` naming ``where``."""
    if not isinstance(value, Loss):
        raise TypeError(f"{where}: {name} must be a Loss, got {_kind_of(value)}")
    return value


def _kind_of(value) -> str:
    """``str 'mse'``, ``Linear``, ``the class MSELoss (build one: MSELoss())``: for messages."""
    if isinstance(value, type):
        return f"the class {value.__name__} (build one: {value.__name__}(...))"
    if value is None or isinstance(value, (str, bytes, int, float)):
        return f"{type(value).__name__} {value!r:.60}"
    return type(value).__name__
