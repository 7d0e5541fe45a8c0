"""PyTorch as the reference of every flambeau module and loss (an optional test dependency).

``TORCH_FUNCTIONS`` maps each module class to a function ``f(torch, module, x, leaf) -> y``
computing the module's forward pass with ``torch.nn.functional`` in flambeau's layouts: inputs
and outputs are channels-last (``(batch, length, chan)``, ``(batch, height, width, chan)``), so
convolutions and poolings move the channels to PyTorch's axis 1 and back, and read their kernel
``(k, chan_in, chan_out)`` as PyTorch's ``(chan_out, chan_in, k)``. ``leaf(array)`` is the torch
leaf tensor of a live parameter array of the module checked: a layer reads its weights through
it, so a ``TiedLinear`` finds its twin's weight wherever the twin sits, and containers just
compose their children. Autograd then gives the gradients in flambeau's layouts directly.

PyTorch is imported only when a reference runs, through ``importlib``: ``flambeau`` never
imports it (``tests/test_package.py`` checks it).
"""

from __future__ import annotations

import importlib

import numpy as np

from ..autoencoder import AutoEncoder
from ..containers import Concat, Sequential
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
    TiedLinear,
    Transpose2D,
)
from ..losses import BCELoss, CrossEntropyLoss, MSELoss, NLLLoss
from .access import buffers_of, gradients_of, parameters_of
from .verdicts import Reference

__all__ = ["TORCH_FUNCTIONS", "TORCH_LOSSES", "has_torch_reference", "import_torch", "torch_forward",
           "torch_loss_reference", "torch_reference"]


def import_torch():
    """The ``torch`` module, or an ImportError saying how to install it."""
    try:
        return importlib.import_module("torch")
    except ImportError as error:
        raise ImportError("PyTorch is needed for the reference checks: pip install torch "
                          "(or pip install -e '.[test]')") from error


# -- channels-last <-> PyTorch's channels-first -------------------------------------------------
def _channels_first(x):
    return x.permute(0, x.dim() - 1, *range(1, x.dim() - 1))


def _channels_last(y):
    return y.permute(0, *range(2, y.dim()), 1)


def _kernel(leaf_W):
    """Our kernel ``(*k, chan_in, chan_out)`` as PyTorch's ``(chan_out, chan_in, *k)``."""
    spatial = leaf_W.dim() - 2
    return leaf_W.permute(spatial + 1, spatial, *range(spatial))


# -- one function per class ------------------------------------------------------------------------
def _linear(torch, m, x, leaf):
    y = x @ leaf(m._parameters["W"])
    return y + leaf(m._parameters["b"]) if m.bias else y


def _tied(torch, m, x, leaf):
    y = x @ leaf(m.weight).T
    return y + leaf(m._parameters["b"]) if m.bias else y


def _conv(torch, m, x, leaf):
    convolve = torch.nn.functional.conv1d if x.dim() == 3 else torch.nn.functional.conv2d
    bias = leaf(m._parameters["b"]) if m.bias else None
    return _channels_last(convolve(_channels_first(x), _kernel(leaf(m._parameters["W"])), bias,
                                   stride=m.strides, padding=m.paddings))


def _pool(name: str):
    def pool(torch, m, x, leaf):
        function = getattr(torch.nn.functional, f"{name}{x.dim() - 2}d")
        return _channels_last(function(_channels_first(x), m.kernel, m.strides))
    return pool


def _batchnorm(torch, m, x, leaf):
    buffers = buffers_of(m)
    stats = [torch.tensor(np.array(buffers[k], np.float64)) for k in ("running_mean", "running_var")]
    weight, bias = (leaf(m._parameters["gamma"]), leaf(m._parameters["beta"])) if m.affine else (None, None)
    first = x.dim() == 3  # (batch, length, chan): PyTorch normalises axis 1
    y = torch.nn.functional.batch_norm(_channels_first(x) if first else x, *stats, weight, bias,
                                       training=m.training, momentum=m.momentum, eps=m.eps)
    return _channels_last(y) if first else y


def _dropout(torch, m, x, leaf):
    if m.training and m.p > 0:
        raise ValueError("Dropout in training mode draws a random mask: compare it in eval mode")
    return torch.nn.functional.dropout(x, m.p, training=False)


def _sequential(torch, m, x, leaf):
    for child in m:
        x = torch_forward(torch, child, x, leaf)
    return x


def _concat(torch, m, x, leaf):
    return torch.cat([torch_forward(torch, branch, x, leaf) for branch in m], dim=m.axis)


def _autoencoder(torch, m, x, leaf):
    return torch_forward(torch, m.decoder, torch_forward(torch, m.encoder, x, leaf), leaf)


