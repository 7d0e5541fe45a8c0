"""PyTorch -> flambeau: ``from_torch(module)``, the equivalent ``Sequential`` with the same weights."""

from __future__ import annotations

import numpy as np

from .._optional import require
from ..containers import Sequential
from ..layers import (
    AvgPool1D,
    AvgPool2D,
    BatchNorm1D,
    Conv1D,
    Conv2D,
    Dropout,
    Flatten,
    Identity,
    LeakyReLU,
    Linear,
    LogSoftmax,
    MaxPool1D,
    MaxPool2D,
    ReLU,
    Reshape,
    Sigmoid,
    Softmax,
    TanH,
    Transpose2D,
)
from .errors import UnsupportedModuleError, unsupported_hint
from .layout import FIRST, FLAT, INPUT, LAST, PERMUTED, Layout, flatten_order

__all__ = ["from_torch"]

WHERE = "from_torch"

_DTYPES = {"torch.float32": np.float32, "torch.float64": np.float64}


def from_torch(module) -> Sequential:
    """The flambeau ``Sequential`` computing what a PyTorch module computes, with a copy of its weights.

    The reverse of ``to_torch``: each ``torch.nn`` layer becomes its flambeau counterpart (``nn.Linear``
    -> ``Linear`` with ``W = weight.T``, ``nn.Conv2d`` -> ``Conv2D`` with the kernel moved to
    ``(k_h, k_w, in, out)``, ``nn.BatchNorm1d`` -> ``BatchNorm1D`` with its running statistics...),
    nested ``nn.Sequential`` containers become nested ``Sequential`` ones, and each layer keeps the
    training flag of its module. float32 and float64 parameters keep their dtype.

    flambeau's feature maps are channels-last: a model that starts with a convolution, pool or batch
    normalisation on ``(batch, channels, *positions)`` becomes a network taking
    ``(batch, *positions, channels)`` (``np.moveaxis(x, 1, -1)``), and feature-map outputs come
    channels-last likewise; other inputs and outputs are unchanged. An ``nn.Flatten`` after a
    convolution reads the map channel by channel, flambeau's ``Flatten`` position by position: the
    rows of the next ``nn.Linear`` are reordered to match, so the outputs agree. The
    ``ChannelsFirst`` / ``ChannelsLast`` modules that ``to_torch`` inserts disappear.

    Args:
        module: an ``nn.Sequential`` (nested ones too) of ``nn.Linear``, ``nn.Identity``,
            ``nn.Tanh``, ``nn.Sigmoid``, ``nn.ReLU``, ``nn.LeakyReLU``, ``nn.Softmax`` /
            ``nn.LogSoftmax`` (last axis), ``nn.Dropout``, ``nn.BatchNorm1d`` (with running
            statistics and a momentum), ``nn.Conv1d`` / ``nn.Conv2d`` (zero padding, no dilation, no
            groups), ``nn.MaxPool1d/2d`` and ``nn.AvgPool1d/2d`` (no padding, no ``ceil_mode``),
            ``nn.Flatten()``, ``nn.Unflatten(1, ...)``; or one such module.

    Returns:
        A flambeau ``Sequential`` whose ``forward`` equals the module's output (to float rounding).

    Raises:
        UnsupportedModuleError: a module without a flambeau counterpart, or options flambeau does
            not have (dilation, ``ceil_mode``, grouped convolutions...); the message names its path,
            class and the option.
        ImportError: PyTorch is not installed (``pip install 'flambeau[torch]'``).

    Example:
        >>> net = from_torch(nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3)))  # doctest: +SKIP
        >>> net.forward(np.zeros((2, 4), np.float32)).shape                                # doctest: +SKIP
        (2, 3)
    """
    torch = require("torch", "torch", WHERE)
    from . import torch_modules

    if not isinstance(module, torch.nn.Module):
        raise TypeError(f"{WHERE}: module must be a torch.nn.Module, got {type(module).__name__}")
    importers = _importers(torch.nn, torch_modules)
    layers, layout = _convert(module, "", Layout(INPUT), importers)
    if layout.kind == PERMUTED:
        raise UnsupportedModuleError(
            f"{WHERE}: the output of {layout.source} is in PyTorch's (channels, positions) order, and "
            f"no nn.Linear follows to take it into flambeau's (positions, channels) order")
    net = layers[0] if isinstance(module, torch.nn.Sequential) else Sequential(*layers)
    net.training = module.training
    return net


