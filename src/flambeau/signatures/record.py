"""Record the hidden activations of a network: the raw material of activation signatures."""

from __future__ import annotations

import numpy as np

from ..containers import Sequential
from ..layers import Flatten, Reshape, Transpose2D
from ..training import predict
from .spatial import check_spatial, reduce_spatial

__all__ = ["as_activations", "hidden_groups", "record"]

_SHAPE_ONLY = (Flatten, Reshape, Transpose2D)


def _recorded_part(modules: list) -> int:
    """How many modules of a group give its recorded output: all but a trailing reshape
    (``Flatten``...), so that a convolution's feature map is recorded before it is flattened."""
    end = len(modules)
    while end > 1 and isinstance(modules[end - 1], _SHAPE_ONLY):
        end -= 1
    return end


def hidden_groups(net: Sequential) -> list[tuple[str, list]]:
    """Split a ``Sequential`` into layers: a parametric module plus the parameter-free modules
    (activations) that follow it. Every layer but the last is a hidden layer.

    Returns:
        ``[(name, modules), ...]`` for the hidden layers only, named ``"layer<i>_<Type>"`` by
        position (from 1) and the type of the layer's last module (``"layer1_TanH"``), a
        trailing reshape left out (``Conv2D, ReLU, MaxPool2D, Flatten`` is ``"layer1_MaxPool2D"``).
    """
    if not isinstance(net, Sequential):
        raise TypeError(f"record: net must be a Sequential, got {type(net).__name__}")
    groups: list[list] = []
    for module in net:
        if module.parameters() or not groups:
            groups.append([module])
        else:
            groups[-1].append(module)
    hidden = groups[:-1]
    return [(f"layer{i}_{type(mods[_recorded_part(mods) - 1]).__name__}", mods)
            for i, mods in enumerate(hidden, 1)]


def record(net, X=None, batch_size: int = 1024, spatial: str = "mean") -> dict[str, np.ndarray]:
    """Output of every hidden layer (after its activation) for the inputs ``X``.

    Args:
        net: a ``Sequential`` (hidden layers found by ``hidden_groups``), or a dict
            ``{layer_name: (n, d) array}`` of activations recorded elsewhere (any framework),
            which is checked and returned as float arrays.
        X: inputs ``(n, ...)`` (ignored for a dict).
        batch_size: samples per forward pass.
        spatial: how a feature map ``(n, h, w, c)`` (channels-last, as flambeau's convolutions
            give it, recorded before a trailing ``Flatten``) becomes features: ``"mean"`` per
            channel (default), ``"max"`` per channel or ``"flatten"`` (see ``reduce_spatial``).

    Returns:
        ``{layer_name: (n, d_layer) array}`` in network order.
    """
    check_spatial("record", spatial)
    if isinstance(net, dict):
        return as_activations(net)
    groups = hidden_groups(net)
    if not groups:
        raise ValueError("record: the network has no hidden layer (one parametric layer only)")
    if X is None:
        raise ValueError("record: X is required when net is a network")
    acts: dict[str, list[np.ndarray]] = {name: [] for name, _ in groups}
    for start in range(0, len(X), batch_size):
        out = X[start:start + batch_size]
        for name, modules in groups:
            end = _recorded_part(modules)
            out = predict(Sequential(list(modules[:end])), out, batch_size)
            acts[name].append(reduce_spatial(out, spatial))
            if end < len(modules):
                out = predict(Sequential(list(modules[end:])), out, batch_size)
    return {name: np.concatenate(chunks) for name, chunks in acts.items()}


def as_activations(acts: dict) -> dict[str, np.ndarray]:
    """Check a user dict ``{name: (n, d) array}``: non-empty, 2-D, same ``n``, finite."""
    if not isinstance(acts, dict) or not acts:
        raise ValueError("record: activations must be a non-empty dict {layer_name: (n, d) array}")
    checked, n = {}, None
    for name, value in acts.items():
        array = np.asarray(value, dtype=np.float64 if np.asarray(value).dtype == np.float64
                           else np.float32)
        if array.ndim != 2:
            raise ValueError(f"record: activations[{name!r}] must have shape (n, d), got {array.shape}")
        if n is None:
            n = array.shape[0]
        if array.shape[0] != n:
            raise ValueError(f"record: activations[{name!r}] must have shape ({n}, d) like the first "
                             f"layer, got {array.shape}")
        if not np.all(np.isfinite(array)):
            raise ValueError(f"record: activations[{name!r}] holds NaN or infinite values")
        checked[str(name)] = array
    return checked
