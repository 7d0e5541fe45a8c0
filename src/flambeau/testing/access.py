"""What the check battery needs from a module, read the same way from any module.

A flambeau ``Module`` answers ``parameters()`` / ``gradients()`` / ``buffers()`` and ``to(dtype)``.
A module written on the course's skeleton may instead keep one array (or ``None``) in
``_parameters`` and ``_gradient``; it is read as a single tensor named ``"param"``, by the
library's own adapter (``flambeau.module.own_arrays``, which ``Module.parameters()`` uses too).
"""

from __future__ import annotations

import copy

import numpy as np

from ..module import SINGLE, own_arrays
from .verdicts import call

__all__ = ["SINGLE", "buffers_of", "cast", "copy_of", "gradients_of", "has_children", "parameters_of",
           "snapshot"]

def _arrays(module, getter: str, attribute: str) -> dict[str, np.ndarray]:
    method = getattr(module, getter, None)
    if callable(method):
        try:
            value = method()
        except Exception:  # e.g. Module.parameters() on a skeleton module holding one array
            value = None
        if isinstance(value, dict):
            return value
    return own_arrays(module, attribute)  # the library's one adapter: a dict, one array, or None


def parameters_of(module) -> dict[str, np.ndarray]:
    """Name -> live parameter array."""
    return _arrays(module, "parameters", "_parameters")


def gradients_of(module) -> dict[str, np.ndarray]:
    """Name -> live gradient array (same names as ``parameters_of`` for a correct module)."""
    return _arrays(module, "gradients", "_gradient")


def buffers_of(module) -> dict[str, np.ndarray]:
    """Name -> saved, untrained state (empty for a module without ``buffers()``)."""
    return _arrays(module, "buffers", "_buffers")


def snapshot(arrays: dict) -> dict[str, np.ndarray]:
    """Copies of the arrays (as float64 arrays; ``None`` entries stay ``None``)."""
    return {name: None if a is None else np.array(a, dtype=np.float64) for name, a in arrays.items()}


def cast(module, dtype):
    """Cast ``module``'s parameters, gradients and buffers to ``dtype``, in place; returns it."""
    if callable(getattr(module, "to", None)):
        call("__init__", module.to, dtype)
        return module
    for attribute in ("_parameters", "_gradient"):
        value = getattr(module, attribute, None)
        if isinstance(value, np.ndarray):
            setattr(module, attribute, value.astype(dtype))
        elif isinstance(value, dict):
            for name, array in value.items():
                value[name] = np.asarray(array).astype(dtype)
    return module


def copy_of(module, dtype=None):
    """An independent copy (``copy.deepcopy``), cast to ``dtype`` when given."""
    clone = call("__init__", copy.deepcopy, module)
    return clone if dtype is None else cast(clone, dtype)


def _is_module_like(value) -> bool:
    return callable(getattr(value, "forward", None)) and callable(getattr(value, "backward_delta", None))


def has_children(module) -> bool:
    """Whether the module holds sub-modules (a container, or a layer tied to another one)."""
    named = getattr(module, "named_children", None)
    if callable(named) and named():
        return True
    for value in getattr(module, "__dict__", {}).values():
        values = value.values() if isinstance(value, dict) else value if isinstance(value, (list, tuple)) \
            else (value,)
        if any(_is_module_like(v) for v in values):
            return True
    return False
