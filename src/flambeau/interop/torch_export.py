"""flambeau -> PyTorch: ``to_torch(net)``, the equivalent ``torch.nn.Sequential`` with the same weights."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from .._optional import require
from ..autoencoder import AutoEncoder
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
from ..module import Module
from .errors import UnsupportedModuleError, unsupported_hint
from .layout import FIRST, FLAT, INPUT, LAST, Layout

__all__ = ["to_torch"]

WHERE = "to_torch"


@dataclass
class _Context:
    """What every converter needs: the framework, the inserted modules and the input convention."""

    torch: object
    extra: object  # flambeau.interop.torch_modules
    channels_first: bool


def to_torch(net: Module, channels_first: bool = True):
    """The ``torch.nn.Sequential`` computing what ``net`` computes, with a copy of its weights.

    Every layer becomes its PyTorch counterpart (``Linear`` -> ``nn.Linear`` with ``weight = W.T``,
    ``Conv2D`` -> ``nn.Conv2d`` with the kernel moved to ``(out, in, k_h, k_w)``, ``BatchNorm1D`` ->
    ``nn.BatchNorm1d`` with its running statistics...), nested ``Sequential`` containers become
    nested ``nn.Sequential`` ones, and each module keeps the training flag of its layer (dropout and
    batch statistics on in ``train()``, off in ``eval()``). Parameters keep their dtype.

    flambeau's feature maps are channels-last, PyTorch's channels-first: where a layer needs the
    other layout, a ``ChannelsFirst()`` or ``ChannelsLast()`` module (``flambeau.interop``'s
    ``torch.movedim``) is inserted, e.g. before the ``nn.Flatten`` that follows a convolution, so
    that the flattened features come in flambeau's order and the next ``nn.Linear`` keeps its
    weights.

    Args:
        net: a flambeau module: ``Sequential`` or ``AutoEncoder`` (without tied weights) of
            ``Linear``, ``Identity``, ``TanH``, ``Sigmoid``, ``ReLU``, ``LeakyReLU``, ``Softmax``,
            ``LogSoftmax``, ``Dropout``, ``BatchNorm1D``, ``Conv1D``, ``Conv2D``, ``MaxPool1D/2D``,
            ``AvgPool1D/2D``, ``Flatten``, ``Reshape``, ``Transpose2D``; or one such layer.
        channels_first: with ``True`` (the default, PyTorch's habit), a network whose first
            layout-dependent layer is a convolution, pool or batch normalisation takes its input
            channels-first, ``(batch, channels, *positions)``, and feature maps come out
            channels-first; with ``False`` the PyTorch model takes and returns exactly the arrays
            that ``net`` takes and returns. Other inputs (``(batch, features)``, or the input of a
            first ``Flatten`` or ``Reshape``) are the same either way.

    Returns:
        A ``torch.nn.Sequential`` whose output equals ``net.forward``'s (to float rounding).

    Raises:
        UnsupportedModuleError: a layer without a PyTorch counterpart (``Concat``, ``TiedLinear``,
            a class of your own, even a subclass of a supported one); the message names its
            path and class.
        ImportError: PyTorch is not installed (``pip install 'flambeau[torch]'``).

    Example:
        >>> model = to_torch(fb.models.mnist_cnn())                  # doctest: +SKIP
        >>> model(torch.zeros(8, 1, 28, 28)).shape                     # doctest: +SKIP
        torch.Size([8, 10])
    """
    torch = require("torch", "torch", WHERE)
    from . import torch_modules

    if not isinstance(net, Module):
        raise TypeError(f"{WHERE}: net must be a flambeau Module, got {type(net).__name__}")
    context = _Context(torch, torch_modules, bool(channels_first))
    modules, layout = _convert(net, "", Layout(INPUT), context)
    model = modules[0] if isinstance(net, (Sequential, AutoEncoder)) else torch.nn.Sequential(*modules)
    if layout.kind == FIRST and not channels_first:
        model.append(torch_modules.ChannelsLast())
    return model


# -- the walk ------------------------------------------------------------------------------------
def _convert(layer: Module, path: str, layout: Layout, context: _Context):
    """``(torch modules, layout after them)`` for one flambeau module at ``path``."""
    convert = _CONVERTERS.get(type(layer))
    if convert is None:
        raise UnsupportedModuleError(_unsupported(layer, path))
    modules, layout = convert(layer, path, layout, context)
    for module in modules:
        module.training = layer.training  # the flag only: a container's children keep their own
    return modules, layout


def _label(layer: Module, path: str) -> str:
    return f"{path or 'the network'} ({type(layer).__name__})"


def _unsupported(layer: Module, path: str) -> str:
    cls = type(layer)
    bases = [base for base in cls.__mro__[1:] if base in _CONVERTERS]
    what = f"{path or 'the network'} ({cls.__module__}.{cls.__qualname__})"
    if bases:
        reason = (f"it subclasses {bases[0].__name__}, and a subclass may compute something else: only "
                  f"the library's own classes are converted")
    else:
        reason = unsupported_hint(cls.__name__) or "it has no PyTorch counterpart here"
    supported = ", ".join(sorted(c.__name__ for c in _CONVERTERS))
    return f"{WHERE}: cannot convert {what}: {reason}. Supported: {supported}"


def _channels_first(layout: Layout, context: _Context):
    """Modules to insert so that PyTorch holds the map channels-first, and the layout after them."""
    if layout.kind == LAST or (layout.kind == INPUT and not context.channels_first):
        return [context.extra.ChannelsFirst()], Layout(FIRST, layout.channels, layout.source)
    if layout.kind == INPUT:
        return [], Layout(FIRST, None, layout.source)
    return [], layout


def _channels_last(layout: Layout, context: _Context):
    """Modules to insert so that PyTorch holds flambeau's array itself, and the layout after them."""
    if layout.kind == FIRST:
        return [context.extra.ChannelsLast()], Layout(LAST, layout.channels, layout.source)
    if layout.kind == INPUT:
        return [], Layout(LAST, None, layout.source)
    return [], layout


def _tensor(array: np.ndarray, context: _Context):
    return context.torch.from_numpy(np.ascontiguousarray(array).copy())


def _torch_dtype(array: np.ndarray, context: _Context):
    return context.torch.from_numpy(np.zeros(0, array.dtype)).dtype


def _fill(module, values: dict, context: _Context) -> None:
    """Copy ``{attribute: array}`` into the module's parameters and buffers."""
    with context.torch.no_grad():
        for name, array in values.items():
            getattr(module, name).copy_(_tensor(array, context))


# -- containers ----------------------------------------------------------------------------------
def _child(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _sequential(net: Sequential, path: str, layout: Layout, context: _Context):
    converted = []
    for name, child in net.named_children():
        modules, layout = _convert(child, _child(path, name), layout, context)
        converted.extend(modules)
    return [context.torch.nn.Sequential(*converted)], layout


def _autoencoder(ae: AutoEncoder, path: str, layout: Layout, context: _Context):
    if ae.tied:
        raise UnsupportedModuleError(
            f"{WHERE}: cannot convert {_label(ae, path)}: its decoder uses the encoder's weights "
            f"(tied), which separate nn.Linear layers would not share; build it with tied=False")
    halves = OrderedDict()
    for name in ("encoder", "decoder"):
        part = getattr(ae, name)
        modules, layout = _convert(part, _child(path, name), layout, context)
        halves[name] = modules[0] if len(modules) == 1 and isinstance(part, (Sequential, AutoEncoder)) \
            else context.torch.nn.Sequential(*modules)
    return [context.torch.nn.Sequential(halves)], layout


# -- layers --------------------------------------------------------------------------------------
def _linear(layer: Linear, path: str, layout: Layout, context: _Context):
    W = layer.parameters()["W"]
    module = context.torch.nn.Linear(layer.input, layer.output, bias=layer.bias,
                                     dtype=_torch_dtype(W, context))
    values = {"weight": W.T}
    if layer.bias:
        values["bias"] = layer.parameters()["b"]
    _fill(module, values, context)
    return [module], Layout(FLAT, source=_label(layer, path))


def _elementwise(factory):
    def convert(layer, path, layout, context):
        return [factory(layer, context.torch.nn)], layout
    return convert


def _softmax(factory):
    def convert(layer, path, layout, context):
        return [factory(context.torch.nn)(dim=-1)], Layout(FLAT, source=_label(layer, path))
    return convert


def _conv(layer, path: str, layout: Layout, context: _Context):
    inserted, layout = _channels_first(layout, context)
    W = layer.parameters()["W"]
    spatial = W.ndim - 2
    cls = context.torch.nn.Conv1d if spatial == 1 else context.torch.nn.Conv2d
    module = cls(layer.chan_in, layer.chan_out, layer.kernel, stride=layer.strides,
                 padding=layer.paddings, bias=layer.bias, dtype=_torch_dtype(W, context))
    # (*kernel, in, out) -> (out, in, *kernel)
    values = {"weight": W.transpose(spatial + 1, spatial, *range(spatial))}
    if layer.bias:
        values["bias"] = layer.parameters()["b"]
    _fill(module, values, context)
    return [*inserted, module], Layout(FIRST, layer.chan_out, _label(layer, path))


def _pool(torch_name: str):
    def convert(layer, path, layout, context):
        inserted, layout = _channels_first(layout, context)
        module = getattr(context.torch.nn, torch_name)(kernel_size=layer.kernel, stride=layer.strides)
        return [*inserted, module], Layout(FIRST, layout.channels, _label(layer, path))
    return convert


def _batchnorm(layer: BatchNorm1D, path: str, layout: Layout, context: _Context):
    inserted, layout = _channels_first(layout, context)
    buffers = layer.buffers()
    dtype = _torch_dtype(buffers["running_mean"], context)
    module = context.torch.nn.BatchNorm1d(layer.num_features, eps=layer.eps, momentum=layer.momentum,
                                          affine=layer.affine, dtype=dtype)
    values = {"running_mean": buffers["running_mean"], "running_var": buffers["running_var"]}
    if layer.affine:
        values.update(weight=layer.parameters()["gamma"], bias=layer.parameters()["beta"])
    _fill(module, values, context)
    after = layout if layout.kind == FLAT else Layout(FIRST, layer.num_features, _label(layer, path))
    return [*inserted, module], after


def _flatten(layer: Flatten, path: str, layout: Layout, context: _Context):
    inserted, layout = _channels_last(layout, context)
    return [*inserted, context.torch.nn.Flatten()], Layout(FLAT, source=_label(layer, path))


def _reshape(layer: Reshape, path: str, layout: Layout, context: _Context):
    inserted, layout = _channels_last(layout, context)
    nn, shape = context.torch.nn, layer.shape
    if layout.kind != FLAT:
        inserted.append(nn.Flatten())
    if len(shape) == 1:
        return [*inserted, nn.Unflatten(1, shape)], Layout(FLAT, source=_label(layer, path))
    if shape[-1] == 1:  # one channel: the same values channels-first, so no move is needed later
        return [*inserted, nn.Unflatten(1, (1, *shape[:-1]))], Layout(FIRST, 1, _label(layer, path))
    return [*inserted, nn.Unflatten(1, shape)], Layout(LAST, shape[-1], _label(layer, path))


def _transpose(layer: Transpose2D, path: str, layout: Layout, context: _Context):
    inserted, layout = _channels_first(layout, context)
    return [*inserted, context.extra.SwapSpatial()], Layout(FIRST, layout.channels, _label(layer, path))


_CONVERTERS = {
    Sequential: _sequential,
    AutoEncoder: _autoencoder,
    Linear: _linear,
    Identity: _elementwise(lambda layer, nn: nn.Identity()),
    TanH: _elementwise(lambda layer, nn: nn.Tanh()),
    Sigmoid: _elementwise(lambda layer, nn: nn.Sigmoid()),
    ReLU: _elementwise(lambda layer, nn: nn.ReLU()),
    LeakyReLU: _elementwise(lambda layer, nn: nn.LeakyReLU(layer.alpha)),
    Dropout: _elementwise(lambda layer, nn: nn.Dropout(layer.p)),
    Softmax: _softmax(lambda nn: nn.Softmax),
    LogSoftmax: _softmax(lambda nn: nn.LogSoftmax),
    Conv1D: _conv,
    Conv2D: _conv,
    MaxPool1D: _pool("MaxPool1d"),
    MaxPool2D: _pool("MaxPool2d"),
    AvgPool1D: _pool("AvgPool1d"),
    AvgPool2D: _pool("AvgPool2d"),
    BatchNorm1D: _batchnorm,
    Flatten: _flatten,
    Reshape: _reshape,
    Transpose2D: _transpose,
}