TORCH_FUNCTIONS = {
    Identity: lambda torch, m, x, leaf: x,
    TanH: lambda torch, m, x, leaf: torch.tanh(x),
    Sigmoid: lambda torch, m, x, leaf: torch.sigmoid(x),
    ReLU: lambda torch, m, x, leaf: torch.relu(x),
    LeakyReLU: lambda torch, m, x, leaf: torch.nn.functional.leaky_relu(x, m.alpha),
    Softmax: lambda torch, m, x, leaf: torch.softmax(x, dim=-1),
    LogSoftmax: lambda torch, m, x, leaf: torch.log_softmax(x, dim=-1),
    Linear: _linear,
    TiedLinear: _tied,
    Conv1D: _conv,
    Conv2D: _conv,
    MaxPool1D: _pool("max_pool"),
    MaxPool2D: _pool("max_pool"),
    AvgPool1D: _pool("avg_pool"),
    AvgPool2D: _pool("avg_pool"),
    BatchNorm1D: _batchnorm,
    Dropout: _dropout,
    Flatten: lambda torch, m, x, leaf: x.reshape(x.shape[0], -1),
    Reshape: lambda torch, m, x, leaf: x.reshape(x.shape[0], *m.shape),
    Transpose2D: lambda torch, m, x, leaf: x.transpose(1, 2),
    Sequential: _sequential,
    Concat: _concat,
    AutoEncoder: _autoencoder,
}
"""Module class -> ``f(torch, module, x, leaf) -> y`` (see the module docstring)."""


def torch_forward(torch, module, x, leaf):
    """``module``'s forward pass in PyTorch (``TORCH_FUNCTIONS`` of its class)."""
    return TORCH_FUNCTIONS[type(module)](torch, module, x, leaf)


def has_torch_reference(module) -> bool:
    """Whether every class in ``module`` (itself and its sub-modules) has a torch function."""
    modules = module.modules() if callable(getattr(module, "modules", None)) else [module]
    return all(type(m) in TORCH_FUNCTIONS for m in modules)


def _torch_module_results(module, X, delta):
    torch = import_torch()
    params = parameters_of(module)
    leaves = {name: torch.tensor(np.array(p, np.float64), requires_grad=True) for name, p in params.items()}
    by_array = {id(params[name]): leaf for name, leaf in leaves.items()}

    def leaf(array):
        return by_array[id(array)]

    x = torch.tensor(X, dtype=torch.float64, requires_grad=True)
    y = torch_forward(torch, module, x, leaf)
    (y * torch.tensor(delta, dtype=torch.float64)).sum().backward()
    grads = {name: np.zeros_like(gradients_of(module)[name]) if t.grad is None else t.grad.numpy()
             for name, t in leaves.items()}
    return y.detach().numpy(), x.grad.numpy(), grads


def torch_reference() -> Reference:
    """PyTorch (float64 autograd) as the ``Reference`` of ``check_module``."""
    return Reference("torch", _torch_module_results)


# -- losses ------------------------------------------------------------------------------------------
def _per_sample(values, loss):
    """Each sample's terms summed, or averaged for a loss built with ``features="mean"``."""
    rows = values.reshape(values.shape[0], -1)
    return rows.mean(1) if loss.features == "mean" else rows.sum(1)


def _cross_entropy(torch, loss, y, z):
    F = torch.nn.functional
    if loss.from_logits:
        return F.cross_entropy(z, y, reduction="none")  # labels or probability rows
    log_p = torch.log(z)
    return F.nll_loss(log_p, y, reduction="none") if y.dim() == 1 else -(y * log_p).sum(1)


def _nll(torch, loss, y, z):
    return torch.nn.functional.nll_loss(z, y, reduction="none") if y.dim() == 1 else -(y * z).sum(1)


TORCH_LOSSES = {
    MSELoss: lambda torch, loss, y, z: _per_sample(torch.nn.functional.mse_loss(z, y, reduction="none"),
                                                   loss),
    BCELoss: lambda torch, loss, y, z: _per_sample(
        torch.nn.functional.binary_cross_entropy(z, y, reduction="none"), loss),
    CrossEntropyLoss: _cross_entropy,
    NLLLoss: _nll,
}
"""Loss class -> ``f(torch, loss, y, z) -> per-sample losses`` (labels arrive as int64)."""


def _torch_loss_results(loss, y, yhat):
    torch = import_torch()
    y = np.asarray(y)
    target = torch.tensor(y) if y.dtype.kind in "iu" else torch.tensor(y, dtype=torch.float64)
    z = torch.tensor(yhat, dtype=torch.float64, requires_grad=True)
    values = TORCH_LOSSES[type(loss)](torch, loss, target, z)
    values.sum().backward()
    return values.detach().numpy(), z.grad.numpy()


def torch_loss_reference() -> Reference:
    """PyTorch as the ``Reference`` of ``check_loss``: ``compute(loss, y, yhat)`` gives the
    per-sample losses and the gradient of their sum."""
    return Reference("torch", _torch_loss_results)