# -- the walk ------------------------------------------------------------------------------------
def _convert(module, path: str, layout: Layout, importers: dict):
    convert = importers.get(type(module))
    if convert is None:
        raise UnsupportedModuleError(_unsupported(module, path, importers))
    layers, layout = convert(module, path, layout, importers)
    for layer in layers:
        layer.training = module.training  # the flag only: a container's children keep their own
    return layers, layout


def _label(module, path: str) -> str:
    return f"{path or 'the model'} ({type(module).__name__})"


def _unsupported(module, path: str, importers: dict) -> str:
    cls = type(module)
    bases = [base for base in cls.__mro__[1:] if base in importers]
    if bases:
        reason = (f"it subclasses {bases[0].__name__}, and a subclass may compute something else: only "
                  f"torch.nn's own classes are converted")
    else:
        reason = unsupported_hint(cls.__name__) or "it has no flambeau counterpart"
    supported = ", ".join(sorted(c.__name__ for c in importers))
    return (f"{WHERE}: cannot convert {path or 'the model'} ({cls.__module__}.{cls.__qualname__}): "
            f"{reason}. Supported: {supported}")


def _refuse(module, path: str, what: str):
    raise UnsupportedModuleError(f"{WHERE}: cannot convert {_label(module, path)}: {what}")


def _array(tensor) -> np.ndarray:
    return tensor.detach().cpu().numpy().copy()


def _dtype(module, path: str, tensor):
    dtype = _DTYPES.get(str(tensor.dtype))
    if dtype is None:
        _refuse(module, path, f"its parameters are {tensor.dtype}; flambeau computes in float32 or "
                              f"float64 (call .float() first)")
    return dtype


def _fill(layer, values: dict) -> None:
    """Copy ``{name: array}`` into the layer's parameters and buffers (shapes checked by NumPy)."""
    stores = (layer._parameters, layer._buffers)
    for name, array in values.items():
        store = next(store for store in stores if name in store)
        np.copyto(store[name], array, casting="same_kind")


def _channels_first(module, path: str, layout: Layout, flat_too: bool = False) -> Layout:
    """The layout before a module that takes a channels-first map (convolution, pool; batch norm,
    which also takes ``(batch, features)``: ``flat_too``)."""
    if layout.kind in (INPUT, FIRST):
        return Layout(FIRST, layout.channels, layout.source)
    if layout.kind == FLAT and flat_too:
        return layout
    where = {LAST: f"is channels-last here (after {layout.source}), and no flambeau layer moves "
                   f"the channels", FLAT: f"is (batch, features) here (after {layout.source})",
             PERMUTED: f"is (batch, features) here (after {layout.source})"}[layout.kind]
    _refuse(module, path, f"it takes a channels-first feature map, but the tensor {where}")


# -- containers ----------------------------------------------------------------------------------
def _sequential(module, path: str, layout: Layout, importers: dict):
    layers = []
    for name, child in module.named_children():
        converted, layout = _convert(child, f"{path}.{name}" if path else name, layout, importers)
        layers.extend(converted)
    return [Sequential(*layers)], layout


# -- layers --------------------------------------------------------------------------------------
def _linear(module, path: str, layout: Layout, importers: dict):
    dtype = _dtype(module, path, module.weight)
    layer = Linear(module.in_features, module.out_features, bias=module.bias is not None, dtype=dtype)
    W = _array(module.weight).T
    if layout.kind == PERMUTED:
        order = _order(module, path, layout, module.in_features)
        W = W[np.argsort(order)]  # row order[t] of flambeau's W is row t of PyTorch's
    values = {"W": W}
    if module.bias is not None:
        values["b"] = _array(module.bias)
    _fill(layer, values)
    return [layer], Layout(FLAT, source=_label(module, path))


def _order(module, path: str, layout: Layout, features: int) -> np.ndarray:
    try:
        return flatten_order(layout.channels, features)
    except ValueError:
        _refuse(module, path, f"it takes {features} features, which cannot come from the "
                              f"{layout.channels}-channel map that {layout.source} flattens")


