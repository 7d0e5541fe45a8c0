"""Record the hidden activations of a PyTorch module with forward hooks (``flambeau[torch]``)."""

from __future__ import annotations

import numpy as np

from ._optional import require
from ._selection import choose_layers
from .spatial import check_spatial, reduce_spatial

__all__ = ["record_torch"]

WHERE = "record_torch"


def _activation_types(nn) -> tuple[type, ...]:
    """Every class of ``torch.nn.modules.activation`` (ReLU, Tanh, GELU, Softmax...) but attention."""
    module = nn.modules.activation
    names = [name for name in module.__all__ if name != "MultiheadAttention"]
    return tuple(getattr(module, name) for name in names)


def _default_layers(model, nn) -> list[str]:
    """Names of the activation modules; for an ``nn.Sequential`` without any, of every child."""
    kinds = _activation_types(nn)
    names = [name for name, module in model.named_modules() if name and isinstance(module, kinds)]
    if not names and isinstance(model, nn.Sequential):
        names = [name for name, _ in model.named_children()]
    return names


def _expected_input(model, nn) -> str:
    """What the first declared Linear or ConvNd layer takes, for error messages."""
    for name, module in model.named_modules():
        if isinstance(module, nn.Linear):
            return f"its first layer {name!r} (Linear) expects (batch, {module.in_features})"
        for dims, conv in ((1, nn.Conv1d), (2, nn.Conv2d), (3, nn.Conv3d)):
            if isinstance(module, conv):
                axes = ("L",), ("H", "W"), ("D", "H", "W")
                return (f"its first layer {name!r} ({type(module).__name__}) expects "
                        f"(batch, {module.in_channels}, {', '.join(axes[dims - 1])})")
    return "see its first layer"


def record_torch(model, X, layers=None, batch_size: int = 256,
                 spatial: str = "mean") -> dict[str, np.ndarray]:
    """Outputs of the chosen modules of a PyTorch ``model`` for the inputs ``X``.

    The model runs in ``eval()`` mode under ``torch.no_grad()``, ``batch_size`` samples at a time
    (its training flag is restored afterwards); a forward hook on each chosen module keeps its
    output. Feature maps ``(n, c, *positions)`` (channels-first) are reduced per channel
    (``reduce_spatial``).

    Args:
        model: a ``torch.nn.Module`` taking one tensor.
        X: inputs ``(n, ...)`` as the model takes them (array or tensor).
        layers: names from ``model.named_modules()``; default: the output of every activation
            module (ReLU, Tanh, Sigmoid, LeakyReLU, GELU, Softmax...), or, for an
            ``nn.Sequential`` without any, of every child.
        batch_size: samples per forward pass.
        spatial: ``"mean"`` (default), ``"max"`` or ``"flatten"``.

    Returns:
        ``{layer name: (n, features) float32 array}`` in the model's order.

    Example:
        >>> acts = record_torch(net, X_test)            # doctest: +SKIP
        >>> acts = record_torch(net, X_test, layers=["features.1", "classifier.2"])  # doctest: +SKIP
    """
    torch = require("torch", "torch", WHERE)
    nn = torch.nn
    if not isinstance(model, nn.Module):
        raise TypeError(f"{WHERE}: model must be a torch.nn.Module, got {type(model).__name__}")
    check_spatial(WHERE, spatial)
    if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size < 1:
        raise ValueError(f"{WHERE}: batch_size must be a positive int, got {batch_size!r}")
    modules = dict(model.named_modules())
    available = [name for name in modules if name]
    chosen = choose_layers(WHERE, available, layers, _default_layers(model, nn))
    X = X.detach().cpu().numpy() if isinstance(X, torch.Tensor) else np.asarray(X)
    outputs = _run(model, torch, modules, chosen, X, batch_size)
    return {name: reduce_spatial(np.concatenate(chunks), spatial, channels_last=False).astype(np.float32)
            for name, chunks in outputs.items()}


def _run(model, torch, modules: dict, chosen: list[str], X: np.ndarray, batch_size: int) -> dict:
    parameter = next(model.parameters(), None)
    dtype = parameter.dtype if parameter is not None else torch.float32
    device = parameter.device if parameter is not None else torch.device("cpu")
    outputs: dict[str, list[np.ndarray]] = {name: [] for name in chosen}

    def hook_for(name):
        def hook(module, inputs, output):
            if not isinstance(output, torch.Tensor):
                raise TypeError(f"{WHERE}: layer {name!r} returns {type(output).__name__}, not a tensor")
            outputs[name].append(output.detach().float().cpu().numpy())
        return hook

    handles = [modules[name].register_forward_hook(hook_for(name)) for name in chosen]
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            for start in range(0, len(X), batch_size):
                batch = torch.as_tensor(X[start:start + batch_size], dtype=dtype, device=device)
                _forward(model, batch, X.shape, torch.nn)
                _check_calls(outputs, start // batch_size + 1)
    finally:
        model.train(was_training)
        for handle in handles:
            handle.remove()
    return outputs


def _forward(model, batch, shape: tuple, nn) -> None:
    try:
        model(batch)
    except RuntimeError as error:  # torch's shape errors: say what went in and what was expected
        raise ValueError(f"{WHERE}: the model cannot take X of shape {shape}: {_expected_input(model, nn)} "
                         f"(torch: {error})") from error


def _check_calls(outputs: dict, batches: int) -> None:
    for name, chunks in outputs.items():
        if len(chunks) != batches:
            raise ValueError(f"{WHERE}: layer {name!r} ran {len(chunks) - batches + 1} times in one forward "
                             f"pass (0 or several); record modules that run exactly once")
