"""Record the hidden activations of a Keras 3 model through a sub-model (``flambeau[keras]``).

Keras 3 runs on any of its backends; the tests use PyTorch (``KERAS_BACKEND=torch``), so no
TensorFlow is needed.
"""

from __future__ import annotations

import numpy as np

from ._inputs import check_input_shape
from ._optional import require
from ._selection import choose_layers
from .spatial import check_spatial, reduce_spatial

__all__ = ["record_keras"]

WHERE = "record_keras"
_ACTIVATION_LAYERS = ("Activation", "ReLU", "LeakyReLU", "PReLU", "ELU", "Softmax")


def _has_activation(layer) -> bool:
    """An activation layer, or a layer whose ``activation`` is not the identity."""
    if type(layer).__name__ in _ACTIVATION_LAYERS:
        return True
    activation = getattr(layer, "activation", None)
    return activation is not None and getattr(activation, "__name__", "") != "linear"


def _channels_last(layer, keras) -> bool:
    data_format = getattr(layer, "data_format", None) or keras.config.image_data_format()
    return data_format != "channels_first"


def record_keras(model, X, layers=None, batch_size: int = 256,
                 spatial: str = "mean") -> dict[str, np.ndarray]:
    """Outputs of the chosen layers of a built Keras 3 ``model`` for the inputs ``X``.

    A sub-model ``keras.Model(model.inputs, [layer.output, ...])`` is run in inference mode
    (``predict``), ``batch_size`` samples at a time. Feature maps are reduced per channel
    (``reduce_spatial``), channels-last unless the layer says ``data_format="channels_first"``.

    Args:
        model: a built ``keras.Model`` (``Sequential`` or functional) with one input.
        X: inputs ``(n, ...)`` as the model takes them.
        layers: layer names (``layer.name``); default: every activation layer and every layer
            with a non-linear ``activation`` (``Dense(..., activation="relu")``).
        batch_size: samples per forward pass.
        spatial: ``"mean"`` (default), ``"max"`` or ``"flatten"``.

    Returns:
        ``{layer name: (n, features) float32 array}`` in the model's order.
    """
    keras = require("keras", "keras", WHERE)
    if not isinstance(model, keras.Model):
        raise TypeError(f"{WHERE}: model must be a keras.Model, got {type(model).__name__}")
    check_spatial(WHERE, spatial)
    try:
        inputs = model.inputs
    except (AttributeError, ValueError):
        inputs = None
    if not inputs:
        raise ValueError(f"{WHERE}: the model has no defined input; build it with keras.Input(shape) first")
    if len(inputs) != 1:
        raise ValueError(f"{WHERE}: the model must take one input, it takes {len(inputs)}")
    by_name = {layer.name: layer for layer in model.layers}
    default = [name for name, layer in by_name.items() if _has_activation(layer)]
    chosen = choose_layers(WHERE, list(by_name), layers, default)
    X = np.asarray(X, dtype=np.float32)
    check_input_shape(WHERE, "the model expects input", tuple(inputs[0].shape), X)
    sub = keras.Model(inputs, [by_name[name].output for name in chosen])
    outputs = sub.predict(X, batch_size=batch_size, verbose=0)
    outputs = outputs if isinstance(outputs, (list, tuple)) else [outputs]
    return {name: reduce_spatial(np.asarray(out), spatial, _channels_last(by_name[name], keras))
            .astype(np.float32) for name, out in zip(chosen, outputs, strict=True)}