def _same_layout(factory):
    def convert(module, path, layout, importers):
        return [factory(module)], layout
    return convert


def _softmax(cls):
    def convert(module, path, layout, importers):
        if module.dim not in (1, -1):
            _refuse(module, path, f"dim={module.dim!r}: flambeau's {cls.__name__} normalises the "
                                  f"last axis of (batch, classes) (dim=1 or -1)")
        kept = layout if layout.kind == PERMUTED else Layout(FLAT, source=_label(module, path))
        return [cls()], kept  # both are unchanged by a permutation of the classes
    return convert


def _dropout(module, path, layout, importers):
    return [Dropout(module.p)], layout


def _conv(cls):
    def convert(module, path, layout, importers):
        layout = _channels_first(module, path, layout)
        spatial = module.weight.dim() - 2
        padding = module.padding
        if isinstance(padding, str):
            padding = _string_padding(module, path, padding)
        for name, value, wanted in (("dilation", module.dilation, (1,) * spatial),
                                    ("groups", module.groups, 1), ("padding_mode", module.padding_mode,
                                                                   "zeros")):
            if value != wanted:
                _refuse(module, path, f"{name}={value!r}; flambeau's {cls.__name__} has only "
                                      f"{name}={wanted!r}")
        dtype = _dtype(module, path, module.weight)
        layer = cls(tuple(module.kernel_size) if spatial > 1 else module.kernel_size[0],
                    module.in_channels, module.out_channels,
                    stride=tuple(module.stride) if spatial > 1 else module.stride[0],
                    padding=tuple(padding) if spatial > 1 else padding[0],
                    bias=module.bias is not None, dtype=dtype)
        # (out, in, *kernel) -> (*kernel, in, out)
        values = {"W": _array(module.weight).transpose(*range(2, spatial + 2), 1, 0)}
        if module.bias is not None:
            values["b"] = _array(module.bias)
        _fill(layer, values)
        return [layer], Layout(FIRST, module.out_channels, _label(module, path))
    return convert


def _string_padding(module, path: str, padding: str) -> tuple[int, ...]:
    kernel = module.kernel_size
    if padding == "valid":
        return (0,) * len(kernel)
    if any(k % 2 == 0 for k in kernel):
        _refuse(module, path, f"padding='same' with the even kernel {tuple(kernel)} pads one side "
                              f"more than the other; flambeau pads both sides alike")
    return tuple(k // 2 for k in kernel)


def _pool(cls, average: bool):
    def convert(module, path, layout, importers):
        layout = _channels_first(module, path, layout)
        spatial = 1 if cls in (MaxPool1D, AvgPool1D) else 2
        kernel, stride = _pair(module.kernel_size, spatial), _pair(module.stride, spatial)
        padding = _pair(module.padding, spatial)
        checks = [("padding", padding, (0,) * spatial), ("ceil_mode", module.ceil_mode, False)]
        if average:
            checks.append(("divisor_override", getattr(module, "divisor_override", None), None))
        else:
            checks += [("dilation", _pair(module.dilation, spatial), (1,) * spatial),
                       ("return_indices", module.return_indices, False)]
        for name, value, wanted in checks:
            if value != wanted:
                _refuse(module, path, f"{name}={value!r}; flambeau's {cls.__name__} has only "
                                      f"{name}={wanted!r}")
        compact = (lambda values: values[0]) if spatial == 1 else tuple
        layer = cls(compact(kernel), stride=compact(stride))
        return [layer], Layout(FIRST, layout.channels, _label(module, path))
    return convert


def _pair(value, n: int) -> tuple[int, ...]:
    return tuple(value) if isinstance(value, (tuple, list)) else (value,) * n


def _batchnorm(module, path, layout, importers):
    if not module.track_running_stats or module.running_mean is None:
        _refuse(module, path, "it keeps no running statistics (track_running_stats=False); flambeau's "
                              "BatchNorm1D always does")
    if module.momentum is None:
        _refuse(module, path, "momentum=None (a cumulative average); flambeau's BatchNorm1D takes a "
                              "momentum in [0, 1]")
    values = {"running_mean": _array(module.running_mean), "running_var": _array(module.running_var)}
    if module.affine:
        values.update(gamma=_array(module.weight), beta=_array(module.bias))
    if layout.kind == PERMUTED:  # features in PyTorch's order: each statistic goes to its feature
        inverse = np.argsort(_order(module, path, layout, module.num_features))
        values = {name: array[inverse] for name, array in values.items()}
        after = layout
    else:
        after = _channels_first(module, path, layout, flat_too=True)
        if after.kind == FIRST:
            after = Layout(FIRST, module.num_features, _label(module, path))
    layer = BatchNorm1D(module.num_features, eps=module.eps, momentum=module.momentum,
                        affine=module.affine, dtype=_dtype(module, path, module.running_mean))
    _fill(layer, values)
    return [layer], after


def _flatten(module, path, layout, importers):
    if (module.start_dim, module.end_dim) != (1, -1):
        _refuse(module, path, f"start_dim={module.start_dim}, end_dim={module.end_dim}; flambeau's "
                              f"Flatten keeps the batch axis only (start_dim=1, end_dim=-1)")
    label = _label(module, path)
    if layout.kind == FIRST and layout.channels != 1:
        if layout.channels is None:
            _refuse(module, path, f"it flattens a channels-first map whose channel count is unknown "
                                  f"(after {layout.source})")
        return [Flatten()], Layout(PERMUTED, layout.channels, label)
    if layout.kind == PERMUTED:
        return [Flatten()], layout
    return [Flatten()], Layout(FLAT, source=label)


def _unflatten(module, path, layout, importers):
    if module.dim not in (1, -1) or layout.kind not in (INPUT, FLAT, LAST):
        _refuse(module, path, "flambeau's Reshape takes (batch, features) here: unflatten dim 1 of a "
                              "flat tensor")
    shape, label = tuple(module.unflattened_size), _label(module, path)
    if len(shape) == 1:
        return [Reshape(shape)], Layout(FLAT, source=label)
    if shape[0] == 1:  # one channel first: the same values as one channel last
        return [Reshape((*shape[1:], 1))], Layout(FIRST, 1, label)
    return [Reshape(shape)], Layout(LAST, None, label)


def _moved_first(module, path, layout, importers):
    if layout.kind in (INPUT, LAST):
        return [], Layout(FIRST, layout.channels, _label(module, path))
    if layout.kind == FLAT:
        return [], layout
    _refuse(module, path, f"the tensor is already channels-first here (after {layout.source})")


def _moved_last(module, path, layout, importers):
    if layout.kind in (INPUT, FIRST):
        return [], Layout(LAST, layout.channels, _label(module, path))
    if layout.kind == FLAT:
        return [], layout
    _refuse(module, path, f"the tensor is already channels-last here (after {layout.source})")


def _swap_spatial(module, path, layout, importers):
    layout = _channels_first(module, path, layout)
    return [Transpose2D()], Layout(FIRST, layout.channels, _label(module, path))


def _importers(nn, extra) -> dict:
    """``{torch class: converter}``; built on first use, when PyTorch is imported."""
    return {
        nn.Sequential: _sequential,
        nn.Linear: _linear,
        nn.Identity: _same_layout(lambda m: Identity()),
        nn.Tanh: _same_layout(lambda m: TanH()),
        nn.Sigmoid: _same_layout(lambda m: Sigmoid()),
        nn.ReLU: _same_layout(lambda m: ReLU()),
        nn.LeakyReLU: _same_layout(lambda m: LeakyReLU(m.negative_slope)),
        nn.Softmax: _softmax(Softmax),
        nn.LogSoftmax: _softmax(LogSoftmax),
        nn.Dropout: _dropout,
        nn.Conv1d: _conv(Conv1D),
        nn.Conv2d: _conv(Conv2D),
        nn.MaxPool1d: _pool(MaxPool1D, average=False),
        nn.MaxPool2d: _pool(MaxPool2D, average=False),
        nn.AvgPool1d: _pool(AvgPool1D, average=True),
        nn.AvgPool2d: _pool(AvgPool2D, average=True),
        nn.BatchNorm1d: _batchnorm,
        nn.Flatten: _flatten,
        nn.Unflatten: _unflatten,
        extra.ChannelsFirst: _moved_first,
        extra.ChannelsLast: _moved_last,
        extra.SwapSpatial: _swap_spatial,
    }
